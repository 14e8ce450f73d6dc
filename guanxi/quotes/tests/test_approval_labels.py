"""An approval request keeps its document's label as it was when submitted (``object_repr``,
"Q-2026-0001 v1 <title>", written under no field rule). The approvals lists, the request page, the
API, the lock's refusal and the quote's history and timeline (the request is logged under the
quote) read it under the reader's field rules: a title masked for them masked, a hidden one left
out (``fieldaccess.stored_labels``)."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.approvals.access import locked_guard, locked_guard_many
from guanxi.approvals.models import ApprovalRequest
from guanxi.framework.api.testing import token_client
from guanxi.framework.statemachine import transition
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.scopes import give_role
from guanxi.framework.write import RecordLocked
from guanxi.quotes.models import Quote
from guanxi.quotes.services import LineInput
from guanxi.quotes.tests.conftest import new_quote, with_lines
from guanxi.users.models import FieldRule, Role, User

SECRET = "华康机密报价单"
SHOWN_TITLE = {"masked": "华***单", "hidden": ""}


@pytest.fixture(autouse=True)
def _flow(q):
    from guanxi.approvals.declare import install_declared_flows

    install_declared_flows()
    # their own requests; an approver reads the requests naming them (the engine's row access)
    for user in (q.rep1, q.manager1):
        give_role(user, ApprovalRequest, "own", ["view"], name=f"approvals-{user.username}")


def _pending(q, title: str = SECRET) -> Quote:
    """A 20 %-off quote 王芳 submitted: it waits for 张伟 (her manager)."""
    quote = with_lines(
        new_quote(q.rep1, q.deal, title=title),
        q.rep1,
        [LineInput(product=q.crm, quantity="1", discount_percent="20")],
    )
    with as_user(q.rep1):
        transition(quote, "submit", actor=q.rep1)
    quote.refresh_from_db()
    return quote


def _rule(role_name: str, access: str) -> None:
    with as_system():
        FieldRule.objects.create(
            role=Role.objects.get(name=role_name),
            content_type=ContentType.objects.get_for_model(Quote),
            field_name="title",
            access=access,
        )


def _fresh(user):
    return User.objects.get(pk=user.pk)  # the policy caches the rules on the user object


@pytest.mark.parametrize("access", ["masked", "hidden"])
def test_approval_lists_page_and_api_follow_the_title_rule(client, q, access):
    quote = _pending(q)
    request = ApprovalRequest.objects.get(object_id=quote.pk, content_type__model="quote")
    assert SECRET in request.object_repr  # the stored text stays the record of what was submitted
    _rule("mgr-quote", access)
    _rule("rep-quote-rep1", access)
    shown = f"{quote.number} v{quote.version} {SHOWN_TITLE[access]}".strip()
    manager, rep = _fresh(q.manager1), _fresh(q.rep1)
    client.force_login(manager)
    inbox = client.get("/approvals/").content.decode()
    assert f"· {shown}</strong>" in inbox and SECRET not in inbox
    detail = client.get(f"/approvals/{request.pk}/").content.decode()
    assert shown in detail and SECRET not in detail
    awaiting = token_client(manager).get("/api/v1/approvals/requests/", {"box": "awaiting"}).json()
    assert [row["document"]["display"] for row in awaiting["results"]] == [shown]
    client.force_login(rep)
    mine = client.get("/approvals/submitted/").content.decode()
    assert f"· {shown}</strong>" in mine and SECRET not in mine
    submitted = token_client(rep).get("/api/v1/approvals/requests/", {"box": "submitted"})
    assert [row["document"]["display"] for row in submitted.json()["results"]] == [shown]
    assert SECRET not in submitted.content.decode()
    # the lock's refusal names the quote as the writer may read it
    with pytest.raises(RecordLocked) as refused:
        locked_guard(quote, rep, "change")
    with pytest.raises(RecordLocked) as many:
        raise locked_guard_many([quote], rep, "change")[0]
    assert str(many.value) == str(refused.value)
    assert shown in str(refused.value) and SECRET not in str(refused.value)


@pytest.mark.parametrize("access", ["masked", "hidden"])
def test_the_quotes_history_and_timeline_follow_the_title_rule(client, q, access):
    """The request's own changes show in the quote's history and timeline as "<action>: 提交 · <quote>"."""
    quote = _pending(q)
    _rule("rep-quote-rep1", access)
    shown = f"{quote.number} v{quote.version} {SHOWN_TITLE[access]}".strip()
    client.force_login(_fresh(q.rep1))
    for tab in ("history", "timeline"):
        page = client.get(f"{quote.get_absolute_url()}{tab}/")
        assert page.status_code == 200
        html = page.content.decode()
        assert f"· {shown}" in html and SECRET not in html, tab


def test_the_approval_list_costs_one_query_per_document_type(client, q):
    """The inbox labels its page with one query for the quotes, however many requests it lists."""
    _rule("mgr-quote", "masked")
    client.force_login(_fresh(q.manager1))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/approvals/").status_code == 200
        return len(captured)

    _pending(q, "第一份")
    queries()  # the first request reads what is kept across requests
    one = queries()
    for n in range(4):
        _pending(q, f"第{n}份报价")
    page = client.get("/approvals/").content.decode()
    assert page.count("v1 第***价</strong>") == 4
    assert queries() == one


@pytest.mark.parametrize("access", ["masked", "hidden"])
def test_an_approval_actions_stored_label_follows_the_title_rule(q, access):
    """An approval action's change-log label ("Approved · 提交 · <quote>") names the quote too."""
    from guanxi.approvals import services as approvals
    from guanxi.core.models import ObjectChange
    from guanxi.framework.history import label_changes

    quote = _pending(q)
    request = ApprovalRequest.objects.get(object_id=quote.pk, content_type__model="quote")
    with as_user(q.manager1):
        approvals.approve_request(request, actor=q.manager1, comment="同意")
    _rule("mgr-quote", access)
    shown = f"{quote.number} v{quote.version} {SHOWN_TITLE[access]}".strip()
    changes = list(ObjectChange.objects.filter(changed_object_type__model="approvalaction"))
    assert changes and all(SECRET in c.object_repr for c in changes)  # stored as written
    labels = [c.reader_label for c in label_changes(_fresh(q.manager1), changes)]
    assert all(text.endswith(f"· {shown}") and SECRET not in text for text in labels), labels
