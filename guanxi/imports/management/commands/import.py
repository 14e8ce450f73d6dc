"""``guanxi import ENTITY FILE``: the staged import engine from the command line.

    guanxi import customers clients.csv --as wangfang --mode upsert --match phone --errors bad.csv

Runs the same engine as the import wizard (``guanxi.imports.engine``) in this process, as the user
named by ``--as`` (default: the only superuser), with that user's permissions and data scope. A
progress bar goes to stderr when it is a terminal; the last line on stdout is a one-line JSON
summary (``{"batch": 7, "status": "completed", "rows": 1000, "created": 990, …}``). The exit
status is 0 when the import ran (even with rows refused: see ``failed`` and the error file),
1 when the file or the options are refused, or nothing was written of an all-or-nothing import.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from guanxi.imports.models import ImportBatch, SavedMapping


def find_model(name: str) -> Any:
    """An entity's model by label (customers.customer), model name (customer) or API name (customers)."""
    from guanxi.framework.entities import api_name, entity_types

    wanted = name.strip().lower()
    for entity in entity_types():
        model = entity.model
        names = {
            model._meta.label_lower,
            model._meta.model_name,
            api_name(entity),
            f"{model._meta.model_name}s",
            str(model._meta.verbose_name_plural).lower(),
        }
        if wanted in names:
            return model
    raise CommandError(f"unknown entity {name!r} (try customers, contacts, leads, products)")


class Bar:
    """A one-line progress bar on a terminal; silent otherwise."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.started = time.monotonic()

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.tty:
            return
        elapsed = max(time.monotonic() - self.started, 1e-6)
        width = 30
        filled = int(width * done / total) if total else 0
        bar = "#" * filled + "-" * (width - filled)
        total_text = f"/{total:,}" if total else ""
        self.stream.write(f"\r{phase:<8} [{bar}] {done:,}{total_text} rows  {done / elapsed:,.0f} rows/s ")
        self.stream.flush()

    def end(self) -> None:
        if self.tty:
            self.stream.write("\n")


class Command(BaseCommand):
    help = "Import a CSV/XLSX/XLS file into an entity (customers, contacts, leads, products …)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("entity")
        parser.add_argument("file")
        parser.add_argument(
            "--as", dest="username", help="Import as this user (default: the only superuser)."
        )
        parser.add_argument("--mapping", help="A saved mapping's name (else columns are matched by title).")
        parser.add_argument("--mode", choices=[m.value for m in ImportBatch.Mode], default="create")
        parser.add_argument(
            "--match", default="", help="The field that finds existing records (phone, email, id …)."
        )
        parser.add_argument("--policy", choices=[p.value for p in ImportBatch.Policy], default="skip")
        parser.add_argument(
            "--all-or-nothing", action="store_true", help="Write nothing if any row is refused."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check every row, write nothing.")
        parser.add_argument("--errors", help="Write refused rows with a reason column to this CSV file.")
        parser.add_argument("--encoding", default="", help="The CSV's encoding (default: detected).")
        parser.add_argument("--sheet", default="", help="The sheet of a workbook (default: the first).")

    def handle(self, *args: Any, **options: Any) -> None:
        from guanxi.imports import engine
        from guanxi.imports.fields import check_mapping, importable_fields
        from guanxi.imports.reading import ImportFileError

        model = find_model(options["entity"])
        user = self.user(options["username"])
        path = Path(options["file"]).resolve()
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        bar = Bar(sys.stderr)
        try:
            batch = engine.create_batch(
                user,
                model,
                str(path),
                path.name,
                mode=options["mode"],
                match_key=options["match"],
                policy=options["policy"],
                all_or_nothing=options["all_or_nothing"],
                encoding=options["encoding"],
                sheet=options["sheet"],
            )
        except (ImportFileError, PermissionDenied) as problem:
            raise CommandError(str(problem)) from None
        if options["mapping"]:
            saved = SavedMapping.objects.filter(entity=batch.entity, name=options["mapping"]).first()
            if saved is None:
                raise CommandError(f"no saved mapping named {options['mapping']!r}")
            batch.mapping = {
                str(i): saved.columns[t] for i, t in enumerate(batch.header) if saved.columns.get(t)
            }
            batch.value_map = saved.value_map
            batch.save()
        problems = check_mapping(
            batch.mapping, importable_fields(model, user), mode=batch.mode, match_key=batch.match_key
        )
        if problems:
            raise CommandError(" ".join(problems))
        try:
            engine.run(batch, dry_run=options["dry_run"], progress=bar)
        except (PermissionDenied, ValidationError) as problem:
            raise CommandError(" ".join(getattr(problem, "messages", [str(problem)]))) from None
        finally:
            bar.end()
        batch.refresh_from_db()
        if options["errors"]:
            with open(options["errors"], "w", encoding="utf-8", newline="") as out:
                engine.write_error_file(batch, out)
        summary = {**batch.summary(), "dry_run": options["dry_run"], "seconds": batch.timings}
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
        if batch.status == ImportBatch.Status.FAILED:
            raise CommandError(batch.error)

    def user(self, username: str | None) -> Any:
        users = get_user_model().objects
        if username:
            found = users.filter(username=username, is_active=True).first()
            if found is None:
                raise CommandError(f"no such active user: {username}")
            return found
        admins = list(users.filter(is_superuser=True, is_active=True)[:2])
        if len(admins) != 1:
            raise CommandError("name the importing user with --as USERNAME")
        return admins[0]
