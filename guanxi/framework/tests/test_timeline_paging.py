"""Timeline paging: entries sharing the moment at a page boundary are never skipped."""

from __future__ import annotations

import datetime

import pytest

from guanxi.framework import timeline as timeline_module
from guanxi.framework.timeline import TimelineEntry, timeline

T0 = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


def _at(minutes: int, title: str) -> TimelineEntry:
    return TimelineEntry(time=T0 + datetime.timedelta(minutes=minutes), kind="note", icon="note", title=title)


@pytest.fixture
def sources(monkeypatch):
    """Two fake sources over fixed entries (newest first, strictly older than ``before``)."""
    a = [_at(10, "a10"), _at(5, "a5"), _at(5, "a5b"), _at(1, "a1")]
    b = [_at(9, "b9"), _at(5, "b5"), _at(0, "b0")]

    def source_for(rows):
        def source(obj, user, before, limit):
            return [e for e in rows if before is None or e.time < before][:limit]

        return source

    monkeypatch.setattr(timeline_module, "_SOURCES", [source_for(a), source_for(b)])


def _walk(limit: int) -> list[list[str]]:
    pages, before = [], None
    while True:
        page, before = timeline(None, None, before=before, limit=limit)
        pages.append([e.title for e in page])
        if before is None:
            return pages


def test_a_boundary_inside_a_same_moment_group_keeps_the_group_together(sources):
    # limit 3 cuts after a10, b9, and one of the three 5-minute entries: all three stay
    assert _walk(3) == [["a10", "b9", "a5", "a5b", "b5"], ["a1", "b0"]]


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 5, 6, 7, 8])
def test_every_entry_is_shown_exactly_once_whatever_the_page_size(sources, limit):
    seen = [title for page in _walk(limit) for title in page]
    assert sorted(seen) == sorted(["a10", "a5", "a5b", "a1", "b9", "b5", "b0"])
    assert len(seen) == 7
