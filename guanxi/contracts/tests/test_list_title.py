"""The contract list's Title column shows the contract's own title: the number has a column of its
own, so the row (on the page and in the CSV export) reads the number once."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from guanxi.contracts.models import Contract
from guanxi.contracts.tests.test_views import _customer
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.suites import row_label

pytestmark = pytest.mark.django_db
EN = {"Accept-Language": "en"}


@pytest.fixture
def contract(db):
    with as_system():
        return Contract.objects.create(
            customer=_customer(1), title="华康年度服务合同", amount_amount=Decimal(1000), number="HT-L-0001"
        )


def test_the_list_row_reads_the_number_once_and_the_bare_title_linked(admin_client, contract):
    page = admin_client.get("/contracts/", headers=EN).content.decode()
    rows = [row.split("</tr>")[0] for row in page.split("<tr")[1:] if f'value="{contract.pk}"' in row]
    assert len(rows) == 1
    assert rows[0].count("HT-L-0001") == 1  # was twice: the Number column and "HT-L-0001 华康年度服务合同"
    title = next(cell for cell in rows[0].split("<td ")[1:] if 'class="cell-title' in cell)
    assert f'<a href="/contracts/{contract.pk}/">华康年度服务合同</a>' in title


def test_the_export_writes_the_bare_title(admin_client, contract):
    body = admin_client.get("/contracts/?export=csv", headers=EN).getvalue().decode("utf-8-sig")
    header, line = list(csv.reader(io.StringIO(body)))
    assert line[header.index("Title")] == "华康年度服务合同"
    assert sum(cell.count("HT-L-0001") for cell in line) == 1


def test_the_generic_suites_look_for_the_number_and_the_title(contract):
    assert row_label(Contract, contract) == ("HT-L-0001", "华康年度服务合同")
