"""The words of the interface: yes/no chips, one word per idea, menu items that can be told apart."""

from __future__ import annotations

import re
from typing import Any

import polib
import pytest
from django.test import RequestFactory
from django.utils.translation import override

from tests.test_language_leaks import PO_PATH


def _reader(django_user_model: Any, language: str) -> Any:
    from guanxi.framework.testing.fixtures import as_system

    with as_system():
        return django_user_model.objects.create_superuser(
            f"words-{language}", f"{language}@example.com", "x", language=language
        )


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "chip"), [("zh-hans", "只看我的: 是"), ("en", "Mine only: Yes")])
def test_a_yes_no_filter_chip_reads_yes_not_true(
    client: Any, django_user_model: Any, language: str, chip: str
):
    client.force_login(_reader(django_user_model, language))
    html = client.get("/customers/?mine=true").content.decode()
    chips = re.findall(r'<a class="filter-chip"[^>]*><span>([^<]*)</span>', html)
    assert chip in chips
    assert not [c for c in chips if c.endswith(("True", "False"))]


def test_level_is_one_word_in_chinese() -> None:
    """等级 everywhere (客户等级, 所有等级): never 级别 beside it."""
    po = polib.pofile(str(PO_PATH))
    assert [e.msgid for e in po if "级别" in e.msgstr and not e.obsolete] == []
    assert po.find("level").msgstr == "等级"
    capital = po.find("Level")  # (no page uses the capitalised word since the pool's card table)
    assert capital is None or capital.msgstr == "等级"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_two_menu_items_share_a_name(django_user_model: Any, language: str) -> None:
    from guanxi.framework.navigation import navigation_for

    request = RequestFactory().get("/")
    request.user = _reader(django_user_model, language)
    with override(language):
        items = [(str(i["label"]), i["url"]) for g in navigation_for(request) for i in g["items"]]
    names = [name for name, _url in items]
    assert len(items) > 10
    assert sorted({n for n in names if names.count(n) > 1}) == []
    if language == "zh-hans":  # the pool customers page and the pool set-up page differ
        assert [n for n in names if "公海" in n] == ["公海", "公海规则预演", "公海管理", "公海规则"]
