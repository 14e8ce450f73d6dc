"""Customers and contacts, declared once (``guanxi.framework.entities``); the sub-domains declare
theirs in ``leads/entities.py`` and ``pools/entities.py`` (imported at the end).

Default grants by role code (administrators may change them; see ``users.default_roles``):
customers and contacts are worked by their owners and their managers' trees; service agents see
every customer; ID card numbers are masked for every role but the administrators' (users granted
"reveal" show one at a time, audited).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guanxi.customers.api.serializers import ContactSerializer, CustomerSerializer
from guanxi.customers.leads.cards import converted_leads_source
from guanxi.customers.models import (
    Contact,
    Customer,
    CustomerSettings,
)
from guanxi.customers.pools.hooks import pool_moves_source
from guanxi.customers.services.conflicts import import_conflicts
from guanxi.customers.services.handover import carry_transferred
from guanxi.customers.services.merge import after_customer_merge
from guanxi.customers.views import ContactViews, CustomerViews
from guanxi.framework.duplicates import DuplicateRule, DuplicateSpec
from guanxi.framework.entities import (
    EntityType,
    Follow,
    Grant,
    MenuEntry,
    Merge,
    Transfer,
    register_entity,
)
from guanxi.framework.importing import EMAIL_HEADERS, OWNER_HEADERS, PHONE_HEADERS, ImportSpec
from guanxi.users.default_roles import ALL_ACTIONS

CUSTOMER_GRANTS = {
    "admin": Grant([*ALL_ACTIONS, "dedup"], "all"),  # "dedup": the duplicates queue (guanxi.dedup)
    "sales_director": Grant(["view", "add", "change", "delete", "export", "assign"], "department_tree"),
    "sales_manager": Grant(["view", "add", "change", "export", "assign"], "department_tree"),
    "sales_rep": Grant(["view", "add", "change"], "own"),
    "service_agent": Grant(["view"], "all"),  # service agents serve every customer, so they see them all
    "marketing": Grant(["view", "export"], "all"),
    "read_only": Grant(["view", "export"], "all"),
    "finance": Grant(["view"], "all"),  # 财务: the customers of the contracts they collect on
}
ID_NUMBER_MASKED = {code: {"id_number": "masked"} for code in CUSTOMER_GRANTS if code != "admin"}


def _contact_customers(contact: Contact) -> list[Customer]:
    """The customers a contact works with, the primary one first."""
    links = contact.customer_links.select_related("customer").order_by("-is_primary", "id")
    return [link.customer for link in links]


def _contact_customer(contact: Contact) -> Customer | None:
    """A contact's primary customer, else the first one it was linked to."""
    return next(iter(_contact_customers(contact)), None)


CUSTOMER_IMPORTS = ImportSpec(
    order=10,
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
        "phone": PHONE_HEADERS,
        "email": EMAIL_HEADERS,
        "credit_code": (
            "统一社会信用代码",
            "信用代码",
            "社会信用代码",
            "税号",
            "credit code",
            "uscc",
        ),
        "owner": OWNER_HEADERS,
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
    check=import_conflicts,  # 撞单, set-based over each chunk
)

register_entity(
    EntityType(
        model=Customer,
        imports=CUSTOMER_IMPORTS,
        views=CustomerViews,
        serializer=CustomerSerializer,
        api_name="customers",
        search=(("name", 100), ("short_name", 80), ("phone", 60), ("email", 50), ("credit_code", 60)),
        menu=MenuEntry("customers", _("Customers"), icon="building", weight=10),
        grants=CUSTOMER_GRANTS,
        field_rules=ID_NUMBER_MASKED,
        # A transfer resets what any new owner resets (the ownership clock, the pool).
        # ... and takes its contacts and open tasks along (services/handover.py).
        transfer=Transfer(_("customers"), extra_fields=Customer.new_owner_values, carry=carry_transferred),
        follow=Follow(customer_of=lambda customer: customer),
        timeline=(converted_leads_source, pool_moves_source),
        merge=Merge(after=after_customer_merge),  # one primary contact survives
        # Duplicates (guanxi.dedup): the identifiers exactly as clean() stores them, and the company
        # name by its comparison key (name_key: the stored key the entry check looks up).
        duplicates=DuplicateSpec(
            name_field="name",
            name_kind="company",
            key_field="name_key",
            rules=(
                DuplicateRule("credit_code", "exact"),
                DuplicateRule("phone", "exact"),
                DuplicateRule("email", "exact"),
                DuplicateRule("name", "fuzzy", threshold=90),
            ),
        ),
    )
)
CONTACT_IMPORTS = ImportSpec(
    order=20,
    synonyms={
        "name": ("联系人", "姓名", "联系人姓名", "full name", "contact name"),
        "title": ("职位", "职务", "岗位", "position"),
        "phone": PHONE_HEADERS,
        "mobile": ("备用电话", "座机", "固定电话", "办公电话", "other phone"),
        "email": EMAIL_HEADERS,
        "owner": OWNER_HEADERS,
        "wechat_id": ("微信", "微信号", "wechat"),
        "birthday": ("生日", "出生日期"),
    },
    match_keys=("id", "phone", "email"),
)

register_entity(
    EntityType(
        model=Contact,
        imports=CONTACT_IMPORTS,
        views=ContactViews,
        serializer=ContactSerializer,
        api_name="contacts",
        search=(("name", 100), ("phone", 60), ("mobile", 55), ("email", 50)),
        menu=MenuEntry("customers", _("Contacts"), icon="address-book", weight=20),
        grants=CUSTOMER_GRANTS,
        transfer=Transfer(_("contacts")),
        follow=Follow(customer_of=_contact_customer, customers_of=_contact_customers),
        merge=Merge(),
        # People compare field by field: the name (characters and pinyin), birthday, WeChat ID.
        duplicates=DuplicateSpec(
            name_field="name",
            name_kind="person",
            rules=(
                DuplicateRule("phone", "exact"),
                DuplicateRule("mobile", "exact"),
                DuplicateRule("email", "exact"),
                DuplicateRule("name", "fuzzy", threshold=85),
            ),
            person_fields=(("name", "person", 2.0), ("birthday", "exact", 2.0), ("wechat_id", "exact", 2.0)),
        ),
    )
)
# The customer settings page (撞单 policy) is for administrators (a page, not a list).
register_entity(EntityType(model=CustomerSettings, grants={"admin": Grant(["view", "change"], "all")}))

from guanxi.customers.leads import entities as lead_entities  # noqa: E402, F401
from guanxi.customers.pools import entities as pool_entities  # noqa: E402, F401
