"""Typed environment-variable helpers that fail fast.

Every setting Guanxi reads from the environment is declared through one of these helpers, which
records it in ``DECLARED`` (name, type, default, description). ``docs/configuration.md`` carries
the same table and a test checks that the two agree, so the documentation cannot drift.

A bad value (``PORT=abc``, ``DEBUG=maybe``) raises ``ImproperlyConfigured`` naming the variable,
at start-up rather than at the first request that needs it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class EnvVar:
    """One documented environment variable."""

    name: str
    kind: str
    default: Any
    description: str


DECLARED: dict[str, EnvVar] = {}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _declare(name: str, kind: str, default: Any, description: str) -> str | None:
    DECLARED[name] = EnvVar(name, kind, default, description)
    return os.environ.get(name)


def env_str(name: str, default: str, description: str) -> str:
    raw = _declare(name, "string", default, description)
    return default if raw is None else raw


def env_bool(name: str, default: bool, description: str) -> bool:
    raw = _declare(name, "boolean", default, description)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int, description: str, *, minimum: int | None = None) -> int:
    raw = _declare(name, "integer", default, description)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}")
    return value


def env_list(name: str, default: list[str], description: str) -> list[str]:
    raw = _declare(name, "comma-separated list", ",".join(default), description)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: list[str], description: str) -> str:
    raw = _declare(name, "one of " + "/".join(choices), default, description)
    value = default if raw is None else raw.strip()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of {', '.join(choices)}")
    return value
