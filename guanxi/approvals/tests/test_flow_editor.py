"""Settings → Approval flows: administrators edit a flow's condition and steps as rows; the
flow's own rules refuse bad input at the rows, nothing is saved; others may not open it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType

from guanxi.approvals.models import ApprovalFlow
from guanxi.core.models import ObjectChange
from guanxi.framework.testing.testapp.models import Requisition

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(admin_user: Any) -> Any:
    """The administrator reads English, so the messages below are the catalog's msgids."""
    from guanxi.framework.testing.fixtures import as_system

    with as_system():
        admin_user.language = "en"
        admin_user.save()
    return admin_user


def _document() -> str:
    return f"{ContentType.objects.get_for_model(Requisition).pk}:submit"


def _post(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "大额采购审批",
        "name_en": "Large purchase",
        "document": _document(),
        "match": "all",
        "priority": "5",
        "is_active": "on",
        "deadline_hours": "48",
        "remind_hours": "",
        "escalate": "on",
        "cond-TOTAL_FORMS": "2",
        "cond-INITIAL_FORMS": "0",
        "cond-0-field": "amount_base",
        "cond-0-op": "gt",
        "cond-0-value": "50000",
        "cond-1-field": "",
        "cond-1-op": "eq",
        "cond-1-value": "",
        "step-TOTAL_FORMS": "3",
        "step-INITIAL_FORMS": "0",
        "step-0-name": "经理审批",
        "step-0-approvers": "manager",
        "step-0-mode": "any",
        "step-1-name": "财务",
        "step-1-approvers": "role",
        "step-1-role": "finance",
        "step-1-mode": "all",
        "step-2-approvers": "",
        "step-2-mode": "any",
    }
    data.update(overrides)
    return data


def test_an_administrator_creates_a_flow_from_rows(org, admin_user, client):
    client.force_login(admin_user)
    page = client.get("/settings/approval-flows/add/")
    assert page.status_code == 200
    assert 'name="document"' in page.content.decode()
    response = client.post("/settings/approval-flows/add/", _post())
    assert response.status_code == 302, response.content.decode()[:2000]
    flow = ApprovalFlow.objects.get(name="大额采购审批")
    assert flow.condition == {
        "version": 1,
        "all": [{"field": "amount_base", "op": "gt", "value": "50000"}],
    } or (flow.condition["all"][0]["field"] == "amount_base" and flow.condition["all"][0]["op"] == "gt")
    assert flow.steps == [
        {"name": "经理审批", "name_en": "", "approvers": "manager", "mode": "any"},
        {"name": "财务", "name_en": "", "approvers": "role", "mode": "all", "role": "finance"},
    ]
    assert (flow.transition, flow.deadline_hours, flow.priority) == ("submit", 48, 5)
    assert ObjectChange.objects.filter(changed_object_id=flow.pk, action="create").exists()
    listing = client.get("/settings/approval-flows/").content.decode()
    assert "Large purchase" in listing and "经理审批 → 财务" in listing


def test_the_editor_shows_a_saved_flow_and_keeps_its_rows(org, admin_user, client):
    client.force_login(admin_user)
    flow = ApprovalFlow.objects.get(key="testapp.requisition.submit")  # the declared default flow
    page = client.get(f"/settings/approval-flows/{flow.pk}/").content.decode()
    assert 'value="discount_percent" selected' in page or "discount_percent" in page
    assert "经理审批" in page


@pytest.mark.parametrize(
    ("overrides", "where", "message"),
    [
        ({"step-1-role": "no-such-role"}, "flow-steps", "Select a valid choice."),
        ({"step-1-role": ""}, "flow-steps", "there is no role"),
        ({"step-0-approvers": "", "step-1-approvers": ""}, "flow-steps", "A flow needs at least one step."),
        ({"cond-0-field": "level_of_nothing"}, "flow-condition", "Select a valid choice."),
        ({"cond-0-value": "many"}, "flow-condition", ""),
        ({"document": "999999:submit"}, "", "Select a valid choice."),
    ],
)
def test_bad_rows_are_refused_where_they_are_and_nothing_is_saved(
    org, admin_user, client, overrides, where, message
):
    client.force_login(admin_user)
    before = ApprovalFlow.objects.count()
    response = client.post("/settings/approval-flows/add/", _post(**overrides))
    assert response.status_code == 422
    page = response.content.decode()
    assert 'class="field-error"' in page
    if message:
        assert message in page
    assert ApprovalFlow.objects.count() == before


def test_people_without_the_grant_may_not_open_the_editor(org, client):
    client.force_login(org["rep"])
    assert client.get("/settings/approval-flows/").status_code == 403
    assert client.get("/settings/approval-flows/add/").status_code == 403
    flow = ApprovalFlow.objects.get(key="testapp.requisition.submit")
    assert client.post(f"/settings/approval-flows/{flow.pk}/", _post()).status_code in (403, 404)
    flow.refresh_from_db()
    assert flow.name == "申请审批"
