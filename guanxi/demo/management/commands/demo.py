"""``manage.py demo``: load (or with ``--reset`` remove) the 星河科技 demo data.

Safe to run on every start (``make demo`` does): steps only create what is missing, so a second
run creates nothing and finishes in well under a second.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from guanxi.demo.generator import load_demo, reset_demo


class Command(BaseCommand):
    help = "Load the demo company 星河科技 (departments, users, tags…); idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete every row the demo created (needs DEBUG or --yes), then reload.",
        )
        parser.add_argument("--yes", action="store_true", help="Confirm --reset outside DEBUG.")
        parser.add_argument("--quiet", action="store_true", help="Print nothing but errors.")

    def handle(
        self, *args: Any, reset: bool = False, yes: bool = False, quiet: bool = False, **options: Any
    ) -> None:
        def log(message: str) -> None:
            if not quiet:
                self.stdout.write(message)

        if reset:
            if not (settings.DEBUG or yes):
                raise CommandError("--reset deletes data: run it with DEBUG=1 or add --yes")
            log(f"Removed {reset_demo()} demo rows.")

        result = load_demo(log=log)
        if result.total:
            details = ", ".join(f"{name} {count}" for name, count in result.created.items() if count)
            log(self.style.SUCCESS(f"Demo data loaded: {result.total} rows created ({details})."))
        else:
            log("Demo data already loaded: nothing to create.")
        if not quiet:
            self.print_accounts()

    def print_accounts(self) -> None:
        from guanxi.demo.organisation import fixed_accounts

        rows = [("username", "name", "department", "role")]
        for user in fixed_accounts():
            role = ", ".join(r.name for r in user.roles.all())
            rows.append((user.username, user.name, user.department.name if user.department else "", role))
        widths = [max(_width(row[i]) for row in rows) for i in range(4)]
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {settings.DEMO_PASSWORD})")
        for row in rows:
            self.stdout.write("  " + "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)))


def _width(text: str) -> int:
    """Display width: CJK characters take two terminal columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
