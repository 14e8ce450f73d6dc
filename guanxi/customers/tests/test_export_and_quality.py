"""Customers through the export engine (``guanxi export``) and the data-quality report: what each
person gets is exactly what their data scope and field rules show them, and every data-quality
number is the row count of the list it links to."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from guanxi.core.models import AuditEvent
from guanxi.customers.models import Customer
from guanxi.framework.conditions.formats import FORMATS
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.scopes import give_role

pytestmark = pytest.mark.django_db

VALID_CODE = "91310000MA1FL4T13Y"  # check character computed by the validator below


@pytest.fixture
def book(team):
    """Five customers of 王芳 (rep1) and 陈静 (rep2), some with broken data stored raw."""
    from guanxi.customers.validators import credit_code_check_char

    code = VALID_CODE[:17] + credit_code_check_char(VALID_CODE[:17])
    with as_system():
        rows = {
            "good": Customer.objects.create(
                name="飞海科技",
                phone="+8613800138000",
                email="a@feihai.cn",
                credit_code=code,
                owner=team.rep1,
            ),
            "bad_phone": Customer.objects.create(name="云帆网络", owner=team.rep1),
            "bad_email": Customer.objects.create(name="华信传媒", email="b@huaxin.cn", owner=team.rep2),
            "bad_code": Customer.objects.create(name="星河软件", owner=team.rep2),
            "orphan": Customer.objects.create(name="无主公司", phone="+8613900139000", owner=team.rep2),
        }
    # Data from before the validators (an old import): stored as it came, past the write path.
    Customer.objects.filter(pk=rows["bad_phone"].pk).update(phone="138-0013-800")
    Customer.objects.filter(pk=rows["bad_email"].pk).update(email="b at huaxin")
    Customer.objects.filter(pk=rows["bad_code"].pk).update(credit_code="91310000MA1FL4T1IO")
    Customer.objects.filter(pk=rows["orphan"].pk).update(owner=None)
    old = timezone.now() - dt.timedelta(days=200)
    Customer.objects.filter(pk__in=[rows["good"].pk, rows["bad_code"].pk]).update(created_at=old)
    Customer.objects.filter(pk=rows["good"].pk).update(last_contacted_at=timezone.now())
    return rows


def export_rows(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


# --- guanxi export -----------------------------------------------------------------------------


def test_cli_exports_what_the_user_sees(team, book, tmp_path, capsys):
    give_role(team.rep1, Customer, "own", ["view", "export"], name="rep1-export")
    out = tmp_path / "mine.csv"
    call_command("export", "customers", "--as", "rep1", "--filter", "columns=name,phone", "-o", str(out))
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["rows"] == 2 and summary["entity"] == "customers.customer" and summary["user"] == "rep1"
    header, *rows = export_rows(out)
    assert header == ["Name", "Phone"]  # rep1 reads English
    assert sorted(rows) == [["云帆网络", "138-0013-800"], ["飞海科技", "+8613800138000"]]
    event = AuditEvent.objects.get(event="export")
    assert (event.detail["source"], event.detail["rows"], event.user) == ("cli", 2, team.rep1)


def test_cli_filters_where_and_xlsx(team, book, tmp_path, capsys):
    out = tmp_path / "a.xlsx"
    where = json.dumps({"version": 1, "all": [{"field": "phone", "op": "invalid_format", "value": "phone"}]})
    call_command("export", "customers.customer", "--as", "manager1", "--where", where, "-o", str(out))
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (summary["rows"], summary["format"]) == (1, "xlsx")
    from openpyxl import load_workbook

    names = [row[0] for row in load_workbook(out).active.iter_rows(min_row=2, values_only=True)]
    assert names == ["云帆网络"]


def test_cli_refuses_without_a_user_or_the_verb(team, book, tmp_path):
    out = str(tmp_path / "x.csv")
    with pytest.raises(CommandError, match="--as"):
        call_command("export", "customers", "-o", out)
    with pytest.raises(CommandError, match="may not export"):
        call_command("export", "customers", "--as", "rep2", "-o", out)  # no export verb
    with pytest.raises(CommandError, match=r"Valid: .*customers\.customer"):
        call_command("export", "custs", "--as", "manager1", "-o", out)
    with pytest.raises(CommandError, match="Unknown filter levle"):
        call_command("export", "customers", "--as", "manager1", "--filter", "levle=A", "-o", out)
    with pytest.raises(CommandError, match="Nothing exported"):
        call_command("export", "customers", "--as", "manager1", "--filter", "level=ZZ", "-o", out)
    assert not AuditEvent.objects.filter(event="export").exists()


def test_cli_all_needs_an_administrator(team, book, tmp_path, capsys, admin_user):
    out = tmp_path / "all.csv"
    call_command("export", "customers", "--all", "-o", str(out))
    assert json.loads(capsys.readouterr().out.strip())["rows"] == 5


# --- formats -----------------------------------------------------------------------------------


def test_stored_valid_phones_match_the_phone_format():
    import phonenumbers

    pattern = re.compile(FORMATS["phone"].pattern)
    for region in ("CN", "US", "GB", "JP", "HK", "DE", "SG"):
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
            number = phonenumbers.example_number_for_type(region, kind)
            if number is not None:
                e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
                assert pattern.search(e164), e164
    for bad in ("138-0013-800", "13800138000", "+86 138 0013 8000", "+8612", "电话"):
        assert not pattern.search(bad), bad


def test_the_credit_code_format_accepts_what_the_validator_accepts():
    from guanxi.customers.validators import credit_code_check_char

    pattern = re.compile(FORMATS["credit_code"].pattern)
    body = VALID_CODE[:17]
    assert pattern.search(body + credit_code_check_char(body))
    for bad in ("91310000MA1FL4T1IO", "9131", "91310000ma1fl4t13y", "9131 0000 MA1F L4T1 3Y"):
        assert not pattern.search(bad)


# --- the data-quality page ---------------------------------------------------------------------


def numbers(html: str, entity: str) -> dict[str, tuple[int, str]]:
    """check key -> (count, link) in the section of ``entity`` on the page."""
    section = html.split(f'data-entity="{entity}"', 1)[1].split("</section>", 1)[0]
    found = re.findall(r'data-check="(\w+)">\s*<a href="([^"]+)"[^>]*>.*?>(\d+)<', section, re.S)
    return {key: (int(count), unescape(url)) for key, url, count in found}


def listed(client, url: str) -> set[str]:
    query = parse_qs(urlsplit(url).query)
    page = client.get(urlsplit(url).path, {**query, "per_page": 200}).content.decode()
    return {name for name in ("飞海科技", "云帆网络", "华信传媒", "星河软件", "无主公司") if name in page}


def test_data_quality_numbers_match_the_lists_they_open(client, team, book, admin_user):
    client.force_login(admin_user)
    page = client.get("/data-quality/", {"stale_days": 90})
    assert page.status_code == 200
    found = numbers(page.content.decode(), "customers-customer")
    expected = {
        "invalid_phone": {"云帆网络"},
        "invalid_email": {"华信传媒"},
        "invalid_credit_code": {"星河软件"},
        "no_owner": {"无主公司"},
        "stale": {"星河软件"},  # created 200 days ago, never contacted; 飞海科技 was contacted today
    }
    for key, names in expected.items():
        count, url = found[key]
        assert count == len(names), key
        assert listed(client, url) == names, key


def test_data_quality_completeness(client, team, book, admin_user):
    from guanxi.customers.models import Customer as C
    from guanxi.framework.dataquality import entity_report
    from guanxi.framework.entities import entity_for

    report = entity_report(admin_user, entity_for(C), stale_days=90)
    by_field = {m.key: m for m in report.completeness}
    assert report.total == 5
    assert (by_field["phone"].count, by_field["phone"].percent) == (3, 60.0)
    assert (by_field["owner"].count, by_field["owner"].empty) == (4, 1)
    client.force_login(admin_user)
    assert listed(client, by_field["email"].empty_url) == {"云帆网络", "星河软件", "无主公司"}


def test_data_quality_is_scoped_and_for_managers(client, team, book):
    client.force_login(team.rep1)
    assert client.get("/data-quality/").status_code == 403
    client.force_login(team.manager1)
    page = client.get("/data-quality/")
    assert page.status_code == 200
    found = numbers(page.content.decode(), "customers-customer")
    # 张伟 sees his department (王芳's two customers): one invalid phone, nothing of 陈静's.
    assert found["invalid_phone"][0] == 1 and found["invalid_email"][0] == 0 and found["no_owner"][0] == 0


def test_data_quality_query_count(client, team, book, admin_user, django_assert_max_num_queries):
    from guanxi.framework.dataquality import entity_report
    from guanxi.framework.entities import entity_for

    entity_report(admin_user, entity_for(Customer))  # warm the custom-field and access caches
    with django_assert_max_num_queries(3):  # one aggregate for every number of the entity
        entity_report(admin_user, entity_for(Customer))


def test_data_quality_works_out_the_catalogue_once_per_entity(team, book):
    """Twenty-odd numbers per entity compile against one catalogue: building it per number (and
    checking every field's access each time) made the page take 17 s for a manager on demo data."""
    from unittest import mock

    from guanxi.framework.conditions import compiler, tree
    from guanxi.framework.dataquality import entity_report
    from guanxi.framework.entities import entity_for

    with (
        mock.patch.object(tree, "catalogue_for", wraps=tree.catalogue_for) as per_number,
        mock.patch.object(compiler, "catalogue", wraps=compiler.catalogue) as per_compile,
    ):
        report = entity_report(team.manager1, entity_for(Customer))
    assert report is not None and len(report.completeness) + len(report.checks) > 10
    assert (per_number.call_count, per_compile.call_count) == (0, 0)


@pytest.mark.parametrize("persona", ["admin", "manager1"])
def test_data_quality_page_query_count(client, team, book, admin_user, persona):
    """The whole page: a fixed number of queries per persona, whatever the number of records."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = admin_user if persona == "admin" else team.manager1
    client.force_login(user)
    client.get("/data-quality/")  # warm the per-process caches (custom fields, content types)
    with CaptureQueriesContext(connection) as first:
        assert client.get("/data-quality/").status_code == 200
    with as_system():
        for n in range(5):
            Customer.objects.create(name=f"新客户{n}", phone="+8613700137000", owner=team.rep1)
    with CaptureQueriesContext(connection) as second:
        assert client.get("/data-quality/").status_code == 200
    assert len(second) == len(first) == PAGE_QUERIES[persona], [q["sql"][:120] for q in second]


# session + user + one aggregate per entity the persona may view (admin: every owned entity with a
# list in the menu; 张伟: customers and contacts), and the menu's few lookups; the admin (who may
# review duplicates) +3: the duplicate candidates count of customers, contacts and leads.
PAGE_QUERIES = {"admin": 19, "manager1": 5}  # one aggregate per entity: receipts, invoice requests
