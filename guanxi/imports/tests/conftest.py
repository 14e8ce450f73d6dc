"""Fixtures of the import engine's tests: an importer persona and files written to disk."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from guanxi.customers.models import Customer
from guanxi.framework.testing.scopes import give_role


def importer(
    make_user: Any,
    username: str,
    model: Any = Customer,
    actions: tuple[str, ...] = ("view", "add", "change", "delete", "import"),
    scope: str = "all",
    **fields: Any,
) -> Any:
    user = make_user(username, **fields)
    give_role(user, model, scope, list(actions), name=f"importer-{username}-{model._meta.model_name}")
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def rep(make_user: Any) -> Any:
    return importer(make_user, "import_rep", language="en", name="王芳", phone="13900139000")


@pytest.fixture
def write(tmp_path: Path) -> Any:
    """``write(name, text_or_bytes, encoding="utf-8")`` → the path of a file holding it."""

    def make(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return make


def xlsx_bytes(rows: list[list[Any]], title: str = "Sheet1") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
