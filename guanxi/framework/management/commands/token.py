"""``guanxi token create USERNAME``: issue a personal API token and print its key once.

Only the key's SHA-256 hash is stored, so the printed key cannot be shown again; the token itself
is made by ``guanxi.users.services.tokens.create_token`` (the same code as the settings page).
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from guanxi.framework.context import Source, actor_context


def scopes_arg(value: str) -> list[str]:
    scopes = [s.strip() for s in value.split(",") if s.strip()]
    for scope in scopes:
        if scope.rpartition(":")[2] not in ("read", "write"):
            raise argparse.ArgumentTypeError(f"{scope!r} is not a scope (read, write, app:read, app:write)")
    if not scopes:
        raise argparse.ArgumentTypeError("give at least one scope")
    return scopes


class Command(BaseCommand):
    help = "Manage API tokens: `token create USERNAME` prints a new key once."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token for a user and print its key.")
        create.add_argument("username")
        create.add_argument("--name", default="CLI", help="What the token is for (default: %(default)s).")
        create.add_argument(
            "--scopes",
            type=scopes_arg,
            default=["read"],
            help="Comma-separated: read, write, or app:read / app:write (default: read).",
        )
        create.add_argument(
            "--expires-days", type=int, default=None, help="Days until the token expires (default: never)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "create":
            self.create(options)

    def create(self, options: dict[str, Any]) -> None:
        from guanxi.users.services.tokens import create_token

        User = get_user_model()
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"No user named {options['username']!r}.") from exc
        if not user.is_active:
            raise CommandError(f"User {user.username!r} is deactivated.")
        days = options["expires_days"]
        if days is not None and days < 1:
            raise CommandError("--expires-days must be at least 1.")
        expires_at = timezone.now() + dt.timedelta(days=days) if days else None
        try:
            with actor_context(None, source=Source.COMMAND):
                token, key = create_token(
                    user, name=options["name"], scopes=options["scopes"], expires_at=expires_at, actor=None
                )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(key)
        self.stderr.write(
            f"Token {token.name!r} for {user.username} (scopes: {', '.join(token.scopes)}; "
            f"expires: {token.expires_at.isoformat() if token.expires_at else 'never'}). "
            "Store the key now: it is not shown again."
        )
