"""What an entity declares for imports: header synonyms, match keys and (rarely) a set-based check.

Everything else is generic (``guanxi.imports.fields`` reads the model): an entity registered in
the entity registry can be imported without a declaration, matched by ID and its unique fields.
A declaration adds the words people put in column titles (客户名称/公司名称 → ``name``) and the
fields an update can be matched on (phone, email, credit code, SKU …).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models

# A set-based rule over one validated chunk: ``check(rows, actor)`` gets the rows about to be
# written as ``(row number, instance, target pk or None)`` and returns
# ``{row number: (status, message)}`` for the rows it refuses ("error") or flags ("review").
ChunkCheck = Callable[[list[tuple[int, Any, int | None]], Any], dict[int, tuple[str, str]]]


@dataclass(frozen=True)
class ImportSpec:
    """An entity's import declaration (see the module docstring)."""

    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    match_keys: tuple[str, ...] = ("id",)
    check: ChunkCheck | None = None


_SPECS: dict[str, ImportSpec] = {}
_PHONE = (
    "手机",
    "手机号",
    "手机号码",
    "电话",
    "电话号码",
    "联系电话",
    "联系方式",
    "mobile",
    "tel",
    "telephone",
    "cell",
)
_EMAIL = ("邮箱", "电子邮箱", "电子邮件", "邮件", "e-mail", "mail")
_OWNER = ("负责人", "销售", "销售代表", "业务员", "所有人", "归属人", "跟进人", "sales rep", "owner name")


def declare(label: str, spec: ImportSpec) -> None:
    """Declare the import behaviour of the model ``label`` (``"customers.customer"``)."""
    _SPECS[label] = spec


def spec_for(model: type[models.Model]) -> ImportSpec:
    """The model's declaration; without one, matching by ID and by its unique fields."""
    found = _SPECS.get(model._meta.label_lower)
    if found is not None:
        return found
    unique = tuple(f.name for f in model._meta.concrete_fields if f.unique and not f.primary_key)
    return ImportSpec(match_keys=("id", *unique))


def _customer_conflicts(rows: list[tuple[int, Any, int | None]], actor: Any) -> dict[int, tuple[str, str]]:
    """撞单 for a chunk of customers: one query finds the existing customers sharing a phone, email,
    credit code or name key with any row; only the rows with such a neighbour owned by somebody
    else go through the customers app's own rule (``check_ownership_conflict``), which words the
    message and applies the company's policy (refuse → error, warn → flagged for review)."""
    from django.db.models import Q

    from guanxi.customers.models import Customer
    from guanxi.customers.services.conflicts import (
        ALLOW,
        OwnershipConflict,
        check_ownership_conflict,
        conflict_policy,
    )

    policy = conflict_policy()
    if policy == ALLOW or not rows:
        return {}
    keys: dict[str, set[str]] = {"phone": set(), "email": set(), "credit_code": set(), "name_key": set()}
    for _number, customer, _target in rows:
        customer.before_write(set(), customer.pk is None)  # fills name_key as the write will
        for name, values in keys.items():
            value = getattr(customer, name)
            if value:
                values.add(value)
    condition = Q()
    for name, values in keys.items():
        if values:
            condition |= Q(**{f"{name}__in": sorted(values)})
    if not condition:
        return {}
    found: dict[tuple[str, str], set[tuple[int, int | None]]] = {}
    for row in Customer.objects.filter(condition).exclude(owner=None).values("pk", "owner_id", *keys):
        for name in keys:
            if row[name]:
                found.setdefault((name, row[name]), set()).add((row["pk"], row["owner_id"]))
    refused: dict[int, tuple[str, str]] = {}
    for number, customer, target in rows:
        suspects = {
            hit
            for name in keys
            for hit in found.get((name, getattr(customer, name)), ())
            if getattr(customer, name)
        }
        if not any(pk != target and owner != customer.owner_id for pk, owner in suspects):
            continue
        try:
            check_ownership_conflict(
                actor=actor,
                owner=customer.owner_id or actor.pk,
                phone=customer.phone,
                email=customer.email,
                credit_code=customer.credit_code,
                name=customer.name,
                exclude_pk=target,
                policy=policy,
            )
        except OwnershipConflict as conflict:
            refused[number] = ("error" if policy != "warn" else "review", " ".join(conflict.messages))
    return refused


def declare_shipped() -> None:
    """The declarations of the shipped entities (called once from ``ImportsConfig.ready``)."""
    declare(
        "customers.customer",
        ImportSpec(
            synonyms={
                "name": (
                    "客户名称",
                    "公司名称",
                    "客户",
                    "公司",
                    "企业名称",
                    "单位名称",
                    "company",
                    "company name",
                    "customer name",
                ),
                "short_name": ("简称", "客户简称"),
                "phone": _PHONE,
                "email": _EMAIL,
                "credit_code": (
                    "统一社会信用代码",
                    "信用代码",
                    "社会信用代码",
                    "税号",
                    "credit code",
                    "uscc",
                ),
                "owner": _OWNER,
                "level": ("客户级别", "级别", "等级", "客户等级", "rating"),
                "industry": ("行业", "所属行业"),
                "scale": ("规模", "企业规模", "人员规模"),
                "source": ("来源", "客户来源"),
                "stage": ("阶段", "客户阶段", "生命周期"),
                "website": ("网址", "官网", "网站", "url"),
                "address": ("地址", "详细地址", "公司地址"),
                "notes": ("备注", "说明", "remark", "remarks"),
                "wechat_id": ("微信", "微信号", "wechat"),
            },
            match_keys=("id", "phone", "email", "credit_code"),
            check=_customer_conflicts,
        ),
    )
    declare(
        "customers.contact",
        ImportSpec(
            synonyms={
                "name": ("联系人", "姓名", "联系人姓名", "full name", "contact name"),
                "title": ("职位", "职务", "岗位", "position"),
                "phone": _PHONE,
                "mobile": ("备用电话", "座机", "固定电话", "办公电话", "other phone"),
                "email": _EMAIL,
                "owner": _OWNER,
                "wechat_id": ("微信", "微信号", "wechat"),
                "birthday": ("生日", "出生日期"),
            },
            match_keys=("id", "phone", "email"),
        ),
    )
    declare(
        "customers.lead",
        ImportSpec(
            synonyms={
                "name": ("姓名", "联系人", "线索名称", "name", "contact name"),
                "company": ("公司", "公司名称", "单位", "企业名称", "company name"),
                "title": ("职位", "职务"),
                "phone": _PHONE,
                "email": _EMAIL,
                "owner": _OWNER,
                "source": ("来源", "线索来源"),
                "notes": ("备注", "说明", "remark"),
                "wechat_id": ("微信", "微信号", "wechat"),
            },
            match_keys=("id", "phone", "email"),
        ),
    )
    declare(
        "products.product",
        ImportSpec(
            synonyms={
                "sku": ("编码", "产品编码", "货号", "物料编码", "商品编码", "code", "product code"),
                "name": ("产品名称", "品名", "商品名称", "产品", "product", "product name"),
                "list_price_amount": ("价格", "单价", "标准价", "售价", "标价", "price", "list price"),
                "list_price_currency": ("币种", "货币", "currency"),
                "category": ("分类", "产品分类", "类别", "category"),
                "unit": ("单位", "计量单位", "unit"),
                "tax_rate": ("税率", "tax rate", "tax"),
                "description": ("描述", "说明", "产品描述"),
            },
            match_keys=("id", "sku"),
        ),
    )
