"""``Meta.list_label``: what identifies a row in a list and its export, as the generic suites read it."""

from __future__ import annotations

from types import SimpleNamespace

from guanxi.framework.tables import EntityTable, list_label
from guanxi.framework.testing.suites import csv_shows, page_shows


class _Record(SimpleNamespace):
    def __str__(self) -> str:
        return f"{self.number} v1 {self.title}"


RECORD = _Record(number="Q-0001", title="华康 CRM 报价", note="")


def _table(spec: object) -> type:
    meta = type("Meta", (EntityTable.Meta,), {"list_label": spec})
    return type("T", (), {"Meta": meta})


def test_undeclared_it_is_the_label():
    assert list_label(None, RECORD) == ("Q-0001 v1 华康 CRM 报价",)
    assert list_label(_table(None), RECORD) == ("Q-0001 v1 华康 CRM 报价",)


def test_field_names_give_their_values_and_skip_empty_ones():
    assert list_label(_table(("number", "title", "note")), RECORD) == ("Q-0001", "华康 CRM 报价")


def test_a_callable_gives_one_text_or_several():
    assert list_label(_table(lambda r: r.title), RECORD) == ("华康 CRM 报价",)
    assert list_label(_table(lambda r: [r.number, None]), RECORD) == ("Q-0001",)


def test_the_parts_must_be_in_one_row():
    parts = ("Q-0001", "华康 CRM 报价")
    assert page_shows("<table><tr><td>Q-0001</td><td>华康 CRM 报价</td></tr></table>", parts)
    assert not page_shows(
        "<tr><td>Q-0001</td><td>别的</td></tr><tr><td>Q-0002</td><td>华康 CRM 报价</td></tr>", parts
    )
    assert page_shows("<tr><td>A &amp; B</td></tr>", ("A & B",))  # as the page escapes it
    assert csv_shows('number,title\r\nQ-0001,"华康 CRM 报价"\r\n', parts)
    assert not csv_shows("number,title\r\nQ-0001,别的\r\nQ-0002,华康 CRM 报价\r\n", parts)
    assert not csv_shows("number,title\r\nQ-0001 v1 华康 CRM 报价,x\r\n", ("Q-0001", "v2"))
