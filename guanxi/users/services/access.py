"""Use cases of the organisation and access module: roles, field rules, departments, users, sharing.

Every function is verb-first with a keyword-only ``actor``, runs in one transaction and raises
``django.core.exceptions.ValidationError`` keyed by field (``actions``, ``scope``, ``field_rules``,
``parent``, ``user``, ``access``…) or ``PermissionDenied``. Writes happen inside the caller's actor
context (a request, task or command opens one), so each lands in the change log with its actor.

Which entity types a role can be granted is decided here (``grantable_models``): every model with
``objects.restrict`` except internal bookkeeping, listed in ``INTERNAL_MODELS`` with the reason.
A model can also opt out by itself with ``access_grantable = False``; a child record declaring
``access_parent`` is never granted on its own (it follows its parent).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.framework.access import can, kept_on
from guanxi.framework.fieldaccess import rule_name
from guanxi.framework.models import BaseModel, CustomFieldsMixin, OwnerMixin
from guanxi.users.access import forget_access, subordinate_ids
from guanxi.users.access_version import bump_org_version
from guanxi.users.models import DataScope, Department, FieldAccess, FieldRule, Role, RoleGrant, User
from guanxi.users.models.departments import PATH_STEP

# Models a role is never granted directly, with why:
INTERNAL_MODELS = frozenset(
    {
        "core.objectchange",  # history: visible through the record it belongs to
        "core.auditevent",  # security log: superusers only
        "core.searchentry",  # search index rows: results go through each model's restrict()
        "core.job",  # a user's own background jobs
        "core.notification",  # a user's own inbox
        "core.workerheartbeat",  # worker liveness bookkeeping
        "core.schedulestate",  # scheduler bookkeeping
        "core.recordshare",  # managed from the record's team card
        "core.taggeditem",  # tag links: follow the tagged record
        "core.savedview",  # personal list settings
        "core.attachment",  # files: follow the record they are attached to
        "users.rolegrant",  # edited as part of a role
        "users.fieldrule",  # edited as part of a role
        "users.apitoken",  # personal credentials
    }
)

BASE_ACTIONS = ("view", "add", "change", "delete", "export", "import")
ACTION_LABELS = {
    "view": gettext_lazy("View"),
    "add": gettext_lazy("Create"),
    "change": gettext_lazy("Edit"),
    "delete": gettext_lazy("Delete"),
    "export": gettext_lazy("Export"),
    "import": gettext_lazy("Import"),
    "assign": gettext_lazy("Assign"),
    "reveal": gettext_lazy("Reveal masked"),
}
# Field access as a select offers it: "" means visible (no rule stored).
VISIBLE = ""


def _label(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def grantable_models() -> list[type[models.Model]]:
    """Entity types a role can hold grants on, in app then verbose-name order."""
    found = [
        m
        for m in apps.get_models()
        if (issubclass(m, BaseModel) or hasattr(getattr(m, "objects", None), "restrict"))
        and _label(m) not in INTERNAL_MODELS
        and getattr(m, "access_grantable", True) is not False
        and not getattr(m, "access_parent", None)  # child records follow their parent's grants
    ]
    return sorted(found, key=lambda m: (m._meta.app_label, str(m._meta.verbose_name)))


def model_actions(model: type[models.Model]) -> list[tuple[str, str]]:
    """(action, label) a role can grant on ``model``: the standard verbs, ``assign`` for owned records,
    ``reveal`` (see a masked value in full), and each custom ``<action>_<model>`` codename of
    ``Meta.permissions`` (approve, claim, merge…)."""
    out = [(a, str(ACTION_LABELS[a])) for a in BASE_ACTIONS]
    if issubclass(model, OwnerMixin):
        out.append(("assign", str(ACTION_LABELS["assign"])))
    # Seeing one masked value in full (audited) applies to any type with field rules.
    out.append(("reveal", str(ACTION_LABELS["reveal"])))
    suffix = f"_{model._meta.model_name}"
    for codename, name in getattr(model._meta, "permissions", ()) or ():
        if codename.endswith(suffix):
            action = codename[: -len(suffix)]
            if action not in dict(out):
                out.append((action, str(name)))
    return out


def rule_fields(model: type[models.Model]) -> list[tuple[str, str]]:
    """(name, label) of the fields a field rule can restrict: editable concrete fields, a money
    field once under its own name and label (``amount`` 金额, not its ``amount_amount`` /
    ``amount_currency`` columns: ``fieldaccess.rule_name``), then custom fields as ``cf_<name>``."""
    from guanxi.framework.moneyfields import money_field

    skip = {"id", "custom_field_data", "password"}
    out: list[tuple[str, str]] = []
    for f in model._meta.concrete_fields:
        if not f.editable or f.name in skip:
            continue
        name = rule_name(model, f.name)
        if name == f.name:
            out.append((f.name, str(f.verbose_name)))
        elif name not in dict(out):
            out.append((name, str(money_field(model, name).verbose_name)))  # type: ignore[union-attr]
    if issubclass(model, CustomFieldsMixin):
        from guanxi.framework.customfields import fields_for

        out += [(f"cf_{cf.name}", str(cf.display_label)) for cf in fields_for(model)]
    return out


def _require(actor: Any, action: str, model: type[models.Model]) -> None:
    """Refuse a human actor without the grant; ``None`` is the system (commands, migrations)."""
    if actor is not None and not can(actor, action, model):
        raise PermissionDenied(_("You do not have permission to do this."))


def _forget_access(user: Any) -> None:
    """Drop the access snapshot a user object we just changed carries (other users' snapshots
    follow the organisation version, bumped by every service below)."""
    forget_access(user)
    kept_on(user).pop("_guanxi_field_rules", None)


# --- roles ----------------------------------------------------------------------------------


def save_role_grants(
    role: Role, grants: Mapping[ContentType, tuple[Iterable[str], str]], *, actor: Any
) -> list[RoleGrant]:
    """Set ``role``'s actions and data scope on each given entity type; other types are untouched.

    Empty actions remove the type's grant. Only rows that really change are written, so the
    role's history shows exactly what an administrator changed. Every action needs ``view``.
    """
    _require(actor, "change", Role)
    scopes = {s.value for s in DataScope}
    saved: list[RoleGrant] = []
    grantable = set(grantable_models())
    with transaction.atomic():
        existing = {g.content_type_id: g for g in RoleGrant.objects.filter(role=role)}
        for ct, (actions, scope) in grants.items():
            model = ct.model_class()
            if model is None or model not in grantable:
                raise ValidationError({"actions": _("“%(type)s” cannot be granted.") % {"type": ct.model}})
            allowed = [a for a, _label in model_actions(model)]
            wanted = set(actions)
            chosen = [a for a in allowed if a in wanted]  # stored in the matrix's column order
            unknown = sorted(wanted - set(allowed))
            name = model._meta.verbose_name_plural
            if unknown:
                raise ValidationError(
                    {
                        "actions": _("Unknown action “%(action)s” on %(type)s.")
                        % {"action": unknown[0], "type": name}
                    }
                )
            if scope not in scopes:
                raise ValidationError(
                    {"scope": _("Choose a valid data scope for %(type)s.") % {"type": name}}
                )
            if chosen and "view" not in chosen:
                raise ValidationError(
                    {"actions": _("Every action on %(type)s needs “View” too.") % {"type": name}}
                )
            grant = existing.get(ct.pk)
            if not chosen:
                if grant is not None:
                    grant.delete()
                continue
            if grant is None:
                grant = RoleGrant.objects.create(role=role, content_type=ct, actions=chosen, scope=scope)
            elif list(grant.actions) != chosen or grant.scope != scope:
                grant.actions, grant.scope = chosen, scope
                grant.save(update_fields=["actions", "scope"])
            saved.append(grant)
        bump_org_version()
    return saved


def save_field_rules(
    role: Role, rules: Mapping[ContentType, Mapping[str, str | None]], *, actor: Any
) -> list[FieldRule]:
    """Set ``role``'s field rules per entity type: field → ``hidden``/``readonly``/``masked``, or
    empty for visible (which removes the rule). Fields not named keep their rule."""
    _require(actor, "change", Role)
    accesses = {a.value for a in FieldAccess}
    saved: list[FieldRule] = []
    grantable = set(grantable_models())
    with transaction.atomic():
        for ct, by_field in rules.items():
            model = ct.model_class()
            if model is None or model not in grantable:
                raise ValidationError(
                    {"field_rules": _("“%(type)s” cannot be granted.") % {"type": ct.model}}
                )
            valid = dict(rule_fields(model))
            existing = {r.field_name: r for r in FieldRule.objects.filter(role=role, content_type=ct)}
            for given_name, access in by_field.items():
                # a client still naming a money column (``amount_amount``) sets the field's rule
                field_name = rule_name(model, given_name)
                if field_name not in valid:
                    raise ValidationError(
                        {
                            "field_rules": _("%(type)s has no field “%(field)s”.")
                            % {"type": model._meta.verbose_name_plural, "field": field_name}
                        }
                    )
                access = access or VISIBLE
                if access != VISIBLE and access not in accesses:
                    raise ValidationError(
                        {"field_rules": _("“%(access)s” is not a field access.") % {"access": access}}
                    )
                rule = existing.get(field_name)
                if access == VISIBLE:
                    if rule is not None:
                        rule.delete()
                elif rule is None:
                    saved.append(
                        FieldRule.objects.create(
                            role=role, content_type=ct, field_name=field_name, access=access
                        )
                    )
                else:
                    if rule.access != access:
                        rule.access = access
                        rule.save(update_fields=["access"])
                    saved.append(rule)
        bump_org_version()
    return saved


def assign_roles(user: User, roles: Iterable[Role], *, actor: Any) -> None:
    """Give ``user`` exactly ``roles``; the membership change is logged on the user."""
    _require(actor, "change", User)
    with transaction.atomic():
        user.roles.set(list(roles))
        bump_org_version()
    _forget_access(user)


# --- users ----------------------------------------------------------------------------------


def deactivate_user(user: User, *, actor: Any) -> User:
    """Stop ``user`` signing in. Records they own, shares and all history stay as they are."""
    _require(actor, "change", User)
    if actor is not None and actor.pk == user.pk:
        raise ValidationError({"is_active": _("You cannot deactivate yourself.")})
    with transaction.atomic():
        if (
            user.is_superuser
            and not User.objects.filter(is_superuser=True, is_active=True).exclude(pk=user.pk).exists()
        ):
            raise ValidationError({"is_active": _("The last active administrator cannot be deactivated.")})
        if user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
            bump_org_version()
    return user


def reactivate_user(user: User, *, actor: Any) -> User:
    """Let a deactivated user sign in again, with the roles and records they had."""
    _require(actor, "change", User)
    with transaction.atomic():
        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
            bump_org_version()
    return user


# --- departments ----------------------------------------------------------------------------


def move_department(dept: Department, new_parent: Department | None, *, actor: Any) -> Department:
    """Put ``dept`` (and its whole subtree) under ``new_parent`` (None: top level).

    The subtree's materialised ``path`` and ``depth`` are rewritten in one UPDATE (prefix swap),
    so a move costs the same for 3 or 3,000 departments; the parent change itself is logged.
    """
    _require(actor, "change", Department)
    with transaction.atomic():
        dept = Department.objects.select_for_update().get(pk=dept.pk)
        if new_parent is not None:
            new_parent = Department.objects.get(pk=new_parent.pk)
            if new_parent.path.startswith(dept.path):
                raise ValidationError(
                    {"parent": _("A department cannot be moved under itself or one of its sub-departments.")}
                )
        if (new_parent.pk if new_parent else None) == dept.parent_id:
            return dept
        old_path = dept.path
        new_path = f"{new_parent.path if new_parent else ''}{dept.pk:0{PATH_STEP}d}."
        delta = (new_path.count(".") - 1) - dept.depth
        Department.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1), output_field=models.CharField()),
            depth=F("depth") + delta,
        )
        dept.parent = new_parent
        dept.path, dept.depth = new_path, dept.depth + delta
        dept.save(update_fields=["parent"])
        bump_org_version()  # the subtree's paths moved with one UPDATE, which sends no signal
    return dept


# --- team sharing ---------------------------------------------------------------------------


def shareable(model: type[models.Model]) -> bool:
    """Whether records of ``model`` have a record team (``core.RecordShare``): owned records, whose
    owner and the managers above the owner decide who else may see or edit them. The record's
    "Team" card, its API actions (``guanxi.framework.api.team``) and ``owner_id_of`` ask this."""
    return (
        isinstance(model, type)
        and issubclass(model, OwnerMixin)
        and bool(getattr(model, "access_owner_field", None))
    )


def owner_id_of(obj: models.Model) -> int | None:
    """The owner's user id of a shareable record (None: not shareable, or no owner now)."""
    if not shareable(type(obj)):
        return None
    return getattr(obj, type(obj).access_owner_field, None)  # type: ignore[attr-defined]


def can_manage_team(user: Any, obj: models.Model) -> bool:
    """The record's owner, anyone above the owner in the manager chain, and superusers."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    owner_id = owner_id_of(obj)
    if owner_id is None:
        return False
    return owner_id == user.pk or owner_id in subordinate_ids(user)


def require_team_manager(obj: models.Model, *, actor: Any) -> None:
    """Refuse (``PermissionDenied``) an actor who may not change the record's team; ``None`` is
    the system (commands, migrations)."""
    if actor is not None and not can_manage_team(actor, obj):
        raise PermissionDenied(_("Only the owner and their managers can change this record's team."))


def _shares_of(obj: models.Model) -> models.QuerySet:
    from guanxi.core.models import RecordShare

    return RecordShare.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


def as_team_listing(shares: models.QuerySet) -> models.QuerySet:
    """Record shares as a team is listed — by member name, each member's user and who added them
    joined — for one record (``team_members``) or for a page of records at once (the ``Prefetch``
    of an embedded ``team`` field, ``guanxi.framework.api.team.team_prefetch``): the same order
    and the same joins wherever a team is shown."""
    return shares.select_related("user", "created_by").order_by("user__name", "user__username")


def team_members(obj: models.Model) -> models.QuerySet:
    """The record's team in the order the Team card and the API list it (by name), with each
    member's user and who added them joined (one query for the whole team)."""
    return as_team_listing(_shares_of(obj))


def share_record(obj: models.Model, user: User, access: str, *, actor: Any) -> Any:
    """Add ``user`` to the record's team with ``read`` or ``write`` access (or change their access)."""
    from guanxi.core.models import RecordShare

    require_team_manager(obj, actor=actor)
    if access not in RecordShare.Access.values:
        raise ValidationError({"access": _("Choose “Can view” or “Can edit”.")})
    if not user.is_active:
        raise ValidationError({"user": _("%(user)s is deactivated.") % {"user": user}})
    if owner_id_of(obj) == user.pk:
        raise ValidationError({"user": _("%(user)s owns this record already.") % {"user": user}})
    from guanxi.framework.write import save_object

    with transaction.atomic():
        share = _shares_of(obj).filter(user=user).first()
        if share is None:
            content_type = ContentType.objects.get_for_model(obj)
            share = RecordShare(content_type=content_type, object_id=obj.pk, user=user, access=access)
            save_object(share, actor=actor, check_visible=False)  # the write path: guards, change log
        elif share.access != access:
            share.user = user  # the change log's label reads it: no second query for it
            share.access = access
            save_object(share, actor=actor, check_visible=False)
        bump_org_version()
    return share


def unshare_record(obj: models.Model, user: User, *, actor: Any) -> bool:
    """Remove ``user`` from the record's team; True if they were on it."""
    from guanxi.framework.write import delete_object

    require_team_manager(obj, actor=actor)
    with transaction.atomic():
        share = _shares_of(obj).filter(user=user).first()
        if share is None:
            return False
        share.user = user  # the change log's label reads it: no second query for it
        delete_object(share, actor=actor)  # the write path: guards, change log
        bump_org_version()
    return True
