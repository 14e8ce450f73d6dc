"""What an entity declares for imports: declared on its ``EntityType(imports=...)``.

The dataclasses live here, in the framework, so an app declares its import behaviour in its own
``entities.py`` (its checks in its own services) without importing the imports app;
``guanxi.imports`` reads them from the registry (``imports.declarations.spec_for``). An entity
registered without a declaration can still be imported: matched by ID and its unique fields.

A declaration adds the words people put in column titles (客户名称/公司名称 → ``name``), the
fields an update can be matched on (phone, email, credit code, SKU …), the entity's place on
the Import data page (``order``) and, rarely, a set-based check over a chunk of rows (撞单)::

    register_entity(EntityType(
        model=Product,
        imports=ImportSpec(
            order=40,
            synonyms={"sku": ("编码", "产品编码", "product code"), "owner": OWNER_HEADERS},
            match_keys=("id", "sku"),
        ),
        ...
    ))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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
    choices' own labels in both languages and the batch's value mapping; ``order``: the type's
    place on the Import data page (customers 10, contacts 20, leads 30 …: the order people move
    their data in; undeclared types follow in registry order)."""

    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # the Import data page lists types by this (the order people move data in), then registry order
    order: int = 1000
    match_keys: tuple[str, ...] = ("id",)
    check: ChunkCheck | None = None
    extra: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    prepare: Callable[[Any], None] | None = None
    lines: LineSpec | None = None
    values: dict[str, dict[str, str]] = field(default_factory=dict)


# Column titles several entities share (a person's phone, a record's owner, the customer named).
PHONE_HEADERS = (
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
EMAIL_HEADERS = ("邮箱", "电子邮箱", "电子邮件", "邮件", "e-mail", "mail")
OWNER_HEADERS = (
    "负责人",
    "销售",
    "销售代表",
    "业务员",
    "所有人",
    "归属人",
    "跟进人",
    "sales rep",
    "owner name",
)
CUSTOMER_HEADERS = ("客户", "客户名称", "公司", "公司名称", "客户公司", "customer name", "company")
