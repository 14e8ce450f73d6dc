#!/usr/bin/env python
"""Everything `make demo` does before serving, in one process (Django starts once, not three times).

1. ``migrate`` (a no-op when the schema is current);
2. ``collectstatic``, skipped when no static file changed since the last run (stamp in
   var/stamps/static keyed on the paths, sizes and modification times of every static source);
3. ``demo``: load the demo data; idempotent, so a second run creates nothing.

Run with the project virtualenv: `.venv/bin/python scripts/demo_prepare.py`.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAMP = ROOT / "var" / "stamps" / "static"


def static_key() -> str:
    """Hash of every file collectstatic would copy (path, size, mtime) and the storage in use."""
    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256(repr(settings.STORAGES["staticfiles"]).encode())
    for finder in get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    print("==> migrating the database", flush=True)
    call_command("migrate", interactive=False, verbosity=0)

    key = static_key()
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    needs_manifest = "Manifest" in settings.STORAGES["staticfiles"]["BACKEND"]
    collected = manifest.exists() if needs_manifest else Path(settings.STATIC_ROOT).is_dir()
    if collected and STAMP.exists() and STAMP.read_text() == key:
        print("    static files up to date", flush=True)
    else:
        print("==> collecting static files", flush=True)
        call_command("collectstatic", interactive=False, verbosity=0)
        STAMP.parent.mkdir(parents=True, exist_ok=True)
        STAMP.write_text(key)

    print("==> loading demo data (only what is missing)", flush=True)
    call_command("demo")
    return 0


if __name__ == "__main__":
    sys.exit(main())
