"""The approver of a quote reads what they approve on the request page: customer, deal, grand
total, overall discount, validity and the lines (the first 20, then "and N more" with a link) —
through their field rules — and the 待我审批 / 我发起的 lists show each request's grand total.
The page's query count does not grow with the lines."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.approvals.models import ApprovalRequest
from guanxi.framework.statemachine import transition
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.scopes import give_role
from guanxi.quotes.models import Quote
from guanxi.quotes.services import LineInput
from guanxi.quotes.tests.conftest import new_quote, with_lines
from guanxi.users.models import FieldRule, Role, User


@pytest.fixture(autouse=True)
def _flow(q):
    from guanxi.approvals.declare import install_declared_flows

    install_declared_flows()
    for user in (q.rep1, q.manager1):
        give_role(user, ApprovalRequest, "own", ["view"], name=f"approvals-{user.username}")


def _pending(q, lines: int = 2) -> tuple[Quote, ApprovalRequest]:
    """A 20 %-off quote of 王芳 with ``lines`` lines, waiting for 张伟 (her manager)."""
    rows = [LineInput(product=q.crm, quantity="2", discount_percent="20")]
    rows += [
        LineInput(description=f"定制开发 {n}", quantity="1", unit_price="1000", discount_percent="20")
        for n in range(1, lines)
    ]
    quote = with_lines(
        new_quote(q.rep1, q.deal, title="华康报价", valid_until=datetime.date(2027, 1, 31)), q.rep1, rows
    )
    with as_user(q.rep1):
        transition(quote, "submit", actor=q.rep1)
    quote.refresh_from_db()
    return quote, ApprovalRequest.objects.get(object_id=quote.pk, content_type__model="quote")


def _fresh(user):
    return User.objects.get(pk=user.pk)


def _summary(html: str) -> str:
    found = re.search(r'<section class="card" id="approval-summary".*?</section>', html, re.S)
    assert found, "no summary card"
    return found.group(0)


def test_the_approver_reads_the_quote_on_the_request_page(client, q):
    quote, request = _pending(q)
    client.force_login(_fresh(q.manager1))
    html = client.get(f"/approvals/{request.pk}/").content.decode()
    card = _summary(html)
    # above the decision
    assert html.index('id="approval-summary"') < html.index('id="decide-title"')
    assert "上海华康医疗器械有限公司" in card and "华康 CRM 项目" in card
    assert quote.grand_total.format() in card and "CNY" in card  # the manager reads English
    assert "2027" in card  # valid until
    assert f"{quote.discount_percent.normalize():f}%" in card
    assert "CRM-PRO Guanxi Cloud Pro" in card and "定制开发 1" in card
    assert 'data-label="Unit price"' in card and "20%" in card
    assert "approval-summary-more" not in card


def test_a_masked_grand_total_is_masked_for_the_approver(client, q):
    quote, request = _pending(q)
    with as_system():
        FieldRule.objects.create(
            role=Role.objects.get(name="mgr-quote"),
            content_type=ContentType.objects.get_for_model(Quote),
            field_name="grand_total",
            access="masked",
        )
    client.force_login(_fresh(q.manager1))
    card = _summary(client.get(f"/approvals/{request.pk}/").content.decode())
    shown = quote.grand_total.format()
    assert "Grand total" in card and shown not in card and "***" in card
    inbox = client.get("/approvals/").content.decode()
    assert shown not in inbox and "***" in inbox


def test_lists_show_the_grand_total(client, q):
    quote, request = _pending(q)
    shown = quote.grand_total.format()
    client.force_login(_fresh(q.manager1))
    inbox = client.get("/approvals/").content.decode()
    row = re.search(rf'<tr id="approval-{request.pk}">.*?</tr>', inbox, re.S)
    assert row and shown in row.group(0) and 'data-label="Amount"' in row.group(0)
    client.force_login(_fresh(q.rep1))
    mine = client.get("/approvals/submitted/").content.decode()
    assert shown in mine


def test_a_long_quote_shows_twenty_lines_then_a_link(client, q):
    quote, request = _pending(q, lines=23)
    client.force_login(_fresh(q.manager1))
    card = _summary(client.get(f"/approvals/{request.pk}/").content.decode())
    assert card.count("<tr>") == 1 + 20  # the heading row and twenty lines
    assert "定制开发 19" in card and "定制开发 20" not in card
    assert f'<a href="{quote.get_absolute_url()}">and 3 more</a>' in card


def test_the_request_page_costs_the_same_for_one_line_and_twenty(client, q):
    """The query count of the page is pinned: the lines come in one query, whatever their number."""
    _short_quote, short = _pending(q, lines=1)
    _quote, request = _pending(q, lines=20)
    client.force_login(_fresh(q.manager1))
    client.get(f"/approvals/{short.pk}/")  # warm the session and the access snapshot

    def queries(pk: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            html = client.get(f"/approvals/{pk}/").content.decode()
        assert 'id="approval-summary"' in html
        return len(captured)

    one = queries(short.pk)
    twenty = queries(request.pk)
    assert twenty == one == 12, [one, twenty]


def test_the_request_names_its_action_in_the_readers_language(q, client):
    """The request kept the label of the submitter's language ("Approve", an English submitter):
    a Chinese approver read "Approve · …" on a Chinese page, in the inbox and on the quote's
    waiting badge. Each reader now reads the declared label in their own language."""
    _quote, request = _pending(q)
    assert request.transition_label == "Approve"
    User.objects.filter(pk=q.manager1.pk).update(language="zh-hans")
    client.force_login(_fresh(q.manager1))
    page = client.get(request.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    title = re.search(r'<h1 class="page-title" id="approval-title">(.*?)</h1>', page, re.S)
    assert title and title.group(1).startswith("批准 · "), title
    inbox = client.get("/approvals/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "批准 · " in inbox and "Approve · " not in inbox
