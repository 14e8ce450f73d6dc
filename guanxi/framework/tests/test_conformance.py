"""Every entity has what the platform promises: this test walks the entity registry.

Every registered entity type must give the shipped roles default grants; one with pages
(``views``) its generic view suite and a menu entry for its list; an owned business entity
(``PrimaryModel``) also its data-scope suite (which includes the API create per persona,
export/import refused without their verbs and the record team's API), a search index and its
recycle-bin suite; one declaring ``merge`` its merge suite
(``guanxi.framework.testing.merge.MergeSuite``). A new entity that skips one of these fails
here, naming what is missing — the recipe is ``docs/development/adding-an-entity.md``.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType

import guanxi
from guanxi.framework.entities import EntityType, entity_types
from guanxi.framework.models import OwnerMixin, PrimaryModel
from guanxi.framework.navigation import menu_groups
from guanxi.framework.search import registered_models
from guanxi.framework.testing.merge import MergeSuite
from guanxi.framework.testing.recyclebin import RecycleBinSuite
from guanxi.framework.testing.scopes import ScopeSuite
from guanxi.framework.testing.suites import EntityViewSuite
from guanxi.framework.views import EntityViews

# Read-only logs have no create/edit pages for the suite to drive, and the test app's entity is
# the framework's own example (no menu, no shipped roles).
NO_VIEW_SUITE = {"core.objectchange", "core.auditevent"}
NOT_SHIPPED = {"testapp.gadget", "testapp.requisition"}
# Pages reached from another entity's page or from Settings lists rather than the menu.
NO_MENU = {"core.objectchange"}


def _test_classes() -> list[type]:
    root = Path(guanxi.__file__).parent
    found: list[type] = []
    for module in pkgutil.walk_packages([str(root)], prefix="guanxi."):
        if ".tests.test_" not in module.name or module.name == __name__:
            continue
        loaded = importlib.import_module(module.name)
        found.extend(v for v in vars(loaded).values() if isinstance(v, type))
    return found


@pytest.fixture(scope="module")
def suites() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {"views": set(), "scopes": set(), "bin": set(), "merge": set()}
    for cls in _test_classes():
        model = getattr(cls, "model", None)
        if model is None:
            continue
        if issubclass(cls, EntityViewSuite) and cls is not EntityViewSuite:
            out["views"].add(model._meta.label_lower)
        if issubclass(cls, ScopeSuite) and cls is not ScopeSuite:
            out["scopes"].add(model._meta.label_lower)
        if issubclass(cls, RecycleBinSuite) and cls is not RecycleBinSuite:
            out["bin"].add(model._meta.label_lower)
        if issubclass(cls, MergeSuite) and cls is not MergeSuite:
            out["merge"].add(model._meta.label_lower)
    return out


def _menu_url_names() -> set[str]:
    return {item.url_name for group in menu_groups() for item in group.items}


def _entities() -> list[tuple[str, EntityType]]:
    return sorted((entity.label, entity) for entity in entity_types())


@pytest.mark.django_db
def test_every_entity_has_its_suites_menu_grants_and_search(suites: dict[str, set[str]]) -> None:
    from guanxi.users.models import RoleGrant

    menu = _menu_url_names()
    granted = set(RoleGrant.objects.values_list("content_type_id", flat=True))
    missing: list[str] = []
    for label, entity in _entities():
        model = entity.model
        if entity.views is not None:
            if label not in NO_VIEW_SUITE and label not in suites["views"]:
                missing.append(f"{label}: no EntityViewSuite subclass (tests/test_views.py)")
            if label not in NO_MENU | NOT_SHIPPED and entity.list_url_name() not in menu:
                missing.append(f"{label}: its list is in no menu (EntityType.menu)")
        if label not in NOT_SHIPPED and ContentType.objects.get_for_model(model).pk not in granted:
            missing.append(f"{label}: no default grant for any shipped role (EntityType.grants)")
        if issubclass(model, OwnerMixin):
            if label not in suites["scopes"]:
                missing.append(f"{label}: no ScopeSuite subclass (tests/test_scopes.py)")
            if model not in registered_models():
                missing.append(f"{label}: no search index (EntityType.search)")
        if issubclass(model, PrimaryModel) and entity.views is not None and label not in suites["bin"]:
            missing.append(f"{label}: no RecycleBinSuite subclass (deletes go to the recycle bin)")
        if entity.merge is not None and label not in suites["merge"]:
            missing.append(f"{label}: declares merge but has no MergeSuite subclass")
    assert missing == [], "entities missing what the platform promises:\n" + "\n".join(missing)


def test_the_walk_finds_the_suites_it_checks(suites: dict[str, set[str]]) -> None:
    """The test above is only as good as its discovery: it must see the suites that exist."""
    assert {"customers.customer", "activities.task", "testapp.gadget"} <= suites["scopes"]
    assert {"customers.customer", "core.tag"} <= suites["views"]
    assert {"customers.customer", "testapp.gadget"} <= suites["bin"]
    assert {"customers.customer", "customers.contact"} <= suites["merge"]


def test_every_entity_pages_class_is_registered() -> None:
    """An ``EntityViews`` subclass outside the registry would have pages without grants, menu or
    conformance: every one declared in the product code belongs to a registered entity."""
    registered = {entity.views for entity in entity_types() if entity.views is not None}
    declared = [
        cls
        for cls in _subclasses(EntityViews)
        if "model" in cls.__dict__
        and ".tests." not in cls.__module__
        and cls.__module__.startswith("guanxi.")
    ]
    assert [c.__qualname__ for c in declared if c not in registered] == []


def _subclasses(cls: type[Any]) -> list[type[Any]]:
    out: list[type[Any]] = []
    children: list[type[Any]] = cls.__subclasses__()
    for child in children:
        out.extend([child, *_subclasses(child)])
    return out
