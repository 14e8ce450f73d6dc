"""Bilingual values stored on rows (a department's 名称 and English name, a field's labels)."""

from __future__ import annotations

from django.utils.translation import get_language


def english_active() -> bool:
    return (get_language() or "").startswith("en")


def localized(text: str, text_en: str | None) -> str:
    """``text_en`` when the interface is English and it is filled in, else ``text`` (Chinese)."""
    return text_en if text_en and english_active() else text
