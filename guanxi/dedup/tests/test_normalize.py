"""The comparison keys: company names (legal forms, regions, widths, traditional characters) and
person names (characters and pinyin); properties checked with hypothesis."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.customers.matching import company_name_key
from guanxi.dedup.normalize import company_compare_key, person_name_key, pinyin_key, to_simplified


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("星河科技有限公司", "星河科技"),
        ("（上海）星河科技股份有限公司", "星河科技"),
        ("北京星河科技有限公司", "星河科技"),
        ("星河科技(北京)有限公司", "星河科技"),
        ("广东省深圳市腾飞集团分公司", "腾飞"),
        ("北京國際貿易有限責任公司", "国际贸易"),
        ("内蒙古自治区草原乳业有限公司", "草原乳业"),
        ("Ｈｕａｗｅｉ Co., Ltd.", "huawei"),
        ("北京市", "北京市"),  # a name that is only a region keeps its key
        ("上海", "上海"),
        ("", ""),
    ],
)
def test_company_compare_key(name, key):
    assert company_compare_key(name) == key


def test_the_conflict_key_keeps_regions():
    # 撞单 refuses on name_key: 北京X and 上海X stay different companies there.
    assert company_name_key("北京星河科技有限公司") != company_name_key("上海星河科技有限公司")
    assert company_compare_key("北京星河科技有限公司") == company_compare_key("上海星河科技有限公司")


def test_person_names():
    assert person_name_key(" 張 偉 ") == "张伟"
    assert pinyin_key("張偉") == pinyin_key("张玮") == pinyin_key("Zhang Wei") == "zhangwei"
    assert to_simplified("臺灣") == "台湾"


NAME_CHARS = st.sampled_from(list("星河科技华信网络贸易國際電子北京上海广东有限公司集团股份abcXYZ0123"))
names = st.text(NAME_CHARS, min_size=0, max_size=20)
SEPARATORS = st.sampled_from([" ", "　", "-", "·", "(", ")", "（", "）", ",", "，"])


@settings(max_examples=200, deadline=None)
@given(names)
def test_company_key_is_idempotent(name):
    key = company_compare_key(name)
    assert company_compare_key(key) == key


@settings(max_examples=200, deadline=None)
@given(names)
def test_company_key_ignores_width(name):
    wide = "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in name)
    assert unicodedata.normalize("NFKC", wide) == name
    assert company_compare_key(wide) == company_compare_key(name)


@settings(max_examples=200, deadline=None)
@given(names, st.lists(st.tuples(st.integers(min_value=0, max_value=20), SEPARATORS), max_size=4))
def test_company_key_ignores_punctuation_and_spaces(name, inserts):
    noisy = name
    for at, sep in sorted(inserts, reverse=True):
        noisy = noisy[:at] + sep + noisy[at:]
    assert company_compare_key(noisy) == company_compare_key(name)


@settings(max_examples=200, deadline=None)
@given(names)
def test_company_key_never_empties_a_name(name):
    key = company_compare_key(name)
    assert bool(key) == bool(company_name_key(to_simplified(name)))
    assert len(key) <= len(name)


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from(list("张王李赵偉伟娜 ·.abc")), max_size=8))
def test_person_key_is_idempotent_and_simplified(name):
    key = person_name_key(name)
    assert person_name_key(key) == key
    assert to_simplified(key) == key
    assert pinyin_key(name) == pinyin_key(key)


def test_regions_a_name_carries():
    from guanxi.dedup.normalize import company_regions, different_regions

    assert company_regions("广东省深圳市星河科技有限公司") == ["广东省", "深圳市"]
    assert company_regions("星河科技(北京)有限公司") == ["北京"]
    assert company_regions("星河科技有限公司") == []
    assert different_regions("深圳维旺明传媒有限公司", "杭州维旺明传媒有限公司") == (["深圳"], ["杭州"])
    assert different_regions("广东省深圳市星河科技", "深圳星河科技") is None  # 深圳 both
    assert different_regions("（上海）星河科技", "星河科技") is None  # one side has none
