"""Scenario tests of the approval engine on the test document (``testapp.Requisition``).

Every refusal asserts that nothing changed: the request, its steps and actions, the document and
the notifications are compared before and after.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from guanxi.approvals import services
from guanxi.approvals.models import ApprovalAction, ApprovalRequest, ApprovalStep
from guanxi.core.models import Event, Notification, ObjectChange
from guanxi.framework.statemachine import transition
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.testapp.models import Requisition
from guanxi.framework.write import RecordLocked, save_object

MANAGER = {"name": "经理审批", "name_en": "Manager", "approvers": "manager", "mode": "any"}
MANAGER2 = {"name": "总监审批", "name_en": "Director", "approvers": "manager2", "mode": "any"}


def submit(doc: Any, user: Any, **inputs: Any) -> Any:
    with as_user(user):
        transition(doc, "submit", actor=user, **inputs)
    return ApprovalRequest.objects.filter(object_id=doc.pk).order_by("-pk").first()


def approve(request: Any, user: Any, comment: str = "") -> Any:
    with as_user(user):
        return services.approve_request(request, actor=user, comment=comment)


def status_of(doc: Any) -> str:
    return Requisition.objects.get(pk=doc.pk).status


def snapshot() -> tuple:
    """Everything an action could change."""
    return (
        list(ApprovalRequest.objects.order_by("pk").values_list("pk", "status", "comment", "decided_at")),
        list(ApprovalStep.objects.order_by("pk").values_list("pk", "status", "decided_at", "escalated_at")),
        list(ApprovalStep.approvers.through.objects.order_by("pk").values_list("approvalstep_id", "user_id")),
        ApprovalAction.objects.count(),
        list(Requisition.objects.order_by("pk").values_list("pk", "status", "title")),
        Notification.objects.count(),
        Event.objects.count(),
        ObjectChange.objects.count(),
    )


# --- matching ------------------------------------------------------------------------------------------
def test_no_matching_flow_transitions_at_once(org, make_doc):
    doc = make_doc(org["rep"], amount="500.00", discount="5")
    assert submit(doc, org["rep"]) is None
    assert status_of(doc) == "approved"


@pytest.mark.parametrize(
    ("amount", "discount", "needs"),
    [("100000.00", "15", False), ("100000.01", "0", True), ("10.00", "15.01", True)],
)
def test_the_declared_flow_conditions(org, make_doc, amount, discount, needs):
    doc = make_doc(org["rep"], amount=amount, discount=discount)
    request = submit(doc, org["rep"])
    assert (request is not None) is needs
    assert status_of(doc) == ("draft" if needs else "approved")
    if needs:
        assert request.flow.key == "testapp.requisition.submit"


def test_customer_level_a_needs_approval(org, make_doc):
    from guanxi.customers.models import Customer

    with as_system():
        customer = Customer.objects.create(name="杭州云帆贸易有限公司", level="A", owner=org["rep"])
    doc = make_doc(org["rep"], customer=customer)
    request = submit(doc, org["rep"])
    assert request is not None and request.status == "pending"


# --- single step ---------------------------------------------------------------------------------------
def test_single_step_manager_approves_and_the_document_moves(org, make_flow, make_doc):
    make_flow([MANAGER])
    doc = make_doc(org["rep"])
    request = submit(doc, org["rep"], note="急")
    assert request.status == "pending" and request.submitter == org["rep"]
    assert request.inputs == {"note": "急"}
    step = request.steps.get()
    assert (step.status, list(step.approvers.all())) == ("pending", [org["manager"]])
    assert status_of(doc) == "draft"
    assert Notification.objects.filter(recipient=org["manager"], url=request.get_absolute_url()).count() == 1

    approve(request, org["manager"], "同意")
    request.refresh_from_db()
    assert (request.status, request.decided_at is not None) == ("approved", True)
    doc = Requisition.objects.get(pk=doc.pk)
    assert (doc.status, doc.note) == ("approved", "急")
    kinds = list(request.actions.values_list("kind", "actor__username", "comment"))
    assert kinds == [("submitted", "rep", ""), ("approved", "manager", "同意"), ("completed", None, "")]
    events = set(Event.objects.filter(kind__startswith="approvalrequest.").values_list("kind", flat=True))
    # per step, and the request's own transition ("approve": the status machine's typed event)
    assert events == {
        "approvalrequest.step_started",
        "approvalrequest.step_approved",
        "approvalrequest.approve",
    }
    assert Event.objects.filter(kind="requisition.submit", object_id=doc.pk).count() == 1
    assert Notification.objects.filter(recipient=org["rep"], title__contains="办公设备采购").count() == 1
    # the document's change log holds the request's creation and decision, and the transition
    changes = ObjectChange.objects.filter(related_object_id=doc.pk) | ObjectChange.objects.filter(
        changed_object_id=doc.pk, message__contains="Submit"
    )
    assert changes.exists()


# --- multi step, manager chain -------------------------------------------------------------------------
def test_two_steps_walk_up_the_manager_chain(org, make_flow, make_doc):
    make_flow([MANAGER, MANAGER2])
    doc = make_doc(org["rep"])
    request = submit(doc, org["rep"])
    first, second = request.steps.order_by("index")
    assert list(first.approvers.all()) == [org["manager"]]
    assert list(second.approvers.all()) == [org["director"]]
    assert second.status == "waiting"

    approve(request, org["manager"])
    second.refresh_from_db()
    assert second.status == "pending"
    assert status_of(doc) == "draft"
    assert Notification.objects.filter(recipient=org["director"]).count() == 1
    approve(request, org["director"])
    assert status_of(doc) == "approved"


def test_manager_chain_uses_the_department_tree_when_no_direct_manager(org, make_flow, make_doc):
    """south_rep has no direct manager: 华南's manager approves, then (his manager) the director."""
    with as_system():
        rep = org["south_rep"]
        rep.manager = None
        rep.save()
    make_flow([MANAGER, MANAGER2])
    request = submit(make_doc(org["south_rep"]), org["south_rep"])
    first, second = request.steps.order_by("index")
    assert list(first.approvers.all()) == [org["south_manager"]]
    assert list(second.approvers.all()) == [org["director"]]


def test_top_of_the_company_skips_missing_managers(org, make_flow, make_doc):
    make_flow([MANAGER, MANAGER2])
    doc = make_doc(org["director"])
    request = submit(doc, org["director"])
    first, second = request.steps.order_by("index")
    assert (first.status, list(first.approvers.all())) == ("pending", [org["boss"]])
    assert second.status == "skipped"
    approve(request, org["boss"])
    assert status_of(doc) == "approved"


# --- any / all -----------------------------------------------------------------------------------------
def test_any_one_of_a_role_approves(org, make_flow, make_doc):
    finance = org.departments["finance_role"]
    with as_system():
        finance.users.add(org.users["director"], org.users["south_manager"])
    make_flow([{"approvers": "role", "role": "finance", "mode": "any"}])
    doc = make_doc(org["rep"])
    request = submit(doc, org["rep"])
    assert set(request.steps.get().approvers.all()) == {org["director"], org["south_manager"]}
    approve(request, org["south_manager"])
    assert status_of(doc) == "approved"
    before = snapshot()
    with pytest.raises(ValidationError, match="no longer pending"):
        approve(request, org["director"])
    assert snapshot() == before


def test_all_must_approve(org, make_flow, make_doc):
    make_flow([{"approvers": "users", "users": [org["director"].pk, org["boss"].pk], "mode": "all"}])
    doc = make_doc(org["rep"])
    request = submit(doc, org["rep"])
    approve(request, org["boss"])
    assert (status_of(doc), request.steps.get().status) == ("draft", "pending")
    before = snapshot()
    with pytest.raises(ValidationError, match="already approved this step"):
        approve(request, org["boss"])
    assert snapshot() == before
    approve(request, org["director"])
    assert status_of(doc) == "approved"


# --- skip self -----------------------------------------------------------------------------------------
def test_the_submitter_is_skipped_as_approver(org, make_flow, make_doc):
    """The manager submits a flow whose first step is "named users: manager": skipped; the second
    step (manager's manager → his manager's manager is the boss) stays."""
    make_flow([{"approvers": "users", "users": [org["manager"].pk], "mode": "any"}, MANAGER])
    doc = make_doc(org["manager"])
    request = submit(doc, org["manager"])
    first, second = request.steps.order_by("index")
    assert first.status == "skipped"
    assert (second.status, list(second.approvers.all())) == ("pending", [org["director"]])
    assert request.actions.filter(kind="skipped", step=first).exists()


def test_all_steps_skipped_approves_at_once(org, make_flow, make_doc):
    make_flow([{"approvers": "users", "users": [org["rep"].pk], "mode": "any"}])
    doc = make_doc(org["rep"])
    request = submit(doc, org["rep"])
    assert request.status == "approved"
    assert status_of(doc) == "approved"


def test_all_mode_drops_the_submitter_and_waits_for_the_others(org, make_flow, make_doc):
    make_flow([{"approvers": "users", "users": [org["rep"].pk, org["manager"].pk], "mode": "all"}])
    doc = make_doc(org["rep"])
    request = submit(doc, org["rep"])
    assert list(request.steps.get().approvers.all()) == [org["manager"]]
    approve(request, org["manager"])
    assert status_of(doc) == "approved"


# --- reject / withdraw ---------------------------------------------------------------------------------
def test_reject_returns_the_document_with_the_comment(org, make_flow, make_doc):
    make_flow([MANAGER, MANAGER2])
    doc = make_doc(org["rep"])
    request = submit(doc, org["rep"])
    with as_user(org["manager"]):
        with pytest.raises(ValidationError) as refused:
            services.reject_request(request, actor=org["manager"], comment="  ")
        assert "comment" in refused.value.message_dict
        services.reject_request(request, actor=org["manager"], comment="折扣太高")
    request.refresh_from_db()
    assert (request.status, request.comment) == ("rejected", "折扣太高")
    assert list(request.steps.order_by("index").values_list("status", flat=True)) == ["rejected", "cancelled"]
    assert status_of(doc) == "draft"
    note = Notification.objects.get(recipient=org["rep"], level="error")
    assert "折扣太高" in note.body
    # unlocked: the submitter edits and submits again
    doc = Requisition.objects.get(pk=doc.pk)
    doc.discount_percent = 10
    with as_user(org["rep"]):
        save_object(doc, actor=org["rep"])
    again = submit(doc, org["rep"])
    assert again.pk != request.pk and again.status == "pending"


def test_withdraw_by_the_submitter_only(org, make_flow, make_doc):
    make_flow([MANAGER])
    doc = make_doc(org["rep"])
    request = submit(doc, org["rep"])
    before = snapshot()
    with as_user(org["manager"]), pytest.raises(PermissionDenied, match="Only the submitter"):
        services.withdraw_request(request, actor=org["manager"])
    assert snapshot() == before
    with as_user(org["rep"]):
        services.withdraw_request(request, actor=org["rep"], comment="写错了")
    request.refresh_from_db()
    assert (request.status, request.comment) == ("withdrawn", "写错了")
    assert status_of(doc) == "draft"
    assert Notification.objects.filter(recipient=org["manager"], title__startswith="已撤回：").count() == 1
    before = snapshot()
    with pytest.raises(ValidationError, match="no longer pending"):
        approve(request, org["manager"])
    assert snapshot() == before


# --- the lock ------------------------------------------------------------------------------------------
def test_a_pending_document_is_locked(org, make_flow, make_doc):
    make_flow([MANAGER])
    doc = make_doc(org["rep"])
    submit(doc, org["rep"])
    before = snapshot()
    doc = Requisition.objects.get(pk=doc.pk)
    doc.title = "改了"
    with as_user(org["rep"]), pytest.raises(RecordLocked, match="waiting for approval"):
        save_object(doc, actor=org["rep"])
    with as_user(org["rep"]), pytest.raises(RecordLocked):
        transition(Requisition.objects.get(pk=doc.pk), "submit", actor=org["rep"])
    from guanxi.framework.write import delete_object

    with as_user(org["rep"]), pytest.raises(RecordLocked):
        delete_object(Requisition.objects.get(pk=doc.pk), actor=org["rep"])
    assert snapshot() == before


# --- refusals ------------------------------------------------------------------------------------------
def test_double_approval_is_refused_and_changes_nothing(org, make_flow, make_doc):
    make_flow([MANAGER, MANAGER2])
    request = submit(make_doc(org["rep"]), org["rep"])
    approve(request, org["manager"])
    before = snapshot()
    with pytest.raises(ValidationError, match="already approved this request"):
        approve(request, org["manager"])
    assert snapshot() == before


def test_an_outsider_is_refused_and_changes_nothing(org, make_flow, make_doc):
    make_flow([MANAGER])
    doc = make_doc(org["rep"])
    request = submit(doc, org["rep"])
    before = snapshot()
    for outsider in (org["south_manager"], org["rep"], org["rep2"]):
        with as_user(outsider), pytest.raises(PermissionDenied, match="not an approver"):
            services.approve_request(request, actor=outsider)
        with as_user(outsider), pytest.raises(PermissionDenied):
            services.reject_request(request, actor=outsider, comment="不行")
    assert snapshot() == before
    assert status_of(doc) == "draft"


def test_acting_on_a_decided_request_is_refused(org, make_flow, make_doc):
    make_flow([MANAGER])
    request = submit(make_doc(org["rep"]), org["rep"])
    approve(request, org["manager"])
    before = snapshot()
    with as_user(org["manager"]), pytest.raises(ValidationError, match="no longer pending"):
        services.reject_request(request, actor=org["manager"], comment="晚了")
    with as_user(org["rep"]), pytest.raises(ValidationError, match="no longer pending"):
        services.withdraw_request(request, actor=org["rep"])
    assert snapshot() == before


def test_a_role_step_with_nobody_refuses_the_submission(org, make_flow, make_doc):
    make_flow([{"approvers": "role", "role": "finance", "mode": "any"}])
    doc = make_doc(org["rep"])
    before = snapshot()
    with pytest.raises(ValidationError, match="No one can approve"):
        submit(doc, org["rep"])
    assert snapshot() == before


# --- deadlines -----------------------------------------------------------------------------------------
def test_reminder_then_escalation_to_the_approvers_manager(org, make_flow, make_doc):
    make_flow([MANAGER], deadline_hours=24, remind_hours=20)
    doc = make_doc(org["rep"])
    request = submit(doc, org["rep"])
    step = request.steps.get()
    start = step.started_at
    assert step.due_at == start + dt.timedelta(hours=24)

    with as_system():
        assert services.process_deadlines(start + dt.timedelta(hours=19)) == {"reminded": 0, "escalated": 0}
        assert services.process_deadlines(start + dt.timedelta(hours=21)) == {"reminded": 1, "escalated": 0}
        assert services.process_deadlines(start + dt.timedelta(hours=22)) == {"reminded": 0, "escalated": 0}
    assert Notification.objects.filter(recipient=org["manager"], title__startswith="提醒：").count() == 1

    with as_system():
        assert services.process_deadlines(start + dt.timedelta(hours=25)) == {"reminded": 0, "escalated": 1}
        assert services.process_deadlines(start + dt.timedelta(hours=26)) == {"reminded": 0, "escalated": 0}
    step.refresh_from_db()
    assert set(step.approvers.all()) == {org["manager"], org["director"]}
    assert (
        Notification.objects.filter(recipient=org["director"], title__startswith="超时审批已升级给你").count()
        == 1
    )
    assert request.actions.filter(kind="escalated").count() == 1
    # the director may now decide; the request is approved by him
    approve(request, org["director"])
    assert status_of(doc) == "approved"


def test_the_scheduled_task_runs_the_deadline_pass(org, make_flow, make_doc):
    from guanxi.approvals.tasks import approval_deadlines
    from guanxi.framework.schedules import discover

    assert "approval_deadlines" in discover()
    make_flow([MANAGER], deadline_hours=1)
    request = submit(make_doc(org["rep"]), org["rep"])
    ApprovalStep.objects.filter(request=request).update(
        remind_at=timezone.now() - dt.timedelta(minutes=1), due_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert approval_deadlines.call() == {"reminded": 1, "escalated": 1}


# --- flows ---------------------------------------------------------------------------------------------
def test_flow_validation_messages(org, make_flow):
    with pytest.raises(ValidationError) as refused:
        make_flow(
            [{"approvers": "nobody"}],
            transition="reopen",
            condition={"version": 1, "all": [{"field": "nope", "op": "eq", "value": 1}]},
        )
    errors = refused.value.message_dict
    assert set(errors) == {"transition", "condition", "steps"}
    with pytest.raises(ValidationError, match="no role"):
        make_flow([{"approvers": "role", "role": "ghost"}])
    with pytest.raises(ValidationError, match="at least one step"):
        make_flow([])
