"""What the API carries of what is being approved (``amount`` on the list, ``summary`` on a
request), 我已审批 (``/approvals/decided/``, ``?box=decided``), and the approver's summary after
deciding (``summary.summary_documents``: the one rule of the page, the lists and the API)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from guanxi.approvals.models import ApprovalRequest
from guanxi.approvals.tests.test_engine import MANAGER, approve, submit
from guanxi.framework.api.testing import token_client
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.testapp.models import Requisition

LIST = "/api/v1/approvals/requests/"


def field_rule(access: str, field: str = "amount") -> None:
    from guanxi.users.models import FieldRule, Role

    with as_system():
        FieldRule.objects.create(
            role=Role.objects.get(name="staff"),
            content_type=ContentType.objects.get_for_model(Requisition),
            field_name=field,
            access=access,
        )


def reject(request: Any, user: Any, comment: str = "不行") -> Any:
    from guanxi.approvals import services

    with as_user(user):
        return services.reject_request(request, actor=user, comment=comment)


def reviewer(org: Any, username: str) -> Any:
    """``username`` also reads every approval request (not the requisitions): a reader of a
    request who may not view its document and is named on none of its steps."""
    from guanxi.users.models import Role, RoleGrant

    with as_system():
        role = Role.objects.create(name="reviewer")
        RoleGrant.objects.create(
            role=role,
            content_type=ContentType.objects.get_for_model(ApprovalRequest),
            actions=["view"],
            scope="all",
        )
        role.users.add(org[username])
    return org[username]


# --- API: amount on the list, summary on the request ---------------------------------------------
def test_api_list_carries_the_amount_in_a_pinned_number_of_queries(
    org, make_flow, make_doc, django_assert_num_queries
):
    """Pinned on 我已审批, the costliest path of the amounts: the manager decided requisitions
    outside his scope, which he reads only as their approver. (Pending rows add the caller's
    ``can_decide``: one query for the page, pinned below.)"""
    make_flow([MANAGER])
    first = submit(make_doc(org["rep"], amount="88000.00"), org["rep"])
    approve(first, org["manager"])
    manager = token_client(org["manager"], language="zh-hans")
    manager.get(LIST, {"box": "decided"})  # warm the token and the access snapshot
    # token, count, the page, its steps, their approvers, the requisitions with their amounts,
    # the requests he was asked about among them (he may not view those requisitions)
    with django_assert_num_queries(7):
        rows = manager.get(LIST, {"box": "decided"}).json()["results"]
    assert [(r["id"], r["amount"]) for r in rows] == [(first.pk, "¥88,000.00")]
    for n in range(4):
        owner = org["rep2"] if n % 2 else org["rep"]
        approve(submit(make_doc(owner, title=f"采购{n}", amount="500.00"), owner), org["manager"])
    # five rows (two submitters): still the same queries, not one a row
    with django_assert_num_queries(7):
        rows = manager.get(LIST, {"box": "decided"}).json()["results"]
    assert len(rows) == 5 and rows[-1]["amount"] == "¥88,000.00" and rows[0]["amount"] == "¥500.00"
    assert token_client(org["manager"]).get(LIST, {"box": "decided"}).json()["results"][-1]["amount"] == (
        "CNY 88,000.00"
    )

    field_rule("masked")
    rows = token_client(org["manager"], language="zh-hans").get(LIST, {"box": "decided"}).json()["results"]
    assert rows[-1]["amount"] == "¥***0"
    assert "88,000" not in str(rows)


def test_api_amount_is_null_when_hidden(org, make_flow, make_doc):
    make_flow([MANAGER])
    request = submit(make_doc(org["rep"], amount="88000.00"), org["rep"])
    field_rule("hidden")
    manager = token_client(org["manager"])
    assert manager.get(LIST, {"box": "awaiting"}).json()["results"][0]["amount"] is None
    summary = manager.get(f"{LIST}{request.pk}/").json()["summary"]
    assert "Amount" not in [row["label"] for row in summary["rows"]]
    assert "88,000" not in str(summary)


def test_api_request_summary_masked_kept_after_deciding_absent_for_other_readers(org, make_flow, make_doc):
    make_flow([MANAGER])
    doc = make_doc(org["rep"], amount="88000.00", discount="5", note="三台打印机")
    request = submit(doc, org["rep"], note="三台打印机")
    manager = token_client(org["manager"])
    body = manager.get(f"{LIST}{request.pk}/").json()
    assert body["amount"] == "CNY 88,000.00"
    summary = body["summary"]
    values = {row["label"]: row["value"] for row in summary["rows"]}
    assert values["Amount"] == "CNY 88,000.00" and values["Discount %"] == "5%"
    assert "三台打印机" in values.values()
    assert summary["lines"] is None and summary["url"] == f"/test/requisitions/{doc.pk}/"

    field_rule("masked")
    manager = token_client(org["manager"], language="zh-hans")
    decided = manager.post(f"{LIST}{request.pk}/approve/", {"comment": "ok"}, format="json").json()
    assert decided["status"] == "approved"
    # decided and outside his scope: he keeps the summary (masked as before), not the record
    summary = manager.get(f"{LIST}{request.pk}/").json()["summary"]
    assert {row["label"]: row["value"] for row in summary["rows"]}["Amount"] == "¥***0"
    assert summary["url"] == ""
    assert manager.get(f"/api/v1/testapp/requisitions/{doc.pk}/").status_code == 404
    assert manager.get(LIST, {"box": "decided"}).json()["results"][0]["amount"] == "¥***0"

    # a reader of the request who may not view the requisition and was asked nothing: no summary
    outsider = token_client(reviewer(org, "south_rep"))
    body = outsider.get(f"{LIST}{request.pk}/")
    assert body.status_code == 200
    assert body.json()["summary"] is None and body.json()["amount"] is None
    assert outsider.get(LIST).json()["results"][0]["amount"] is None


def test_page_summary_absent_for_a_reader_of_the_request_only(org, make_flow, make_doc, client):
    make_flow([MANAGER])
    request = submit(make_doc(org["rep"], amount="88000.00"), org["rep"])
    client.force_login(reviewer(org, "south_rep"))
    html = client.get(reverse("approvals:request_detail", args=[request.pk])).content.decode()
    assert 'id="approval-title"' in html
    assert 'id="approval-summary"' not in html and "88,000" not in html


# --- 我已审批 ---------------------------------------------------------------------------------------
def test_api_box_decided_newest_decision_first(org, make_flow, make_doc):
    make_flow([MANAGER])
    approved = submit(make_doc(org["rep"], title="甲"), org["rep"])
    rejected = submit(make_doc(org["rep"], title="乙"), org["rep"])
    waiting = submit(make_doc(org["rep2"], title="丙"), org["rep2"])
    reject(rejected, org["manager"])
    approve(approved, org["manager"])
    manager = token_client(org["manager"], language="zh-hans")
    rows = manager.get(LIST, {"box": "decided"}).json()["results"]
    assert [r["id"] for r in rows] == [approved.pk, rejected.pk]
    assert [(r["my_decision"]["kind"], r["my_decision"]["display"]) for r in rows] == [
        ("approved", "已通过"),
        ("rejected", "已驳回"),
    ]
    assert rows[0]["my_decision"]["at"] >= rows[1]["my_decision"]["at"]
    assert [r["id"] for r in manager.get(LIST, {"box": "awaiting"}).json()["results"]] == [waiting.pk]
    assert manager.get(LIST, {"box": "awaiting"}).json()["results"][0]["my_decision"] is None
    assert token_client(org["rep"]).get(LIST, {"box": "decided"}).json()["count"] == 0


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "zh-hans",
            {
                "tab": "我已审批",
                "decision": "已通过",
                "amount": "¥88,000.00",
                "empty": "你还没有审批过任何单据。",
            },
        ),
        (
            "en",
            {
                "tab": "Decided by me",
                "decision": "Approved",
                "amount": "CNY 88,000.00",
                "empty": "You have not decided on any approval yet.",
            },
        ),
    ],
)
def test_decided_page_lists_my_decisions_with_the_amount(
    org, make_flow, make_doc, client, language, words, django_assert_num_queries
):
    make_flow([MANAGER])
    doc = make_doc(org["rep"], amount="88000.00")
    request = submit(doc, org["rep"])
    other = submit(make_doc(org["rep"], title="另一张"), org["rep"])
    approve(request, org["manager"])
    with as_system():
        manager = org["manager"]
        manager.language = language
        manager.save()
    client.force_login(manager)
    client.get(reverse("approvals:decided"))  # warm the session and the access snapshot
    html = client.get(reverse("approvals:decided")).content.decode()
    assert f'aria-current="page">{words["tab"]}</a>' in html
    assert f'id="approval-{request.pk}"' in html and f'id="approval-{other.pk}"' not in html
    row = html[html.index(f'id="approval-{request.pk}"') :]
    row = row[: row.index("</tr>")]
    assert words["amount"] in row  # decided, outside his scope: still his summary's amount
    assert words["decision"] in row and "approval-my-decision" in row
    inbox = client.get(reverse("approvals:inbox")).content.decode()
    assert f'href="{reverse("approvals:decided")}"' in inbox and words["tab"] in inbox
    client.force_login(org["rep"])
    with as_system():
        rep = org["rep"]
        rep.language = language
        rep.save()
    assert words["empty"] in client.get(reverse("approvals:decided")).content.decode()


def test_api_awaiting_box_reads_can_decide_once_a_page(org, make_flow, make_doc, django_assert_num_queries):
    """待我审批 over the API: ``can_decide`` for the page's pending rows is one query (the
    awaiting set), not three per row (``services.may_act``)."""
    make_flow([MANAGER])
    submit(make_doc(org["rep"], amount="100.00"), org["rep"])
    manager = token_client(org["manager"])
    manager.get(LIST, {"box": "awaiting"})  # warm the token and the access snapshot
    with django_assert_num_queries(7) as one:
        rows = manager.get(LIST, {"box": "awaiting"}).json()["results"]
    assert [r["can_decide"] for r in rows] == [True]
    for n in range(4):
        owner = org["rep2"] if n % 2 else org["rep"]
        submit(make_doc(owner, title=f"采购{n}", amount="500.00"), owner)
    with django_assert_num_queries(len(one.captured_queries)):
        rows = manager.get(LIST, {"box": "awaiting"}).json()["results"]
    assert len(rows) == 5 and all(r["can_decide"] for r in rows)
    # the submitter reads the same requests in 我发起的: none is theirs to decide
    mine = token_client(org["rep"]).get(LIST, {"box": "submitted"}).json()["results"]
    assert mine and not any(r["can_decide"] for r in mine) and all(r["can_withdraw"] for r in mine)
