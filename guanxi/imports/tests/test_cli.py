"""``guanxi import ENTITY FILE``: the engine from the command line, with a JSON summary."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from guanxi.customers.models import Customer
from guanxi.imports.models import SavedMapping
from guanxi.imports.tests.conftest import importer

pytestmark = pytest.mark.django_db
CSV = "客户名称,手机\n飞海科技,13800138000\n星河网络,12345\n飞海科技二部,13800138000\n"


def run(*args):
    out = io.StringIO()
    call_command("import", *args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_import_with_errors_file_then_idempotent_upsert(make_user, write, tmp_path):
    importer(make_user, "cli_user", language="en")
    path = write("c.csv", CSV, "gbk")
    errors = tmp_path / "bad.csv"
    summary = run("customers", str(path), "--as", "cli_user", "--match", "phone", "--errors", str(errors))
    assert (summary["created"], summary["failed"], summary["skipped"], summary["status"]) == (
        1,
        1,
        1,
        "completed",
    )
    assert "星河网络,12345,Row 3 · 手机: Enter a valid phone number." in errors.read_text(
        encoding="utf-8-sig"
    )
    again = run("customers.customer", str(path), "--as", "cli_user", "--mode", "upsert", "--match", "phone")
    assert (again["created"], again["updated"]) == (0, 0)
    assert Customer.objects.count() == 1


def test_dry_run_and_saved_mapping(make_user, write):
    user = importer(make_user, "cli_user2", language="en")
    SavedMapping.objects.create(
        entity="customers.customer", name="旧系统", user=user, columns={"公司": "name"}
    )
    path = write("c.csv", "公司,无关\n飞海科技,x\n")
    summary = run("customers", str(path), "--as", "cli_user2", "--mapping", "旧系统", "--dry-run")
    assert summary["dry_run"] and summary["status"] == "validated" and not Customer.objects.exists()


def test_refusals_are_command_errors(make_user, write):
    importer(make_user, "no_verb", actions=("view", "add"))
    path = write("c.csv", CSV)
    with pytest.raises(CommandError, match="import"):
        run("customers", str(path), "--as", "no_verb")
    with pytest.raises(CommandError, match="unknown entity"):
        run("spaceships", str(path), "--as", "no_verb")
    importer(make_user, "cli_user3", language="en")
    with pytest.raises(CommandError, match="empty"):
        run("customers", str(write("e.csv", b"")), "--as", "cli_user3")
