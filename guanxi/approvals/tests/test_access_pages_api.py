"""Approver read access (scope), the lists and the request page, the record card, the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from guanxi.approvals.models import ApprovalFlow, ApprovalRequest
from guanxi.approvals.tests.test_engine import MANAGER, MANAGER2, snapshot, submit
from guanxi.framework.api.testing import token_client
from guanxi.framework.testing.testapp.models import Requisition


def visible(user: Any, action: str = "view") -> set[int]:
    return set(Requisition.objects.restrict(user, action).values_list("pk", flat=True))


# --- scope: approvers read what they must approve, read-only, only while they must ------------------
def test_the_approver_reads_the_document_outside_his_scope_while_it_waits(org, make_flow, make_doc, client):
    make_flow([MANAGER, MANAGER2])
    doc = make_doc(org["rep"])
    other = make_doc(org["rep"], title="另一张")
    assert doc.pk not in visible(org["manager"])  # 本人 scope: the rep's documents are not his

    request = submit(doc, org["rep"])
    assert visible(org["manager"]) & {doc.pk, other.pk} == {doc.pk}
    assert doc.pk not in visible(org["manager"], "change")
    assert doc.pk not in visible(org["director"])  # the second step is not his yet
    assert doc.pk not in visible(org["south_manager"])

    client.force_login(org["manager"])
    page = client.get(f"/test/requisitions/{doc.pk}/")
    assert page.status_code == 200
    assert b'id="approval-approve"' in page.content
    assert client.get(f"/test/requisitions/{doc.pk}/edit/").status_code == 404
    assert client.get(f"/test/requisitions/{other.pk}/").status_code == 404

    from guanxi.approvals.tests.test_engine import approve

    approve(request, org["manager"])
    assert doc.pk not in visible(org["manager"])  # decided: back to his own scope
    assert doc.pk in visible(org["director"])
    approve(request, org["director"])
    assert doc.pk not in visible(org["director"])


def test_requests_are_read_by_their_submitter_and_approvers_only(org, make_flow, make_doc, client):
    make_flow([MANAGER])
    request = submit(make_doc(org["rep"]), org["rep"])
    url = reverse("approvals:request_detail", args=[request.pk])
    for username, code in (("rep", 200), ("manager", 200), ("rep2", 404), ("south_manager", 404)):
        client.force_login(org[username])
        assert client.get(url).status_code == code, username


# --- pages ---------------------------------------------------------------------------------------------
def test_inbox_and_submitted_lists(org, make_flow, make_doc, client, django_assert_num_queries):
    make_flow([MANAGER])
    for n in range(3):
        submit(make_doc(org["rep"], title=f"采购{n}"), org["rep"])
    submit(make_doc(org["rep2"], title="rep2 的"), org["rep2"])
    client.force_login(org["manager"])
    client.get(reverse("approvals:inbox"))  # warm the session and the access snapshot
    # the requests, their labels, and the key amounts of the page's requisitions in one query
    with django_assert_num_queries(6):
        page = client.get(reverse("approvals:inbox"))
    text = page.content.decode()
    assert text.count('id="approval-') == 4 + text.count('id="approval-list"')
    assert "采购0" in text and "rep2 的" in text
    client.force_login(org["rep"])
    mine = client.get(reverse("approvals:submitted")).content.decode()
    assert "采购2" in mine and "rep2 的" not in mine
    assert "没有待你审批的单据。" in client.get(reverse("approvals:inbox")).content.decode()


def test_approve_from_the_request_page_and_twice(org, make_flow, make_doc, client):
    make_flow([MANAGER])
    doc = make_doc(org["rep"])
    request = submit(doc, org["rep"])
    client.force_login(org["manager"])
    url = reverse("approvals:approve", args=[request.pk])
    response = client.post(url, {"comment": "可以"}, follow=True)
    assert "已同意。" in response.content.decode()
    assert Requisition.objects.get(pk=doc.pk).status == "approved"
    before = snapshot()
    again = client.post(url, follow=True).content.decode()
    assert "此审批已不在审批中（当前：已通过）。" in again
    assert snapshot() == before


def test_the_submitters_edit_is_refused_with_the_lock_message(org, make_flow, make_doc, client):
    make_flow([MANAGER])
    doc = make_doc(org["rep"])
    submit(doc, org["rep"])
    client.force_login(org["rep"])
    page = client.get(f"/test/requisitions/{doc.pk}/").content.decode()
    assert 'id="approval-withdraw"' in page and 'id="approval-approve"' not in page
    before = snapshot()
    response = client.post(
        f"/test/requisitions/{doc.pk}/edit/",
        {"title": "改标题", "amount_amount": "1000.00", "amount_currency": "CNY", "discount_percent": "0"},
    )
    assert "正在审批中" in response.content.decode()
    assert snapshot() == before


def test_bell_menu_counts_what_awaits_me(org, make_flow, make_doc, client):
    make_flow([MANAGER])
    submit(make_doc(org["rep"]), org["rep"])
    submit(make_doc(org["rep"], title="第二张"), org["rep"])
    client.force_login(org["manager"])
    menu = client.get(reverse("notification_menu")).content.decode()
    assert 'id="bell-approvals"' in menu and "2 条待我审批" in menu


# --- API -----------------------------------------------------------------------------------------------
def test_api_awaiting_approve_and_refusals(org, make_flow, make_doc):
    make_flow([MANAGER])
    doc = make_doc(org["rep"])
    request = submit(doc, org["rep"])
    manager = token_client(org["manager"])
    listed = manager.get("/api/v1/approvals/requests/?box=awaiting").json()
    assert [r["id"] for r in listed["results"]] == [request.pk]
    assert listed["results"][0]["can_decide"] is True
    assert manager.get("/api/v1/approvals/requests/?box=nope").status_code == 400

    rep = token_client(org["rep"])
    before = snapshot()
    refused = rep.post(f"/api/v1/approvals/requests/{request.pk}/approve/", {}, format="json")
    assert refused.status_code == 403 and "not an approver" in refused.json()["detail"]
    assert (
        token_client(org["rep2"]).post(f"/api/v1/approvals/requests/{request.pk}/approve/").status_code == 404
    )
    no_comment = manager.post(
        f"/api/v1/approvals/requests/{request.pk}/reject/", {"comment": ""}, format="json"
    )
    assert no_comment.status_code == 400 and "comment" in no_comment.json()["errors"]
    assert snapshot() == before

    done = manager.post(f"/api/v1/approvals/requests/{request.pk}/approve/", {"comment": "ok"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "approved"
    assert Requisition.objects.get(pk=doc.pk).status == "approved"
    before = snapshot()
    twice = manager.post(f"/api/v1/approvals/requests/{request.pk}/approve/", {}, format="json")
    assert twice.status_code == 409 and "no longer pending" in twice.json()["detail"]
    assert snapshot() == before
    assert rep.get("/api/v1/approvals/requests/?box=submitted").json()["count"] == 1


def test_api_locked_document_is_a_409(org, make_flow, make_doc):
    make_flow([MANAGER])
    doc = make_doc(org["rep"])
    rep = token_client(org["rep"])
    submitted = rep.post(
        f"/api/v1/testapp/requisitions/{doc.pk}/transition/", {"transition": "submit"}, format="json"
    )
    assert submitted.status_code == 200 and submitted.json()["status"] == "draft"
    assert ApprovalRequest.objects.filter(object_id=doc.pk, status="pending").count() == 1
    before = snapshot()
    patch = rep.patch(f"/api/v1/testapp/requisitions/{doc.pk}/", {"title": "改"}, format="json")
    assert patch.status_code == 409 and "waiting for approval" in patch.json()["detail"]
    again = rep.post(
        f"/api/v1/testapp/requisitions/{doc.pk}/transition/", {"transition": "submit"}, format="json"
    )
    assert again.status_code == 409, again.json()
    assert snapshot() == before


def test_api_flows_for_administrators(org, admin_user):
    admin = token_client(admin_user)
    body = {
        "name": "大额审批",
        "content_type": "testapp.requisition",
        "transition": "submit",
        "condition": {"version": 1, "all": [{"field": "amount_base", "op": "gt", "value": "500000"}]},
        "steps": [{"approvers": "manager2", "mode": "all"}],
        "priority": 5,
    }
    created = admin.post("/api/v1/approvals/flows/", body, format="json")
    assert created.status_code == 201, created.json()
    flow = ApprovalFlow.objects.get(pk=created.json()["id"])
    assert flow.condition["all"][0]["value"] == 500000 or str(flow.condition["all"][0]["value"]) == "500000"
    assert flow.content_type == ContentType.objects.get_for_model(Requisition)
    bad = admin.post("/api/v1/approvals/flows/", {**body, "steps": [{"approvers": "x"}]}, format="json")
    assert bad.status_code == 400 and "steps" in bad.json()["errors"]
    other = admin.post("/api/v1/approvals/flows/", {**body, "content_type": "users.user"}, format="json")
    assert other.status_code == 400 and "content_type" in other.json()["errors"]
    assert token_client(org["manager"]).get("/api/v1/approvals/flows/").status_code == 403
    assert admin.delete(f"/api/v1/approvals/flows/{flow.pk}/").status_code == 204


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_refusal_messages_in_the_users_language(org, make_flow, make_doc, language):
    make_flow([MANAGER])
    request = submit(make_doc(org["rep"]), org["rep"])
    refused = token_client(org["rep"], language=language).post(
        f"/api/v1/approvals/requests/{request.pk}/approve/"
    )
    expected = (
        "你不是此审批当前步骤的审批人。"
        if language == "zh-hans"
        else "You are not an approver of this request's current step."
    )
    assert refused.json()["detail"] == expected


def test_submit_from_the_record_page_says_it_went_for_approval(org, make_flow, make_doc, client):
    make_flow([MANAGER])
    pending, direct = make_doc(org["rep"]), make_doc(org["rep"], title="小额")
    client.force_login(org["rep"])
    page = client.post(f"/test/requisitions/{pending.pk}/transition/", {"transition": "submit"}, follow=True)
    assert "Submit：已提交审批。" in page.content.decode()
    assert ApprovalRequest.objects.filter(object_id=pending.pk, status="pending").count() == 1
    ApprovalFlow.objects.filter(priority=1).update(is_active=False)  # no flow matches any more
    page = client.post(f"/test/requisitions/{direct.pk}/transition/", {"transition": "submit"}, follow=True)
    assert "Submit：已完成。" in page.content.decode()
    assert Requisition.objects.get(pk=direct.pk).status == "approved"


# --- what is being approved: the declared summary (guanxi/approvals/summary.py) -------------------
def test_the_request_page_summarises_the_document_through_the_approvers_access(
    org, make_flow, make_doc, client
):
    """The manager reads the requisition (outside his 本人 scope, through the engine's row access)
    summarised above his decision, masked as his field rules say — and still once he decided
    (read only: the record itself is back out of his reach)."""
    import re

    from guanxi.framework.testing.fixtures import as_system
    from guanxi.users.models import FieldRule, Role

    make_flow([MANAGER])
    doc = make_doc(org["rep"], amount="88000.00", discount="5", note="三台打印机")
    request = submit(doc, org["rep"], note="三台打印机")
    client.force_login(org["manager"])
    html = client.get(f"/approvals/{request.pk}/").content.decode()
    card = re.search(r'<section class="card" id="approval-summary".*?</section>', html, re.S)
    assert card, "no summary card"
    assert html.index('id="approval-summary"') < html.index('id="decide-title"')
    assert "¥88,000.00" in card.group(0) and "5%" in card.group(0) and "三台打印机" in card.group(0)
    inbox = client.get(reverse("approvals:inbox")).content.decode()
    assert 'data-label="金额"' in inbox and "¥88,000.00" in inbox
    with as_system():
        FieldRule.objects.create(
            role=Role.objects.get(name="staff"),
            content_type=ContentType.objects.get_for_model(Requisition),
            field_name="amount",
            access="masked",
        )
    client.force_login(org["manager"])
    html = client.get(f"/approvals/{request.pk}/").content.decode()
    assert "88,000" not in html and "¥***0" in html
    assert "88,000" not in client.get(reverse("approvals:inbox")).content.decode()
    client.post(reverse("approvals:approve", args=[request.pk]), {"comment": "可以"})
    html = client.get(f"/approvals/{request.pk}/").content.decode()
    card = re.search(r'<section class="card" id="approval-summary".*?</section>', html, re.S)
    assert card, "decided: the approver keeps what he approved"
    assert "¥***0" in card.group(0) and "88,000" not in html and "三台打印机" in card.group(0)
    # the summary only: no link to the record, which is no longer his to read
    assert f"/test/requisitions/{doc.pk}/" not in html
    assert client.get(f"/test/requisitions/{doc.pk}/").status_code == 404
    assert doc.pk not in visible(org["manager"])
