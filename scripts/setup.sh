#!/usr/bin/env bash
# Idempotent set-up behind `make setup`: Python >= 3.12 + uv -> .venv, npm packages -> vendored
# static files, translation catalogs -> .mo. Every step writes a stamp under var/stamps/ keyed on
# the hash of its inputs (lock files, scripts), so a second run skips straight through in seconds.
# A fresh machine has nothing that was installed by hand: this script must bring everything.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
STAMPS="$ROOT/var/stamps"
mkdir -p "$STAMPS"

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

hash_of() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }
# stamp_ok NAME KEY: true when step NAME already ran with inputs hashing to KEY.
stamp_ok() { [[ -f "$STAMPS/$1" && "$(cat "$STAMPS/$1")" == "$2" ]]; }
stamp_set() { echo "$2" > "$STAMPS/$1"; }

# --- 1. A Python >= 3.12 (Django 6.1 needs it; Debian 12's python3 is 3.11) -------------------
py_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }

find_python() {
    if [[ -n "${PYTHON:-}" ]]; then
        py_ok "$PYTHON" || die "PYTHON=$PYTHON is not a Python >= 3.12"
        "$PYTHON" -c 'import sys; print(sys.executable)'; return
    fi
    local cand
    # pyenv shims exist for versions that are not selected and then fail to run: py_ok filters them.
    for cand in python3.13 python3.12 python3; do
        if command -v "$cand" >/dev/null 2>&1 && py_ok "$cand"; then
            "$cand" -c 'import sys; print(sys.executable)'; return
        fi
    done
    local root
    root="$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"
    for cand in $(ls -d "$root"/versions/3.13.* "$root"/versions/3.12.* 2>/dev/null | sort -rV); do
        if [[ -x "$cand/bin/python" ]] && py_ok "$cand/bin/python"; then
            echo "$cand/bin/python"; return
        fi
    done
    die "no Python >= 3.12 found (tried python3.13, python3.12, python3 and pyenv versions under $root).
       Install one (e.g. 'pyenv install 3.13') or point PYTHON=/path/to/python3.13 at it."
}

# --- 2. uv (installs the locked environment in seconds) ---------------------------------------
find_uv() {
    if command -v uv >/dev/null 2>&1 && uv --version >/dev/null 2>&1; then
        command -v uv; return
    fi
    local tools="$ROOT/var/tools"
    if [[ ! -x "$tools/bin/uv" ]]; then
        say "installing uv into var/tools (a small bootstrap virtualenv)" >&2
        "$PY" -m venv "$tools" >&2
        "$tools/bin/pip" install --quiet --disable-pip-version-check uv >&2
    fi
    echo "$tools/bin/uv"
}

PY="$(find_python)"
key="$(hash_of uv.lock pyproject.toml)-$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if stamp_ok python "$key" && [[ -x .venv/bin/python ]]; then
    echo "  python environment up to date (.venv)"
else
    UV="$(find_uv)"
    say "syncing .venv with uv.lock ($("$PY" -V) at $PY)"
    "$UV" sync --frozen --python "$PY"
    stamp_set python "$key"
fi

# --- 3. Front-end packages from npm, copied into guanxi/static/vendor/ ------------------------
key="$(hash_of package-lock.json)"
if stamp_ok npm "$key" && [[ -d node_modules ]]; then
    echo "  npm packages up to date (node_modules)"
else
    command -v npm >/dev/null 2>&1 || die "npm not found: install Node.js 20 (apt-get install nodejs npm)"
    say "installing front-end packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
    stamp_set npm "$key"
fi

key="$(hash_of package-lock.json scripts/vendor.py)"
if stamp_ok vendor "$key" && [[ -f guanxi/static/vendor/alpine-csp.min.js ]]; then
    echo "  vendored static files up to date (guanxi/static/vendor)"
else
    say "copying front-end files into guanxi/static/vendor/"
    .venv/bin/python scripts/vendor.py
    stamp_set vendor "$key"
fi

# --- 3b. System packages the quote PDF needs (Debian): WeasyPrint's Pango, CJK fonts for Chinese
# text, HarfBuzz subsetting (fontTools takes ~7 s per PDF on the CJK font, HarfBuzz 0.15 s), poppler's
# pdftotext for the PDF tests. Installed here so nothing is fetched at run time.
sys_missing=()
for pkg in fonts-noto-cjk poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || sys_missing+=("$pkg")
done
if (( ${#sys_missing[@]} )); then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        say "installing ${sys_missing[*]} (apt)"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${sys_missing[@]}" >/dev/null
    else
        echo "missing system packages: ${sys_missing[*]}" >&2
        echo "install them with: sudo apt-get install -y ${sys_missing[*]}" >&2
        exit 1
    fi
fi

# --- 4. Translation catalogs (pure Python: no gettext package needed) -------------------------
if [[ -n "$(find guanxi -path '*/locale/*/LC_MESSAGES/*.po' -print -quit)" ]]; then
    .venv/bin/python scripts/compile_messages.py
fi
echo "  setup done"
