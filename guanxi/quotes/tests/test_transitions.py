"""The quote status machine: draft → pending approval → approved → sent → accepted / rejected /
expired, with the thresholds deciding between *submit* and *confirm*; refusals change nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanxi.framework.statemachine import allowed_transitions, transition
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.suites import snapshot
from guanxi.quotes.models import Quote, QuoteStatus
from guanxi.quotes.services import LineInput, expire_quotes
from guanxi.quotes.tests.conftest import new_quote, with_lines


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


def test_small_quote_is_confirmed_without_approval_then_sent_and_accepted(q):
    quote = _small(q)
    assert not quote.requires_approval()
    assert "confirm" in _names(quote, q.rep1) and "submit" not in _names(quote, q.rep1)
    move(quote, "confirm", q.rep1)
    assert quote.status == QuoteStatus.APPROVED
    move(quote, "send", q.rep1)
    assert quote.status == QuoteStatus.SENT and quote.sent_at is not None
    move(quote, "accept", q.rep1)
    assert quote.status == QuoteStatus.ACCEPTED
    q.deal.refresh_from_db()
    assert q.deal.stage.kind == "open"  # the user did not ask to win the deal


def test_accepting_with_mark_deal_won_moves_the_deal_to_won(q):
    quote = _small(q)
    for name in ("confirm", "send"):
        move(quote, name, q.rep1)
    move(quote, "accept", q.rep1, mark_deal_won="1", won_reason="price")
    q.deal.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED
    assert q.deal.stage.kind == "won" and q.deal.close_reason == "price"


def test_discount_over_threshold_must_be_submitted_and_waits_for_the_approval(q):
    quote = _discounted(q)
    assert quote.requires_approval()
    assert "submit" in _names(quote, q.rep1) and "confirm" not in _names(quote, q.rep1)
    before = snapshot(Quote)
    with pytest.raises(ValidationError, match="submit it for approval"):
        move(quote, "confirm", q.rep1)
    assert snapshot(Quote) == before
    move(quote, "submit", q.rep1)
    assert quote.status == QuoteStatus.PENDING_APPROVAL
    # pending: the content is locked like any non-draft
    with pytest.raises(ValidationError, match="Only the current draft"):
        with_lines(quote, q.rep1, [LineInput(product=q.crm, quantity="1")])
    # the approval engine applies the decision as the approver
    move(quote, "approve", q.manager1, approved=True)
    assert quote.status == QuoteStatus.APPROVED


def test_approve_without_an_approval_engine_is_refused_and_changes_nothing(q, monkeypatch):
    from guanxi.framework import statemachine

    quote = _discounted(q)
    move(quote, "submit", q.rep1)
    monkeypatch.setattr(statemachine, "_approval_handler", None)  # no engine installed
    before = snapshot(Quote)
    with pytest.raises(ValidationError, match="needs an approval"):
        move(quote, "approve", q.manager1)
    assert snapshot(Quote) == before


def test_withdraw_returns_a_pending_quote_to_draft(q):
    quote = _discounted(q)
    move(quote, "submit", q.rep1)
    move(quote, "withdraw", q.rep1)
    assert quote.status == QuoteStatus.DRAFT
    with_lines(quote, q.rep1, [LineInput(product=q.crm, quantity="1", discount_percent="10")])
    quote.refresh_from_db()
    assert not quote.requires_approval()


def test_amount_over_threshold_needs_approval(q):
    quote = with_lines(new_quote(q.rep1, q.deal), q.rep1, [LineInput(product=q.crm, quantity="6")])
    assert quote.grand_total_base == Decimal("113904.00")  # 6 × 16,800 × 1.13 > ¥100,000
    assert quote.requires_approval()


def test_an_empty_quote_cannot_be_confirmed(q):
    quote = new_quote(q.rep1, q.deal)
    with pytest.raises(ValidationError, match="at least one line"):
        move(quote, "confirm", q.rep1)
    assert quote.status == QuoteStatus.DRAFT


def test_rejected_by_the_customer_keeps_the_reason(q):
    quote = _small(q)
    for name in ("confirm", "send"):
        move(quote, name, q.rep1)
    move(quote, "reject", q.rep1, reason="预算不足")
    assert (quote.status, quote.rejection_reason) == (QuoteStatus.REJECTED, "预算不足")


def test_another_rep_cannot_move_the_quote(q):
    quote = _small(q)
    before = snapshot(Quote)
    with pytest.raises((PermissionDenied, ValidationError)):
        move(quote, "confirm", q.rep2)
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
        move(quote, "confirm", q.rep1)
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
