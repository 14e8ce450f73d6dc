"""Bilingual values stored on rows (a department's 名称 and English name, a field's labels)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language


def english_active() -> bool:
    return (get_language() or "").startswith("en")


def localized(text: str, text_en: str | None) -> str:
    """``text_en`` when the interface is English and it is filled in, else ``text`` (Chinese)."""
    return text_en if text_en and english_active() else text


# -- messages translated when read ----------------------------------------------------------------
# A notification or a job name is read by someone other than its writer, or later, after the
# reader switched language. So it is stored as the message id and its parameters and translated
# for each reader (``render_message``); the text rendered at write time is kept beside it for the
# API, search and e-mail. Parameters that are translatable themselves (a model's verbose name, a
# status label) are stored as messages too; everything else (a customer's name) is data, as is.


def deferred(msgid: Any, /, **params: Any) -> dict[str, Any]:
    """``{"msgid", "context"?, "params"}`` for ``msgid`` (a string or a ``gettext_lazy`` /
    ``pgettext_lazy`` proxy, whose message id is kept) with ``params`` for its placeholders."""
    message = _as_message(msgid)
    if not isinstance(message, dict):
        message = {"msgid": str(msgid)}
    message["params"] = {name: _as_param(value) for name, value in params.items()}
    return message


def deferred_plural(message: Any, number: int, /, **params: Any) -> dict[str, Any]:
    """Like ``deferred`` for a plural message, given as ``ngettext_lazy(singular, plural, "count")``
    (so makemessages keeps both forms) or as a ``(singular, plural)`` pair: the form follows
    ``number`` in each reader's language."""
    kw = getattr(message, "_kw", None)
    if isinstance(kw, dict) and "singular" in kw:
        singular, plural, context = kw["singular"], kw["plural"], kw.get("context")
    else:
        (singular, plural), context = message, None
    out = {**deferred(singular, **params), "plural": plural, "number": number}
    if context:
        out["context"] = context
    return out


def render_message(message: Any, fallback: str = "") -> str:
    """``message`` (from ``deferred``) in the active language; ``fallback`` when there is none."""
    if not isinstance(message, dict) or not message.get("msgid"):
        return fallback
    from django.utils.translation import gettext, ngettext, npgettext, pgettext

    msgid, context, plural = str(message["msgid"]), message.get("context"), message.get("plural")
    if plural:
        number = int(message.get("number") or 0)
        text = npgettext(context, msgid, plural, number) if context else ngettext(msgid, plural, number)
    else:
        text = pgettext(context, msgid) if context else gettext(msgid)
    params = {k: _render_param(v) for k, v in (message.get("params") or {}).items()}
    if not params:
        return text
    try:
        return text % params
    except (KeyError, TypeError, ValueError):  # a catalog entry that lost a placeholder
        return msgid % params if "%" in msgid else msgid


def _as_message(value: Any) -> dict[str, Any] | str:
    from django.utils.functional import Promise

    if isinstance(value, Promise):
        args: tuple[Any, ...] = getattr(value, "_args", ())
        if len(args) == 1 and isinstance(args[0], str):
            return {"msgid": args[0]}
        if len(args) == 2 and all(isinstance(a, str) for a in args):
            return {"context": args[0], "msgid": args[1]}
    return str(value)


def _as_param(value: Any) -> Any:
    import datetime as dt

    if isinstance(value, dict) and "msgid" in value:
        return value
    if isinstance(value, dt.datetime):  # shown in the reader's time zone and date format
        return {"datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return _as_message(value) if value is not None else ""


def _render_param(value: Any) -> Any:
    if isinstance(value, dict) and ("datetime" in value or "date" in value):
        from django.utils import formats, timezone
        from django.utils.dateparse import parse_date, parse_datetime

        if "datetime" in value:
            moment = parse_datetime(str(value["datetime"]))
            if moment is None:
                return value["datetime"]
            return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
        day = parse_date(str(value["date"]))
        return formats.date_format(day, "SHORT_DATE_FORMAT") if day else value["date"]
    if isinstance(value, dict):
        return render_message(value)
    return value
