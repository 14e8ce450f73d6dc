"""Importing leads from CSV and Excel: header aliases, all-or-nothing, duplicates flagged, rules run."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guanxi.customers.models import AssignmentRule, Lead
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.scopes import give_role, rows_by_pk

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep(django_user_model):
    from guanxi.users.models import Department

    with as_system():
        east = Department.objects.create(name="华东销售一部")
        user = django_user_model.objects.create_user("zhang", name="张三", department=east, language="en")
    give_role(user, Lead, "own", ["view", "add", "change", "import"])
    return type(user).objects.get(pk=user.pk)


def csv_file(text: str, name: str = "leads.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\ufeff" + text).encode("utf-8"), content_type="text/csv")


def test_csv_with_chinese_headers_is_imported_to_me(client, rep):
    with as_system():
        Lead.objects.create(name="旧线索", phone="+8613800138000")
    text = (
        "姓名,公司,手机,邮箱,来源,备注\n"
        "陈晨,上海星河科技有限公司,138 0013 8000,Chen@Example.com,展会,老客户介绍\n"
        "周杰,,13900139000,,,\n"
    )
    client.force_login(rep)
    response = client.post("/leads/import/", {"file": csv_file(text), "assign": "me"})
    assert response.status_code == 302
    chen, zhou = Lead.objects.filter(owner=rep).order_by("pk")
    assert (chen.phone, chen.email, chen.source, chen.notes, chen.possible_duplicate) == (
        "+8613800138000",
        "chen@example.com",
        "exhibition",
        "老客户介绍",
        True,
    )
    assert (zhou.source, zhou.possible_duplicate, zhou.department) == ("import", False, rep.department)


def test_one_bad_row_imports_nothing_and_says_where(client, rep):
    text = "name,phone,email\n陈晨,13800138000,chen@example.com\n,12345,not-an-email\n"
    client.force_login(rep)
    before = rows_by_pk(Lead)
    response = client.post("/leads/import/", {"file": csv_file(text), "assign": "me"})
    body = response.content.decode()
    assert response.status_code == 422
    assert "The file has errors; no lead was imported." in body
    assert body.count("<tr><td>2</td>") == 3  # name, phone and email of row 2
    assert "Enter a valid phone number." in body
    assert rows_by_pk(Lead) == before


def test_excel_file_through_the_assignment_rules(client, rep, django_user_model):
    from openpyxl import Workbook

    with as_system():
        li = django_user_model.objects.create_user("li", name="李四", department=rep.department)
        rule = AssignmentRule.objects.create(name="导入轮转", sources=["import"], max_open_leads=1)
        rule.members.set([li])
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "手机", "省份"])
    sheet.append(["吴刚", 13812345678, "浙江省"])
    sheet.append(["郑爽", 13811112222, "江苏省"])
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("leads.xlsx", out.getvalue())
    client.force_login(rep)
    assert client.post("/leads/import/", {"file": upload, "assign": "rules"}).status_code == 302
    wu, zheng = Lead.objects.order_by("pk")
    assert (wu.phone, wu.owner, wu.province) == ("+8613812345678", li, "浙江省")
    assert (zheng.owner, zheng.department) == (None, rep.department)  # 李四 at the cap: the pool


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("leads.pdf", b"%PDF", "Upload a .csv, .xlsx or .xls file."),
        ("leads.csv", "公司\n星河\n".encode(), "including a name column"),
        ("leads.csv", b"name\n", "The file has no data rows."),
        ("leads.xlsx", b"not a workbook", "The spreadsheet is damaged or not an Excel file"),
    ],
)
def test_unusable_files_are_explained(client, rep, name, content, message):
    client.force_login(rep)
    response = client.post("/leads/import/", {"file": SimpleUploadedFile(name, content), "assign": "me"})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Lead.objects.exists()


def test_import_needs_the_import_action(client, django_user_model):
    with as_system():
        user = django_user_model.objects.create_user("viewer", name="只读")
    give_role(user, Lead, "all", ["view", "add"])
    client.force_login(type(user).objects.get(pk=user.pk))
    response = client.post("/leads/import/", {"file": csv_file("name\n陈晨\n"), "assign": "me"})
    assert response.status_code == 403
    assert not Lead.objects.exists()
