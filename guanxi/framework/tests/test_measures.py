"""The measures registry: sums and counts per month/owner/department over the rows a user may view,
and the list link that shows exactly the rows a number counts."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from guanxi.framework import measures
from guanxi.framework.measures import Measure, register_measure, rows_link, totals
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.scopes import build_org, expected_keys, give_role
from guanxi.framework.testing.testapp.models import Requisition

pytestmark = pytest.mark.django_db

YEAR = 2026
START, END = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)


def _make(owner: Any, department: Any, n: int) -> Requisition:
    # Amount n × 100.10 (cents matter), created in month (n % 3) + 1, every fourth one approved.
    row = Requisition.objects.create(
        title=f"REQ-{n:03d}",
        amount_amount=Decimal("100.10") * (n + 1),
        amount_currency="CNY",
        owner=owner,
        department=department,
        status="approved" if n % 4 == 0 else "draft",
    )
    when = timezone.make_aware(datetime.datetime(YEAR, n % 3 + 1, 15, 10, 0))
    Requisition.objects.filter(pk=row.pk).update(created_at=when)
    return row


@pytest.fixture
def org(db: Any) -> Any:
    return build_org(_make)


@pytest.fixture
def approved_amount() -> Any:
    register_measure(
        Measure(
            key="test_approved",
            label="Approved amount",
            model=Requisition,
            date_field="created_at",
            sum_field="amount_base",
            condition={"version": 1, "all": [{"field": "status", "op": "eq", "value": "approved"}]},
            list_name="testapp:requisition_list",
        )
    )
    register_measure(
        Measure(key="test_count", label="Requisitions", model=Requisition, date_field="created_at")
    )
    yield "test_approved"
    measures.unregister_measure("test_approved")
    measures.unregister_measure("test_count")


def _rows(org: Any, keys: set[str]) -> list[Requisition]:
    return list(Requisition.objects.filter(pk__in=org.pks(keys)).order_by("pk"))


def test_sums_by_owner_and_month_over_the_rows_the_user_may_view(org: Any, approved_amount: str) -> None:
    manager = org.user("manager1")
    give_role(manager, Requisition, "department_tree", ["view"])
    visible = [r for r in _rows(org, expected_keys("manager1", "department_tree")) if r.status == "approved"]
    assert visible, "the sample must hold approved rows the manager sees"
    expected: dict[tuple[Any, ...], Decimal] = {}
    for row in visible:
        key = (
            datetime.date(YEAR, row.created_at.astimezone(timezone.get_current_timezone()).month, 1),
            row.owner_id,
        )
        expected[key] = expected.get(key, Decimal(0)) + row.amount_base

    assert totals(approved_amount, manager, START, END, by=("month", "owner")) == expected
    assert measures.total(approved_amount, manager, START, END) == sum(expected.values())


def test_counts_follow_the_period_inclusive_at_both_ends(org: Any, approved_amount: str) -> None:
    admin = org.user("admin")
    february = totals("test_count", admin, datetime.date(YEAR, 2, 15), datetime.date(YEAR, 2, 15))
    assert february == {(): Requisition.objects.filter(created_at__month=2).count()}
    assert totals("test_count", admin, datetime.date(YEAR + 1, 1, 1), datetime.date(YEAR + 1, 1, 31)) == {}
    by_department = totals("test_count", admin, START, END, by=("department",))
    assert sum(by_department.values()) == Requisition.objects.count()
    assert all(isinstance(value, int) for value in by_department.values())


def test_the_link_lists_exactly_the_rows_a_cell_counts(client: Any, org: Any, approved_amount: str) -> None:
    manager = org.user("manager1")
    give_role(manager, Requisition, "department_tree", ["view"])
    cells = totals(approved_amount, manager, START, END, by=("owner",))
    owner_id, amount = next(iter(cells.items()))[0][0], next(iter(cells.values()))
    client.force_login(manager)
    response = client.get(
        rows_link(approved_amount, START, END, owner_id=owner_id), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    listed = {row.record.pk for row in response.context["table"].page.object_list}
    counted = {
        r.pk
        for r in _rows(org, expected_keys("manager1", "department_tree"))
        if r.status == "approved" and r.owner_id == owner_id
    }
    assert listed == counted
    assert sum(r.amount_base for r in Requisition.objects.filter(pk__in=listed)) == amount


def test_a_masked_amount_is_not_summed_for_its_reader(org: Any, approved_amount: str) -> None:
    from guanxi.users.models import FieldRule

    manager = org.user("manager1")
    role = give_role(manager, Requisition, "department_tree", ["view"])
    assert measures.available(approved_amount, manager)
    with as_system():
        FieldRule.objects.create(
            role=role,
            content_type=ContentType.objects.get_for_model(Requisition),
            field_name="amount",
            access="masked",
        )
    manager = org.user("manager1")
    assert not measures.available(approved_amount, manager)
    assert measures.available("test_count", manager)  # a count reads no amount
    with pytest.raises(PermissionDenied):
        totals(approved_amount, manager, START, END)


def test_nobody_without_the_view_grant_reads_a_measure(org: Any, approved_amount: str) -> None:
    assert not measures.available(approved_amount, org.user("rep1"))
    with pytest.raises(PermissionDenied):
        totals(approved_amount, org.user("rep1"), START, END)


def test_unknown_keys_and_groupings_are_refused_clearly(org: Any, approved_amount: str) -> None:
    with pytest.raises(LookupError, match="No measure 'nope'"):
        totals("nope", org.user("admin"), START, END)
    with pytest.raises(ValueError, match="Unknown grouping 'week'"):
        totals(approved_amount, org.user("admin"), START, END, by=("week",))
