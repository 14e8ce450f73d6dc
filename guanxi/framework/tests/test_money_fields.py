"""Money on a real model (the test app's Gadget.list_price) and as a custom-field type."""

import csv
import datetime
import decimal
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext, override

from guanxi.core.models import CustomField, ExchangeRate
from guanxi.framework.api.testing import token_client
from guanxi.framework.money import Money, rate_on
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.testapp.models import Gadget


def today():
    """The day base amounts are converted on (the application's time zone), read when a test
    runs: a module constant kept the import day past midnight and met tomorrow's rate."""
    return timezone.localdate()


D = decimal.Decimal
GADGETS = "/api/v1/testapp/gadgets/"


@pytest.fixture
def rates(db):
    """USD was 7.00 until a month ago, 7.10 since; a rate from tomorrow on is not used yet."""
    with as_system():
        for days, rate in ((-400, "7.00"), (-30, "7.10"), (1, "9.99")):
            ExchangeRate.objects.create(
                currency="USD", rate=D(rate), valid_from=today() + datetime.timedelta(days=days)
            )


def make(n, money, **extra):
    with as_system():
        gadget = Gadget(name=f"设备{n}", code=f"M-{n}", **extra)
        gadget.list_price = money
        gadget.save()
    return gadget


def test_the_rate_of_a_day_is_the_latest_on_or_before_it(rates):
    assert rate_on("USD", today()) == D("7.10")
    assert rate_on("USD", today() - datetime.timedelta(days=100)) == D("7.00")
    assert rate_on("USD", today() - datetime.timedelta(days=500)) is None
    assert rate_on("CNY", today()) == 1


def test_save_stores_the_company_currency_amount_so_sql_can_sum_it(rates):
    make(1, Money("12.50", "CNY"))
    usd = make(2, Money("10.01", "USD"))
    make(3, None)
    usd.refresh_from_db()
    assert (usd.list_price_amount, usd.list_price_currency, usd.list_price_base) == (
        D("10.01"),
        "USD",
        D("71.07"),  # 10.01 × 7.10 = 71.071, rounded half up once
    )
    assert usd.list_price == Money("10.01", "USD")
    assert Gadget.objects.aggregate(total=Sum("list_price_base"))["total"] == D("83.57")


def test_a_record_keeps_the_rate_of_its_own_date_when_edited(rates):
    gadget = make(1, Money("100", "USD"))
    Gadget.objects.filter(pk=gadget.pk).update(created_at=timezone.now() - datetime.timedelta(days=100))
    gadget.refresh_from_db()
    with as_system():
        gadget.name = "renamed"
        gadget.save()
    gadget.refresh_from_db()
    assert gadget.list_price_base == D("700.00")


def test_amounts_take_only_their_currencys_decimals(rates):
    gadget = Gadget(name="x", code="X", list_price_amount=D("12.5"), list_price_currency="JPY")
    with pytest.raises(Exception) as caught:
        gadget.full_clean()
    assert "list_price_amount" in caught.value.message_dict
    gadget.list_price_currency = "EUR"  # no EUR rate
    with pytest.raises(Exception) as caught:
        gadget.full_clean()
    assert "list_price_currency" in caught.value.message_dict


def test_the_form_takes_amount_and_currency_and_refuses_a_currency_without_rate(admin_client, rates):
    data = {"name": "扫码枪", "code": "G-1", "price": "1", "status": "active"}
    response = admin_client.post(
        "/test/gadgets/add/", {**data, "list_price_amount": "199.99", "list_price_currency": "USD"}
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    gadget = Gadget.objects.get()
    assert (gadget.list_price, gadget.list_price_base) == (Money("199.99", "USD"), D("1419.93"))

    refused = admin_client.post(
        f"/test/gadgets/{gadget.pk}/edit/", {**data, "list_price_amount": "5", "list_price_currency": "EUR"}
    )
    assert refused.status_code == 200
    assert "没有 EUR 的汇率" in refused.content.decode()  # the form again, the message on the currency
    gadget.refresh_from_db()
    assert gadget.list_price == Money("199.99", "USD")
    # no currency posted: the company currency
    assert (
        admin_client.post(f"/test/gadgets/{gadget.pk}/edit/", {**data, "list_price_amount": "5"}).status_code
        == 302
    )
    gadget.refresh_from_db()
    assert (gadget.list_price, gadget.list_price_base) == (Money("5", "CNY"), D("5.00"))


def test_list_shows_formatted_amounts_filters_on_the_base_and_exports_two_columns(admin_client, rates):
    make(1, Money("1234.5", "CNY"))
    make(2, Money("10", "USD"))  # 71.00 in CNY
    make(3, Money("5", "CNY"))
    page = admin_client.get("/test/gadgets/").content.decode()
    assert "¥1,234.50" in page and "USD 10.00" in page

    names = lambda url: sorted(g["name"] for g in admin_client.get(url).json()["results"])  # noqa: E731
    assert names(f"{GADGETS}?list_price__gte=50") == ["设备1", "设备2"]
    assert names(f"{GADGETS}?list_price__gte=50&list_price__lte=100") == ["设备2"]
    filtered = admin_client.get("/test/gadgets/?list_price__lte=100").content.decode()
    assert "设备2" in filtered and "设备1" not in filtered

    export = admin_client.get("/test/gadgets/?export=csv&sort=name").getvalue().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(export)))
    header = rows[0]
    amount_at = header.index("list price")
    with override("zh-hans"):
        assert header[amount_at + 1] == f"list price ({gettext('currency')})"
    assert [r[amount_at : amount_at + 2] for r in rows[1:]] == [
        ["1234.50", "CNY"],
        ["10.00", "USD"],
        ["5.00", "CNY"],
    ]


def test_the_api_reads_and_writes_amount_and_currency(admin_user, rates):
    client = token_client(admin_user)
    created = client.post(
        GADGETS,
        {"name": "W", "code": "W-1", "list_price": {"amount": "12.5", "currency": "USD"}},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["list_price"] == {"amount": "12.50", "currency": "USD"}
    gadget = Gadget.objects.get()
    assert gadget.list_price_base == D("88.75")

    url = f"{GADGETS}{gadget.pk}/"
    assert client.patch(url, {"list_price": None}, format="json").json()["list_price"] is None
    assert client.patch(url, {"list_price": {"amount": "3"}}, format="json").json()["list_price"] == {
        "amount": "3.00",
        "currency": "CNY",
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"amount": "abc", "currency": "CNY"}, "Enter the amount as a number"),
        ({"amount": "1", "currency": "XYZ"}, "Unknown currency “XYZ”"),
        ({"amount": "12.5", "currency": "JPY"}, "JPY amounts are whole numbers."),
        ({"amount": "1.001", "currency": "CNY"}, "at most 2 decimal places"),
        ("12.50", 'Give the amount as {"amount": "12.50", "currency": "CNY"}.'),
        ({"amount": "1", "currency": "CNY", "rate": 2}, 'Give the amount as {"amount"'),
        ({"amount": "1", "currency": "EUR"}, "No exchange rate for EUR"),
    ],
)
def test_the_api_refuses_bad_money_with_a_field_message(admin_user, rates, value, message):
    response = token_client(admin_user).post(
        GADGETS, {"name": "W", "code": "W-1", "list_price": value}, format="json"
    )
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert list(errors) == ["list_price"]
    assert message in " ".join(errors["list_price"])
    assert not Gadget.objects.exists()


def test_the_schema_describes_money_as_a_component(admin_user):
    schema = token_client(admin_user).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    money = schema["components"]["schemas"]["Money"]
    assert set(money["properties"]) == {"amount", "currency"}
    gadget = schema["components"]["schemas"]["Gadget"]["properties"]["list_price"]
    assert gadget["oneOf"] == [{"$ref": "#/components/schemas/Money"}]


# --- the ``money`` custom-field type --------------------------------------------------------------
@pytest.fixture
def budget(db):
    with as_system():
        return CustomField.objects.create(
            content_type=ContentType.objects.get_for_model(Gadget),
            name="budget",
            label="预算",
            type="money",
            show_in_table=True,
            validation_min=D("0"),
        )


def test_money_custom_fields_are_validated_stored_shown_filtered_and_exported(
    admin_client, admin_user, budget
):
    client = token_client(admin_user)
    ok = client.post(
        GADGETS,
        {"name": "A", "code": "A", "custom_fields": {"budget": {"amount": "12.5", "currency": "USD"}}},
        format="json",
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["custom_fields"] == {"budget": {"amount": "12.50", "currency": "USD"}}
    for bad, text in (
        ({"amount": "x", "currency": "USD"}, "Enter the amount as a number"),
        ({"amount": "1", "currency": "XYZ"}, "Unknown currency"),
        ({"amount": "-1", "currency": "CNY"}, "Must be at least 0"),
        ({"value": "1"}, "Give money as"),
    ):
        refused = client.post(
            GADGETS, {"name": "B", "code": "B", "custom_fields": {"budget": bad}}, format="json"
        )
        assert refused.status_code == 400, refused.content
        assert text in " ".join(refused.json()["errors"]["custom_fields.budget"])

    form = admin_client.get("/test/gadgets/add/").content.decode()
    assert 'name="cf_budget_0"' in form and 'name="cf_budget_1"' in form
    posted = admin_client.post(
        "/test/gadgets/add/",
        {
            "name": "C",
            "code": "C",
            "price": "1",
            "status": "active",
            "cf_budget_0": "300",
            "cf_budget_1": "CNY",
        },
    )
    assert posted.status_code == 302, posted.content.decode()[-3000:]
    assert Gadget.objects.get(code="C").custom_field_data == {
        "budget": {"amount": "300.00", "currency": "CNY"}
    }
    edit = admin_client.get(f"/test/gadgets/{Gadget.objects.get(code='C').pk}/edit/").content.decode()
    assert 'value="300.00"' in edit

    page = admin_client.get("/test/gadgets/").content.decode()
    assert "USD 12.50" in page and "¥300.00" in page
    names = lambda query: sorted(g["name"] for g in client.get(f"{GADGETS}?{query}").json()["results"])  # noqa: E731
    assert names("cf_budget__gte=100") == ["C"]
    assert names("cf_budget__lte=100") == ["A"]
    assert names("cf_budget__currency=USD") == ["A"]
    export = admin_client.get("/test/gadgets/?export=csv&sort=name").getvalue().decode("utf-8-sig")
    assert "USD 12.50" in export and "¥300.00" in export


def test_a_money_definitions_default_is_checked(db):
    definition = CustomField(
        content_type=ContentType.objects.get_for_model(Gadget),
        name="deposit",
        label="定金",
        type="money",
        default={"amount": "1.234", "currency": "CNY"},
    )
    with pytest.raises(Exception) as caught:
        definition.full_clean()
    assert "default" in caught.value.message_dict
    definition.default = {"amount": "50", "currency": "CNY"}
    definition.full_clean()
    assert definition.default == {"amount": "50.00", "currency": "CNY"}


def test_exchange_rates_through_the_api(admin_user):
    client = token_client(admin_user)
    created = client.post(
        "/api/v1/core/exchange-rates/",
        {"currency": "USD", "rate": "7.1", "valid_from": "2026-01-01"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert rate_on("USD", datetime.date(2026, 6, 1)) == D("7.1")
    same_day = client.post(
        "/api/v1/core/exchange-rates/",
        {"currency": "USD", "rate": "7.2", "valid_from": "2026-01-01"},
        format="json",
    )
    assert same_day.status_code == 400
    company = client.post(
        "/api/v1/core/exchange-rates/",
        {"currency": "CNY", "rate": "1", "valid_from": "2026-01-01"},
        format="json",
    )
    assert company.status_code == 400 and "currency" in company.json()["errors"]
    negative = client.post(
        "/api/v1/core/exchange-rates/",
        {"currency": "EUR", "rate": "-1", "valid_from": "2026-01-01"},
        format="json",
    )
    assert negative.status_code == 400 and "rate" in negative.json()["errors"]


def test_mixed_currencies_in_one_record_are_a_field_error(admin_user, rates):
    client = token_client(admin_user)
    mixed = client.post(
        GADGETS,
        {
            "name": "W",
            "code": "W-1",
            "list_price": {"amount": "100", "currency": "USD"},
            "discount": {"amount": "5", "currency": "CNY"},
        },
        format="json",
    )
    assert mixed.status_code == 400, mixed.content
    assert list(mixed.json()["errors"]) == ["discount"]
    assert "(USD)" in mixed.json()["errors"]["discount"][0]
    same = client.post(
        GADGETS,
        {
            "name": "W",
            "code": "W-1",
            "list_price": {"amount": "100", "currency": "USD"},
            "discount": {"amount": "5", "currency": "USD"},
        },
        format="json",
    )
    assert same.status_code == 201, same.content
    gadget = Gadget.objects.get()
    assert gadget.list_price - gadget.discount == Money("95", "USD")
    assert gadget.discount_base == D("35.50")


def test_saving_only_the_amount_also_writes_the_base(rates):
    """The write path saves only changed fields (update_fields); the base must follow the amount."""
    gadget = make(1, Money("10", "USD"))
    gadget.list_price = Money("20", "USD")
    with as_system():
        gadget.save(update_fields=["list_price_amount"])
    gadget.refresh_from_db()
    assert gadget.list_price_base == D("142.00")
    gadget.list_price_currency = "CNY"
    with as_system():
        gadget.save(update_fields=["list_price_currency"])
    gadget.refresh_from_db()
    assert gadget.list_price_base == D("20.00")


def test_the_detail_page_shows_money_as_one_formatted_value(admin_client, rates):
    """The profile panel reads ``¥120,000.00``, not the amount column (``120000.00``) beside a
    "(currency)" line; another currency also shows its company-currency value."""
    import re

    home = make(1, Money("120000", "CNY"))
    abroad = make(2, Money("10", "USD"))  # 71.00 in CNY at today's rate
    panel = admin_client.get(f"/test/gadgets/{home.pk}/").content.decode()
    details = re.search(r'id="gadget-profile".*?</details>', panel, re.S).group(0)
    assert "<dt>List price</dt><dd>¥120,000.00</dd>" in details
    assert "120000.00" not in details and "(currency)" not in details and "(货币)" not in details
    panel = admin_client.get(f"/test/gadgets/{abroad.pk}/").content.decode()
    assert "<dt>List price</dt><dd>USD 10.00 (≈ ¥71.00)</dd>" in panel


def test_history_shows_a_money_change_as_one_line(rates):
    """Created, then re-priced, then moved to another currency: each a single "list price" line,
    formatted, without the currency and company-currency columns beside it."""
    from guanxi.core.models import ObjectChange
    from guanxi.framework.history import describe_changes

    gadget = make(1, Money("120000", "CNY"))
    with as_system():
        gadget.list_price = Money("130000", "CNY")
        gadget.save()
        gadget.list_price = Money("10", "USD")
        gadget.save()
    changes = list(
        ObjectChange.objects.filter(
            changed_object_type=ContentType.objects.get_for_model(Gadget), changed_object_id=gadget.pk
        ).order_by("pk")
    )
    described = describe_changes(changes)
    with override("zh-hans"):
        lines = [
            [(r.label, r.old, r.new) for r in described[c.pk] if r.name.startswith("list_price")]
            for c in changes
        ]
    assert lines == [
        [("list price", "", "¥120,000.00")],
        [("list price", "120,000.00", "130,000.00")],  # the currency did not change: not logged
        [("list price", "¥130,000.00", "USD 10.00")],
    ]
