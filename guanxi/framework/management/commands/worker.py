"""``guanxi worker``: run background tasks with the configured backend, plus schedules and heartbeat.

* database backend (default): django-tasks-db's ``db_worker``;
* redis backend (``TASK_BACKEND=redis``): django-rq's ``rqworker`` with django-tasks-rq's job
  class (without it RQ calls the Task object itself and every task fails);
* in the same process, an events thread (``core.Event`` outbox → subscribers every 2 s, off
  with ``--no-events``; one pass runs before the task loop, so ``--batch`` delivers what is due),
  a scheduler thread (``run_due_schedules`` every 30 s, off with
  ``--no-schedules``) and a heartbeat thread (``core.WorkerHeartbeat`` every 15 s) that /healthz
  and ``guanxi check`` read.

SIGTERM/SIGINT stop it cleanly: the backend's own handler finishes the running task, then the
threads stop and the heartbeat row is removed.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV

from guanxi.framework.management.commands._runtime import (
    EVENTS_INTERVAL,
    HEARTBEAT_INTERVAL,
    SCHEDULER_INTERVAL,
    Heartbeat,
    Loop,
    logger,
    run_events_once,
    run_schedules_once,
    run_step,
    worker_id,
)

DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"
RQ_BACKEND = "django_tasks_rq.RQBackend"
RQ_JOB_CLASS = "django_tasks_rq.backend.Job"


class Command(BaseCommand):
    help = "Run a background task worker (with the scheduler and a heartbeat) for the configured backend."

    def add_arguments(self, parser: CommandParser) -> None:
        queues = ",".join(settings.TASKS.get("default", {}).get("QUEUES", ["default"]))
        parser.add_argument(
            "--queue-name", default=queues, help="Queues to process, comma-separated (default: %(default)s)."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait when the queue is empty (database backend).",
        )
        parser.add_argument("--batch", action="store_true", help="Run every waiting task, then exit.")
        parser.add_argument(
            "--reload", action="store_true", dest="reload", help="Restart on code changes (development)."
        )
        parser.add_argument(
            "--no-reload",
            action="store_false",
            dest="reload",
            help="Do not restart on code changes (the default).",
        )
        parser.add_argument(
            "--no-schedules",
            action="store_true",
            help="Do not run the periodic-schedule thread in this worker.",
        )
        parser.add_argument(
            "--no-events",
            action="store_true",
            help="Do not deliver events (the outbox) from this worker.",
        )
        parser.add_argument(
            "--no-startup-delay",
            action="store_false",
            dest="startup_delay",
            help="Start polling at once instead of after a random delay under 1 s.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        backend = settings.TASKS.get("default", {}).get("BACKEND", "")
        if backend not in (DATABASE_BACKEND, RQ_BACKEND):
            raise CommandError(
                f"The task backend is {backend or 'not set'}: tasks run inline and there is "
                "no queue for a worker. Set TASK_BACKEND=database or redis."
            )
        wid = worker_id()
        heartbeat = Heartbeat(backend, wid)
        loops: list[Loop] = []
        # Under --reload this command runs twice: in a watcher process and in the child that works.
        # Only the child beats and schedules.
        watcher = options["reload"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        if not watcher:
            run_step("heartbeat", heartbeat.beat)
            loops.append(Loop("heartbeat", heartbeat.beat, HEARTBEAT_INTERVAL))
            if not options["no_events"]:
                run_step("events", lambda: run_events_once(wid))
                loops.append(Loop("events", lambda: run_events_once(wid), EVENTS_INTERVAL))
            if not options["no_schedules"]:
                run_step("scheduler", run_schedules_once)
                loops.append(Loop("scheduler", run_schedules_once, SCHEDULER_INTERVAL))
        for loop in loops:
            loop.start()
        logger.info(
            "Worker %s started (%s, queues %s, schedules %s)",
            wid,
            backend,
            options["queue_name"],
            "off" if options["no_schedules"] else "on",
        )
        try:
            if backend == DATABASE_BACKEND:
                self.run_database_worker(wid, options)
            else:
                self.run_rq_worker(wid, options)
        except SystemExit as exc:
            # db_worker leaves through sys.exit() from its signal handler when idle.
            if exc.code not in (None, 0):
                raise
        finally:
            for loop in loops:
                loop.stop()
            if not watcher:
                heartbeat.remove()
            logger.info("Worker %s stopped", wid)

    def run_database_worker(self, wid: str, options: dict[str, Any]) -> None:
        call_command(
            "db_worker",
            queue_name=options["queue_name"],
            interval=options["interval"],
            batch=options["batch"],
            reload=options["reload"],
            startup_delay=options["startup_delay"],
            worker_id=wid,
            verbosity=options["verbosity"],
            stdout=self.stdout._out,
            stderr=self.stderr._out,
        )

    def run_rq_worker(self, wid: str, options: dict[str, Any]) -> None:
        queues = [q for q in options["queue_name"].split(",") if q]
        # with_scheduler moves tasks enqueued with run_after into the queue when they are due.
        call_command(
            "rqworker",
            *queues,
            job_class=RQ_JOB_CLASS,
            burst=options["batch"],
            name=wid,
            with_scheduler=True,
            verbosity=options["verbosity"],
        )
