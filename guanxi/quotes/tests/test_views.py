"""The generic page suite on quotes, the lines editor, and the quote's scope (its lines follow it)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from guanxi.customers.models import Customer
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.scopes import ScopeSuite, record_name
from guanxi.framework.testing.suites import EntityViewSuite, snapshot
from guanxi.quotes.models import Quote, QuoteLine
from guanxi.quotes.services import LineInput
from guanxi.quotes.tests.conftest import new_quote, with_lines
from guanxi.sales.models import Deal, Pipeline


def _deal(owner=None, department=None, n=0) -> Deal:
    pipeline = Pipeline.objects.filter(is_default=True).first()
    if pipeline is None:
        from guanxi.sales.tests.conftest import make_pipeline

        pipeline = make_pipeline()
    customer = Customer.objects.create(name=f"客户{n:04d}")
    stage = pipeline.stages.order_by("order").first()
    assert stage is not None
    return Deal.objects.create(
        name=f"商机{n:04d}",
        customer=customer,
        pipeline=pipeline,
        stage=stage,
        owner=owner,
        department=department,
    )


class TestQuoteViews(EntityViewSuite):
    model = Quote
    url_prefix = "/quotes/"
    bulk_edit_data = {"valid_until": "2027-01-31"}
    list_query_budget = 15  # + the deal filter's choices

    @pytest.fixture(autouse=True)
    def _deal_for_forms(self, db):
        with as_system():
            self.deal = _deal(n=9999)
        self.form_data = {
            "deal": self.deal.pk,
            "title": "华康 CRM 报价",
            "currency": "CNY",
            "terms": "款到发货",
        }
        self.edit_data = {
            "deal": self.deal.pk,
            "title": "华康 CRM 报价（修订）",
            "currency": "CNY",
            "terms": "款到发货",
        }

    @pytest.fixture
    def make_user(self, make_user):
        """Whoever the suite gives rights on quotes may also see deals (a quote is made on one)."""

        def factory(username, perms=(), **fields):
            perms = [*perms, "sales.view_deal"] if perms else perms
            return make_user(username, perms=perms, **fields)

        return factory

    def make(self, n):
        return Quote.objects.create(
            deal=_deal(n=n), title=f"报价{n:04d}", valid_until="2027-01-01", number=f"Q-T-{n:04d}"
        )


class TestQuoteScopes(ScopeSuite):
    model = Quote
    url_prefix = "/quotes/"
    api_url = "/api/v1/quotes/quotes/"
    api_edit = {"terms": "edited"}

    def make(self, owner, department, n):
        deal = _deal(owner, department, n)
        return Quote.objects.create(
            deal=deal, title=record_name(n), valid_until="2027-01-01", number=f"Q-S-{n:04d}",
            owner=owner, department=department,
        )  # fmt: skip

    def api_create_body(self, org, user):
        from guanxi.framework.testing.scopes import give_role

        with as_system():
            deal = _deal(user, user.department, 900)
        give_role(user, Deal, "own", ["view"], name=f"deal-view-{user.username}")  # a quote needs its deal
        return {"deal": deal.pk, "title": record_name(900), "currency": "CNY"}


def test_quote_lines_follow_their_quote(q):
    quote = with_lines(new_quote(q.rep1, q.deal), q.rep1, [LineInput(product=q.crm, quantity="1")])
    line = quote.lines.get()
    assert list(QuoteLine.objects.restrict(q.rep1, "view")) == [line]
    assert list(QuoteLine.objects.restrict(q.manager1, "view")) == [line]  # the manager sees the quote
    assert list(QuoteLine.objects.restrict(q.rep2, "view")) == []
    assert list(QuoteLine.objects.restrict(q.rep2, "change")) == []


def test_lines_editor_saves_every_row_and_shows_the_total(q, client):
    quote = new_quote(q.rep1, q.deal)
    client.force_login(q.rep1)
    page = client.get(f"/quotes/{quote.pk}/lines/")
    assert page.status_code == 200 and "CRM-PRO Guanxi Cloud Pro" in page.content.decode()
    response = client.post(
        f"/quotes/{quote.pk}/lines/",
        {
            "rows": "3",
            "line-0-product": q.crm.pk,
            "line-0-quantity": "2",
            "line-0-discount_percent": "5",
            "line-1-description": "上门服务费",
            "line-1-quantity": "1",
            "line-1-unit_price": "1234.56",
            "line-1-tax_rate": "6",
        },
    )
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.grand_total_amount == Decimal("37378.23")  # 36,069.60 + 1,308.63
    detail = client.get(f"/quotes/{quote.pk}/").content.decode()
    assert "CNY 37,378.23" in detail


@pytest.mark.parametrize(
    ("language", "labels"),
    [("en", ("Subtotal", "Discount", "Tax", "Grand total")), ("zh-hans", ("小计", "折扣", "税额", "总计"))],
)
def test_the_quote_page_shows_its_totals_once_under_the_lines(q, client, language, labels):
    """The profile panel listed subtotal, discount, tax and grand total, and the lines card listed
    them again under the lines: they are shown once, under the lines, to the cent."""
    quote = with_lines(
        new_quote(q.rep1, q.deal),
        q.rep1,
        [
            LineInput(product=q.crm, quantity="2", discount_percent="20"),
            LineInput(product=q.training, quantity="3"),
        ],
    )
    type(q.rep1).objects.filter(pk=q.rep1.pk).update(language=language)
    client.force_login(q.rep1)
    html = client.get(f"/quotes/{quote.pk}/").content.decode()
    profile = html[html.index('id="quote-profile"') : html.index('id="quote-lines"')]
    totals = html[html.index('id="quote-totals"') : html.index("</dl>", html.index('id="quote-totals"'))]
    for label in labels:
        assert f"<dt>{label}</dt>" not in profile and label in totals
    figures = {
        "subtotal": "42,600.00",
        "discount-total": "6,720.00",
        "tax-total": "4,034.40",
        "grand-total": "39,914.40",
    }
    for testid, figure in figures.items():
        assert f'data-testid="{testid}">' in totals and figure in totals
    assert (
        html.count('data-testid="grand-total"') == 1 and html.count("39,914.40") == 2
    )  # + the versions list


def test_lines_editor_answers_a_crafted_row_count_without_an_error_page(q, client):
    quote = new_quote(q.rep1, q.deal)
    client.force_login(q.rep1)
    response = client.post(f"/quotes/{quote.pk}/lines/", {"rows": "abc"})
    assert response.status_code in (302, 422)


def test_lines_editor_shows_field_messages_and_saves_nothing(q, client):
    quote = with_lines(new_quote(q.rep1, q.deal), q.rep1, [LineInput(product=q.crm, quantity="1")])
    before = snapshot(QuoteLine), snapshot(Quote)
    client.force_login(q.rep1)
    response = client.post(
        f"/quotes/{quote.pk}/lines/",
        {
            "rows": "2",
            "line-0-product": q.crm.pk,
            "line-0-quantity": "-2",
            "line-1-product": q.crm.pk,
            "line-1-quantity": "1",
            "line-1-discount_percent": "150",
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "The quantity cannot be negative." in body
    assert "The discount is a percentage between 0 and 100." in body
    assert (snapshot(QuoteLine), snapshot(Quote)) == before


def test_api_record_carries_pdf_url_and_lines_are_replaced_through_the_api(q):
    from guanxi.framework.testing.scopes import api_client

    quote = new_quote(q.rep1, q.deal)
    client = api_client(q.rep1)
    data = client.get(f"/api/v1/quotes/quotes/{quote.pk}/").json()
    assert data["pdf_url"].endswith(f"/quotes/{quote.pk}/pdf/")
    assert data["customer"]["display"] == "上海华康医疗器械有限公司"
    response = client.put(
        f"/api/v1/quotes/quotes/{quote.pk}/lines/",
        [{"product": q.crm.pk, "quantity": "2", "discount_percent": "5"}],
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["grand_total"] == {"amount": "36069.60", "currency": "CNY"}
    bad = client.put(
        f"/api/v1/quotes/quotes/{quote.pk}/lines/",
        [
            {"product": q.crm.pk, "quantity": "-1"},
            {"product": q.crm.pk, "quantity": "1", "discount_percent": "101"},
        ],
        format="json",
    )
    assert bad.status_code == 400
    errors = bad.json()["errors"]
    assert errors["1.quantity"] == ["The quantity cannot be negative."]
    assert errors["2.discount_percent"] == ["The discount is a percentage between 0 and 100."]
    quote.refresh_from_db()
    assert quote.grand_total_amount == Decimal("36069.60")  # unchanged
    # totals are not writable
    patch = client.patch(
        f"/api/v1/quotes/quotes/{quote.pk}/",
        {"grand_total": {"amount": "1", "currency": "CNY"}},
        format="json",
    )
    quote.refresh_from_db()
    assert patch.status_code in (200, 400) and quote.grand_total_amount == Decimal("36069.60")
