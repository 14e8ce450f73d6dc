"""``guanxi check``: is this installation ready? One ✓/✗ line per check; exit code 1 on any ✗.

Checks, in order: Django's system checks (errors only; warnings are listed but pass), the
database answers, no migration is unapplied, a task worker has sent a heartbeat recently
(skipped with ``--skip-worker`` or when tasks run inline), and no running job has lost its
worker. Later checks are skipped when the database is unreachable, since they would only repeat
that failure.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.management.base import BaseCommand, CommandError, CommandParser

from guanxi.framework.views.health import database_status, migration_status, task_status

OK, FAIL, NOTE = "✓", "✗", "!"


class Command(BaseCommand):
    help = "Check configuration, database, migrations and task workers; exit code 1 on failure."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--skip-worker",
            action="store_true",
            help="Do not require a live task worker (e.g. before starting one).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.failures = 0
        messages = checks.run_checks(include_deployment_checks=False)
        serious = [m for m in messages if m.is_serious() and not m.is_silenced()]
        minor = [m for m in messages if not m.is_serious() and not m.is_silenced()]
        self.line(not serious, f"System checks: {len(serious)} error(s), {len(minor)} warning(s)")
        for message in serious:
            self.detail(FAIL, str(message))
        for message in minor:
            self.detail(NOTE, str(message))

        database = database_status()
        self.line(
            database["ok"],
            f"Database ({database['vendor']}) "
            + ("reachable" if database["ok"] else f"unreachable: {database.get('error')}"),
        )
        if not database["ok"]:
            raise CommandError("Health check failed.", returncode=1)

        migrations = migration_status()
        if migrations["ok"]:
            self.line(True, "Migrations: all applied")
        else:
            self.line(
                False,
                f"Migrations: {len(migrations['unapplied'])} not applied "
                f"(run `guanxi migrate`) {migrations.get('error', '')}".rstrip(),
            )
            for name in migrations["unapplied"][:20]:
                self.detail(FAIL, name)

        tasks = task_status()
        live = [w for w in tasks["workers"] if not w["stale"]]
        if tasks["backend"].endswith("ImmediateBackend"):
            self.line(True, "Tasks: run inline (immediate backend), no worker needed")
        elif options["skip_worker"]:
            self.detail(NOTE, f"Task worker not checked (--skip-worker); {len(live)} live")
        else:
            self.line(
                bool(live),
                f"Task workers: {len(live)} live (heartbeat within "
                f"{settings.WORKER_STALE_SECONDS} s), backlog {tasks['backlog']}"
                + ("" if live else " — start one with `guanxi worker`"),
            )
        for worker in tasks["workers"]:
            self.detail(
                NOTE if worker["stale"] else OK,
                f"{worker['id']} last seen {worker['last_seen']}{' (stale)' if worker['stale'] else ''}",
            )
        if tasks["stale_jobs"]:
            self.line(
                False,
                f"Jobs: {tasks['stale_jobs']} running without a heartbeat for "
                f"{settings.JOB_STALE_SECONDS} s (their worker stopped; a worker running schedules "
                "reclaims them)",
            )

        if self.failures:
            raise CommandError(f"Health check failed: {self.failures} problem(s).", returncode=1)
        self.stdout.write(self.style.SUCCESS("All checks passed."))

    def line(self, ok: bool, text: str) -> None:
        if not ok:
            self.failures += 1
        mark = self.style.SUCCESS(OK) if ok else self.style.ERROR(FAIL)
        self.stdout.write(f"{mark} {text}")

    def detail(self, mark: str, text: str) -> None:
        self.stdout.write(f"    {mark} {text}")
