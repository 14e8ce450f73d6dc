"""``guanxi export ENTITY --as USERNAME -o FILE``: a list's rows to CSV or XLSX from the command line.

The same engine as the list page's export button (guanxi/framework/exporting.py): the rows the
list would show the user ``--as`` — ``restrict()``, field rules (hidden columns left out, masked
values masked), ``--filter`` parameters exactly as in the list's query string, a ``--where``
condition tree — streamed in chunks, so a million rows take flat memory. Without ``--as`` the
command refuses, unless ``--all`` asks for every row (as the first active administrator). A
progress bar goes to a terminal's stderr; the last line on stdout is a one-line JSON summary::

    guanxi export customers --as wangfang --filter level=A --filter sort=-created_at -o a.csv
    {"entity": "customers.customer", "user": "wangfang", "rows": 1234, "format": "csv", ...}
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from guanxi.framework.context import Source, actor_context


def entity_choices() -> dict[str, str]:
    """Every name an ENTITY argument may take → the model label (``customers.customer``)."""
    from guanxi.framework.entities import entity_types

    names: dict[str, str] = {}
    for entity in entity_types():
        if entity.views is None:
            continue
        meta = entity.model._meta
        label = meta.label_lower
        prefix = getattr(entity.views, "url_prefix", None) or f"{meta.model_name}s"
        for name in (label, prefix, f"{meta.model_name}s", meta.model_name):
            names.setdefault(str(name).lower(), label)
    return names


def resolve_entity(name: str) -> str:
    """The model label ENTITY names; a CommandError listing the valid names otherwise."""
    names = entity_choices()
    found = names.get(name.strip().lower())
    if found is None:
        valid = sorted(set(names.values()))
        raise CommandError(f"Unknown entity {name!r}. Valid: {', '.join(valid)}")
    return found


class Progress:
    """A one-line progress bar on stderr when it is a terminal; silent otherwise."""

    def __init__(self, total: int, stream: Any) -> None:
        self.total, self.stream = total, stream
        self.enabled = hasattr(stream, "isatty") and stream.isatty()
        self.started = time.monotonic()

    def __call__(self, rows: int) -> None:
        if not self.enabled:
            return
        share = rows / self.total if self.total else 1.0
        bar = "#" * int(share * 30)
        rate = rows / max(time.monotonic() - self.started, 1e-6)
        self.stream.write(f"\r[{bar:<30}] {rows:,}/{self.total:,} rows  {rate:,.0f} rows/s")
        self.stream.flush()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\n")


class Command(BaseCommand):
    help = "Export the rows of an entity's list (as a user sees them) to CSV or XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("entity", help="The entity: its registry key (customers.customer) or list name.")
        parser.add_argument(
            "--as", dest="username", help="Export what this user sees (restrict(), field rules)."
        )
        parser.add_argument(
            "--all", action="store_true", help="No --as: every row, as the first active administrator."
        )
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="FIELD=VALUE",
            help="A list query parameter (repeatable): level=A, q=华信, columns=name, sort=-created_at.",
        )
        parser.add_argument("--where", help="A condition tree as JSON (docs/conditions.md).")
        parser.add_argument(
            "--format", choices=["csv", "xlsx"], help="Default: from the file name, else csv."
        )
        parser.add_argument("--language", help="Headers and labels in this language (default: the user's).")
        parser.add_argument("-o", "--output", required=True, help="The file to write.")

    def handle(self, *args: Any, **options: Any) -> None:
        from guanxi.framework.exporting import list_export, offline_request
        from guanxi.framework.views import entity_views_for

        label = resolve_entity(options["entity"])
        config = entity_views_for(label)
        user = self.user(options)
        params: dict[str, list[str]] = {}
        for item in options["filter"]:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise CommandError(f"--filter {item!r}: write FIELD=VALUE.")
            params.setdefault(key.strip(), []).append(value)
        if options["where"]:
            try:
                json.loads(options["where"])
            except ValueError as error:
                raise CommandError(f"--where is not JSON: {error}") from error
            params["where"] = [options["where"]]
        self.check_filter_names(config, params)
        output = Path(options["output"])
        fmt = options["format"] or ("xlsx" if output.suffix.lower() == ".xlsx" else "csv")
        language = options["language"] or getattr(user, "language", "") or translation.get_language()
        started = time.monotonic()
        with translation.override(language), actor_context(user, source=Source.COMMAND):
            try:
                export = list_export(config, offline_request(user, params))  # checks the export verb
            except PermissionDenied as refused:
                raise CommandError(f"{user.get_username()}: {refused}") from None
            if export.problems:
                raise CommandError("Nothing exported: " + "; ".join(export.problems))
            total = export.count()
            progress = Progress(total, self.stderr._out)
            with output.open("wb") as out:
                rows = export.write(fmt, out, progress)
            progress.done()
            export.audit(user, fmt, source="cli", rows=rows, file=output.name)
        summary = {
            "entity": label,
            "user": user.get_username(),
            "rows": rows,
            "format": fmt,
            "file": str(output),
            "bytes": output.stat().st_size,
            "seconds": round(time.monotonic() - started, 2),
        }
        self.stdout.write(json.dumps(summary, ensure_ascii=False))

    def user(self, options: dict[str, Any]) -> Any:
        User = get_user_model()
        if options["username"]:
            user = User.objects.filter(username=options["username"], is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {options['username']!r}.")
            return user
        if not options["all"]:
            raise CommandError("Say whose view to export with --as USERNAME (or --all for every row).")
        admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if admin is None:
            raise CommandError("--all needs an active administrator; none exists.")
        return admin

    @staticmethod
    def check_filter_names(config: Any, params: dict[str, list[str]]) -> None:
        """An unknown filter would be ignored by the list (and export every row): refuse it."""
        from guanxi.framework.views.lists import FILTER_KEY_SUFFIXES, LIST_KEYS

        filterset = config.filterset(None, queryset=config.model._default_manager.none())
        known = set(filterset.filters) | set(LIST_KEYS) | {"q", "where"}
        known |= {f"{name}_{suffix}" for name in filterset.filters for suffix in FILTER_KEY_SUFFIXES}
        unknown = sorted(set(params) - known)
        if unknown:
            valid = sorted(set(filterset.filters) | {"q", "columns", "sort"})
            raise CommandError(f"Unknown filter {', '.join(unknown)}. Valid: {', '.join(valid)}")
