"""Write guards: only the current draft of a quote (and its lines) changes.

Transitions change the status through ``transition()`` (not guarded here); revising marks the old
version not current. Anything else on a quote that is sent, approved… or an old version is refused
on every write path (pages, API, bulk edit, import) with one message."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from guanxi.framework.write import REPOINT, register_write_guard
from guanxi.quotes.models import Quote, QuoteLine, QuoteStatus

# Fields a non-draft quote may still see written: the version bookkeeping of revise_quote.
_BOOKKEEPING = {"is_current", "updated_at", "updated_by"}


def _refusal(loaded_current: bool) -> ValidationError:
    if not loaded_current:
        return ValidationError({"__all__": [_("This is an old version of the quote; it is read-only.")]})
    return ValidationError(
        {"__all__": [_("Only a draft quote can be edited; revise it to make a new version.")]}
    )


def guard_quote(instance: Quote, actor: Any, action: str) -> None:
    # transitions check the version themselves; a merge re-points any version to the customer kept
    if action in ("create", "transition", REPOINT):
        return
    loaded = getattr(instance, "_loaded_values", None) or {}
    current = loaded.get("is_current", instance.is_current)
    status = loaded.get("status", instance.status)
    if current and status == QuoteStatus.DRAFT:
        return
    if action == "update" and current and instance.changed_fields() <= _BOOKKEEPING:
        return
    raise _refusal(current)


def guard_line(instance: QuoteLine, actor: Any, action: str) -> None:
    quote = instance.quote
    if not quote.is_editable:
        raise _refusal(quote.is_current)


register_write_guard(Quote, guard_quote)
register_write_guard(QuoteLine, guard_line)
