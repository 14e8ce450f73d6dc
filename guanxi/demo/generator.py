"""Deterministic demo data for 星河科技有限公司 / Xinghe Technology.

The generator is a list of *steps*, each an idempotent function that creates what is missing and
returns how many rows it created. The foundation registers the organisation (departments, users,
roles) and tags; later modules append their own steps (customers, deals…) from a
``demo_data.py`` module in their app, which ``load_demo`` imports automatically:

    # guanxi/customers/demo_data.py
    from guanxi.demo.generator import register_demo_step

    def load_customers(ctx):
        ...
        return created

    register_demo_step("customers", load_customers, order=30)

Every step gets its own random generator and Faker seeded from the step name, so a step's data
does not change when another step is added, removed or skipped. Everything runs inside
``actor_context(None, source=Source.DEMO)``: the change log shows the rows came from the demo.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.module_loading import autodiscover_modules
from faker import Faker

from guanxi.framework.context import Source, actor_context

SEED = 42

StepFunction = Callable[["DemoContext"], int]


@dataclass(frozen=True)
class DemoStep:
    """One named, ordered, idempotent piece of demo data."""

    name: str
    fn: StepFunction
    order: int


_STEPS: dict[str, DemoStep] = {}


def register_demo_step(name: str, fn: StepFunction, order: int = 100) -> None:
    """Add (or replace, so re-imports are harmless) a step; lower ``order`` runs first."""
    _STEPS[name] = DemoStep(name, fn, order)


def demo_steps() -> list[DemoStep]:
    return sorted(_STEPS.values(), key=lambda step: (step.order, step.name))


@dataclass
class DemoContext:
    """What a step may use: seeded randomness, the demo password hash and earlier steps' rows.

    ``users`` and ``departments`` are filled by the organisation step (keyed by username and by
    department key such as ``"east1"``), so later steps can assign owners believably.
    """

    step: str
    rng: random.Random
    faker: Faker
    password_hash: str
    users: dict[str, Any] = field(default_factory=dict)
    departments: dict[str, Any] = field(default_factory=dict)
    log: Callable[[str], None] = print


@dataclass
class DemoResult:
    """Rows created per step (all zero when the demo data was already complete)."""

    created: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.created.values())


def _context_for(
    step: str, shared: DemoContext | None, password_hash: str, log: Callable[[str], None]
) -> DemoContext:
    seed = f"{SEED}:{step}"  # str seeds are hashed deterministically (not by PYTHONHASHSEED)
    fake = Faker(["zh_CN", "en_US"])
    fake.seed_instance(seed)
    ctx = DemoContext(step=step, rng=random.Random(seed), faker=fake, password_hash=password_hash, log=log)
    if shared is not None:
        ctx.users, ctx.departments = shared.users, shared.departments
    return ctx


def load_demo(log: Callable[[str], None] = print) -> DemoResult:
    """Run every registered step, then rebuild search keys if anything was created."""
    from guanxi.demo import organisation  # noqa: F401  (registers the foundation's steps)

    autodiscover_modules("demo_data")
    # One hash for every account: the same password, and 20 Argon2 rounds would cost seconds.
    password_hash = make_password(settings.DEMO_PASSWORD)
    created: dict[str, int] = {}
    shared: DemoContext | None = None
    with actor_context(None, source=Source.DEMO):
        for step in demo_steps():
            ctx = _context_for(step.name, shared, password_hash, log)
            with transaction.atomic():
                created[step.name] = step.fn(ctx)
            shared = ctx
        if sum(created.values()):
            reindex_all()
    return DemoResult(created)


def reindex_all() -> dict[str, int]:
    """Rebuild the search keys of every registered search model."""
    from guanxi.framework.search import registered_models, reindex

    return {model._meta.label: reindex(model) for model in registered_models()}


def demo_objects() -> list[Any]:
    """Rows the demo created that still exist, last written first (the safe order to delete them
    in). By entry id, not time: demo steps back-date rows and their entries (``demo.backdate``)."""
    from guanxi.core.models import ObjectChange

    rows = []
    creates = (
        ObjectChange.objects.filter(source=Source.DEMO, action="create")
        .select_related("changed_object_type")
        .order_by("-id")
    )
    for change in creates.iterator():
        model = change.changed_object_type.model_class()
        if model is None:
            continue
        obj = model._default_manager.filter(pk=change.changed_object_id).first()
        if obj is not None:
            rows.append(obj)
    return rows


def reset_demo() -> int:
    """Delete every row the demo created (newest first, so children go before parents)."""
    deleted = 0
    with actor_context(None, source=Source.DEMO), transaction.atomic():
        for obj in demo_objects():
            obj.delete()
            deleted += 1
    return deleted
