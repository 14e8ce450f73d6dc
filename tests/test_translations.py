"""The zh-hans catalog is complete, current with the code, and actually used when pages render.

English is the msgid language, so `en` has no catalog: Django falls back to the msgids. The checks:
every entry translated and not fuzzy; a fresh `makemessages` run (on a temporary copy of the package,
never the working tree) finds nothing untranslated or stale; placeholders survive translation; the
compiled .mo is not older than its .po; a zh-hans user sees Chinese, an en user English.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polib
import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils.translation import override

from guanxi.core.models import Tag
from guanxi.framework.testing.fixtures import as_system, grant
from guanxi.framework.testing.scopes import give_role

PACKAGE = Path(__file__).resolve().parent.parent / "guanxi"
PO_PATH = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MAKEMESSAGES = [
    "cd guanxi",
    '../.venv/bin/python ../manage.py makemessages -l zh_Hans --no-location --ignore "static/vendor/*"',
]
REGENERATE = " && ".join(MAKEMESSAGES)


def _catalog() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def _label(entry: polib.POEntry) -> str:
    return f"[{entry.msgctxt}] {entry.msgid!r}" if entry.msgctxt else repr(entry.msgid)


def _translations(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def test_catalog_header_declares_simplified_chinese_with_one_plural_form() -> None:
    po = _catalog()
    assert po.metadata["Language"] == "zh_Hans"
    assert po.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert not po.metadata_is_fuzzy


def test_every_entry_is_translated_and_none_is_fuzzy() -> None:
    po = _catalog()
    live = [e for e in po if not e.obsolete]
    assert len(live) > 400  # the catalog was really read (an empty file would pass the checks below)
    untranslated = [_label(e) for e in live if not all(s.strip() for s in _translations(e))]
    fuzzy = [_label(e) for e in live if "fuzzy" in e.flags]
    plural_shape = [_label(e) for e in live if e.msgid_plural and sorted(e.msgstr_plural) != [0]]
    assert untranslated == [], "untranslated entries in django.po:\n" + "\n".join(untranslated)
    assert fuzzy == [], "fuzzy entries (check the translation, then remove the flag):\n" + "\n".join(fuzzy)
    assert plural_shape == [], "zh has one plural form (msgstr[0] only):\n" + "\n".join(plural_shape)


_NAMED = re.compile(r"%\((\w+)\)[sdif]")
_POSITIONAL = re.compile(r"%[sdif]")
_BRACE = re.compile(r"\{(\w*)\}")


def _placeholders(text: str, entry: polib.POEntry) -> tuple[Counter[str], int, Counter[str]]:
    text = text.replace("%%", "")
    braces = Counter(_BRACE.findall(text)) if "python-brace-format" in entry.flags else Counter()
    return Counter(_NAMED.findall(text)), len(_POSITIONAL.findall(text)), braces


def test_placeholders_and_markup_survive_translation() -> None:
    wrong = []
    for entry in _catalog():
        if entry.obsolete:
            continue
        source = _placeholders(entry.msgid, entry)
        for text in _translations(entry):
            if _placeholders(text, entry) != source:
                wrong.append(f"{_label(entry)} -> {text!r}")
            if sorted(re.findall(r"</?\w+", entry.msgid)) != sorted(re.findall(r"</?\w+", text)):
                wrong.append(f"{_label(entry)} -> {text!r} (HTML tags differ)")
        if entry.msgid_plural and _placeholders(entry.msgid_plural, entry) != source:
            wrong.append(f"{_label(entry)}: msgid and msgid_plural use different placeholders")
    assert wrong == [], "placeholders differ between msgid and msgstr:\n" + "\n".join(wrong)


def test_compiled_catalog_is_not_older_than_the_po() -> None:
    mo_path = PO_PATH.with_suffix(".mo")
    hint = "run `make messages` (or `make setup`) to compile the catalog"
    assert mo_path.exists(), f"{mo_path} is missing: {hint}"
    assert mo_path.stat().st_mtime >= PO_PATH.stat().st_mtime, f"{mo_path} is stale: {hint}"
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(mo_path))}
    assert compiled[(None, "Filters")] == "筛选"
    assert compiled[("column", "Created")] == "创建时间"


def test_catalog_is_up_to_date_with_the_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """makemessages over a copy of the package: every string in the code has a translation, and the
    catalog holds nothing the code no longer uses. The working tree is never written."""
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        pytest.fail(
            "GNU gettext (xgettext, msgmerge) is not installed, so the catalog cannot be checked "
            "against the code: install it with `sudo apt-get install gettext` (scripts/test.sh does)."
        )
    copy = tmp_path / "guanxi"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "vendor", "*.mo", "*.pyc"))
    monkeypatch.chdir(copy)
    # LOCALE_PATHS must point into the copy: makemessages writes to the first locale path it knows
    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        call_command(
            "makemessages",
            locale=["zh_Hans"],
            no_location=True,
            ignore_patterns=["static/vendor/*"],
            verbosity=0,
        )
    merged = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    live = [e for e in merged if not e.obsolete]
    missing = [_label(e) for e in live if "fuzzy" in e.flags or not all(s.strip() for s in _translations(e))]
    stale = [_label(e) for e in merged if e.obsolete]
    assert missing == [], (
        f"{len(missing)} message(s) in the code have no zh-hans translation:\n"
        + "\n".join(missing)
        + f"\nRegenerate with `{REGENERATE}`, translate, clear fuzzy flags, then `make messages`."
    )
    assert stale == [], (
        "the catalog holds messages the code no longer uses:\n"
        + "\n".join(stale)
        + f"\nRegenerate with `{REGENERATE}` and delete the #~ entries."
    )
    assert {e.msgid for e in live} >= {"Filters", "Export", "Log out"}


def test_upstream_messages_are_still_django_messages() -> None:
    """guanxi/upstream_messages.py fills gaps in Django's zh_Hans catalog; each entry must still be
    a message Django uses, else it is dead weight in ours."""
    import django
    from django.db.models.fields import BLANK_CHOICE_LABEL

    from guanxi.upstream_messages import UPSTREAM_MESSAGES

    django_en = Path(django.__file__).parent / "conf" / "locale" / "en" / "LC_MESSAGES" / "django.po"
    django_msgids = {e.msgid for e in polib.pofile(str(django_en))}
    assert [m for m in UPSTREAM_MESSAGES if m not in django_msgids] == []
    with override("zh-hans"):
        assert str(BLANK_CHOICE_LABEL) == "- 请选择 -"


class _VisibleText(HTMLParser):
    """Text a person reads: element text plus title/aria-label/placeholder, without script and style."""

    ATTRS = ("title", "aria-label", "placeholder", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        self.parts.extend(value for name, value in attrs if name in self.ATTRS and value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def _visible(response: Any) -> str:
    parser = _VisibleText()
    parser.feed(response.content.decode())
    return "\n".join(parser.parts)


# Our own UI phrases that every signed-in page or the tags list shows, in both languages.
HOME_PHRASES = {"Home": "工作台", "Log out": "退出登录", "Notifications": "通知", "Settings": "设置"}
TAGS_PHRASES = {
    "Filters": "筛选",
    "Export": "导出",
    "New tag": "新建标签",
    "Search this list…": "在列表中搜索…",
}


def _english_found(text: str, phrases: dict[str, str]) -> list[str]:
    return [en for en in phrases if re.search(rf"(?<![\w-]){re.escape(en)}(?![\w-])", text)]


def _user(make_user: Any, username: str, language: str) -> Any:
    with as_system():  # granting permissions is change-logged too
        user = grant(make_user(username, language=language), ["core.view_tag", "core.add_tag"])
    give_role(user, Tag, "all", ["view", "add", "export"])  # the list's Export button needs the verb
    return type(user).objects.get(pk=user.pk)


@pytest.mark.django_db
def test_a_chinese_user_sees_chinese_pages(client: Any, make_user: Any) -> None:
    client.force_login(_user(make_user, "linmei", "zh-hans"))
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="en")  # the saved language wins over the browser
    tags = client.get(reverse("core:tag_list"), HTTP_ACCEPT_LANGUAGE="en")
    assert (home.status_code, tags.status_code) == (200, 200)
    home_text, tags_text = _visible(home), _visible(tags)
    assert _english_found(home_text, HOME_PHRASES) == []
    assert _english_found(tags_text, HOME_PHRASES | TAGS_PHRASES) == []
    assert [zh for zh in HOME_PHRASES.values() if zh not in home_text] == []
    assert [zh for zh in TAGS_PHRASES.values() if zh not in tags_text] == []
    assert '<html lang="zh-hans"' in home.content.decode()
    # app.js reads its toast messages from data attributes, translated like any template string
    assert 'data-msg-error="出错了，请重试"' in home.content.decode()


@pytest.mark.django_db
def test_history_names_the_change_source_in_chinese(client: Any, make_user: Any) -> None:
    from guanxi.core.models import Tag

    user = _user(make_user, "linmei", "zh-hans")
    with as_system():
        tag = Tag.objects.create(name="VIP", slug="vip")
    client.force_login(user)
    text = _visible(client.get(reverse("core:tag_history", args=[tag.pk])))
    assert "系统 · 测试" in text  # nobody in particular, from a test: Source.TEST
    assert "创建" in text


@pytest.mark.django_db
def test_an_english_user_sees_the_msgids(client: Any, make_user: Any) -> None:
    client.force_login(_user(make_user, "alice", "en"))
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    tags = client.get(reverse("core:tag_list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    home_text, tags_text = _visible(home), _visible(tags)
    assert _english_found(home_text, HOME_PHRASES) == list(HOME_PHRASES)
    assert _english_found(tags_text, TAGS_PHRASES) == list(TAGS_PHRASES)
    assert "筛选" not in tags_text
    assert 'data-msg-error="Something went wrong — try again"' in home.content.decode()
