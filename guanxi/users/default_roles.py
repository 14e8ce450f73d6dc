"""The shipped default roles and how the entity registry's default grants reach them.

The seven roles are created by migration ``users.0003_default_roles`` (and again by
``ensure_default_roles`` after a database flush); each carries a stable ``code``. What each role
may do with an entity type is declared with the entity (``EntityType(grants=..., field_rules=...)``
in ``guanxi/<app>/entities.py``) and given to the roles by :func:`apply_registry_defaults` after
every ``migrate`` — once per role and entity (``AppliedDefault``), so an administrator's later
edits stand and no app writes a grant migration.
"""

from __future__ import annotations

from typing import Any

ALL_ACTIONS = ["view", "add", "change", "delete", "export", "import", "assign", "reveal"]
READ = ["view", "export"]

# code, name, English name, description
ROLES = [
    ("admin", "系统管理员", "System administrator", "配置组织、角色、字段和系统设置；可见全部数据"),
    ("sales_director", "销售总监", "Sales director", "管理整个销售中心的数据与团队"),
    ("sales_manager", "销售经理", "Sales manager", "管理本部门及下属部门的客户与商机"),
    ("sales_rep", "销售代表", "Sales representative", "跟进自己负责的客户、线索与商机"),
    ("service_agent", "客服", "Service agent", "处理工单与回访，查看客户资料"),
    ("marketing", "市场", "Marketing", "管理营销活动、线索与标签"),
    ("read_only", "只读", "Read-only", "查看全部数据，不能修改"),
    ("finance", "财务", "Finance", "登记与确认回款，审批开票申请并开具发票"),
]
ROLE_CODE_BY_NAME = {name: code for code, name, _en, _d in ROLES}


def create_default_roles(apps: Any, schema_editor: Any) -> None:
    """Create the shipped roles (migration 0003; codes are set by 0006 and by ``ensure_default_roles``)."""
    Role = apps.get_model("users", "Role")
    for _code, name, name_en, description in ROLES:
        Role.objects.get_or_create(
            name=name, defaults={"name_en": name_en, "description": description, "is_system": True}
        )


def ensure_default_roles(**kwargs: Any) -> None:
    """``post_migrate``: recreate the default roles when the role table is empty (after a flush —
    the way Django restores content types), then give them the registry's defaults not yet given.
    Never touches an existing role's edited grants."""
    from django.apps import apps as global_apps

    from guanxi.framework.context import Source, actor_context

    Role = global_apps.get_model("users", "Role")
    AppliedDefault = global_apps.get_model("users", "AppliedDefault")
    with actor_context(None, source=Source.SYSTEM):
        if not Role.objects.exists():
            AppliedDefault.objects.all().delete()  # new roles hold none of the defaults yet
            # Seeding, like the grants below: the shipped configuration, inserted without change-log
            # entries or events (a flush in a test, or a fresh install, is nobody's edit).
            Role.objects.bulk_create(
                Role(code=code, name=name, name_en=name_en, description=description, is_system=True)
                for code, name, name_en, description in ROLES
            )
            from guanxi.users.access_version import bump_org_version

            bump_org_version()  # bulk_create sends no signal to the access watchers
        apply_registry_defaults()


def apply_registry_defaults() -> int:
    """Give the shipped roles (by code) every registry grant and field rule not given before.

    Returns how many defaults were applied. A role an administrator deleted gets nothing; a
    default once applied (``AppliedDefault``) is never applied again.
    """
    from django.contrib.contenttypes.models import ContentType

    from guanxi.framework.entities import entity_types
    from guanxi.users.access_version import bump_org_version
    from guanxi.users.models import AppliedDefault, FieldRule, Role, RoleGrant

    roles = {r.code: r for r in Role.objects.exclude(code=None).exclude(code="")}
    if not roles:
        return 0
    entities = entity_types()
    content_types = ContentType.objects.get_for_models(*[e.model for e in entities])
    applied = set(AppliedDefault.objects.values_list("key", flat=True))
    grants_held = set(RoleGrant.objects.values_list("role_id", "content_type_id"))
    new_keys: list[str] = []
    new_grants: list[RoleGrant] = []
    new_rules: list[FieldRule] = []
    for entity in entities:
        ct = content_types[entity.model]
        for code, grant in entity.grants.items():
            key = f"grant:{code}:{entity.label}"
            role = roles.get(code)
            if key in applied or role is None:
                continue
            new_keys.append(key)
            if (role.pk, ct.pk) not in grants_held:  # else set by hand before the registry knew it
                new_grants.append(
                    RoleGrant(role=role, content_type=ct, actions=list(grant.actions), scope=grant.scope)
                )
        for code, fields in entity.field_rules.items():
            role = roles.get(code)
            for field_name, access in fields.items():
                key = f"field:{code}:{entity.label}.{field_name}"
                if key in applied or role is None:
                    continue
                new_keys.append(key)
                new_rules.append(FieldRule(role=role, content_type=ct, field_name=field_name, access=access))
    # Seeding, like a data migration: the rows are the shipped configuration, not a user's edit,
    # so they are inserted in bulk without change-log entries or events.
    RoleGrant.objects.bulk_create(new_grants)
    FieldRule.objects.bulk_create(new_rules, ignore_conflicts=True)
    if new_keys:
        AppliedDefault.objects.bulk_create([AppliedDefault(key=k) for k in new_keys], ignore_conflicts=True)
        bump_org_version()
    return len(new_keys)
