#!/usr/bin/env bash
# `make demo` after `make setup`: migrate, collect static files, load the demo company (idempotent),
# start the task worker in the background and the web server in the foreground on
# http://127.0.0.1:$PORT. Stopping the server (Ctrl-C) stops the worker too.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${PORT:-8000}"
export PORT

# The demo serves plain HTTP on localhost. With the secure default (SECURE_COOKIES=1) browsers
# drop the session and CSRF cookies on http://, so nobody could log in. Turn it off for this
# process only; settings.py keeps the secure default for every real deployment.
export SECURE_COOKIES=0

say() { printf '==> %s\n' "$*"; }
commands=guanxi/framework/management/commands

# migrate, collectstatic (skipped when unchanged) and the demo data, in one Django process
$PY scripts/demo_prepare.py

say "starting the task worker"
if [[ -f $commands/worker.py ]]; then
    .venv/bin/guanxi worker &
else
    $PY manage.py db_worker --queue-name '*' &
fi
WORKER=$!
stop_worker() { kill "$WORKER" 2>/dev/null && wait "$WORKER" 2>/dev/null; true; }
trap stop_worker EXIT
trap 'exit 130' INT TERM   # EXIT trap then stops the worker

cat <<MSG

  Guanxi demo:  http://127.0.0.1:$PORT/
  Log in as admin, director, manager1, rep1, rep1b, rep2, agent1, marketer1 or viewer
  with the password: ${DEMO_PASSWORD:-guanxi-demo}
  (Ctrl-C stops the server and the worker.)

MSG
if [[ -f $commands/serve.py ]]; then
    .venv/bin/guanxi serve --host 127.0.0.1 --port "$PORT"
else
    .venv/bin/gunicorn guanxi.wsgi:application -b "127.0.0.1:$PORT" -w "${WEB_CONCURRENCY:-2}"
fi
