"""CSV/Excel import of customers through the generic import pages: all rows or none."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import override
from openpyxl import Workbook

from guanxi.core.models import Job, ObjectChange
from guanxi.customers.models import Customer
from guanxi.customers.views import CustomerForm
from guanxi.framework.imports import cell_to_form_value, guess_mapping, import_columns
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.scopes import give_role
from guanxi.framework.testing.suites import perm

URL = "/customers/import/"
pytestmark = pytest.mark.django_db


def importer(make_user, username, actions=("view", "add", "change"), **fields):
    """A user whose role holds ``actions`` and ``import`` on customers, company-wide."""
    user = make_user(username, **fields)
    give_role(user, Customer, "all", [*actions, "import"], name=f"importer-{username}")
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def rep(make_user):
    return importer(make_user, "import_rep", language="en")


def csv_file(text: str, encoding: str = "utf-8-sig", name: str = "customers.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_file(rows: list[list[object]]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("customers.xlsx", out.getvalue())


@pytest.fixture(autouse=True)
def _run_jobs_on_commit(django_capture_on_commit_callbacks):
    """start_job enqueues after commit; tests run in a transaction, so run the callbacks at once."""
    global _capture
    _capture = django_capture_on_commit_callbacks


_capture = None


def upload_and_run(client, upload, mapping=None):
    page = client.post(URL, {"file": upload})
    assert page.status_code == 200, page.content.decode()[:500]
    token = page.context["token"]
    data = {"token": token}
    for column in page.context["columns"]:
        data[f"map_{column['index']}"] = (mapping or {}).get(column["title"], column["field"])
    with _capture(execute=True):
        response = client.post(URL, data)
    assert response.status_code == 302, response.content.decode()[:500]
    return Job.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def test_headers_in_either_language_map_to_fields(rep):
    columns = import_columns(CustomerForm(user=rep))
    mapping = guess_mapping(["名称", "Phone", "客户级别", "level", "不存在的列"], columns)
    assert mapping == {0: "name", 1: "phone"} | ({2: "level"} if mapping.get(2) else {3: "level"})


def test_cells_become_form_values(rep):
    form = CustomerForm(user=rep)
    assert cell_to_form_value(form.fields["phone"], 13800138000.0) == "13800138000"
    assert cell_to_form_value(form.fields["kind"], "个人") == "individual"
    assert cell_to_form_value(form.fields["kind"], "Company") == "company"
    assert cell_to_form_value(form.fields["owner"], "import_rep") == rep.pk


def test_a_valid_csv_creates_every_row_owned_by_the_importer_and_logged(client, rep):
    client.force_login(rep)
    job = upload_and_run(
        client,
        csv_file(
            "名称,电话,类型,级别\n杭州云帆科技有限公司,13912345678,企业,A\n李雷,+8618600001111,个人,B\n"
        ),
    )
    job.refresh_from_db()
    assert job.status == "completed", job.error
    assert job.result["created"] == 2 and job.result["error_count"] == 0, job.result
    yunfan = Customer.objects.get(name="杭州云帆科技有限公司")
    assert (yunfan.phone, yunfan.kind, yunfan.level, yunfan.owner) == ("+8613912345678", "company", "A", rep)
    assert Customer.objects.get(name="李雷").kind == "individual"
    assert ObjectChange.objects.filter(changed_object_id=yunfan.pk, action="create", user=rep).exists()
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Imported 2 records." in page


def test_one_bad_row_imports_nothing_and_names_row_column_and_reason(client, rep):
    client.force_login(rep)
    job = upload_and_run(client, csv_file("名称,电话\n好公司,13912345678\n坏电话公司,12345\n,13900000000\n"))
    job.refresh_from_db()
    assert job.result["created"] == 0
    assert job.result["error_count"] == 2
    assert Customer.objects.count() == 0
    assert any(e.startswith("Row 3 · Phone:") for e in job.result["errors"]), job.result["errors"]
    assert any(e.startswith("Row 4 · Name:") for e in job.result["errors"]), job.result["errors"]
    assert "Nothing was imported" in client.get(f"/jobs/{job.pk}/").content.decode()


def test_errors_come_in_the_importers_language(client, make_user):
    zh = importer(make_user, "zh_importer", ("view", "add"), language="zh-hans")
    client.force_login(zh)
    job = upload_and_run(client, csv_file("名称,电话\n坏电话公司,12345\n"))
    job.refresh_from_db()
    assert job.result["errors"][0].startswith("第 2 行"), job.result["errors"]


def test_gb18030_csv_and_xlsx_with_numeric_phones(client, rep):
    client.force_login(rep)
    job = upload_and_run(client, csv_file("名称,电话\n深圳南山贸易,13512345678\n", encoding="gb18030"))
    job.refresh_from_db()
    assert job.result["created"] == 1, job.result
    job = upload_and_run(client, xlsx_file([["名称", "电话"], ["成都武侯软件", 18612345678]]))
    job.refresh_from_db()
    assert job.result["created"] == 1, job.result
    assert Customer.objects.get(name="成都武侯软件").phone == "+8618612345678"


def test_mapping_needs_required_fields_and_one_column_per_field(client, rep):
    client.force_login(rep)
    page = client.post(URL, {"file": csv_file("公司,电话,电话2\n甲,13912345678,13912345679\n")})
    token = page.context["token"]
    missing = client.post(URL, {"token": token, "map_1": "phone"})
    assert missing.status_code == 422
    assert "required fields have no column" in missing.content.decode()
    doubled = client.post(URL, {"token": token, "map_0": "name", "map_1": "phone", "map_2": "phone"})
    assert doubled.status_code == 422 and "one column only" in doubled.content.decode()
    assert Job.objects.count() == 0


def test_bad_files_are_refused_with_a_message(client, rep):
    client.force_login(rep)
    wrong = client.post(URL, {"file": SimpleUploadedFile("x.pdf", b"%PDF")})
    assert wrong.status_code == 422 and "Upload a .csv, .xlsx or .xls file." in wrong.content.decode()
    empty = client.post(URL, {"file": csv_file("")})
    assert empty.status_code == 422 and "The file is empty." in empty.content.decode()
    broken = client.post(URL, {"file": SimpleUploadedFile("x.xlsx", b"not a zip")})
    assert broken.status_code == 422


def test_a_token_from_another_session_cannot_start_an_import(client, rep, make_user):
    client.force_login(rep)
    token = client.post(URL, {"file": csv_file("名称\n甲公司\n")}).context["token"]
    other = importer(make_user, "other_importer", ("view", "add"))
    client.force_login(other)
    response = client.post(URL, {"token": token, "map_0": "name"})
    assert response.status_code == 302 and response["Location"] == URL
    assert Job.objects.count() == 0


def test_users_who_may_not_add_get_403_and_no_import_button(client, make_user):
    viewer = make_user("import_viewer", perms=[perm(Customer, "view")])
    client.force_login(viewer)
    assert client.get(URL).status_code == 403
    assert URL not in client.get("/customers/").content.decode()


def test_blank_templates_list_the_columns_in_the_users_language(client, rep):
    client.force_login(rep)
    response = client.get(URL + "?template=csv")
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("Name,")  # required first; English user
    xlsx = client.get(URL + "?template=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_row_the_importer_could_not_see_rolls_everything_back(client, make_user):
    from django.contrib.contenttypes.models import ContentType

    from guanxi.users.models import DataScope, Role, RoleGrant

    own_rep = make_user("own_scope_importer", language="en")
    colleague = make_user("colleague_x")
    with as_system():
        role = Role.objects.create(name="导入本人客户")
        RoleGrant.objects.create(
            role=role,
            content_type=ContentType.objects.get_for_model(Customer),
            actions=["view", "add", "import"],
            scope=DataScope.OWN,
        )
        role.users.add(own_rep)
    client.force_login(own_rep)
    with override("en"):
        job = upload_and_run(client, csv_file("名称,负责人\n我的客户,\n别人的客户,colleague_x\n"))
    job.refresh_from_db()
    assert job.result["created"] == 0 and Customer.objects.count() == 0, job.result
    assert colleague.pk
