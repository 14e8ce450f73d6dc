"""No English in the Chinese UI and no Chinese in the English UI, whatever language came first,
and no date or time shown as raw ISO or UTC text.

A label evaluated once (at import, or on the first request) and kept on a shared object —
a filter set's filters, a table's columns, a form class's fields, a choice list, the condition
catalogue, a menu — shows every later reader the first reader's language until the server
restarts. This test renders, in ONE process, every page of every entity with a view suite (list
with its filter panel and active filter chips, add form, detail, edit form, history) in English,
then in Chinese, then in English again, and fails on any text of the other language's catalog.

Only catalog strings count (a Chinese customer name in an English page is data, not a leak):
the visible text is split into its text nodes and attributes read by people, and a node leaks
when it *is* one of the other language's messages (a msgid for the Chinese page, a msgstr for
the English one). Messages that read the same in both languages ("API", "VIP", "A") and
placeholders-only messages never count.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polib
import pytest

import guanxi
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.suites import EntityViewSuite

PO_PATH = Path(guanxi.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
_HAS_LETTER = re.compile(r"[A-Za-z]{2,}")
_HAS_HAN = re.compile(r"[\u4e00-\u9fff]")
_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
# The framework's test-only entities are deliberately not translated.
NOT_SHIPPED_APPS = {"testapp"}
# Names that read the same in both interfaces by design.
BRAND = {"关系 Guanxi"}
# ("UTC" alone is a time zone a user may choose, not a timestamp)
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|\d{2}:\d{2}(:\d{2})?(\.\d+)?\+00:00")
_TRIM = " \t\n:：*·…,，.。()（）"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(_TRIM)


def catalogs() -> tuple[set[str], set[str]]:
    """(English texts that must not show in Chinese, Chinese texts that must not show in English)."""
    english: set[str] = set()
    chinese: set[str] = set()
    for entry in polib.pofile(str(PO_PATH)):
        if entry.obsolete:
            continue
        msgids = [entry.msgid, *([entry.msgid_plural] if entry.msgid_plural else [])]
        msgstrs = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for msgid in msgids:
            if not _PLACEHOLDER.search(msgid):
                english.add(_norm(msgid))
        for msgstr in msgstrs:
            if not _PLACEHOLDER.search(msgstr):
                chinese.add(_norm(msgstr))
    # The same text in both languages ("API", "Excel", "VIP") is no leak either way.
    same = english & chinese | BRAND
    english = {t for t in english - same if _HAS_LETTER.search(t)}
    chinese = {t for t in chinese - same if _HAS_HAN.search(t)}
    # An English word that is also part of Chinese messages ("ID" in "ID 号") is not a leak.
    english = {t for t in english if not any(t in zh for zh in chinese if _HAS_HAN.search(zh) and t in zh)}
    return english, chinese


class _Texts(HTMLParser):
    """The text nodes and people-read attributes of a page: not scripts, styles or templates,
    nor codes shown as codes (``<code>``, ``class="mono"``: column names of an import file), nor
    data marked as such (``lang="en"`` on a record's English name, ``translate="no"``)."""

    ATTRS = ("title", "aria-label", "placeholder", "alt", "data-label")
    SKIP = ("script", "style", "template", "code", "kbd", "samp")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip_tag: str | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip_tag is not None:
            self._depth += tag == self._skip_tag
            return
        named = dict(attrs)
        classes = (named.get("class") or "").split()
        # Text marked as being in a language of its own, or as not to be translated, is data.
        data = (tag != "html" and "lang" in named) or named.get("translate") == "no"
        if tag in self.SKIP or "mono" in classes or data:
            self._skip_tag, self._depth = tag, 1
            return
        if tag == "input" and dict(attrs).get("type") == "submit":
            self.parts.extend(v for n, v in attrs if n == "value" and v)
        self.parts.extend(value for name, value in attrs if name in self.ATTRS and value)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._skip_tag:
            self._depth -= 1
            if self._depth == 0:
                self._skip_tag = None

    def handle_data(self, data: str) -> None:
        if self._skip_tag is None and data.strip():
            self.parts.append(data)


def texts(html: str) -> set[str]:
    parser = _Texts()
    parser.feed(html)
    return {_norm(p) for p in parser.parts} - {""}


def entity_suites() -> list[type[EntityViewSuite]]:
    """One view suite per entity (the conformance test makes sure every entity has one)."""
    root = Path(guanxi.__file__).parent
    found: dict[str, type[EntityViewSuite]] = {}
    for module in pkgutil.walk_packages([str(root)], prefix="guanxi."):
        if ".tests.test_" not in module.name:
            continue
        for value in vars(importlib.import_module(module.name)).values():
            if (
                isinstance(value, type)
                and issubclass(value, EntityViewSuite)
                and value is not EntityViewSuite
            ):
                found.setdefault(value.model._meta.label_lower, value)
    # The framework's example entity exists only in tests and is deliberately not translated.
    return [found[label] for label in sorted(found) if label.split(".")[0] not in NOT_SHIPPED_APPS]


def menu_pages(client: Any) -> list[str]:
    """Every page the menu links to (settings pages, my tasks, jobs, notifications…)."""
    html = client.get("/").content.decode()
    links = {link.replace("&amp;", "&") for link in re.findall(r'href="(/[^"#]*)"', html)}
    return sorted(link for link in links if not link.startswith(("/static/", "/logout", "/api/")))


def _prepared(suite: type[EntityViewSuite]) -> EntityViewSuite:
    """An instance of ``suite`` with its own autouse fixtures run (those that need only ``db``)."""
    import inspect

    from _pytest.fixtures import FixtureFunctionDefinition

    instance = suite()
    for klass in reversed(suite.__mro__):
        for value in vars(klass).values():
            if not isinstance(value, FixtureFunctionDefinition):
                continue
            if not value._fixture_function_marker.autouse:
                continue
            function = value.__wrapped__  # type: ignore[attr-defined]
            params = list(inspect.signature(function).parameters)[1:]
            assert set(params) <= {"db"}, f"{suite.__name__}.{value.__name__} needs {params}"
            result = function(instance, **dict.fromkeys(params))
            if inspect.isgenerator(result):
                next(result)
    return instance


def pages(suite: type[EntityViewSuite], obj: Any) -> list[str]:
    prefix = suite.url_prefix
    out = [prefix, f"{prefix}?filters=1"]
    filterset = _filterset(suite)
    if filterset is not None:
        # Every filter given a value, so the active-filter chips show their labels and values.
        out.append(f"{prefix}?{filterset}")
    out += [f"{prefix}add/", f"{prefix}{obj.pk}/", f"{prefix}{obj.pk}/edit/", f"{prefix}{obj.pk}/history/"]
    return out


def _filterset(suite: type[EntityViewSuite]) -> str | None:
    from django.http import QueryDict

    from guanxi.framework.views import _BY_MODEL

    views = _BY_MODEL.get(suite.model._meta.label_lower)
    if views is None or views.filterset is None:
        return None
    fs = views.filterset(None, queryset=suite.model._default_manager.none())
    query = QueryDict(mutable=True)
    for name, filter_ in fs.filters.items():
        field = filter_.field
        choices = [c for c in getattr(field, "choices", None) or [] if c[0] not in ("", None)]
        if choices and not hasattr(field, "queryset"):
            query[name] = str(choices[0][0])
        elif filter_.__class__.__name__ == "BooleanFilter":
            query[name] = "true"
    return query.urlencode()


def leaks(html: str, other: set[str]) -> set[str]:
    return texts(html) & other


@pytest.mark.django_db
def test_no_page_shows_the_other_languages_catalog(client: Any, django_user_model: Any) -> None:
    english, chinese = catalogs()
    assert {"Filters", "Export"} <= english and {"筛选", "导出"} <= chinese  # the catalog was read
    with as_system():
        readers = {
            "en": django_user_model.objects.create_superuser("leak-en", "en@example.com", "x", language="en"),
            "zh-hans": django_user_model.objects.create_superuser(
                "leak-zh", "zh@example.com", "x", language="zh-hans"
            ),
        }
    suites = entity_suites()
    assert len(suites) >= 10
    urls: list[str] = []
    for suite in suites:
        obj = _prepared(suite).create_rows(1)[0]
        urls += pages(suite, obj)
    client.force_login(readers["en"])
    # The API schema generator reads every filter set's class-level filters: in English first.
    assert client.get("/api/schema/").status_code == 200
    urls += [url for url in menu_pages(client) if url not in urls]
    found: list[str] = []
    for language in ("en", "zh-hans", "en"):
        client.force_login(readers[language])
        other = chinese if language == "en" else english
        for url in urls:
            response = client.get(url, follow=True)
            assert response.status_code == 200, (language, url, response.status_code)
            html = response.content.decode()
            for text in sorted(leaks(html, other)):
                found.append(f"{language} {url}: {text!r}")
            # dates read in the language's one format (guanxi.formats), never as ISO or UTC text
            for text in sorted(t for t in texts(html) if _ISO_TIME.search(t)):
                found.append(f"{language} {url}: raw timestamp {text!r}")
    assert found == [], f"{len(found)} texts of the other language:\n" + "\n".join(found)


def test_the_detector_finds_a_label_evaluated_in_the_other_language() -> None:
    """The check above catches the bug it is for: a label turned into text in English once."""
    from django.utils.translation import override

    from guanxi.customers.models import Customer

    english, chinese = catalogs()
    with override("en"):
        frozen = str(Customer._meta.get_field("kind").verbose_name).capitalize()
    with override("zh-hans"):
        lazy = str(Customer._meta.get_field("kind").verbose_name)
    page = f"<label>{frozen}</label><label>{lazy}</label><td>飞海科技</td><td>{'A'}</td>"
    assert leaks(page, english) == {"Kind"}
    assert leaks(f"<th>{lazy}</th><td>Acme Ltd</td>", chinese) == {lazy}


_CATALOG: set[str] = set()


def _frozen(value: Any) -> bool:
    """A message translated once and kept: a plain string that is one of the catalog's texts in
    either language (lazy strings, None, codes and data such as place names are fine)."""
    from django.utils.functional import Promise

    if not _CATALOG:
        english, chinese = catalogs()
        _CATALOG.update(english | chinese)
    return isinstance(value, str) and not isinstance(value, Promise) and _norm(value) in _CATALOG


def test_no_shared_label_is_translated_once_and_kept() -> None:
    """The class of bug, checked where it lives: labels on class-level objects every request
    shares (filters, form fields, table columns, menus, choice lists, models) stay lazy."""
    from django.apps import apps

    from guanxi.core.choices import REGISTRY
    from guanxi.framework.navigation import menu_groups
    from guanxi.framework.views import _BY_MODEL

    entity_suites()  # imports every app's views
    frozen: list[str] = []
    for label, views in sorted(_BY_MODEL.items()):
        if label.split(".")[0] in NOT_SHIPPED_APPS:
            continue
        filterset = getattr(views, "filterset", None)
        for name, filter_ in (getattr(filterset, "base_filters", None) or {}).items():
            if _frozen(filter_._label):
                frozen.append(f"{label} filter {name}: {filter_._label!r}")
            for value, text in (
                list(filter_.extra.get("choices") or [])
                if isinstance(filter_.extra.get("choices"), list | tuple)
                else []
            ):
                if _frozen(text):
                    frozen.append(f"{label} filter {name} choice {value}: {text!r}")
        form = getattr(views, "form", None)
        for name, field in (getattr(form, "base_fields", None) or {}).items():
            if _frozen(field.label) or _frozen(field.help_text):
                frozen.append(f"{label} form field {name}: {field.label!r} / {field.help_text!r}")
        table = getattr(views, "table", None)
        for name, column in (getattr(table, "base_columns", None) or {}).items():
            if _frozen(column._verbose_name if hasattr(column, "_verbose_name") else None):
                frozen.append(f"{label} column {name}: {column._verbose_name!r}")
    for group in menu_groups():
        for item in [group, *group.items]:
            if _frozen(item.label):
                frozen.append(f"menu {item.label!r}")
    for name, choice_list in REGISTRY.items():
        if _frozen(choice_list.title):
            frozen.append(f"choice list {name}: {choice_list.title!r}")
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label == "testapp":
            continue
        for value in (meta.verbose_name, meta.verbose_name_plural):
            if _frozen(value) and meta.app_label.startswith(("core", "users", "customers", "activities")):
                frozen.append(f"{meta.label} verbose name {value!r}")
        for field in meta.get_fields():
            if getattr(field, "auto_created", False) or not getattr(field, "concrete", False):
                continue
            if field.verbose_name == field.name.replace("_", " "):  # Django's default, not a message
                continue
            if _frozen(getattr(field, "verbose_name", None)) and meta.app_label in (
                "core",
                "users",
                "customers",
                "activities",
            ):
                frozen.append(f"{meta.label}.{field.name} verbose name {field.verbose_name!r}")
    assert frozen == [], "labels evaluated once and shared by every reader:\n" + "\n".join(frozen)
