"""Demo data: quotes on the demo deals in every status, one waiting for manager1's approval, and
two more of rep1's that manager1 has decided (one approved; one rejected, which rep1 took back to
draft), so 我已审批
and the approval history have something to show.

Runs after the deals step; without deals (their demo not loaded) it creates nothing."""

from __future__ import annotations

import datetime

from django.utils import timezone

from guanxi.demo.generator import DemoContext, register_demo_step

TERMS = "付款方式：合同签订后 5 个工作日内支付 50%，验收后支付 50%。\n交付周期：合同签订后 30 天内。"
STATUSES = ["draft", "draft", "approved", "sent", "sent", "accepted", "accepted", "rejected", "expired"]


def load_quotes(ctx: DemoContext) -> int:
    from guanxi.products.models import Product
    from guanxi.quotes.models import Quote, QuoteStatus
    from guanxi.quotes.services import LineInput, create_quote, save_quote_lines
    from guanxi.sales.models import Deal

    if Quote.objects.exists():
        return 0
    products = list(Product.objects.filter(is_active=True).order_by("pk"))
    deals = list(Deal.objects.select_related("customer", "owner").order_by("pk")[:400])
    if not products or not deals:
        return 0
    today = timezone.localdate()
    picked = ctx.rng.sample(deals, min(len(deals), 40))
    # rep1's deals first: the first quote (20 % off) waits for 张伟 (manager1)'s approval, the
    # next ones he has decided (DECIDED).
    rep1 = ctx.users.get("rep1")
    mine = [d for d in deals if rep1 is not None and d.owner_id == rep1.pk][: 1 + len(DECIDED)]
    picked = [*mine, *[d for d in picked if d not in mine]]
    decisions = {n: DECIDED[n - 1] for n in range(1, len(mine))}
    created = 0
    for n, deal in enumerate(picked):
        quote_date = today - datetime.timedelta(days=ctx.rng.randint(0, 120))
        quote = create_quote(
            actor=None,
            quote=Quote(
                deal=deal,
                owner=deal.owner,
                quote_date=quote_date,
                valid_until=quote_date + datetime.timedelta(days=30),
                terms=TERMS,
            ),
        )
        rows = [
            LineInput(
                product=product,
                quantity=str(ctx.rng.choice([1, 1, 2, 3, 5, 10, 20])),
                discount_percent=str(ctx.rng.choice([0, 0, 0, 5, 10])),
            )
            for product in ctx.rng.sample(products, ctx.rng.randint(1, 5))
        ]
        if n == 0 or n in decisions:  # 20 % off: above the approval flow's 15 %
            for row in rows:
                row.discount_percent = "20"
        save_quote_lines(quote, rows, actor=None)
        quote.refresh_from_db()
        if n == 0 and _submit_as_owner(quote):
            created += 1 + len(rows)
            continue
        if n in decisions and _submit_as_owner(quote) and _decide(quote, *decisions[n]):
            created += 1 + len(rows)
            continue
        status = QuoteStatus.PENDING_APPROVAL if n == 0 else STATUSES[n % len(STATUSES)]
        fields: dict = {"status": status}
        if status in ("sent", "accepted", "rejected"):
            fields["sent_at"] = timezone.now() - datetime.timedelta(days=ctx.rng.randint(1, 20))
        if status == "rejected":
            fields["rejection_reason"] = ctx.rng.choice(["预算不足", "选择了竞争对手", "项目延期"])
        if status == "expired":
            fields["valid_until"] = today - datetime.timedelta(days=ctx.rng.randint(1, 30))
        # Demo fixtures set the status directly (QuerySet.update, as fixtures do): the history of
        # each transition is not what the demo shows.
        Quote.objects.filter(pk=quote.pk).update(**fields)
        created += 1 + len(rows)
    return created


#: What manager1 decided on rep1's other submitted quotes: (approve?, comment).
DECIDED = [
    (True, "同意，本季度重点客户，尽快推进签约。"),
    (False, "折扣超过 15%，请与客户重新沟通后再提交。"),
]


def _decide(quote, approve: bool, comment: str) -> bool:
    """Decide the quote's pending request through the engine, as each step's approver in turn (the
    submitter's manager first); False when nothing is pending (no flow matched)."""
    from guanxi.approvals import services
    from guanxi.approvals.access import pending_request_for
    from guanxi.framework.context import Source, actor_context

    decided = False
    # an approval walks every step (a large quote also goes to the manager's manager)
    while (request := pending_request_for(quote)) is not None:
        step = services.current_step(request)
        approver = step.approvers.order_by("pk").first() if step is not None else None
        if approver is None:
            break
        with actor_context(approver, source=Source.DEMO):
            if approve:
                services.approve_request(request, actor=approver, comment=comment)
            else:
                services.reject_request(request, actor=approver, comment=comment)
        decided = True
    if decided and not approve:  # a rejected quote stays pending, unlocked: the rep takes it back
        from guanxi.framework.statemachine import transition

        with actor_context(quote.owner, source=Source.DEMO):
            transition(quote, "withdraw", actor=quote.owner)
    return decided


def _submit_as_owner(quote) -> bool:
    """Submit the quote as its owner, so the approval engine files the request manager1 sees in
    待我审批; False when the owner may not (the default grants are not installed)."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from guanxi.framework.context import Source, actor_context
    from guanxi.framework.statemachine import transition

    try:
        with actor_context(quote.owner, source=Source.DEMO):
            transition(quote, "submit", actor=quote.owner)
    except (PermissionDenied, ValidationError):
        return False
    return True


register_demo_step("quotes", load_quotes, order=80)
