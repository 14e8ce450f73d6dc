"""A merge moves related rows through the write path's re-point mode (``write.repoint_references``):
the change log and events are the write path's, guards are asked (action ``repoint``) instead of
being ignored, a refusal rolls the whole merge back, and the cost does not grow with the rows."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from guanxi.activities.models import FollowUp
from guanxi.contracts.models import Contract, ContractStatus, Order
from guanxi.contracts.tests.conftest import c as contracts_fixture  # noqa: F401  (the base fixture)
from guanxi.contracts.tests.conftest import new_order
from guanxi.core.models import Event, ObjectChange
from guanxi.customers.models import Contact, Customer, CustomerContact
from guanxi.customers.tests.test_merge import snapshot
from guanxi.framework import merging, write
from guanxi.framework.testing.fixtures import as_user
from guanxi.receivables.models import Receipt
from guanxi.receivables.tests.conftest import c as receivables_fixture  # noqa: F401
from guanxi.receivables.tests.conftest import record, signed_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(receivables_fixture):  # noqa: F811
    return receivables_fixture


def test_moved_rows_get_the_write_paths_change_log_events_and_versions(c, admin_user, monkeypatch):
    calls = []
    real = write.repoint_references

    def spy(model, rows, **kwargs):
        calls.append((model, kwargs["fields"]))
        return real(model, rows, **kwargs)

    monkeypatch.setattr(write, "repoint_references", spy)
    with as_user(admin_user):
        dup = Customer.objects.create(name="华康医疗", owner=c.rep1)
        follow_ups = [FollowUp.objects.create(target=dup, customer=dup, content=f"拜访{i}") for i in range(2)]
    contract = signed_contract(c.rep1, dup, "5000.00", title="年度维保")
    seen = {row.pk: write.version_of(row) for row in follow_ups}

    with as_user(admin_user):
        merging.merge(c.customer, [dup], actor=admin_user)

    assert (FollowUp, ["customer", "target_id"]) in calls
    assert (Contract, ["customer"]) in calls
    ct = ContentType.objects.get_for_model(FollowUp)
    for row in follow_ups:
        # one entry per row naming both references that moved, with the merge's message
        entry = ObjectChange.objects.get(changed_object_type=ct, changed_object_id=row.pk, action="update")
        assert entry.message == "Merged into 上海华康医疗器械有限公司"
        assert entry.prechange_data == {"customer": dup.pk, "target_id": dup.pk}
        assert entry.postchange_data == {"customer": c.customer.pk, "target_id": c.customer.pk}
        assert entry.user == admin_user
        event = Event.objects.get(entity_type=ct, object_id=row.pk, kind="updated")
        assert (sorted(event.changed_fields), event.actor) == (["customer", "target_id"], admin_user)
        # the row version moved: a client holding the old one is refused
        row.refresh_from_db()
        assert row.updated_by == admin_user
        assert write.version_of(row) != seen[row.pk]
        row.content = "改过"
        with as_user(c.rep1), pytest.raises(write.StaleWrite):
            write.save_object(row, actor=c.rep1, expected_version=seen[row.pk])
    # an active contract is re-pointed (its guard lets a re-point through), nothing else of it
    contract.refresh_from_db()
    assert (contract.customer_id, contract.status) == (c.customer.pk, ContractStatus.ACTIVE)
    entry = ObjectChange.objects.filter(
        changed_object_type=ContentType.objects.get_for_model(Contract), changed_object_id=contract.pk
    ).latest("time")
    assert entry.postchange_data == {"customer": c.customer.pk}


def test_a_guard_refusing_the_repoint_rolls_the_whole_merge_back(c, admin_user):
    """The guards are told it is a re-point; one refusing it refuses the merge, and what moved
    before it (follow-ups, the customer's other rows) is rolled back with it."""

    def frozen(instance, actor, action):
        if action == write.REPOINT and instance.title == "冻结合同":
            raise ValidationError({"__all__": ["This contract may not change customer."]})

    write.register_write_guard(Contract, frozen)
    try:
        with as_user(admin_user):
            dup = Customer.objects.create(name="华康医疗", owner=c.rep1)
            FollowUp.objects.create(target=dup, customer=dup, content="电话")
        signed_contract(c.rep1, dup, "5000.00", title="冻结合同")
        before = snapshot(), list(Contract.objects.values_list("pk", "customer_id", "updated_at"))
        with as_user(admin_user), pytest.raises(ValidationError) as refused:
            merging.merge(c.customer, [dup], actor=admin_user)
        assert refused.value.messages == [
            "Contracts could not be moved to the record kept: This contract may not change customer."
        ]
        assert (snapshot(), list(Contract.objects.values_list("pk", "customer_id", "updated_at"))) == before
    finally:
        write._GUARDS[Contract].remove(frozen)


def test_a_pending_approval_on_a_moved_row_refuses_the_merge(c, admin_user):
    """The approval lock is a guard like any other: it refuses a re-point (set-based: one query)."""
    from guanxi.approvals.access import locked_guard, locked_guard_many

    with as_user(admin_user):
        dup = Customer.objects.create(name="华康医疗", owner=c.rep1)
    contract = signed_contract(c.rep1, dup, "5000.00", title="审批中")
    write.register_write_guard(Contract, locked_guard, bulk=locked_guard_many)
    from guanxi.approvals.models import ApprovalRequest, RequestStatus

    fields = {f.name for f in ApprovalRequest._meta.concrete_fields}
    values = {"content_type": ContentType.objects.get_for_model(Contract), "object_id": contract.pk,
              "status": RequestStatus.PENDING, "object_repr": str(contract)}  # fmt: skip
    if "submitter" in fields:
        values["submitter"] = c.rep1
    with as_user(admin_user):
        ApprovalRequest.objects.create(**{k: v for k, v in values.items() if k in fields})
    before = snapshot()
    with as_user(admin_user), pytest.raises(write.RecordLocked):
        merging.merge(c.customer, [dup], actor=admin_user)
    assert snapshot() == before
    assert Contract.objects.get(pk=contract.pk).customer_id == dup.pk


def test_guarded_rows_cost_no_query_each(c, admin_user):
    """Contracts, orders and receipts (guarded, approval-locked) like follow-ups: 1 or 4 of each
    cost the same number of queries; a generic reference to another kind of record stays."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def merge_with(n):
        with as_user(admin_user):
            keep = Customer.objects.create(name=f"保留{n}", owner=c.rep1)
            dup = Customer.objects.create(name=f"重复{n}", owner=c.rep1)
            contact = Contact.objects.create(name=f"联系人{n}")
        for i in range(n):
            contract = signed_contract(c.rep1, dup, "5000.00", title=f"合同{n}-{i}")
            record(c.rep1, contract, "100.00")
            new_order(c.rep1, dup)
        with as_user(admin_user):
            # the target is a contact whose id may equal the merged customer's: it does not move
            other = FollowUp.objects.create(target=contact, customer=dup, content="联系人拜访")
            with CaptureQueriesContext(connection) as queries:
                result = merging.merge(keep, [dup], actor=admin_user)
        other.refresh_from_db()
        assert (other.customer_id, other.target_id) == (keep.pk, contact.pk)
        assert result.moved["contracts.contract"] == n
        assert result.moved["contracts.order"] == n
        assert result.moved["receivables.receipt"] == n
        assert Receipt.objects.filter(customer=keep).count() == n
        assert Order.objects.filter(customer=keep).count() == n
        return len(queries)

    merge_with(1)  # warms the per-process caches
    assert merge_with(2) == merge_with(5)


def test_the_page_says_which_records_could_not_move_in_chinese(c, admin_user, client):
    from django.urls import reverse

    def frozen(instance, actor, action):
        if action == write.REPOINT:
            raise ValidationError({"__all__": ["不能更换客户。"]})

    write.register_write_guard(Contract, frozen)
    try:
        with as_user(admin_user):
            dup = Customer.objects.create(name="华康医疗", owner=c.rep1)
        signed_contract(c.rep1, dup, "5000.00", title="冻结合同")
        client.force_login(admin_user)
        response = client.post(
            reverse("customers:merge"),
            {"ids": [c.customer.pk, dup.pk], "survivor": c.customer.pk, "_confirm": "1"},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        assert response.status_code == 422
        assert "合同无法转移到保留的记录：不能更换客户。" in response.content.decode()
        assert Customer.objects.filter(pk=dup.pk).exists()
    finally:
        write._GUARDS[Contract].remove(frozen)


def test_a_merge_checks_the_move_access_once_for_every_related_model(c, admin_user, monkeypatch):
    """The verbs on the records (change the one kept, delete the others) are checked once for the
    merge, not again for each related model that moves (two queries each)."""
    checks = []
    real = write.check_repoint_access

    def spy(*args, **kwargs):
        checks.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(write, "check_repoint_access", spy)
    with as_user(admin_user):
        dup = Customer.objects.create(name="华康医疗", owner=c.rep1)
        FollowUp.objects.create(target=dup, customer=dup, content="拜访")
        contact = Contact.objects.create(name="李雷")
        CustomerContact.objects.create(customer=dup, contact=contact)
    signed_contract(c.rep1, dup, "5000.00", title="年度维保")
    with as_user(admin_user):
        result = merging.merge(c.customer, [dup], actor=admin_user)
    assert len(result.moved) >= 3  # follow-ups, contact links, contracts …
    assert len(checks) == 1


def test_a_move_to_another_record_inside_the_checked_block_is_checked_again(c):
    """The check stands for the records it was made for: re-pointing to a record the actor may not
    change is refused even inside a block checked for another pair."""
    with as_user(c.rep1):
        mine = Customer.objects.create(name="华康医疗", owner=c.rep1)
        also_mine = Customer.objects.create(name="华康医疗器械", owner=c.rep1)
        follow_up = FollowUp.objects.create(target=mine, customer=mine, content="拜访")
    with as_user(c.rep2):
        theirs = Customer.objects.create(name="恒通物流", owner=c.rep2)
    checked = write.repoint_access_checked(c.rep1, Customer, [mine.pk], also_mine.pk)
    with as_user(c.rep1), checked, pytest.raises(PermissionDenied):
        write.repoint_references(
            FollowUp, [follow_up], fields=["customer"], from_pks=[mine.pk], to=theirs, actor=c.rep1
        )
    follow_up.refresh_from_db()
    assert follow_up.customer_id == mine.pk
