"""Search keys (pinyin, initials, phone digits) and search through restrict()."""

import pytest
from pypinyin import lazy_pinyin

from guanxi.core.models import Tag
from guanxi.framework.search import keys_for, pinyin_syllables, search
from guanxi.framework.testing.fixtures import as_system


def test_keys_for_chinese_names_and_phones():
    assert keys_for("张三") == {"张三", "zhangsan", "zs"}
    assert "13800138000" in keys_for("138-0013-8000")
    assert keys_for("  ") == set()
    assert keys_for("Acme Ltd") == {"acme ltd"}


@pytest.mark.parametrize(
    "text",
    [
        "上海宏达科技12345有限公司",
        "重庆银行长沙分行",
        "Acme 北京 Ltd. 〇号",
        "行长-银行·长乐路88号，3楼",
        "𠀀𠀁abc中文",
        "1234",
        "",
    ],
)
def test_pinyin_syllables_are_pypinyins_own(text):
    # read run of Chinese characters by run (memoised): the same syllables as the whole text
    assert pinyin_syllables(text) == [s for s in lazy_pinyin(text, errors="ignore") if s.strip()]


@pytest.mark.django_db
def test_search_finds_by_pinyin_initials_and_respects_permissions(make_user):
    with as_system():
        key = Tag.objects.create(name="重点客户", slug="key-account")
        Tag.objects.create(name="渠道伙伴", slug="partner")
    viewer = make_user("viewer", perms=["core.view_tag"])
    assert [h.object for h in search(viewer, "zdkh")] == [key]
    assert [h.object for h in search(viewer, "zhongdian")] == [key]
    assert [h.object for h in search(viewer, "重点")] == [key]
    assert search(make_user("nobody"), "zdkh") == []


@pytest.mark.django_db
def test_deleted_rows_leave_the_index(admin_user):
    with as_system():
        tag = Tag.objects.create(name="老客户", slug="old")
        assert search(admin_user, "lkh")
        tag.delete()
    assert search(admin_user, "lkh") == []
