"""The target grid pages: who may open which department, the htmx save, the Excel round trip,
and the queries each persona's grid costs."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from guanxi.targets.models import Target
from guanxi.targets.tests.conftest import YEAR, signed_contract, target

pytestmark = pytest.mark.django_db


def grid_url(org, department=None, measure="signed"):
    return f"/targets/?year={YEAR}&measure={measure}&department={(department or org.east1).pk}"


def test_the_manager_opens_their_departments_grid_with_actuals_and_completion(client, org):
    signed_contract(org.rep1, org.customer, "30000", datetime.date(YEAR, 3, 5))
    for m in range(1, 13):
        target(org.rep1, "signed", f"m{m:02d}", "10000")
    client.force_login(org.manager1)
    response = client.get(grid_url(org))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'name="c-u{org.rep1.pk}-m01" value="10000"' in html
    row = html.split(f'data-row="u{org.rep1.pk}"')[1].split("</tr>")[0]
    assert "120,000" in row and "30,000" in row and "25.0%" in row


def test_a_department_outside_the_tree_and_a_rep_are_refused(client, org):
    client.force_login(org.manager1)
    response = client.get(grid_url(org, org.east2))
    assert response.status_code == 403
    assert "outside the departments you manage" in response.content.decode()
    response = client.post(
        "/targets/",
        {"year": YEAR, "measure": "signed", "department": org.east2.pk, f"c-u{org.rep2.pk}-m01": "5"},
    )
    assert response.status_code == 403 and not Target.objects.exists()
    # a rep reads their own row only, and may not write
    target(org.rep1, "signed", "m01", "100")
    target(org.rep1b, "signed", "m01", "200")
    client.force_login(org.rep1)
    response = client.get(grid_url(org))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-row="u{org.rep1.pk}"' in html and f'data-row="u{org.rep1b.pk}"' not in html
    assert 'id="grid-save"' not in html and "readonly" in html and 'id="target-split"' not in html
    response = client.post("/targets/", {"year": YEAR, "measure": "signed", f"c-u{org.rep1.pk}-m01": "999"})
    assert response.status_code == 403
    assert Target.objects.get(user=org.rep1).amount == Decimal("100.00")


def test_the_htmx_save_answers_the_grid_with_per_cell_errors_then_saves(client, org):
    client.force_login(org.manager1)
    data = {"year": YEAR, "measure": "signed", "department": org.east1.pk}
    bad = {**data, f"c-u{org.rep1.pk}-m01": "8000", f"c-u{org.rep1.pk}-m02": "八千"}
    response = client.post("/targets/", bad, headers={"HX-Request": "true"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "“八千” is not a number." in html and 'aria-invalid="true"' in html
    assert 'value="八千"' in html  # what was typed stays in the cell
    assert not Target.objects.exists()
    good = {**data, f"c-u{org.rep1.pk}-m01": "8000", f"c-u{org.rep1.pk}-m02": "8,000.50"}
    response = client.post("/targets/", good, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'data-state="saved"' in response.content.decode()
    assert sorted(Target.objects.values_list("amount", flat=True)) == [Decimal("8000.00"), Decimal("8000.50")]


def test_split_form_distributes_and_reports_a_bad_total(client, org):
    client.force_login(org.manager1)
    data = {"year": YEAR, "measure": "signed", "department": org.east1.pk, "method": "even"}
    response = client.post("/targets/split/", {**data, "total": "-1"}, headers={"HX-Request": "true"})
    assert response.status_code == 422 and "A target cannot be negative." in response.content.decode()
    response = client.post("/targets/split/", {**data, "total": "360000"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    # 华东销售一部 itself, then 张伟, 王芳, 李娜 (its members): 120000 each, 10000 a month
    assert Target.objects.filter(user=org.rep1).count() == 12
    assert set(Target.objects.filter(user=org.rep1).values_list("amount", flat=True)) == {Decimal("10000.00")}


def test_excel_round_trip_and_per_cell_errors(client, org):
    target(org.rep1, "signed", "m01", "5000")
    client.force_login(org.manager1)
    response = client.get(f"/targets/export.xlsx?year={YEAR}&measure=signed&department={org.east1.pk}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    keys = [sheet.cell(row=r, column=1).value for r in range(2, sheet.max_row + 1)]
    assert keys[0] == f"d{org.east1.pk}" and f"u{org.rep1.pk}" in keys
    line = 2 + keys.index(f"u{org.rep1.pk}")
    assert sheet.cell(row=line, column=3).value == 5000
    sheet.cell(row=line, column=4).value = 6000  # February
    sheet.cell(row=line, column=5).value = "lots"  # March: refused, so February is not saved either
    out = io.BytesIO()
    book.save(out)
    upload = io.BytesIO(out.getvalue())
    upload.name = "targets.xlsx"
    data = {"year": YEAR, "measure": "signed", "department": org.east1.pk, "file": upload}
    response = client.post("/targets/import/", data)
    assert response.status_code == 422
    assert f"E{line}: “lots” is not a number." in response.content.decode()
    assert Target.objects.count() == 1
    sheet.cell(row=line, column=5).value = 7000
    out = io.BytesIO()
    book.save(out)
    upload = io.BytesIO(out.getvalue())
    upload.name = "targets.xlsx"
    response = client.post("/targets/import/", {**data, "file": upload})
    assert response.status_code == 200
    assert dict(Target.objects.filter(user=org.rep1).values_list("period", "amount")) == {
        "m01": Decimal("5000.00"), "m02": Decimal("6000.00"), "m03": Decimal("7000.00"),
    }  # fmt: skip


def test_an_upload_with_a_foreign_row_or_not_excel_is_refused(client, org):
    client.force_login(org.manager1)
    book = Workbook()
    book.active.append(["Key", "Name", 1])
    book.active.append([f"u{org.rep2.pk}", "陈静", 100])  # not a row of 华东销售一部's grid
    out = io.BytesIO()
    book.save(out)
    upload = io.BytesIO(out.getvalue())
    upload.name = "t.xlsx"
    data = {"year": YEAR, "measure": "signed", "department": org.east1.pk}
    response = client.post("/targets/import/", {**data, "file": upload})
    assert (
        response.status_code == 422
        and f"A2: “u{org.rep2.pk}” is not a row of this grid." in response.content.decode()
    )
    junk = io.BytesIO(b"not a workbook")
    junk.name = "t.xlsx"
    response = client.post("/targets/import/", {**data, "file": junk})
    assert response.status_code == 422 and "not an Excel workbook" in response.content.decode()
    assert not Target.objects.exists()


@pytest.mark.parametrize(("persona", "queries"), [("manager1", 10), ("director", 10)])
def test_grid_query_count_is_pinned(client, org, django_assert_num_queries, persona, queries):
    for m in range(1, 13):
        target(org.rep1, "signed", f"m{m:02d}", "10000")
        target(org.rep1b, "signed", f"m{m:02d}", "10000")
    signed_contract(org.rep1, org.customer, "30000", datetime.date(YEAR, 3, 5))
    user = getattr(org, persona)
    client.force_login(user)
    client.get(grid_url(org))  # warm the access snapshot
    with django_assert_num_queries(queries):
        assert client.get(grid_url(org)).status_code == 200


def _grid_post(org, months: range, amount: str) -> dict:
    cells = {f"c-u{rep.pk}-m{m:02d}": amount for rep in (org.rep1, org.rep1b) for m in months}
    return {"year": YEAR, "measure": "signed", "department": org.east1.pk, **cells}


# session, user, the departments and grants (3), the locked read of the stored targets, the users,
# one INSERT (or UPDATE), one INSERT each for the change log and the events, the scope check, then
# the grid drawn again (departments, targets, actuals). The bulk insert draws its keys first (the
# sequence on PostgreSQL, then a COPY; sqlite_sequence on SQLite, then an INSERT): one more statement.
GRID_CREATE_QUERIES = 21
GRID_UPDATE_QUERIES = 20


def test_saving_the_grid_costs_the_same_queries_for_4_cells_or_24(client, org, django_assert_num_queries):
    """The grid writes in bulk (one insert, one update for the whole grid): its query count does
    not grow with the cells. 24 new cells, then 24 changed ones, then 4 new ones."""
    from guanxi.framework.testing.fixtures import as_system

    # A table's first bulk insert on SQLite also creates its key counter (sqlite_sequence: two
    # statements more, once per database); a target saved and deleted first makes the counts below
    # the same whatever ran before in this database.
    target(org.rep1, "signed", "m01", "1")
    with as_system():
        Target.objects.all().delete()
    client.force_login(org.manager1)
    client.get(grid_url(org))  # warm the access snapshot
    with django_assert_num_queries(GRID_CREATE_QUERIES):
        response = client.post(
            "/targets/", _grid_post(org, range(1, 13), "1000"), headers={"HX-Request": "true"}
        )
    assert response.status_code == 200
    assert Target.objects.count() == 24
    with django_assert_num_queries(GRID_UPDATE_QUERIES):
        response = client.post(
            "/targets/", _grid_post(org, range(1, 13), "2000"), headers={"HX-Request": "true"}
        )
    assert response.status_code == 200
    assert set(Target.objects.values_list("amount", flat=True)) == {Decimal("2000.00")}
    with as_system():
        Target.objects.all().delete()
    with django_assert_num_queries(GRID_CREATE_QUERIES):
        response = client.post(
            "/targets/", _grid_post(org, range(1, 3), "1000"), headers={"HX-Request": "true"}
        )
    assert response.status_code == 200
    assert Target.objects.count() == 4


def test_emptying_a_cell_needs_the_delete_verb(client, org):
    """A blank cell deletes its target: a manager who may change targets but not delete them is
    refused (403) and nothing changes, not even the other cells of the same save."""
    from guanxi.framework.testing.fixtures import as_system
    from guanxi.framework.testing.scopes import give_role
    from guanxi.users.models import User

    with as_system():
        keeper = User.objects.create_user(username="keeper", department=org.east1, language="en")
    give_role(keeper, Target, "department_tree", ["view", "add", "change"], name="keeper-targets")
    from guanxi.sales.models import Pipeline, Stage

    give_role(keeper, Pipeline, "all", ["view"], name="keeper-pipeline")
    give_role(keeper, Stage, "all", ["view"], name="keeper-stage")
    target(org.rep1, "signed", "m01", "100")
    target(org.rep1, "signed", "m02", "200")
    client.force_login(keeper)
    data = {"year": YEAR, "measure": "signed", "department": org.east1.pk}
    response = client.post(
        "/targets/", {**data, f"c-u{org.rep1.pk}-m01": "", f"c-u{org.rep1.pk}-m02": "999"},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert response.status_code == 403
    assert "You may not delete targets" in response.content.decode()
    assert sorted(Target.objects.values_list("period", "amount")) == [
        ("m01", Decimal("100.00")),
        ("m02", Decimal("200.00")),
    ]
    # the same change without emptying a cell is theirs to make
    response = client.post(
        "/targets/", {**data, f"c-u{org.rep1.pk}-m02": "999"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert Target.objects.get(period="m02").amount == Decimal("999.00")
