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
class LineField:
    """One column of a record's lines (an order line's product, quantity …): how it is read."""

    name: str  # "line_product": the value's key in the dict ``LineSpec.build`` gets ("product")
    kind: str  # as ``FieldInfo.kind``: text, decimal, fk
    label: Any  # lazy, both languages
    synonyms: tuple[str, ...] = ()
    related: str = ""  # the model label of a foreign key ("products.product")


@dataclass(frozen=True)
class LineSpec:
    """A record imported with its lines from one file, one row per line (an order and its lines).

    Rows sharing the record's ``group_key`` (订单编号) make one record; its header fields come
    from the group's first row. ``build(record, lines, actor)`` is the entity's own service: it
    gets the unsaved (or loaded) record and the lines as ``{field: value}`` dicts (the
    ``LineField`` names without ``line_``), and returns the unsaved line instances with the
    record's derived fields set (an order's total), or raises ``ValidationError`` keyed
    ``"<line position from 1>.<field>"``. ``editable(record)`` says why a record's lines may
    not be replaced (a confirmed order), or "".
    """

    model: str
    parent_field: str
    group_key: str
    fields: tuple[LineField, ...]
    build: Callable[[Any, list[dict[str, Any]], Any], list[Any]]
    editable: Callable[[Any], str]


@dataclass(frozen=True)
class ImportSpec:
    """An entity's import declaration (see the module docstring).

    ``extra``: fields the forms may not edit that an import sets (an order's number, a
    follow-up's customer); ``exclude``: fields an import never sets (an order's total, computed);
    ``prepare(instance)``: what a row needs before the model's rules run on it (a follow-up's
    subject is the customer the row names); ``lines``: the record comes with lines; ``values``:
    how people write a choice field's values (``{"period": {"1月": "m01"}}``), on top of the
    choices' own labels in both languages and the batch's value mapping."""

    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    match_keys: tuple[str, ...] = ("id",)
    check: ChunkCheck | None = None
    extra: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    prepare: Callable[[Any], None] | None = None
    lines: LineSpec | None = None
    values: dict[str, dict[str, str]] = field(default_factory=dict)


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
    declare_sales()


_CUSTOMER = ("客户", "客户名称", "公司", "公司名称", "客户公司", "customer name", "company")


def _follow_up_subject(follow_up: Any) -> None:
    """An imported follow-up is logged on the customer its row names (its timeline shows it)."""
    from django.contrib.contenttypes.models import ContentType

    from guanxi.customers.models import Customer

    if follow_up.customer_id and not follow_up.target_id:
        follow_up.target_type = ContentType.objects.get_for_model(Customer)
        follow_up.target_id = follow_up.customer_id


def _target_measure(target: Any) -> None:
    """A target's measure as people write it (签约金额, Signed amount) → its key (signed)."""
    from django.utils import translation

    from guanxi.framework.measures import measures

    wanted = _fold(target.measure)
    for found in measures():
        names = {_fold(found.key)}
        for language in ("en", "zh-hans"):
            with translation.override(language):
                names.add(_fold(str(found.label)))
        if wanted in names:
            target.measure = found.key
            return


def _fold(text: Any) -> str:
    from guanxi.imports.fields import header_key

    return header_key(text)


def _order_lines() -> LineSpec:
    from django.utils.translation import gettext_lazy as _

    from guanxi.contracts.services import build_order_lines, order_lines_editable

    return LineSpec(
        model="contracts.orderline",
        parent_field="order",
        group_key="number",
        fields=(
            LineField(
                "line_product",
                "fk",
                _("line: product"),
                (
                    "产品",
                    "产品名称",
                    "产品编码",
                    "商品",
                    "商品名称",
                    "货号",
                    "sku",
                    "product",
                    "product name",
                ),
                related="products.product",
            ),
            LineField(
                "line_description",
                "text",
                _("line: description"),
                ("描述", "明细", "说明", "line description"),
            ),
            LineField(
                "line_quantity", "decimal", _("line: quantity"), ("数量", "订购数量", "qty", "quantity")
            ),
            LineField(
                "line_unit_price",
                "decimal",
                _("line: unit price"),
                ("单价", "价格", "售价", "unit price", "price"),
            ),
            LineField(
                "line_discount_percent",
                "decimal",
                _("line: discount (%)"),
                ("折扣", "折扣率", "折扣%", "折扣(%)", "discount", "discount %"),
            ),
        ),
        build=build_order_lines,
        editable=order_lines_editable,
    )


def declare_sales() -> None:
    """Deals, orders with their lines, follow-ups and targets."""
    declare(
        "sales.deal",
        ImportSpec(
            synonyms={
                "name": ("商机名称", "商机", "项目名称", "项目", "deal name", "opportunity"),
                "customer": _CUSTOMER,
                "owner": _OWNER,
                "amount_amount": ("金额", "商机金额", "预计金额", "预计成交金额", "amount", "deal amount"),
                "amount_currency": ("币种", "货币", "currency"),
                "expected_close_date": (
                    "预计成交日期",
                    "预计成交时间",
                    "预计签单日期",
                    "成交日期",
                    "close date",
                    "expected close",
                ),
                "source": ("来源", "商机来源"),
                "competitors": ("竞争对手", "竞品"),
                "next_step": ("下一步", "下一步计划"),
                "description": ("描述", "说明", "备注", "notes"),
                "forecast_category": ("预测分类", "预测类别", "forecast"),
                "pipeline": ("销售流程", "管道", "pipeline"),
            },
            match_keys=("id",),
        ),
    )
    declare(
        "contracts.order",
        ImportSpec(
            synonyms={
                "number": ("订单编号", "订单号", "单号", "order number", "order no", "order"),
                "customer": _CUSTOMER,
                "owner": _OWNER,
                "order_date": ("订单日期", "下单日期", "日期", "date", "order date"),
                "channel": ("渠道", "销售渠道", "下单渠道", "channel"),
                "currency": ("币种", "货币", "currency"),
                "contract": ("合同", "合同名称", "contract"),
                "notes": ("备注", "订单备注", "remark", "remarks"),
            },
            match_keys=("number",),
            extra=("number",),
            exclude=("total_amount", "total_currency"),  # the lines' sum, computed by the service
            lines=_order_lines(),
        ),
    )
    declare(
        "activities.followup",
        ImportSpec(
            synonyms={
                "customer": _CUSTOMER,
                "owner": (*_OWNER, "记录人"),
                "kind": ("跟进方式", "方式", "类型", "跟进类型", "type"),
                "occurred_at": ("跟进时间", "跟进日期", "时间", "日期", "date", "time"),
                "content": ("跟进内容", "内容", "沟通内容", "记录", "notes"),
                "outcome": ("结果", "跟进结果", "result"),
                "next_step": ("下一步", "下一步计划"),
                "next_follow_up_at": ("下次跟进时间", "下次跟进", "下次联系时间", "next follow-up"),
                "place": ("地点", "拜访地点"),
            },
            extra=("customer",),
            prepare=_follow_up_subject,
        ),
    )
    declare(
        "targets.target",
        ImportSpec(
            synonyms={
                "user": ("销售", "销售代表", "负责人", "员工", "姓名", "rep", "owner", "sales rep"),
                "measure": ("指标", "目标类型", "考核指标", "measure"),
                "year": ("年份", "年度", "年", "year"),
                "period": ("期间", "周期", "月份", "季度", "period", "month"),
                "amount": ("目标", "目标值", "目标金额", "金额", "target", "amount"),
            },
            prepare=_target_measure,
            values={
                "period": {
                    "全年": "year",
                    "年度": "year",
                    **{f"第{q}季度": f"q{q}" for q in range(1, 5)},
                    **{f"第{c}季度": f"q{q}" for q, c in enumerate("一二三四", start=1)},
                    **{f"{q}季度": f"q{q}" for q in range(1, 5)},
                    **{f"{m}月": f"m{m:02d}" for m in range(1, 13)},
                    **{f"{m:02d}月": f"m{m:02d}" for m in range(1, 13)},
                    **{f"m{m}": f"m{m:02d}" for m in range(1, 10)},
                },
            },
        ),
    )
