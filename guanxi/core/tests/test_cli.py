"""The ``guanxi`` console command: createadmin, token create, check, dispatch, serve."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone, translation

from guanxi.cli import main
from guanxi.core.models import ObjectChange, WorkerHeartbeat
from guanxi.framework.context import Source, actor_context
from guanxi.framework.management.commands.serve import gunicorn_argv
from guanxi.users.models import APIToken

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "schedules"]}}
GOOD_PASSWORD = "river-lantern-47"


@pytest.fixture(autouse=True)
def _english():
    """Validator and service messages are translated; these tests read the English ones."""
    with translation.override("en"):
        yield


def test_createadmin_creates_a_logged_superuser(capsys):
    call_command("createadmin", "root", "--email", "root@example.com", "--password", GOOD_PASSWORD)
    user = get_user_model().objects.get(username="root")
    assert (user.is_superuser, user.is_staff, user.is_active, user.email) == (
        True,
        True,
        True,
        "root@example.com",
    )
    assert user.check_password(GOOD_PASSWORD)
    change = ObjectChange.objects.get(
        changed_object_type=ContentType.objects.get_for_model(user), changed_object_id=user.pk
    )
    assert (change.action, change.source, change.user_id) == ("create", "command", None)
    assert capsys.readouterr().out == "Administrator 'root' created.\n"


def test_createadmin_reads_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("GUANXI_ADMIN_PASSWORD", GOOD_PASSWORD)
    call_command("createadmin", "ops", "--no-input")
    assert get_user_model().objects.get(username="ops").check_password(GOOD_PASSWORD)


def test_createadmin_explains_a_weak_password():
    with pytest.raises(CommandError) as excinfo:
        call_command("createadmin", "root", "--password", "12345")
    assert str(excinfo.value) == (
        "The password is not accepted:\n"
        "  - This password is too short. It must contain at least 10 characters.\n"
        "  - This password is too common.\n"
        "  - This password is entirely numeric."
    )
    assert not get_user_model().objects.filter(username="root").exists()


def test_createadmin_refuses_an_existing_name_and_a_missing_password(monkeypatch):
    monkeypatch.delenv("GUANXI_ADMIN_PASSWORD", raising=False)
    call_command("createadmin", "root", "--password", GOOD_PASSWORD)
    with pytest.raises(CommandError, match=re.escape("A user named 'root' already exists.")):
        call_command("createadmin", "root", "--password", GOOD_PASSWORD)
    with pytest.raises(
        CommandError, match=re.escape("No password: pass --password or set GUANXI_ADMIN_PASSWORD.")
    ):
        call_command("createadmin", "other", "--no-input")


@pytest.fixture
def bob(django_user_model):
    with actor_context(None, source=Source.TEST):
        return django_user_model.objects.create_user("bob")


def test_token_create_prints_the_key_once(bob, capsys):
    call_command("token", "create", "bob", "--name", "Sync", "--scopes", "read,write", "--expires-days", "30")
    captured = capsys.readouterr()
    key = captured.out.strip()
    token = APIToken.objects.get(user=bob)
    assert key.startswith("gx_") and len(captured.out.splitlines()) == 1
    assert token.key_hash == APIToken.hash_key(key)
    assert (token.name, token.scopes) == ("Sync", ["read", "write"])
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)
    assert "Store the key now: it is not shown again." in captured.err
    assert key not in captured.err


def test_token_create_errors(bob):
    with pytest.raises(CommandError, match=re.escape("No user named 'nobody'.")):
        call_command("token", "create", "nobody")
    with pytest.raises(CommandError, match=re.escape("--expires-days must be at least 1.")):
        call_command("token", "create", "bob", "--expires-days", "0")
    with pytest.raises(CommandError, match=re.escape("Unknown scopes: nosuchapp:read.")):
        call_command("token", "create", "bob", "--scopes", "nosuchapp:read")
    assert APIToken.objects.count() == 0


def test_check_passes_with_inline_tasks(capsys):
    call_command("check_health")
    out = capsys.readouterr().out
    assert "✓ System checks: 0 error(s)" in out
    assert "✓ Database (" in out and "reachable" in out
    assert "✓ Migrations: all applied" in out
    assert "✓ Tasks: run inline (immediate backend), no worker needed" in out
    assert out.endswith("All checks passed.\n")


def test_check_fails_without_a_live_worker(capsys):
    with override_settings(TASKS=DB_TASKS), pytest.raises(CommandError) as excinfo:
        call_command("check_health")
    assert excinfo.value.returncode == 1
    assert str(excinfo.value) == "Health check failed: 1 problem(s)."
    out = capsys.readouterr().out
    assert (
        "✗ Task workers: 0 live (heartbeat within 120 s), backlog 0 — start one with `guanxi worker`" in out
    )


def test_check_passes_with_a_fresh_worker_or_skip_worker(capsys):
    with override_settings(TASKS=DB_TASKS):
        call_command("check_health", "--skip-worker")
        now = timezone.now()
        WorkerHeartbeat.objects.create(
            worker_id="w:1", hostname="w", pid=1, backend="x", started_at=now, last_seen=now
        )
        call_command("check_health")
    out = capsys.readouterr().out
    assert "✓ Task workers: 1 live (heartbeat within 120 s), backlog 0" in out
    assert out.count("All checks passed.") == 2


def test_cli_maps_check_and_exits_1_on_failure(capsys):
    with override_settings(TASKS=DB_TASKS), pytest.raises(SystemExit) as excinfo:
        main(["check"])
    assert excinfo.value.code == 1
    captured = capsys.readouterr()
    assert "✗ Task workers" in captured.out
    assert "Health check failed: 1 problem(s)." in captured.err


def test_cli_passes_other_commands_to_django(capsys):
    main(["showmigrations", "core"])
    assert capsys.readouterr().out.splitlines()[:2] == ["core", " [X] 0001_initial"]


def test_cli_without_arguments_prints_usage(capsys):
    main([])
    assert capsys.readouterr().out.startswith("Usage: guanxi <command> [options]")


def test_gunicorn_argv():
    assert gunicorn_argv(host="127.0.0.1", port=8123, workers=3, executable="/venv/bin/gunicorn") == [
        "/venv/bin/gunicorn",
        "guanxi.wsgi:application",
        "--bind",
        "127.0.0.1:8123",
        "--workers",
        "3",
        "--access-logfile",
        "-",
        "--timeout",
        "60",
        "--graceful-timeout",
        "30",
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db(transaction=False)
def test_guanxi_serve_answers_healthz_and_stops_on_sigterm(tmp_path: Path):
    """The real console script: gunicorn serves /healthz (503: a fresh, unmigrated database)."""
    port = free_port()
    env = {
        **os.environ,
        "GUANXI_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "WEB_CONCURRENCY": "1",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    script = Path(sys.executable).with_name("guanxi")
    server = subprocess.Popen(  # noqa: S603  (our own console script)
        [str(script), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body, status = None, None
        # Until the server answers (or dies): gunicorn starts in 1-2 s, far longer on a loaded
        # machine; the deadline only keeps a broken start from hanging the suite.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and status is None and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    status, body = response.status, response.read()
            except urllib.error.HTTPError as error:
                status, body = error.code, error.read()
            except OSError:
                time.sleep(0.2)
        assert status == 503
        assert body is not None
        assert b'"migrations": {"ok": false, "unapplied": ["contenttypes.0001_initial"' in body
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=30)[0].decode()
    assert server.returncode == 0, output
    assert f"Serving on http://127.0.0.1:{port}/ (1 workers)" in output
