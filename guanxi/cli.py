"""The ``guanxi`` console command (``[project.scripts]`` entry point).

``guanxi serve | worker | scheduler | demo | createadmin | token create | import | export | check`` plus every
Django management command (``guanxi migrate``, ``guanxi shell``…). Each subcommand is a Django
management command, so ``manage.py worker`` works too; only two names differ:

* ``guanxi check`` is the readiness report (``check_health``); Django's system checks alone
  stay available as ``guanxi check-django``.
"""

from __future__ import annotations

import os
import sys

ALIASES = {
    "check": "check_health",
    "check-django": "check",
}

USAGE = """Usage: guanxi <command> [options]

  serve [--port N] [--host H]   run the web server (gunicorn)
  worker [--no-schedules]       run background tasks, schedules and the heartbeat
  scheduler                     run only the periodic-schedule loop
  demo                          load the demo data set
  createadmin USERNAME          create an administrator
  token create USERNAME         create an API token and print its key
  import ENTITY FILE [options]  import a CSV/Excel file (see docs/importing.md)
  export ENTITY --as USER -o F  export a list (as USER sees it) to CSV or XLSX
  check                         check configuration, database, migrations and workers
  migrate, shell, …             any Django management command (`guanxi help` lists them)
"""


def main(argv: list[str] | None = None) -> None:
    """Set the settings module and run the named command."""
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    if not args or args[0] in ("-h", "--help"):
        sys.stdout.write(USAGE)
        return
    args[0] = ALIASES.get(args[0], args[0])

    from django.core.management import execute_from_command_line

    execute_from_command_line(["guanxi", *args])


if __name__ == "__main__":
    main()
