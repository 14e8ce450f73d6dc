"""docs/configuration.md lists exactly the environment variables settings.py declares."""

import subprocess
import sys
from pathlib import Path

from django.conf import settings

import guanxi.env

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "configuration.md"
sys.path.insert(0, str(ROOT / "scripts"))
import config_table  # noqa: E402  (a script, not a package)


def test_doc_lists_exactly_the_declared_variables():
    assert settings.configured  # DECLARED is complete once the settings module has run
    documented = config_table.documented_names(DOC.read_text())

    assert len(documented) == len(set(documented)), "a variable is listed twice"
    assert set(documented) == set(guanxi.env.DECLARED)


def test_doc_table_matches_types_defaults_and_descriptions():
    proc = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "scripts" / "config_table.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr


def test_every_declared_variable_has_a_description():
    assert [name for name, var in guanxi.env.DECLARED.items() if len(var.description) < 10] == []
