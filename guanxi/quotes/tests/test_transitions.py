"""The quote status machine with the approval engine: draft → pending approval → approved → sent →
accepted / rejected / expired; above 15 % discount or ¥100,000 the submitter's manager approves.
Refusals change nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanxi.approvals import services as approvals
from guanxi.approvals.models import ApprovalFlow, ApprovalRequest
from guanxi.framework.statemachine import allowed_transitions, transition
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.suites import snapshot
from guanxi.quotes.models import Quote, QuoteStatus
from guanxi.quotes.services import LineInput, expire_quotes
from guanxi.quotes.tests.conftest import new_quote, with_lines


@pytest.fixture(autouse=True)
def _flow(db):
    from guanxi.approvals.declare import install_declared_flows

    install_declared_flows()  # created after migrate; again here in case a flush removed it
    assert ApprovalFlow.objects.filter(key="quotes.quote.approve").exists()


def _small(q) -> Quote:
    """One CRM licence at the A price, no discount: ¥18,984.00 — under both thresholds."""
    return with_lines(new_quote(q.rep1, q.deal), q.rep1, [LineInput(product=q.crm, quantity="1")])


def _discounted(q) -> Quote:
    """20 % off: above the 15 % discount threshold."""
    return with_lines(
        new_quote(q.rep1, q.deal), q.rep1, [LineInput(product=q.crm, quantity="1", discount_percent="20")]
    )


def _names(quote, user):
    return [t.name for t in allowed_transitions(quote, user)]


def move(quote, name, user, **inputs):
    with as_user(user):
        return transition(quote, name, actor=user, **inputs)


def _request(quote) -> ApprovalRequest:
    return ApprovalRequest.objects.filter(object_id=quote.pk, content_type__model="quote").latest("pk")


def test_small_quote_is_approved_at_once_then_sent_and_accepted(q):
    quote = _small(q)
    assert quote.discount_percent == 0
    assert _names(quote, q.rep1) == ["submit"]
    move(quote, "submit", q.rep1)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.APPROVED  # no flow matched: no request
    assert not ApprovalRequest.objects.exists()
    move(quote, "send", q.rep1)
    assert quote.status == QuoteStatus.SENT and quote.sent_at is not None
    move(quote, "accept", q.rep1)
    assert quote.status == QuoteStatus.ACCEPTED
    q.deal.refresh_from_db()
    assert q.deal.stage.kind == "open"  # the user did not ask to win the deal


def test_accepting_with_mark_deal_won_moves_the_deal_to_won(q):
    quote = _small(q)
    move(quote, "submit", q.rep1)
    quote.refresh_from_db()
    move(quote, "send", q.rep1)
    move(quote, "accept", q.rep1, mark_deal_won="1", won_reason="price")
    q.deal.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED
    assert q.deal.stage.kind == "won" and q.deal.close_reason == "price"


def test_the_quote_page_asks_to_win_the_deal_with_a_checkbox_and_the_reasons(client, q):
    """Accepting asked "Mark the deal won" in a text box that wanted "1", and the win reason as
    free text that the deal then refused: a dialog with a checkbox and the configured reasons."""
    import re

    from django.urls import reverse

    quote = _small(q)
    move(quote, "submit", q.rep1)
    quote.refresh_from_db()
    move(quote, "send", q.rep1)
    client.force_login(q.rep1)
    page = client.get(quote.get_absolute_url()).content.decode()
    dialog = re.search(r'<dialog id="transition-accept-dialog".*?</dialog>', page, re.S)
    assert dialog is not None
    assert (
        'type="checkbox" id="transition-accept-mark_deal_won" name="mark_deal_won" value="1"'
        in dialog.group(0)
    )
    reasons = re.search(r'name="won_reason" class="select">(.*?)</select>', dialog.group(0), re.S)
    assert reasons is not None and '<option value="price">' in reasons.group(1)
    client.post(
        reverse("quotes:quote_transition", args=[quote.pk]),
        {"transition": "accept", "mark_deal_won": "1", "won_reason": "price"},
    )
    quote.refresh_from_db()
    q.deal.refresh_from_db()
    assert (quote.status, q.deal.stage.kind, q.deal.close_reason) == (QuoteStatus.ACCEPTED, "won", "price")


def test_discount_over_threshold_waits_for_the_managers_approval(q):
    quote = _discounted(q)
    assert quote.discount_percent == Decimal("20.00")
    move(quote, "submit", q.rep1)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.PENDING_APPROVAL
    request = _request(quote)
    assert request.status == "pending" and request.submitter == q.rep1
    # pending: locked on every path
    before = snapshot(Quote)
    with pytest.raises(ValidationError):
        with_lines(quote, q.rep1, [LineInput(product=q.crm, quantity="1")])
    with pytest.raises(ValidationError):
        move(quote, "withdraw", q.rep1)
    assert snapshot(Quote) == before
    # the rep cannot approve their own request; the manager does
    with pytest.raises((PermissionDenied, ValidationError)), as_user(q.rep1):
        approvals.approve_request(request, actor=q.rep1)
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.PENDING_APPROVAL
    with as_user(q.manager1):
        approvals.approve_request(request, actor=q.manager1, comment="同意")
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.APPROVED
    # approving twice, or something no longer pending, is refused and changes nothing
    before = snapshot(Quote)
    with pytest.raises(ValidationError), as_user(q.manager1):
        approvals.approve_request(request, actor=q.manager1)
    assert snapshot(Quote) == before


def test_rejected_approval_leaves_the_quote_pending_and_unlocked_for_withdrawal(q):
    quote = _discounted(q)
    move(quote, "submit", q.rep1)
    with as_user(q.manager1):
        approvals.reject_request(_request(quote), actor=q.manager1, comment="折扣太大")
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.PENDING_APPROVAL
    move(quote, "withdraw", q.rep1)
    assert quote.status == QuoteStatus.DRAFT
    quote = with_lines(quote, q.rep1, [LineInput(product=q.crm, quantity="1", discount_percent="10")])
    move(quote, "submit", q.rep1)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.APPROVED  # 10 %: under the threshold


def test_amount_over_threshold_needs_approval(q):
    quote = with_lines(new_quote(q.rep1, q.deal), q.rep1, [LineInput(product=q.crm, quantity="6")])
    assert quote.grand_total_base == Decimal("113904.00")  # 6 × 16,800 × 1.13 > ¥100,000
    move(quote, "submit", q.rep1)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.PENDING_APPROVAL
    assert list(_request(quote).steps.get().approvers.all()) == [q.manager1]


def test_approve_without_an_approval_engine_is_refused_and_changes_nothing(q, monkeypatch):
    from guanxi.framework import statemachine

    quote = _discounted(q)
    monkeypatch.setattr(statemachine, "_approval_handler", None)  # no engine installed
    before = snapshot(Quote)
    with pytest.raises(ValidationError, match="needs an approval"):
        move(quote, "submit", q.rep1)
    assert snapshot(Quote) == before


def test_an_empty_quote_cannot_be_submitted(q):
    quote = new_quote(q.rep1, q.deal)
    with pytest.raises(ValidationError, match="at least one line"):
        move(quote, "submit", q.rep1)
    assert quote.status == QuoteStatus.DRAFT


def test_rejected_by_the_customer_keeps_the_reason(q):
    quote = _small(q)
    move(quote, "submit", q.rep1)
    quote.refresh_from_db()
    move(quote, "send", q.rep1)
    move(quote, "reject", q.rep1, reason="预算不足")
    assert (quote.status, quote.rejection_reason) == (QuoteStatus.REJECTED, "预算不足")


def test_another_rep_cannot_move_the_quote(q):
    quote = _small(q)
    before = snapshot(Quote)
    with pytest.raises((PermissionDenied, ValidationError)):
        move(quote, "submit", q.rep2)
    assert snapshot(Quote) == before


def test_sending_a_draft_is_refused(q):
    quote = _small(q)
    before = snapshot(Quote)
    with pytest.raises(ValidationError):
        move(quote, "send", q.rep1)
    assert snapshot(Quote) == before


def test_the_nightly_job_expires_approved_and_sent_quotes_past_validity(q):
    sent, approved, draft, fresh = (_small(q) for _i in range(4))
    for quote in (sent, approved, fresh):
        move(quote, "submit", q.rep1)
        quote.refresh_from_db()
    move(sent, "send", q.rep1)
    past = datetime.date.today() - datetime.timedelta(days=1)
    Quote.objects.filter(pk__in=[sent.pk, approved.pk, draft.pk]).update(valid_until=past)
    with as_system():
        assert expire_quotes() == 2
    statuses = {x.pk: x.status for x in Quote.objects.all()}
    assert statuses[sent.pk] == statuses[approved.pk] == QuoteStatus.EXPIRED
    assert statuses[draft.pk] == QuoteStatus.DRAFT and statuses[fresh.pk] == QuoteStatus.APPROVED
    with as_system():
        assert expire_quotes() == 0  # idempotent
