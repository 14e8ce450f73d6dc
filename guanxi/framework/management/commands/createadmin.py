"""``guanxi createadmin USERNAME``: create a superuser, with the password validators enforced.

The password comes from ``--password``, else the ``GUANXI_ADMIN_PASSWORD`` environment variable
(scripts, containers), else an interactive prompt (typed twice). The user is created inside an
actor context with source "command", so the change log shows where the account came from.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from guanxi.framework.context import Source, actor_context

PASSWORD_ENV = "GUANXI_ADMIN_PASSWORD"  # noqa: S105  (a variable name, not a password)


class Command(BaseCommand):
    help = "Create an administrator (superuser) account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="E-mail address.")
        parser.add_argument("--name", default="", help="Full name as colleagues see it.")
        parser.add_argument(
            "--password",
            default=None,
            help=f"Password (else ${PASSWORD_ENV}, else a prompt). Visible in the process "
            "list and shell history; prefer the prompt or the variable.",
        )
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Never prompt; fail if no password is given.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        username = options["username"].strip()
        if not username:
            raise CommandError("The user name must not be empty.")
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        user = User(
            username=username, email=options["email"], name=options["name"], is_staff=True, is_superuser=True
        )
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as exc:
            raise CommandError(self.describe(exc)) from exc

        password = self.get_password(options)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("The password is not accepted:\n" + self.describe(exc)) from exc

        user.set_password(password)
        with actor_context(None, source=Source.COMMAND), transaction.atomic():
            user.save()
        self.stdout.write(self.style.SUCCESS(f"Administrator {username!r} created."))

    def get_password(self, options: dict[str, Any]) -> str:
        if options["password"] is not None:
            return options["password"]
        if os.environ.get(PASSWORD_ENV):
            return os.environ[PASSWORD_ENV]
        if not options["interactive"]:
            raise CommandError(f"No password: pass --password or set {PASSWORD_ENV}.")
        while True:
            first = getpass.getpass("Password: ")
            if first and first == getpass.getpass("Password (again): "):
                return first
            self.stderr.write("The passwords were empty or did not match; try again.")

    @staticmethod
    def describe(exc: ValidationError) -> str:
        if hasattr(exc, "error_dict"):
            return "\n".join(
                f"  - {field}: {msg}" for field, msgs in exc.message_dict.items() for msg in msgs
            )
        return "\n".join(f"  - {msg}" for msg in exc.messages)
