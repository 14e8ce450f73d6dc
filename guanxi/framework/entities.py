"""The entity registry: one typed declaration per entity type, everything else derives from it.

An app declares its entity types in ``guanxi/<app>/entities.py`` (imported at start-up by
:func:`autodiscover`)::

    register_entity(EntityType(
        model=Deal,
        views=DealViews,                       # pages: list, detail, edit, import… (URLs derived)
        serializer=DealSerializer,             # API: viewset and route derived
        api_name="deals",                      # /api/v1/sales/deals/
        search=(("name", 100), ("code", 80)),  # global search keys (or a SearchIndex subclass)
        menu=MenuEntry("sales", _("Deals"), icon="briefcase", weight=10),
        grants={"sales_rep": Grant(["view", "add", "change"], "own"), ...},  # by role code
        field_rules={"sales_rep": {"cost": "hidden"}},
        transfer=Transfer(_("deals"), open_filter=Q(stage__kind="open")),
        follow=Follow(customer_of=lambda deal: deal.customer),
        timeline=(deal_stage_source,),
        imports=ImportSpec(order=50, synonyms={"name": ("商机名称", …)}),  # guanxi.framework.importing
        duplicates=None,                       # or a DuplicateSpec (guanxi.framework.duplicates)
    ))

What derives from the declaration, and where:

- the pages' URL patterns: ``entity_urls(app_label)`` in the app's ``urls.py``;
- the API: ``EntityRouter(app_label)`` registers each entity with a serializer (a plain
  ``EntityViewSet`` over the model, the list page's filterset, unless ``viewset`` is given);
- global search (``guanxi.framework.search``), the menu (``guanxi.framework.navigation``),
  ownership transfer (``guanxi.framework.transfer``), follow-ups and tasks
  (``guanxi.activities.registry``), the record's timeline, duplicates (``guanxi.dedup``: the
  scan, queue, entry-time check and rules page) and imports (``guanxi.imports``: header
  synonyms, match keys, checks, the Import data page's order) all read this registry;
- default grants and field rules are given to the shipped roles, found by their stable
  ``code``, after every ``migrate`` (``guanxi.users.default_roles.apply_registry_defaults``) —
  once per role and entity, so an administrator's later edits stand;
- ``guanxi/framework/tests/test_conformance.py`` walks the registry and fails when an entity lacks
  its view suite, scope suite, search index, menu entry or grants.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from guanxi.framework.duplicates import DuplicateSpec
from guanxi.framework.importing import ImportSpec

#: The shipped roles' stable codes (their names are Chinese display text an administrator may edit).
ROLE_CODES = (
    "admin",
    "sales_director",
    "sales_manager",
    "sales_rep",
    "service_agent",
    "marketing",
    "read_only",
    "finance",
)


@dataclass(frozen=True)
class Grant:
    """A default grant for a shipped role: the actions and the data scope."""

    actions: Iterable[str]
    scope: str = "all"

    def __post_init__(self) -> None:
        object.__setattr__(self, "actions", tuple(self.actions))


@dataclass(frozen=True)
class MenuEntry:
    """Where the entity's list sits in the navigation: a group code (``customers``, ``activities``,
    ``settings`` …, see ``navigation.register_menu_group``), a label and an icon. ``url_name``
    defaults to the entity's list (``<app_label>:<model>_list``)."""

    group: str
    label: Any
    icon: str = "circle"
    weight: int = 100
    url_name: str | None = None
    permission: str | None = None  # default ``<app_label>.view_<model>``


@dataclass(frozen=True)
class Transfer:
    """The entity's rows move with an ownership transfer (离职交接, bulk transfer). ``label`` is the
    plural ("customers"); ``open_filter`` narrows "all of a user's rows" (open tasks only);
    ``extra_fields()`` gives further columns to set with the new owner."""

    label: Any
    open_filter: models.Q | None = None
    extra_fields: Callable[[], dict[str, Any]] | None = None
    # carry(rows, to_user=, actor=, reason=): what moves with the rows (a customer's contacts, tasks)
    carry: Callable[..., None] | None = None


@dataclass(frozen=True)
class Follow:
    """Follow-ups and tasks can be logged on the entity's rows.

    ``customer_of(obj)`` names the customer a follow-up on ``obj`` concerns (or None);
    ``customers_of(obj)`` lists the customers a user may pick when there are several;
    ``on_logged(obj, follow_up)`` runs in the logging transaction (a new lead becomes "contacted").
    """

    customer_of: Callable[[Any], Any] | None = None
    customers_of: Callable[[Any], Iterable[Any]] | None = None
    on_logged: Callable[[Any, Any], None] | None = None


@dataclass(frozen=True)
class Merge:
    """Duplicate records of the entity can be merged (``guanxi.framework.merging``): the API's
    ``POST …/merge/`` and, with a page declared by the app, the list's bulk action.

    ``after(survivor, merged, actor=, plan=)`` runs in the merge's transaction once the related rows
    have moved and before the survivor is saved: the entity's rules that span related rows (one
    primary contact per customer) are restored there."""

    after: Callable[..., None] | None = None


@dataclass(frozen=True)
class EntityType:
    """Everything the platform needs to know about one entity type, declared once."""

    model: type[models.Model]
    views: Any = None  # an EntityViews subclass
    serializer: Any = None  # an EntitySerializer subclass
    api_name: str | None = None  # the API collection (kebab-case plural); default "<model>s"
    viewset: Any = None  # an EntityViewSet subclass when the default one is not enough
    search: Any = None  # ((field, weight), …) or a SearchIndex subclass
    menu: MenuEntry | None = None
    grants: Mapping[str, Grant] = field(default_factory=dict)
    field_rules: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    transfer: Transfer | None = None
    follow: Follow | None = None
    timeline: tuple[Callable[..., Any], ...] = ()
    merge: Merge | None = None
    duplicates: DuplicateSpec | None = None  # None: duplicates are not looked for in this type
    imports: ImportSpec | None = None  # None: imported generically (matched by ID, unique fields)

    @property
    def label(self) -> str:
        """``app_label.model_name``."""
        return self.model._meta.label_lower

    @property
    def app_label(self) -> str:
        return self.model._meta.app_label

    @property
    def search_index(self) -> Any:
        """The entity's ``SearchIndex`` class (built from the field tuple), or None."""
        return _SEARCH_INDEXES.get(self.model)

    def list_url_name(self) -> str:
        return f"{self.app_label}:{self.model._meta.model_name}_list"


_ENTITIES: dict[str, EntityType] = {}
_SEARCH_INDEXES: dict[type[models.Model], Any] = {}


def register_entity(entity: EntityType) -> EntityType:
    """Declare an entity type (re-registering the same model replaces its declaration)."""
    unknown = set(entity.grants) - set(ROLE_CODES)
    unknown |= set(entity.field_rules) - set(ROLE_CODES)
    if unknown:
        raise ValueError(f"{entity.label}: unknown role codes {sorted(unknown)}; known: {ROLE_CODES}")
    _ENTITIES[entity.label] = entity
    _SEARCH_INDEXES.pop(entity.model, None)
    if entity.search is not None:
        from guanxi.framework.search import SearchIndex

        if isinstance(entity.search, type) and issubclass(entity.search, SearchIndex):
            index = entity.search
        else:
            index = type(
                f"{entity.model.__name__}Index",
                (SearchIndex,),
                {"model": entity.model, "fields": tuple(entity.search)},
            )
        _SEARCH_INDEXES[entity.model] = index
    return entity


def entity_types(app_label: str | None = None) -> list[EntityType]:
    """Every registered entity type (of one app when ``app_label`` is given), in declaration order."""
    return [e for e in _ENTITIES.values() if app_label is None or e.app_label == app_label]


def entity_for(model: type[models.Model] | models.Model | str) -> EntityType | None:
    """The declaration of a model, an instance's model or an ``app_label.model`` label (or None)."""
    if isinstance(model, str):
        return _ENTITIES.get(model.lower())
    if not isinstance(model, type):
        model = type(model)
    meta = getattr(model, "_meta", None)
    return _ENTITIES.get(meta.label_lower) if meta is not None else None


def search_indexes() -> dict[type[models.Model], Any]:
    """model → SearchIndex of every entity declaring search fields."""
    return dict(_SEARCH_INDEXES)


def entity_urls(app_label: str) -> list[Any]:
    """The page URL patterns of every entity of ``app_label`` that declares ``views``."""
    patterns: list[Any] = []
    for entity in entity_types(app_label):
        if entity.views is not None:
            patterns.extend(entity.views.urls())
    return patterns


def default_viewset(entity: EntityType) -> Any:
    """The API viewset of an entity: its own, or a plain ``EntityViewSet`` over the model."""
    if entity.viewset is not None:
        return entity.viewset
    from guanxi.framework.api.viewsets import EntityViewSet

    attrs: dict[str, Any] = {
        "queryset": entity.model._default_manager.all(),
        "serializer_class": entity.serializer,
        "__module__": entity.model.__module__,
        "__doc__": f"{entity.model._meta.verbose_name_plural}",
    }
    if entity.views is not None and getattr(entity.views, "filterset", None) is not None:
        attrs["filterset_class"] = entity.views.filterset
    return type(f"{entity.model.__name__}ViewSet", (EntityViewSet,), attrs)


def api_name(entity: EntityType) -> str:
    return entity.api_name or f"{entity.model._meta.model_name}s"


def autodiscover() -> None:
    """Import every installed app's ``entities`` module (from ``FrameworkConfig.ready``)."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("entities")
