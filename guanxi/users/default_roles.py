"""The shipped default roles (editable; created by migration ``users.0003_default_roles``).

Each later module's migration adds its own entity types to these roles by name with
``grant_default(apps, role_name, app_label, model, actions, scope)``, so a fresh install always
has working roles for every module.
"""

from __future__ import annotations

from typing import Any

ALL_ACTIONS = ["view", "add", "change", "delete", "export", "import", "assign", "reveal"]
READ = ["view", "export"]

# name, English name, description
ROLES = [
    ("系统管理员", "System administrator", "配置组织、角色、字段和系统设置；可见全部数据"),
    ("销售总监", "Sales director", "管理整个销售中心的数据与团队"),
    ("销售经理", "Sales manager", "管理本部门及下属部门的客户与商机"),
    ("销售代表", "Sales representative", "跟进自己负责的客户、线索与商机"),
    ("客服", "Service agent", "处理工单与回访，查看客户资料"),
    ("市场", "Marketing", "管理营销活动、线索与标签"),
    ("只读", "Read-only", "查看全部数据，不能修改"),
]

# role → [(app_label, model, actions, scope)] for the platform's own entity types
PLATFORM_GRANTS: dict[str, list[tuple[str, str, list[str], str]]] = {
    "系统管理员": [
        ("core", "objectchange", ["view", "export"], "all"),
        ("core", "auditevent", ["view", "export"], "all"),
    ]
    + [
        # "assign" (transfer owner) only exists on owned records: users are their own owners.
        (app, model, ALL_ACTIONS if model == "user" else [a for a in ALL_ACTIONS if a != "assign"], "all")
        for app, model in (
            ("core", "tag"),
            ("core", "customfield"),
            ("users", "user"),
            ("users", "department"),
            ("users", "role"),
        )
    ],
    "销售总监": [
        ("core", "tag", ["view", "add", "change", "delete", "export"], "all"),
        ("users", "user", READ, "department_tree"),
        ("users", "department", ["view"], "all"),
    ],
    "销售经理": [
        ("core", "tag", ["view", "add", "change", "export"], "all"),
        ("users", "user", READ, "department_tree"),
        ("users", "department", ["view"], "all"),
    ],
    "销售代表": [
        ("core", "tag", ["view"], "all"),
        ("users", "user", ["view"], "department"),
        ("users", "department", ["view"], "all"),
    ],
    "客服": [
        ("core", "tag", ["view"], "all"),
        ("users", "user", ["view"], "department"),
        ("users", "department", ["view"], "all"),
    ],
    "市场": [
        ("core", "tag", ["view", "add", "change", "delete", "export"], "all"),
        ("users", "user", ["view"], "department"),
        ("users", "department", ["view"], "all"),
    ],
    "只读": [
        ("core", "tag", READ, "all"),
        ("users", "user", READ, "all"),
        ("users", "department", ["view"], "all"),
    ],
}


# Grants modules add to the default roles: (app_label, model, {role: (actions, scope)}). Each
# module's data migration applies them once; ``ensure_default_roles`` applies them again after a
# flush. Register from the module's AppConfig.ready() with ``register_module_grants``.
MODULE_GRANTS: list[tuple[str, str, dict[str, tuple[list[str], str]]]] = []


def register_module_grants(
    app_label: str, models: list[str], grants: dict[str, tuple[list[str], str]]
) -> None:
    for model in models:
        if not any(a == app_label and m == model for a, m, _g in MODULE_GRANTS):
            MODULE_GRANTS.append((app_label, model, grants))


def apply_module_grants(
    apps: Any, app_label: str, grants: dict[str, tuple[list[str], str]], models: list[str]
) -> None:
    """For a module's data migration: give the default roles its grants."""
    for model in models:
        for role_name, (actions, scope) in grants.items():
            grant_default(apps, role_name, app_label, model, list(actions), scope)


def grant_default(
    apps: Any, role_name: str, app_label: str, model: str, actions: list[str], scope: str
) -> None:
    """Give a default role a grant on one entity type (for data migrations; idempotent)."""
    Role = apps.get_model("users", "Role")
    RoleGrant = apps.get_model("users", "RoleGrant")
    ContentType = apps.get_model("contenttypes", "ContentType")
    role = Role.objects.filter(name=role_name).first()
    if role is None:  # renamed or deleted by an administrator: respect that
        return
    ct, _created = ContentType.objects.get_or_create(app_label=app_label, model=model)
    RoleGrant.objects.update_or_create(
        role=role, content_type=ct, defaults={"actions": actions, "scope": scope}
    )


def create_default_roles(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("users", "Role")
    for name, name_en, description in ROLES:
        Role.objects.get_or_create(
            name=name, defaults={"name_en": name_en, "description": description, "is_system": True}
        )
    for role_name, grants in PLATFORM_GRANTS.items():
        for app_label, model, actions, scope in grants:
            grant_default(apps, role_name, app_label, model, actions, scope)


def ensure_default_roles(**kwargs: Any) -> None:
    """Recreate the default roles when the role table is empty (``post_migrate``).

    The migration creates them once; this handler puts them back after a database flush (test
    isolation, ``manage.py flush``) — the same way Django restores content types and permissions.
    It never touches existing roles, so an administrator's edits survive every ``migrate``.
    """
    from django.apps import apps as global_apps

    from guanxi.framework.context import Source, actor_context

    Role = global_apps.get_model("users", "Role")
    if Role.objects.exists():
        return
    with actor_context(None, source=Source.SYSTEM):
        create_default_roles(global_apps, None)
        for app_label, model, grants in MODULE_GRANTS:
            if global_apps.is_installed(f"guanxi.{app_label}"):
                apply_module_grants(global_apps, app_label, grants, [model])
        for app_label, model, rules in MODULE_FIELD_RULES:
            if global_apps.is_installed(f"guanxi.{app_label}"):
                apply_module_field_rules(global_apps, app_label, model, rules)


# Field rules modules ship on the default roles: (app_label, model, {role: {field: access}}).
# Like MODULE_GRANTS: a module's data migration applies them once, ``ensure_default_roles``
# again after a flush. Register from AppConfig.ready() with ``register_module_field_rules``.
MODULE_FIELD_RULES: list[tuple[str, str, dict[str, dict[str, str]]]] = []


def register_module_field_rules(app_label: str, model: str, rules: dict[str, dict[str, str]]) -> None:
    if not any(a == app_label and m == model for a, m, _r in MODULE_FIELD_RULES):
        MODULE_FIELD_RULES.append((app_label, model, rules))


def apply_module_field_rules(apps: Any, app_label: str, model: str, rules: dict[str, dict[str, str]]) -> None:
    """For a module's data migration: give the default roles its field rules (idempotent)."""
    Role = apps.get_model("users", "Role")
    FieldRule = apps.get_model("users", "FieldRule")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ct, _created = ContentType.objects.get_or_create(app_label=app_label, model=model)
    for role_name, fields in rules.items():
        role = Role.objects.filter(name=role_name).first()
        if role is None:
            continue
        for field_name, access in fields.items():
            FieldRule.objects.get_or_create(
                role=role, content_type=ct, field_name=field_name, defaults={"access": access}
            )
