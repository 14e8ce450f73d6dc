"""Targets: the grid's save (all or none, per-cell errors), the tree it may touch, the split
down the tree (exact to the cent) and the target lookups."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied

from guanxi.core.models import ObjectChange
from guanxi.framework.testing.fixtures import as_user
from guanxi.targets import services
from guanxi.targets.models import Target
from guanxi.targets.services import CENT, allocate, grid_subjects, save_grid, split_year, target_totals
from guanxi.targets.tests.conftest import YEAR, signed_contract, target

pytestmark = pytest.mark.django_db


def test_allocate_is_exact_with_the_remainder_on_the_last():
    assert allocate(Decimal("100000.00"), [1, 1, 1], CENT) == [
        Decimal("33333.33"),
        Decimal("33333.33"),
        Decimal("33333.34"),
    ]
    assert allocate(Decimal("10"), [0, 0], Decimal(1)) == [Decimal(5), Decimal(5)]
    shares = allocate(Decimal("1000.00"), [Decimal("1"), Decimal("2"), Decimal("4")], CENT)
    assert shares == [Decimal("142.85"), Decimal("285.71"), Decimal("571.44")]
    assert sum(shares) == Decimal("1000.00")


def test_grid_subjects_are_the_department_its_children_and_its_members(org):
    keys = [s.key for s in grid_subjects(org.sales)]
    assert keys == [f"d{org.sales.pk}", f"d{org.east1.pk}", f"d{org.east2.pk}", f"u{org.director.pk}"]


def test_a_manager_saves_a_row_of_months_through_the_write_path(org):
    subjects = grid_subjects(org.east1)
    cells = {(f"u{org.rep1.pk}", f"m{m:02d}"): "10,000" for m in range(1, 13)}
    with as_user(org.manager1):
        result = save_grid(actor=org.manager1, measure="signed", year=YEAR, subjects=subjects, cells=cells)
    assert (result.created, result.errors) == (12, {})
    rows = Target.objects.filter(user=org.rep1, measure="signed", year=YEAR)
    assert rows.count() == 12 and {r.amount for r in rows} == {Decimal("10000.00")}
    assert {r.department_id for r in rows} == {org.east1.pk}
    logged = ObjectChange.objects.filter(
        changed_object_type=ContentType.objects.get_for_model(Target), user=org.manager1
    )
    assert logged.count() == 12
    # a second save changes one cell and clears another
    cells = {(f"u{org.rep1.pk}", "m01"): "12000", (f"u{org.rep1.pk}", "m02"): ""}
    with as_user(org.manager1):
        result = save_grid(actor=org.manager1, measure="signed", year=YEAR, subjects=subjects, cells=cells)
    assert (result.created, result.updated, result.deleted) == (0, 1, 1)
    assert rows.all().count() == 11


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "“abc” is not a number."),
        ("-5", "A target cannot be negative."),
        ("1.234", "Enter at most two decimal places."),
        ("1e999999", "This number is too large."),
    ],
)
def test_a_bad_cell_is_reported_at_the_cell_and_nothing_is_written(org, typed, message):
    subjects = grid_subjects(org.east1)
    cells = {(f"u{org.rep1.pk}", "m01"): "5000", (f"u{org.rep1b.pk}", "m03"): typed}
    with as_user(org.manager1):
        result = save_grid(actor=org.manager1, measure="signed", year=YEAR, subjects=subjects, cells=cells)
    assert result.errors == {f"u{org.rep1b.pk}:m03": message}
    assert not Target.objects.exists()


def test_a_count_measure_takes_whole_numbers(org):
    subjects = grid_subjects(org.east1)
    with as_user(org.manager1):
        result = save_grid(
            actor=org.manager1, measure="new_customers", year=YEAR, subjects=subjects,
            cells={(f"u{org.rep1.pk}", "m01"): "2.5"},
        )  # fmt: skip
    assert result.errors == {f"u{org.rep1.pk}:m01": "This measure counts records: enter a whole number."}


def test_a_department_outside_the_managers_tree_is_refused_and_nothing_is_written(org):
    subjects = grid_subjects(org.east2)  # 陈静's department: not under 张伟
    cells = {(f"d{org.east2.pk}", "m01"): "5000", (f"u{org.rep2.pk}", "m01"): "5000"}
    with as_user(org.manager1), pytest.raises(PermissionDenied) as refused:
        save_grid(actor=org.manager1, measure="signed", year=YEAR, subjects=subjects, cells=cells)
    assert "outside the departments you manage" in str(refused.value)
    assert "华东销售二部" in str(refused.value)
    assert not Target.objects.exists()


def test_a_rep_may_not_set_targets_and_reads_only_their_own(org):
    target(org.rep1, "signed", "m01", "100")
    target(org.rep1b, "signed", "m01", "200")
    target(org.east1, "signed", "m01", "300")
    with as_user(org.rep1), pytest.raises(PermissionDenied):
        save_grid(actor=org.rep1, measure="signed", year=YEAR, subjects=grid_subjects(org.east1), cells={})
    assert list(Target.objects.restrict(org.rep1, "view").values_list("amount", flat=True)) == [
        Decimal("100.00")
    ]
    assert services.manageable_departments(org.rep1) == []
    assert Target.objects.restrict(org.manager1, "view").count() == 3
    assert [d.pk for d in services.manageable_departments(org.manager1)] == [org.east1.pk]
    assert [d.pk for d in services.manageable_departments(org.director)] == [
        org.sales.pk,
        org.east1.pk,
        org.east2.pk,
    ]


def test_split_evenly_down_the_tree_is_exact_to_the_cent(org):
    with as_user(org.director):
        split_year(
            actor=org.director, measure="signed", year=YEAR, department=org.sales, total=Decimal("1000000.00")
        )
    year = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)
    totals = target_totals("signed", *year)
    # 销售中心 keeps its figure; its two sub-departments and its one member share it
    assert totals[(None, org.sales.pk)] == Decimal("1000000.00")
    assert totals[(None, org.east1.pk)] == Decimal("333333.33")
    assert totals[(None, org.east2.pk)] == Decimal("333333.33")
    assert totals[(org.director.pk, org.sales.pk)] == Decimal("333333.34")
    # each share over twelve months, the remainder in December
    months = dict(Target.objects.filter(department=org.east1, user=None).values_list("period", "amount"))
    assert months["m01"] == Decimal("27777.77") and months["m12"] == Decimal("27777.86")
    assert sum(months.values()) == Decimal("333333.33")


def test_split_by_last_years_actuals(org):
    signed_contract(org.rep1, org.customer, "300000", datetime.date(YEAR - 1, 5, 1))
    signed_contract(org.rep1b, org.customer, "100000", datetime.date(YEAR - 1, 6, 1))
    signed_contract(org.rep1b, org.customer, "999999", datetime.date(YEAR, 1, 2))  # this year: not a weight
    with as_user(org.manager1):
        split_year(
            actor=org.manager1, measure="signed", year=YEAR, department=org.east1, total=Decimal("500000"),
            method="last_year",
        )  # fmt: skip
    totals = target_totals("signed", datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31))
    # 张伟 sold nothing last year: no share; 王芳 3/4, 李娜 1/4
    assert totals.get((org.manager1.pk, org.east1.pk), Decimal(0)) == Decimal("0")
    assert totals[(org.rep1.pk, org.east1.pk)] == Decimal("375000.00")
    assert totals[(org.rep1b.pk, org.east1.pk)] == Decimal("125000.00")


def test_target_totals_use_each_subjects_finest_rows(org):
    target(org.rep1, "signed", "m01", "100")
    target(org.rep1, "signed", "m02", "100")
    target(org.rep1, "signed", "year", "9999")  # months exist: the year row is not added on top
    target(org.rep1b, "signed", "q1", "600")
    target(org.rep2, "signed", "year", "1200")
    q1 = target_totals("signed", datetime.date(YEAR, 1, 1), datetime.date(YEAR, 3, 31))
    assert q1 == {(org.rep1.pk, org.east1.pk): Decimal("200"), (org.rep1b.pk, org.east1.pk): Decimal("600")}
    year = target_totals("signed", datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31))
    assert year[(org.rep2.pk, org.east2.pk)] == Decimal("1200")
