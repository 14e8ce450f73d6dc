#!/usr/bin/env python3
"""Copy front-end files from node_modules/ into guanxi/static/vendor/.

The libraries come from npm (package.json + package-lock.json pin them); their built files are
copied next to our own static files so Django serves them from 'self' under the strict CSP.
Copies are never committed (guanxi/static/vendor/ is git-ignored): `make setup` recreates them.
Runs with any Python 3 (no Django needed), so it can run before the virtualenv exists.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
DEST = ROOT / "guanxi" / "static" / "vendor"

# source under node_modules/  ->  file name under guanxi/static/vendor/
FILES: dict[str, str] = {
    "@alpinejs/csp/dist/cdn.min.js": "alpine-csp.min.js",
    "@tabler/icons-sprite/dist/tabler-sprite.svg": "tabler-sprite.svg",
    "echarts/dist/echarts.min.js": "echarts.min.js",
    "sortablejs/Sortable.min.js": "sortable.min.js",
}


def vendor(node_modules: Path = NODE_MODULES, dest: Path = DEST) -> list[Path]:
    """Copy every file in FILES; returns the written paths. Fails naming any missing source."""
    missing = [src for src in FILES if not (node_modules / src).is_file()]
    if missing:
        raise SystemExit(f"vendor.py: missing in {node_modules}: {', '.join(missing)} (run `npm ci` first)")
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for src, name in FILES.items():
        target = dest / name
        shutil.copyfile(node_modules / src, target)
        written.append(target)
    return written


def main() -> int:
    for path in vendor():
        print(f"  vendored {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
