"""``guanxi serve``: the production web server (gunicorn) on 127.0.0.1:$PORT by default.

The process is replaced by gunicorn (``exec``), so signals from a supervisor (SIGTERM for a
graceful stop, SIGHUP to reload) reach gunicorn directly. Put a TLS-terminating proxy in front,
or pass ``--host 0.0.0.0`` on a trusted network.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


def gunicorn_executable() -> str:
    """The gunicorn installed next to this Python (the project's virtualenv), else on PATH."""
    beside = Path(sys.executable).with_name("gunicorn")
    if beside.exists():
        return str(beside)
    found = shutil.which("gunicorn")
    if not found:
        raise CommandError("gunicorn is not installed in this environment.")
    return found


def gunicorn_argv(*, host: str, port: int, workers: int, executable: str) -> list[str]:
    return [
        executable,
        "guanxi.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        # Slow clients are the proxy's job; a hung request must not hold a worker forever.
        "--timeout",
        "60",
        "--graceful-timeout",
        "30",
    ]


class Command(BaseCommand):
    help = "Serve Guanxi with gunicorn (WEB_CONCURRENCY workers, 127.0.0.1:$PORT by default)."
    requires_system_checks = []  # gunicorn's workers import the app; no need to check twice

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to bind (default: %(default)s).")
        parser.add_argument("--port", type=int, default=settings.PORT, help="Port (default: $PORT or 8000).")
        parser.add_argument(
            "--workers",
            type=int,
            default=settings.WEB_CONCURRENCY,
            help="Worker processes (default: $WEB_CONCURRENCY).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        argv = gunicorn_argv(
            host=options["host"],
            port=options["port"],
            workers=options["workers"],
            executable=gunicorn_executable(),
        )
        self.stdout.write(
            f"Serving on http://{options['host']}:{options['port']}/ ({options['workers']} workers)"
        )
        self.stdout.flush()
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
        os.execv(argv[0], argv)  # noqa: S606  (fixed argv, no shell)
