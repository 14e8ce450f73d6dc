"""The receivables pages: the plan on the contract's page, the split and installment forms, a
receipt's allocation, the aging report (numbers, links, export, scope) and the overdue list."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest

from guanxi.framework.testing.fixtures import as_system
from guanxi.receivables.models import Installment, ReceiptAllocation
from guanxi.receivables.tests.conftest import confirm, planned, record, signed_contract, today


def _aging_setup(c):
    """华康 (rep1): ¥90,000 in three: 45 days overdue, 10 days overdue, due in 20 days; 西湖 (rep2):
    ¥10,000 due 100 days ago."""
    contract = signed_contract(c.rep1, c.customer, "90000.00")
    planned(contract, c.rep1, count=3, first=today() - datetime.timedelta(days=45))
    with as_system():
        for seq, delta in ((2, -10), (3, 20)):
            row = Installment.objects.get(contract=contract, sequence=seq)
            row.due_on = today() + datetime.timedelta(days=delta)
            row.save()
    other = signed_contract(c.rep2, c.other, "10000.00")
    planned(other, c.rep2, count=1, first=today() - datetime.timedelta(days=100))
    return contract, other


def test_the_contract_page_shows_the_plan_and_the_split_page_makes_it(c, client):
    contract = signed_contract(c.rep1, c.customer, "100000.00")
    client.force_login(c.rep1)
    page = client.get(contract.get_absolute_url()).content.decode()
    assert 'id="contract-plan"' in page and "No payment plan yet." in page
    response = client.post(
        f"/receivables/contracts/{contract.pk}/split/",
        {"count": "3", "first_due_on": "2027-01-15", "every_months": "1"},
    )
    assert response.status_code == 302
    assert list(Installment.objects.values_list("amount_amount", flat=True)) == [
        Decimal("33333.33"), Decimal("33333.33"), Decimal("33333.34"),
    ]  # fmt: skip
    page = client.get(contract.get_absolute_url()).content.decode()
    assert 'data-testid="installment-3"' in page


def test_an_installment_over_the_contract_is_a_field_message(c, client):
    contract = signed_contract(c.rep1, c.customer, "1000.00")
    client.force_login(c.rep1)
    response = client.post(
        f"/receivables/contracts/{contract.pk}/installments/add/",
        {"due_on": "2027-01-15", "amount": "1000.01", "remind_days": "7"},
    )
    assert response.status_code == 422
    assert "more than the contract amount" in response.content.decode()
    assert not Installment.objects.exists()


def test_another_department_cannot_open_the_plan_forms(c, client):
    contract = signed_contract(c.rep1, c.customer)
    client.force_login(c.rep2)
    assert client.get(f"/receivables/contracts/{contract.pk}/split/").status_code == 404


def test_the_allocation_page_saves_amounts_per_installment(c, client):
    contract = signed_contract(c.rep1, c.customer, "90000.00")
    first, second, _third = planned(contract, c.rep1, count=3)
    receipt = record(c.finance, contract, "40000.00")
    client.force_login(c.finance)
    url = f"/receipts/{receipt.pk}/allocation/"
    assert client.get(url).status_code == 200
    too_much = client.post(url, {f"installment-{first.pk}": "35000"})
    assert too_much.status_code == 422 and not ReceiptAllocation.objects.exists()
    assert (
        client.post(
            url, {f"installment-{second.pk}": "30000", f"installment-{first.pk}": "10000"}
        ).status_code
        == 302
    )
    assert dict(ReceiptAllocation.objects.values_list("installment__sequence", "amount")) == {
        1: Decimal("10000.00"),
        2: Decimal("30000.00"),
    }


def test_the_aging_report_buckets_and_links(c, client):
    _aging_setup(c)
    client.force_login(c.manager1)  # east1's manager: 华康 only
    page = client.get("/receivables/aging/")
    assert page.status_code == 200
    report = page.context["report"]
    assert [r.label for r in report.rows] == [c.customer.name]
    amounts = [m.amount for m, _url in report.rows[0].cells]
    assert amounts == [Decimal("30000.00"), Decimal("30000.00"), Decimal("30000.00"), Decimal(0), Decimal(0)]
    url = report.rows[0].cells[2][1]
    listed = client.get(url)
    assert listed.status_code == 200
    assert [(r.contract.customer_id, r.sequence) for r, _late in listed.context["rows"]] == [
        (c.customer.pk, 1)
    ]
    assert "where" in parse_qs(urlparse(url).query)
    by_owner = client.get("/receivables/aging/?by=owner").context["report"]
    assert [r.label for r in by_owner.rows] == [c.rep1.name]


def test_the_aging_report_changes_when_money_comes_in_and_exports(c, client):
    contract, _other = _aging_setup(c)
    client.force_login(c.finance)
    before = client.get("/receivables/aging/").context["report"]
    assert before.totals.total.amount == Decimal("100000.00")
    confirm(c.finance, record(c.finance, contract, "30000.00"))
    after = client.get("/receivables/aging/").context["report"]
    assert after.totals.total.amount == Decimal("70000.00")
    assert [m.amount for m, _u in after.totals.cells] == [
        Decimal("30000.00"), Decimal("30000.00"), Decimal(0), Decimal(0), Decimal("10000.00"),
    ]  # fmt: skip
    export = client.get("/receivables/aging/?export=xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet.max_row == 4 and sheet.cell(row=4, column=7).value == 70000


def test_the_aging_report_pages_its_rows_and_totals_them_all(c, client, monkeypatch):
    """A page shows PAGE_SIZE groups, largest total first; the totals row and the Excel export
    cover every group on every page."""
    from guanxi.receivables import aging

    _aging_setup(c)  # 华康 ¥90,000, 西湖 ¥10,000
    monkeypatch.setattr(aging, "PAGE_SIZE", 1)
    client.force_login(c.finance)
    first = client.get("/receivables/aging/")
    second = client.get("/receivables/aging/?page=2")
    for page, name in ((first, c.customer.name), (second, c.other.name)):
        report = page.context["report"]
        assert [r.label for r in report.rows] == [name]
        assert report.totals.total.amount == Decimal("100000.00")
        assert report.page.paginator.count == 2
    html = first.content.decode()
    assert 'data-testid="aging-range"' in html and "?page=2" in html
    assert client.get("/receivables/aging/?page=9").context["report"].rows[0].label == c.other.name
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(client.get("/receivables/aging/?export=xlsx").content)).active
    assert sheet.max_row == 4  # the heading, both customers, the totals


def test_the_overdue_list_shows_only_overdue_installments_in_scope(c, client):
    _aging_setup(c)
    with as_system():
        from guanxi.receivables.services import mark_overdue

        mark_overdue()
    client.force_login(c.rep2)
    rows = client.get("/receivables/overdue/").context["rows"]
    assert [(r.contract.customer_id, late) for r, late in rows] == [(c.other.pk, 100)]


def test_a_bad_where_is_a_message_not_a_500(c, client):
    client.force_login(c.rep1)
    response = client.get(
        "/receivables/installments/", {"where": '{"version": 1, "all": [{"field": "nope"}]}'}
    )
    assert response.status_code == 200 and "cannot be applied" in response.content.decode()


@pytest.mark.parametrize(("who", "queries"), [("rep1", 4), ("manager1", 4)])
def test_aging_query_count_is_pinned(c, client, django_assert_num_queries, who, queries):
    _aging_setup(c)
    user = getattr(c, who)
    client.force_login(user)
    client.get("/receivables/aging/")  # warm the session and the access snapshot
    with django_assert_num_queries(queries):
        assert client.get("/receivables/aging/").status_code == 200


def test_the_customer_page_shows_lifetime_totals(c, client):
    contract, _other = _aging_setup(c)
    confirm(c.finance, record(c.finance, contract, "40000.00"))
    client.force_login(c.rep1)
    page = client.get(c.customer.get_absolute_url()).content.decode()
    assert 'id="customer-receivables"' in page
    card = page[page.index('id="customer-receivables"') :]
    assert "CNY 90,000.00" in card and "CNY 40,000.00" in card and "CNY 50,000.00" in card


@pytest.mark.parametrize("who", ["rep1", "manager1"])
def test_the_receivables_card_costs_a_fixed_number_of_queries(c, client, django_assert_num_queries, who):
    """Four aggregates and two short lists, whatever the number of contracts and installments."""
    from django.test import RequestFactory

    from guanxi.receivables.cards import customer_receivables_card

    _aging_setup(c)
    request = RequestFactory().get("/")
    request.user = getattr(c, who)
    customer_receivables_card(request, c.customer)  # warm the access snapshot
    with django_assert_num_queries(CARD_QUERIES):
        customer_receivables_card(request, c.customer)
    for n in range(3):
        planned(signed_contract(c.rep1, c.customer, "1000.00", title=f"追加{n}"), c.rep1, count=2)
    with django_assert_num_queries(CARD_QUERIES):
        customer_receivables_card(request, c.customer)


# signed total, plan totals, received total, open installments, invoice requests
CARD_QUERIES = 5


def test_the_sales_dashboard_draws_the_aging_buckets_with_their_lists(c, client):
    contract, _other = _aging_setup(c)
    client.force_login(c.manager1)  # east1: 华康's three installments, not 西湖's
    response = client.get(f"/dashboards/sales/?period=year&year={today().year}")
    assert response.status_code == 200
    chart = dict(response.context["charts"])["receivables_aging"]
    report = client.get("/receivables/aging/").context["report"]
    assert [number for _label, [(number, _url)] in chart.rows] == [
        m.amount for m, _url in report.totals.cells
    ]
    overdue_31_60 = chart.rows[2][1][0][1]
    listed = client.get(overdue_31_60)
    assert [(r.contract_id, r.sequence) for r, _late in listed.context["rows"]] == [(contract.pk, 1)]
    export = client.get("/dashboards/sales/receivables_aging.xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
    client.force_login(c.rep2)  # sees only 西湖's ¥10,000, 100 days overdue
    chart = dict(client.get("/dashboards/sales/").context["charts"])["receivables_aging"]
    assert [number for _label, [(number, _url)] in chart.rows] == [0, 0, 0, 0, Decimal("10000.00")]


def test_the_aging_reports_quick_links_are_the_cell_conditions_links(c, client):
    """The report drops each group's key into its bucket's quoted condition (``cell_links``): the
    very URL ``list_url(cell_condition(…))`` builds, for every grouping and bucket; the page shows
    the amounts linked, and an empty cell muted without a link."""
    from guanxi.receivables import aging

    _aging_setup(c)
    day = today()
    ranges = aging.bucket_ranges(day)
    for by in aging.GROUPINGS:
        report = aging.report(c.manager1, by=by, today=day)
        assert report.rows
        for row in report.rows:
            for bucket, (money, url) in zip(aging.BUCKETS, row.cells, strict=True):
                expected = (
                    aging.list_url(aging.cell_condition(by, row.key, *ranges[bucket])) if money.amount else ""
                )
                assert url == expected
    client.force_login(c.manager1)
    page = client.get("/receivables/aging/").content.decode()
    row = aging.report(c.manager1, by="customer", today=day).rows[0]
    linked = row.cells[0][1].replace("&", "&amp;")
    first, last = (
        f'<td class="num cell-card" data-label="{label}">' for label in ("Not yet due", "Over 90 days")
    )
    assert f'{first}<a href="{linked}">{row.cells[0][0].format()}</a></td>' in page
    assert f'{last}<span class="muted">{row.cells[4][0].format()}</span></td>' in page


@pytest.mark.parametrize(("language", "paid"), [("zh-hans", "¥1,500.00"), ("en", "CNY 1,500.00")])
def test_the_plan_reads_as_cards_with_the_paid_amount_as_money(c, client, language, paid):
    """QA at 375 px: the plan's six columns scrolled sideways out of the card (a phone saw the
    number, due date and amount only), and the paid column printed a bare ``1500.00``. Each
    installment is a card (title, labelled values) and every amount reads as money."""
    contract = signed_contract(c.rep1, c.customer, "3000.00")
    planned(contract, c.rep1, count=2)
    confirm(c.rep1, record(c.rep1, contract, "1500.00"))
    with as_system():
        type(c.rep1).objects.filter(pk=c.rep1.pk).update(language=language)
    client.force_login(c.rep1)
    page = client.get(contract.get_absolute_url(), headers={"accept-language": language}).content.decode()
    assert 'class="table table-cards" data-testid="plan-table"' in page
    assert f'data-testid="installment-paid">{paid}</td>' in page
    assert page.count('data-testid="installment-paid"') == 2
