"""``guanxi scheduler``: only the periodic-schedule loop (enqueue due schedules every 30 s).

For deployments that run workers with ``--no-schedules`` and one (or two, for redundancy: the
claim in ``run_due_schedules`` keeps runs exactly-once) dedicated scheduler processes. Stops
cleanly on SIGTERM/SIGINT.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from guanxi.framework.management.commands._runtime import (
    SCHEDULER_INTERVAL,
    logger,
    run_schedules_once,
    run_step,
)


class Command(BaseCommand):
    help = "Enqueue periodic schedules when they are due (no task execution)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=SCHEDULER_INTERVAL,
            help="Seconds between passes (default: %(default)s).",
        )
        parser.add_argument("--once", action="store_true", help="Run one pass and exit (for cron).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            run_schedules_once()
            return
        stopping = threading.Event()

        def stop(signum: int, frame: Any) -> None:
            logger.info("Scheduler received %s; stopping", signal.strsignal(signum))
            stopping.set()

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        logger.info("Scheduler started (every %ss)", options["interval"])
        try:
            run_step("scheduler", run_schedules_once)
            while not stopping.wait(options["interval"]):
                run_step("scheduler", run_schedules_once)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        logger.info("Scheduler stopped")
