"""The foundation's demo steps: 星河科技's departments, people, roles and tags.

The personas in ``PERSONAS`` have fixed usernames that the README, scripts and tests rely on;
the other colleagues are generated (Chinese names from Faker, usernames from their pinyin).
Steps only create what is missing and never overwrite a row someone has since edited.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from pypinyin import lazy_pinyin

from guanxi.demo.generator import DemoContext, register_demo_step

EMAIL_DOMAIN = "xinghe.example.com"

# key, name, English name, parent key
DEPARTMENTS = [
    ("hq", "总部", "Headquarters", None),
    ("sales", "销售中心", "Sales Center", "hq"),
    ("east1", "华东销售一部", "East China Sales I", "sales"),
    ("east2", "华东销售二部", "East China Sales II", "sales"),
    ("south", "华南销售部", "South China Sales", "sales"),
    ("service", "客户服务部", "Customer Service", "hq"),
    ("marketing", "市场部", "Marketing", "hq"),
    ("mgmt", "管理层", "Management", "hq"),
]

# username, name, department key, job title, role group, manager username, language, manages
PERSONAS: list[tuple[str, str, str, str, str, str | None, str, tuple[str, ...]]] = [
    ("ceo", "陈志远", "mgmt", "总经理", "销售总监", None, "zh-hans", ("hq", "mgmt")),
    ("admin", "周明", "mgmt", "IT 管理员", "系统管理员", "ceo", "zh-hans", ()),
    ("director", "李强", "sales", "销售总监", "销售总监", "ceo", "zh-hans", ("sales",)),
    ("manager1", "张伟", "east1", "销售经理", "销售经理", "director", "", ("east1",)),
    ("rep1", "王芳", "east1", "销售代表", "销售代表", "manager1", "zh-hans", ()),
    ("rep1b", "刘洋", "east1", "销售代表", "销售代表", "manager1", "en", ()),
    ("rep2", "陈静", "east2", "销售代表", "销售代表", None, "", ()),
    ("agent1", "杨丽", "service", "客服专员", "客服", None, "zh-hans", ()),
    ("marketer1", "黄敏", "marketing", "市场专员", "市场", None, "en", ()),
    ("viewer", "吴娟", "mgmt", "财务审计", "只读", "ceo", "", ()),
]

# Generated colleagues: department key, how many, job title, role group, manages the department?
GENERATED = [
    ("east2", 1, "销售经理", "销售经理", True),
    ("south", 1, "销售经理", "销售经理", True),
    ("service", 1, "客服主管", "客服", True),
    ("marketing", 1, "市场经理", "市场", True),
    ("east1", 2, "销售代表", "销售代表", False),
    ("east2", 2, "销售代表", "销售代表", False),
    ("south", 2, "销售代表", "销售代表", False),
    ("service", 1, "客服专员", "客服", False),
]

TAGS = [
    ("VIP", "vip", "amber", "最重要的客户，优先服务"),
    ("重点客户", "key-account", "red", "年度重点跟进的客户"),
    ("渠道伙伴", "channel-partner", "teal", "代理商、经销商等合作伙伴"),
    ("老客户", "returning-customer", "blue", "已有成交记录的客户"),
    ("潜在大单", "big-deal", "purple", "预计金额超过 50 万元的商机"),
]


def _get_or_create(
    model: type[models.Model], lookup: dict[str, Any], defaults: dict[str, Any]
) -> tuple[Any, bool]:
    """Like ``get_or_create`` but through ``save()`` so change capture sees the create."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is not None:
        return obj, False
    obj = model(**lookup, **defaults)
    obj.save()
    return obj, True


def _roles() -> dict[str, Any]:
    """The shipped default roles (created by migration users.0003_default_roles)."""
    from guanxi.users.models import Role

    return {role.name: role for role in Role.objects.all()}


def _generated_people(ctx: DemoContext, taken: set[str]) -> list[tuple[str, str, str, str, str, bool, str]]:
    """(username, name, dept, title, role, manages, phone) for the generated colleagues."""
    zh = ctx.faker["zh_CN"]
    people = []
    for dept, count, title, role, manages in GENERATED:
        for _ in range(count):
            name = zh.name()
            base = "".join(lazy_pinyin(name)) or "user"
            username, n = base, 2
            while username in taken:
                username, n = f"{base}{n}", n + 1
            taken.add(username)
            people.append((username, name, dept, title, role, manages, zh.phone_number()))
    return people


def load_organisation(ctx: DemoContext) -> int:
    """Departments, ~20 users with managers and departments, and their roles."""
    from guanxi.users.models import Department, User

    created = 0
    for key, name, name_en, parent_key in DEPARTMENTS:
        parent = ctx.departments.get(parent_key) if parent_key else None
        dept, new = _get_or_create(
            Department,
            {"name": name, "parent": parent},
            {"name_en": name_en, "order": len(ctx.departments) * 10},
        )
        ctx.departments[key] = dept
        created += new

    roles = _roles()
    zh = ctx.faker["zh_CN"]
    rows = [
        (u, name, dept, title, role, lang, zh.phone_number())
        for u, name, dept, title, role, _m, lang, _d in PERSONAS
    ]
    generated = _generated_people(ctx, {p[0] for p in PERSONAS})
    languages = ["zh-hans", "zh-hans", "en", ""]
    rows += [
        (u, name, dept, title, role, ctx.rng.choice(languages), phone)
        for u, name, dept, title, role, _m, phone in generated
    ]
    for username, name, dept, title, role, language, phone in rows:
        user, new = _get_or_create(
            User,
            {"username": username},
            {
                "name": name,
                "department": ctx.departments[dept],
                "job_title": title,
                "phone": phone,
                "language": language,
                "email": f"{username}@{EMAIL_DOMAIN}",
                "password": ctx.password_hash,
                "is_staff": username == "admin",
                "is_superuser": username == "admin",
            },
        )
        if new:
            user.roles.add(roles[role])
        ctx.users[username] = user
        created += new

    # Second pass, once everyone exists: heads of departments, then each person's direct manager.
    heads = {key: username for username, *_r, manages in PERSONAS for key in manages}
    heads.update({dept: username for username, _n, dept, _t, _r, manages, _p in generated if manages})
    for key, username in heads.items():
        dept = ctx.departments[key]
        if dept.manager_id is None:
            dept.manager = ctx.users[username]
            dept.save(update_fields=["manager"])
    explicit = {username: manager for username, *_r, manager, _l, _d in PERSONAS}
    for username, user in ctx.users.items():
        if user.manager_id is not None:
            continue
        manager = explicit.get(username) or _manager_for(username, user, heads, ctx)
        if manager and manager != username:
            user.manager = ctx.users[manager]
            user.save(update_fields=["manager"])
    return created


def _manager_for(username: str, user: Any, heads: dict[str, str], ctx: DemoContext) -> str | None:
    """The head of the user's department, or of its parent when the user is the head."""
    keys = {dept.pk: key for key, dept in ctx.departments.items()}
    key = keys.get(user.department_id)
    parents = {k: parent for k, _n, _e, parent in DEPARTMENTS}
    while key is not None:
        head = heads.get(key)
        if head and head != username:
            return head
        key = parents.get(key)
    return None


def load_tags(ctx: DemoContext) -> int:
    from guanxi.core.models import Tag

    created = 0
    for name, slug, color, description in TAGS:
        _tag, new = _get_or_create(
            Tag, {"slug": slug}, {"name": name, "color": color, "description": description}
        )
        created += new
    return created


def fixed_accounts() -> list[Any]:
    """The persona users (fixed usernames) as they are in the database, in PERSONAS order."""
    from guanxi.users.models import User

    by_name = {
        u.username: u
        for u in User.objects.filter(username__in=[p[0] for p in PERSONAS])
        .select_related("department")
        .prefetch_related("roles")
    }
    return [by_name[p[0]] for p in PERSONAS if p[0] in by_name]


register_demo_step("organisation", load_organisation, order=10)
register_demo_step("tags", load_tags, order=20)
