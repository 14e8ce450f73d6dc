"""Role-based access: actions and data scopes per entity type, field rules, and shared records.

``RoleScopePolicy`` is the access policy behind every ``restrict(user, action)`` call.

* A user's grants are the union of their roles' ``RoleGrant`` rows (plus Django model
  permissions, which count as scope "all" — kept for administrators and integrations).
* Scopes become one ``Q`` on the list's own query: 本人 ``owner = me``; 本人及下属 ``owner IN
  (me + everyone reporting to me, at any depth)``; 本部门 ``department = my department``;
  本部门及下属部门 ``department IN (my department's subtree)``; 全部 no condition. Shared
  records (``RecordShare``: a record's team, deals' 协同人 included) are OR-ed in as a literal
  ``id IN (…)`` of the user's shared rows of that type, read once into the snapshot — an index
  lookup, where an ``OR EXISTS`` over the share table costs every list and board query a scan
  (bench_deals) — or, for a user holding more than ``SHARE_IDS_LIMIT`` shares of the type, as an
  ``EXISTS`` on the share table (so 10,000 shares cost the same SQL as 1,001). A user holding no
  share of the type adds nothing. So a list costs one SQL query however scopes combine, with no
  per-row check in Python.
* Everything the policy needs about a user — grants, field rules, subordinate ids, the
  department subtree, which types they hold shares on, their Django permissions and the
  registered snapshot parts (the pools they see…) — is one ``UserAccess`` **snapshot**, built
  once and kept in Django's cache under (user id, organisation version). Any change to roles,
  grants, field rules, membership, users' departments or managers, departments, shares or pools
  bumps the version (``guanxi.users.access_version``), so the next request rebuilds it. A warm
  request reads two cache keys and runs no permission query at all.
* Models declare which columns mean "owner" and "department" (``access_owner_field`` /
  ``access_department_field``; PrimaryModel has ``owner`` and ``department``, User is its own
  owner). A child record declares ``access_parent = "<fk>"`` and is visible exactly when its
  parent is, through one join. Reference data every grant holder sees in full declares
  ``access_reference_data = True``. A model with none of these cannot be scoped: ``restrict()``
  raises ``ImproperlyConfigured`` instead of guessing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext as _

from guanxi.framework.access import AccessPolicy, extra_row_access, kept_on, permission_name, snapshot_parts
from guanxi.framework.fieldaccess import STRICTNESS, canonical_rules
from guanxi.users.access_version import SNAPSHOT_TTL, org_version

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

NOTHING = models.Q(pk__in=[])
# A child's write actions change its parent; reading it reads the parent.
PARENT_ACTIONS = {"add": "change", "change": "change", "delete": "change"}


# Shares of one type a snapshot keeps as a literal id list; beyond it the condition is an EXISTS.
SHARE_IDS_LIMIT = 1000


@dataclass(frozen=True)
class SharedIds:
    """The rows of one type shared with a user (ids): all of them, and those they may edit."""

    view: tuple[int, ...]
    change: tuple[int, ...]


@dataclass
class UserAccess:
    """Everything about one user's access, cached across requests (picklable).

    Grants and Django permissions are read when the snapshot is built; every other part is read
    the first time a request needs it and then written back into the cached snapshot, so a cold
    request pays only for what it uses and a warm one for nothing.
    """

    version: str = ""
    # content type id → [(actions, scope, role name)]
    grants: dict[int, list[tuple[frozenset[str], str, str]]] = field(default_factory=dict)
    # Django permissions (``app.codename``) as ModelBackend computes them; None for superusers
    permissions: frozenset[str] | None = None
    # content type id → role name → field → rule
    field_rules: dict[int, dict[str, dict[str, str]]] | None = None
    subordinate_ids: list[int] | None = None
    subtree_ids: list[int] | None = None
    # content type id → the share levels ("read", "write") the user holds on rows of that type
    share_levels: dict[int, frozenset[str]] | None = None
    # content type id → the ids of the rows of that type shared with the user (read on first use
    # of the type); None when they are more than SHARE_IDS_LIMIT (then ``EXISTS``)
    share_ids: dict[int, SharedIds | None] = field(default_factory=dict)
    # registered snapshot parts (``guanxi.framework.access.register_snapshot_part``)
    parts: dict[str, Any] = field(default_factory=dict)


def snapshot_key(user_id: int, version: str) -> str:
    return f"guanxi:access:user:{user_id}:{version}"


def _build(user: Any, version: str) -> UserAccess:
    """Read the parts every request needs (a cold snapshot): grants and Django permissions."""
    from guanxi.users.models import RoleGrant

    access = UserAccess(version=version)
    grants: dict[int, list[tuple[frozenset[str], str, str]]] = defaultdict(list)
    for ct_id, actions, scope, role_name in RoleGrant.objects.filter(role__users=user).values_list(
        "content_type_id", "actions", "scope", "role__name"
    ):
        grants[ct_id].append((frozenset(actions or ()), scope, role_name))
    access.grants = dict(grants)
    if not user.is_superuser:
        kept_on(user).pop("_perm_cache", None)
        access.permissions = frozenset(ModelBackend().get_all_permissions(user))
    return access


def _access(user: Any) -> UserAccess:
    """``user``'s snapshot: from the user object (this request), the cache, or built and cached."""
    cached = kept_on(user).get("_guanxi_access")
    if cached is not None:
        return cached
    version = org_version()
    key = snapshot_key(user.pk, version)
    access = cache.get(key)
    if not isinstance(access, UserAccess):
        access = _build(user, version)
        cache.set(key, access, SNAPSHOT_TTL)
    user._guanxi_access = access
    if access.permissions is not None and user.is_active:
        # ModelBackend reads this set before querying (has_perm, get_all_permissions).
        user._perm_cache = set(access.permissions)
    return access


def _loaded(user: Any, attr: str, compute: Callable[[Any], Any]) -> Any:
    """Part ``attr`` of the snapshot, computed on first use and written back to the cache."""
    access = _access(user)
    value = getattr(access, attr)
    if value is None:
        value = compute(user)
        setattr(access, attr, value)
        cache.set(snapshot_key(user.pk, access.version), access, SNAPSHOT_TTL)
    return value


def forget_access(user: Any) -> None:
    """Drop the snapshot a user object carries (after changing that user in the same request)."""
    for attr in ("_guanxi_access", "_guanxi_parts", "_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        kept_on(user).pop(attr, None)


def _field_rules(user: Any) -> dict[int, dict[str, dict[str, str]]]:
    from guanxi.users.models import FieldRule

    rules: dict[int, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    for ct_id, role_name, field_name, rule in FieldRule.objects.filter(role__users=user).values_list(
        "content_type_id", "role__name", "field_name", "access"
    ):
        rules[ct_id][role_name][field_name] = rule
    return {ct: dict(by_role) for ct, by_role in rules.items()}


def _share_levels(user: Any) -> dict[int, frozenset[str]]:
    from guanxi.core.models import RecordShare

    levels: dict[int, set[str]] = defaultdict(set)
    for ct_id, level in (
        RecordShare.objects.filter(user=user).values_list("content_type_id", "access").distinct()
    ):
        levels[ct_id].add(level)
    return {ct: frozenset(found) for ct, found in levels.items()}


def _shared_ids(user: Any, ct_id: int) -> SharedIds | None:
    """The user's shared rows of one type, read once per snapshot (None: too many for a list)."""
    access = _access(user)
    # (a snapshot pickled before the field existed has none: sales.0004 bumps the version anyway)
    known = access.__dict__.setdefault("share_ids", {})
    if ct_id in known:
        return known[ct_id]
    from guanxi.core.models import RecordShare

    rows = list(
        RecordShare.objects.filter(user_id=user.pk, content_type_id=ct_id).values_list("object_id", "access")[
            : SHARE_IDS_LIMIT + 1
        ]
    )
    found = None
    if len(rows) <= SHARE_IDS_LIMIT:
        found = SharedIds(
            tuple(sorted(pk for pk, _a in rows)), tuple(sorted(pk for pk, a in rows if a == "write"))
        )
    known[ct_id] = found
    cache.set(snapshot_key(user.pk, access.version), access, SNAPSHOT_TTL)
    return found


def _subordinates(user: Any) -> list[int]:
    from guanxi.users.models import User

    reports: dict[int, list[int]] = defaultdict(list)
    for pk, manager_id in User.objects.filter(manager__isnull=False).values_list("pk", "manager_id"):
        reports[manager_id].append(pk)
    found: list[int] = []
    seen = {user.pk}
    frontier = [user.pk]
    while frontier:
        nxt = []
        for manager in frontier:
            for pk in reports.get(manager, ()):
                if pk not in seen:
                    seen.add(pk)
                    found.append(pk)
                    nxt.append(pk)
        frontier = nxt
    return found


def _subtree(user: Any) -> list[int]:
    from guanxi.users.models import Department

    if user.department_id is None:
        return []
    # One query: the subtree of the department whose path the subquery reads.
    own_path = Department.objects.filter(pk=user.department_id).values("path")[:1]
    return list(
        Department.objects.filter(path__startswith=models.Subquery(own_path)).values_list("pk", flat=True)
    )


def subordinate_ids(user: Any) -> list[int]:
    """Ids of everyone reporting to ``user`` directly or indirectly (not ``user`` itself)."""
    return _loaded(user, "subordinate_ids", _subordinates)


def subtree_department_ids(user: Any) -> list[int]:
    """Ids of ``user``'s department and every department below it."""
    return _loaded(user, "subtree_ids", _subtree)


def access_parent_of(model: type[models.Model]) -> tuple[str, type[models.Model]] | None:
    """(fk name, parent model) when ``model`` takes its access from a parent record."""
    name = getattr(model, "access_parent", None)
    if not name:
        return None
    return name, model._meta.get_field(name).related_model  # type: ignore[return-value]


def access_kind(model: type[models.Model]) -> str | None:
    """How ``model`` is scoped: "owned", "child", "reference" — None when it declares nothing."""
    if getattr(model, "access_owner_field", None) or getattr(model, "access_department_field", None):
        return "owned"
    if getattr(model, "access_parent", None):
        return "child"
    if getattr(model, "access_reference_data", False):
        return "reference"
    return None


def scope_q(user: Any, model: type[models.Model], scope: str, prefix: str = "") -> models.Q | None:
    """The row condition of one scope for ``user`` on ``model``; None means every row.

    ``prefix`` re-roots the lookups (``customer__``) when ``model`` is the parent of the queried one.
    """
    owner_field = getattr(model, "access_owner_field", None)
    dept_field = getattr(model, "access_department_field", None)
    if owner_field is None and dept_field is None:
        if getattr(model, "access_reference_data", False):
            return None
        raise ImproperlyConfigured(
            f"{model._meta.label} declares no owner/department column, no access_parent and is not "
            "declared access_reference_data: its rows cannot be scoped."
        )
    if scope == "all":
        return None
    if scope == "own":
        return models.Q(**{prefix + owner_field: user.pk}) if owner_field else NOTHING
    if scope == "own_subordinates":
        return (
            models.Q(**{f"{prefix}{owner_field}__in": [user.pk, *subordinate_ids(user)]})
            if owner_field
            else NOTHING
        )
    if scope == "department":
        if dept_field and user.department_id:
            return models.Q(**{prefix + dept_field: user.department_id})
        return NOTHING
    if scope == "department_tree":
        ids = subtree_department_ids(user)
        return models.Q(**{f"{prefix}{dept_field}__in": ids}) if dept_field and ids else NOTHING
    return NOTHING


def _holds_shares(user: Any, model: type[models.Model], action: str) -> int | None:
    """The content type id of ``model`` when the user holds a share counting for ``action`` on a
    row of it (the snapshot's share levels: no query once loaded), else None."""
    if getattr(model, "access_owner_field", None) is None or action not in ("view", "change", "export"):
        return None
    ct_id = ContentType.objects.get_for_model(model).pk
    wanted = {"write"} if action == "change" else {"read", "write"}
    if not (_loaded(user, "share_levels", _share_levels).get(ct_id, frozenset()) & wanted):
        return None
    return ct_id


def shared_q(user: Any, model: type[models.Model], action: str, prefix: str = "") -> models.Q | None:
    """Rows shared with ``user``: read shares count for viewing, write shares also for changing.

    Added only when the snapshot says the user holds a share of that level on the type at all: a
    literal ``pk IN (…)`` of the shared rows (the snapshot's ``share_ids``), or an ``EXISTS`` on the
    share table (index ``user, content_type, object_id``) when they are too many for a list.
    """
    ct_id = _holds_shares(user, model, action)
    if ct_id is None:
        return None
    ids = _shared_ids(user, ct_id)
    if ids is not None:
        chosen = ids.change if action == "change" else ids.view
        return models.Q(**{f"{prefix}pk__in": chosen}) if chosen else None
    from guanxi.core.models import RecordShare

    shares = RecordShare.objects.filter(
        user_id=user.pk, content_type_id=ct_id, object_id=models.OuterRef(f"{prefix}pk")
    )
    if action == "change":
        shares = shares.filter(access="write")
    return models.Q(models.Exists(shares))


def reroot_q(q: models.Q, prefix: str) -> models.Q:
    """``q`` with every lookup prefixed (``pool_id`` → ``customer__pool_id``): a parent's condition
    applied from a child through the foreign key path."""
    if not prefix:
        return q
    out = models.Q()
    out.connector, out.negated = q.connector, q.negated
    for child in q.children:
        if isinstance(child, models.Q):
            out.children.append(reroot_q(child, prefix))
        elif isinstance(child, tuple):
            out.children.append((prefix + child[0], child[1]))
        else:
            raise TypeError(f"Cannot re-root {child!r} through {prefix!r}: return lookups, not expressions.")
    return out


class RoleScopePolicy(AccessPolicy):
    """Roles × entity types × actions × data scope, plus record shares and field rules."""

    def _active(self, user: Any) -> bool:
        if not (user is not None and user.is_authenticated and user.is_active):
            return False
        _access(user)  # load the snapshot first: it also answers Django's has_perm
        return True

    def _grants(self, user: Any, model: type[models.Model], action: str) -> list[tuple[str, str]]:
        ct = ContentType.objects.get_for_model(model)
        return [
            (scope, role) for actions, scope, role in _access(user).grants.get(ct.pk, ()) if action in actions
        ]

    def snapshot_part(self, user: Any, name: str) -> Any:
        if not (user is not None and user.is_authenticated and user.pk):
            return super().snapshot_part(user, name)
        access = _access(user)
        if name not in access.parts:  # computed on first use, then cached with the snapshot
            access.parts[name] = snapshot_parts()[name](user)
            cache.set(snapshot_key(user.pk, access.version), access, SNAPSHOT_TTL)
        return access.parts[name]

    def manages_team(self, user: Any) -> bool:
        """People report to ``user``, or a role gives them a team-wide scope (本人及下属,
        本部门及下属部门) on some type: they lead a team, whatever their roles are called."""
        if not self._active(user):
            return False
        team_scopes = {"own_subordinates", "department_tree"}
        if any(scope in team_scopes for grants in _access(user).grants.values() for _a, scope, _r in grants):
            return True
        return bool(subordinate_ids(user))

    def has_model_permission(self, user: Any, model: type[models.Model], action: str) -> bool:
        if not self._active(user):
            return False
        if user.is_superuser or user.has_perm(permission_name(model, action)):
            return True
        parent = access_parent_of(model)
        if parent is not None:
            return self.has_model_permission(user, parent[1], PARENT_ACTIONS.get(action, action))
        if self._grants(user, model, action):
            return True
        # A row shared with the user lets them open it even without a grant on the type.
        return action in ("view", "change") and _holds_shares(user, model, action) is not None

    def row_condition(
        self, user: Any, model: type[models.Model], action: str, prefix: str = ""
    ) -> models.Q | None:
        """The rows of ``model`` ``user`` may ``action`` as one ``Q`` (None: every row), its lookups
        prefixed with ``prefix`` when a child record asks through its foreign key."""
        if user.is_superuser or user.has_perm(permission_name(model, action)):
            return None
        parent = access_parent_of(model)
        if parent is not None:
            # One join: the parent's own condition, re-rooted through the foreign key.
            name, parent_model = parent
            return self.row_condition(
                user, parent_model, PARENT_ACTIONS.get(action, action), f"{prefix}{name}__"
            )
        condition = NOTHING
        grants = self._grants(user, model, action)
        for scope, _role in grants:
            q = scope_q(user, model, scope, prefix)
            if q is None:
                return None
            condition |= q
        extra = extra_row_access(user, model, action) if grants else None
        if extra is not None:
            condition |= reroot_q(extra, prefix)  # rows a module opens to granted users (pools…)
        shared = shared_q(user, model, action, prefix)
        if shared is not None:
            condition |= shared
        return condition

    def scope_condition(self, user: Any, model: type[models.Model], action: str) -> models.Q | None:
        """The OR of the user's granted scopes for ``action`` on ``model`` (no shares, no extensions)."""
        if not self._active(user):
            return NOTHING
        if user.is_superuser or user.has_perm(permission_name(model, action)):
            return None
        condition = NOTHING
        for scope, _role in self._grants(user, model, action):
            q = scope_q(user, model, scope)
            if q is None:
                return None
            condition |= q
        return condition

    def filter_queryset[QS: models.QuerySet](self, user: Any, queryset: QS, action: str) -> QS:
        if not self._active(user):
            return queryset.none()
        condition = self.row_condition(user, queryset.model, action)
        return queryset if condition is None else queryset.filter(condition)

    def owner_condition(self, user: Any, model: type[models.Model]) -> models.Q | None:
        """The users a row of ``model`` may be given to and stay visible to ``user``: each of the
        user's view scopes on ``model`` read on the user table (a user is their own owner and the
        row's department follows its owner's), so 本人 offers oneself, 本部门 one's colleagues,
        本部门及下属部门 the subtree and 全部 everyone. None means anyone."""
        if not self._active(user):
            return NOTHING
        if user.is_superuser or user.has_perm(permission_name(model, "view")):
            return None
        from guanxi.users.models import User

        condition = NOTHING
        for scope, _role in self._grants(user, model, "view"):
            q = scope_q(user, User, scope)
            if q is None:
                return None
            condition |= q
        return condition

    def field_rules(self, user: Any, model: type[models.Model]) -> dict[str, str]:
        """Field → hidden/readonly/masked for ``user``: a field is restricted only if every role that
        lets the user view the type restricts it, and then by the least restrictive such rule."""
        if not self._active(user) or user.is_superuser or user.has_perm(permission_name(model, "view")):
            return {}
        ct = ContentType.objects.get_for_model(model)
        viewing_roles = {role for _scope, role in self._grants(user, model, "view")}
        if not viewing_roles:
            return {}
        # A rule stored under a money column (``amount_amount``, before the role editor listed a
        # money field once) counts as the field's (``amount``): the strictest of a role's wins.
        by_role = {
            role: canonical_rules(model, rules)
            for role, rules in _loaded(user, "field_rules", _field_rules).get(ct.pk, {}).items()
        }
        result: dict[str, str] = {}
        fields = set().union(*(by_role.get(role, {}).keys() for role in viewing_roles))
        for name in fields:
            rules = [by_role.get(role, {}).get(name) for role in viewing_roles]
            restricting = [rule for rule in rules if rule is not None]
            if len(restricting) < len(rules):
                continue  # one role shows the field plainly: the union shows it
            result[name] = min(restricting, key=lambda r: STRICTNESS[r])
        return result

    def explain(self, user: Any, obj: models.Model, action: str) -> tuple[bool, list[str]]:
        """Whether ``user`` may do ``action`` on ``obj``, and why, in sentences an admin can read."""
        model = type(obj)
        meta = model._meta
        reasons: list[str] = []
        if not self._active(user):
            return False, [_("The user is inactive or not signed in.")]
        if user.is_superuser:
            return True, [_("%(user)s is a system administrator (superuser).") % {"user": user}]
        if user.has_perm(permission_name(model, action)):
            return True, [
                _("%(user)s holds the permission “%(perm)s” directly, which covers every record.")
                % {"user": user, "perm": permission_name(model, action)}
            ]
        parent = access_parent_of(model)
        if parent is not None:
            parent_obj = getattr(obj, parent[0])
            allowed, reasons = self.explain(user, parent_obj, PARENT_ACTIONS.get(action, action))
            follows = _("%(model)s follow the access of their %(parent)s “%(object)s”.") % {
                "model": meta.verbose_name_plural,
                "parent": parent[1]._meta.verbose_name,
                "object": parent_obj,
            }
            return allowed, [follows, *reasons]
        allowed = False
        scope_labels = dict(_scope_choices())
        from guanxi.users.services.access import ACTION_LABELS

        verb = str(ACTION_LABELS.get(action, action))
        for scope, role in self._grants(user, model, action):
            q = scope_q(user, model, scope)
            inside = q is None or model._default_manager.filter(q, pk=obj.pk).exists()
            allowed = allowed or inside
            reasons.append(
                _("Role “%(role)s” grants %(action)s on %(model)s with scope %(scope)s: %(verdict)s.")
                % {
                    "role": role,
                    "action": verb,
                    "model": meta.verbose_name_plural,
                    "scope": scope_labels[scope],
                    "verdict": _("this record is inside it") if inside else _("this record is outside it"),
                }
            )
        extra = extra_row_access(user, model, action) if reasons else None
        if extra is not None and model._default_manager.filter(extra, pk=obj.pk).exists():
            allowed = True
            reasons.append(
                _("A module opens this record to %(user)s (for example a public pool).") % {"user": user}
            )
        shared = shared_q(user, model, action)
        if shared is not None and model._default_manager.filter(shared, pk=obj.pk).exists():
            allowed = True
            reasons.append(_("The record is shared with %(user)s.") % {"user": user})
        if not reasons:
            reasons.append(
                _("None of %(user)s's roles grants %(action)s on %(model)s.")
                % {"user": user, "action": verb, "model": meta.verbose_name_plural}
            )
        owner = getattr(obj, "owner", None)
        department = getattr(obj, "department", None)
        if owner is not None or department is not None:
            reasons.append(
                _("The record is owned by %(owner)s in %(department)s.")
                % {"owner": owner or "—", "department": department or "—"}
            )
        return allowed, reasons


def _scope_choices() -> list[tuple[str, StrOrPromise]]:
    from guanxi.users.models import DataScope

    return list(DataScope.choices)
