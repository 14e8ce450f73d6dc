"""The quote list's Title column shows the quote's own title: the number and the version have
columns of their own, so the row (on the page and in the CSV and XLSX exports) reads the number once."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.suites import row_label
from guanxi.quotes.models import Quote
from guanxi.quotes.tests.test_views import _deal

pytestmark = pytest.mark.django_db
EN = {"Accept-Language": "en"}


@pytest.fixture
def quotes(db):
    with as_system():
        titled = Quote.objects.create(
            deal=_deal(n=1), title="华康 CRM 报价", valid_until="2027-01-01", number="Q-L-0001"
        )
        untitled = Quote.objects.create(deal=_deal(n=2), valid_until="2027-01-01", number="Q-L-0002")
        Quote.objects.filter(pk=untitled.pk).update(title="")  # a title cleared later
        untitled.refresh_from_db()
    return titled, untitled


def _row(page: str, quote: Quote) -> str:
    rows = [row for row in page.split("<tr")[1:] if f'value="{quote.pk}"' in row]
    assert len(rows) == 1, rows
    return rows[0].split("</tr>")[0]


def _cells(row: str) -> dict[str, str]:
    return {cell.split('"', 1)[0]: cell for cell in row.split('<td class="')[1:]}


def test_the_list_row_reads_the_number_once_and_the_bare_title_linked(admin_client, quotes):
    titled, untitled = quotes
    page = admin_client.get("/quotes/", headers=EN).content.decode()
    row = _row(page, titled)
    assert row.count("Q-L-0001") == 1  # was twice: the Number column and "Q-L-0001 v1 华康 CRM 报价"
    title = next(cell for css, cell in _cells(row).items() if css.startswith("cell-title"))
    assert f'<a href="/quotes/{titled.pk}/">华康 CRM 报价</a>' in title
    # an untitled quote still has a link in its Title column (its card's title on a phone)
    row = _row(page, untitled)
    assert row.count("Q-L-0002") == 1
    title = next(cell for css, cell in _cells(row).items() if css.startswith("cell-title"))
    assert f'<a href="/quotes/{untitled.pk}/"><span class="muted">(no title)</span></a>' in title


@pytest.mark.usefixtures("quotes")
def test_the_exports_write_the_bare_title(admin_client):
    body = admin_client.get("/quotes/?export=csv", headers=EN).getvalue().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    header, lines = rows[0], {row[0]: row for row in rows[1:]}
    title = header.index("Title")
    assert lines["Q-L-0001"][title] == "华康 CRM 报价"
    assert lines["Q-L-0002"][title] == ""
    assert sum(cell.count("Q-L-0001") for cell in lines["Q-L-0001"]) == 1
    sheet = openpyxl.load_workbook(
        io.BytesIO(admin_client.get("/quotes/?export=xlsx", headers=EN).getvalue())
    ).active
    values = [[cell.value for cell in line] for line in sheet.iter_rows()]
    by_number = {line[0]: line for line in values[1:]}
    assert by_number["Q-L-0001"][values[0].index("Title")] == "华康 CRM 报价"


def test_the_generic_suites_look_for_the_number_and_the_title(quotes):
    titled, _untitled = quotes
    assert row_label(Quote, titled) == ("Q-L-0001", "华康 CRM 报价")
