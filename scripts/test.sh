#!/usr/bin/env bash
# `make test` after `make setup`: system packages for browser tests, lint, format check, mypy,
# migration check, then pytest on 2 workers. Runs against DATABASE_URL (SQLite by default).
# Extra pytest arguments: PYTEST_ARGS="-k tags -x" make test
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

# Browser tests drive Debian's Chromium (playwright cannot download its own build here);
# without a CJK font Chinese renders as boxes; gettext gives makemessages its xgettext.
missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
for pkg in fonts-wqy-microhei gettext; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if (( ${#missing[@]} )); then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        say "installing ${missing[*]} (apt)"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "missing system packages: ${missing[*]}" >&2
        echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
fi

say "ruff check"
.venv/bin/ruff check .
say "ruff format --check"
.venv/bin/ruff format --check .
say "mypy"
.venv/bin/mypy guanxi
say "migrations are up to date"
$PY manage.py makemigrations --check --dry-run
say "pytest on ${DATABASE_URL:-SQLite (var/)}"
export DJANGO_ALLOW_ASYNC_UNSAFE=true
# shellcheck disable=SC2086  # PYTEST_ARGS is a list of words on purpose
.venv/bin/pytest -n "${PYTEST_WORKERS:-2}" ${PYTEST_ARGS:-}
