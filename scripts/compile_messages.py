#!/usr/bin/env python3
"""Compile every guanxi/**/locale/*/LC_MESSAGES/*.po into a .mo with polib (pure Python).

Django's `compilemessages` shells out to GNU gettext's msgfmt; doing it with polib (a dev
dependency) means `make demo` works on a machine without the gettext package. A .mo is rewritten
only when its .po is newer.
Run with the project virtualenv: `.venv/bin/python scripts/compile_messages.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def catalogs(root: Path = ROOT / "guanxi") -> list[Path]:
    return sorted(p for p in root.rglob("locale/*/LC_MESSAGES/*.po") if ".venv" not in p.parts)


def compile_all(root: Path = ROOT / "guanxi", force: bool = False) -> list[Path]:
    """Compile stale catalogs; returns the .mo files written."""
    written = []
    for po_path in catalogs(root):
        mo_path = po_path.with_suffix(".mo")
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        # polib writes only translated entries (fuzzy and obsolete are left out, as msgfmt does)
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written


def main() -> int:
    force = "--force" in sys.argv[1:]
    found = catalogs()
    if not found:
        print("  no .po catalogs yet: nothing to compile")
        return 0
    written = compile_all(force=force)
    print(f"  {len(found)} catalog(s), {len(written)} compiled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
