"""The customers module's configurable lists: customer level (A/B/C/D), lifecycle stage,
industry, company size, source, and a contact's role at a customer.

Administrators edit them under Settings → Choice lists; each field takes its list's callable
(``level_choices``…) as choices. The stage codes in ``Customer.Stage`` are built in (``system``):
code depends on them, so they can be renamed and reordered but not deactivated or deleted. So
are the source codes a converted lead maps to (``Customer.Source``) and the contact role
"other" (the default of a new link).

The stored values are the codes the fields held before they became configurable, so existing
rows keep their meaning; the labels of the defaults are written in both languages here because
they are data (an administrator renames them), not interface text.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from guanxi.core.choices import ChoiceList, Option, choices, register_choice_list

LEVEL_LIST = "customers.customer.level"
STAGE_LIST = "customers.customer.stage"
INDUSTRY_LIST = "customers.customer.industry"
SCALE_LIST = "customers.customer.scale"
SOURCE_LIST = "customers.customer.source"
CONTACT_ROLE_LIST = "customers.customercontact.role"


def _pool_rules_using(value: str) -> tuple[Any, int]:
    """Pool rules that name the level (a JSON list: counted in Python, rules are few)."""
    from guanxi.customers.models import PoolRule

    rows = PoolRule._base_manager.values_list("levels", flat=True)
    return PoolRule._meta.verbose_name_plural, sum(1 for levels in rows if value in (levels or []))


register_choice_list(
    ChoiceList(
        LEVEL_LIST,
        _("Customer level"),
        [Option(v, v, v) for v in ("A", "B", "C", "D")],
        model="customers.Customer",
        field="level",
        extra_usage=[_pool_rules_using],
    )
)
register_choice_list(
    ChoiceList(
        STAGE_LIST,
        _("Lifecycle stage"),
        [
            Option("prospect", "潜在", "Prospect", system=True),
            Option("won", "成交", "Won", system=True),
            Option("repeat", "复购", "Repeat customer", system=True),
            Option("lost", "流失", "Lost", system=True),
        ],
        model="customers.Customer",
        field="stage",
    )
)


register_choice_list(
    ChoiceList(
        INDUSTRY_LIST,
        _("Industry"),
        [
            Option("manufacturing", "制造业", "Manufacturing"),
            Option("software", "IT 与软件", "IT and software"),
            Option("finance", "金融", "Finance"),
            Option("retail", "零售与批发", "Retail and wholesale"),
            Option("education", "教育", "Education"),
            Option("healthcare", "医疗健康", "Healthcare"),
            Option("real_estate", "房地产与建筑", "Real estate and construction"),
            Option("logistics", "物流", "Logistics"),
            Option("energy", "能源", "Energy"),
            Option("government", "政府与公共事业", "Government and public sector"),
            Option("other", "其他", "Other"),
        ],
        model="customers.Customer",
        field="industry",
    )
)
register_choice_list(
    ChoiceList(
        SCALE_LIST,
        _("Company size"),
        [
            Option("micro", "20 人以下", "Under 20 people"),
            Option("small", "20–99 人", "20–99 people"),
            Option("medium", "100–499 人", "100–499 people"),
            Option("large", "500–999 人", "500–999 people"),
            Option("enterprise", "1000 人及以上", "1,000 people or more"),
        ],
        model="customers.Customer",
        field="scale",
    )
)
SOURCE_DEFAULTS = [
    Option("web_form", "网站表单", "Web form", system=True),
    Option("referral", "转介绍", "Referral", system=True),
    Option("exhibition", "展会", "Exhibition", system=True),
    Option("cold_call", "电话陌拜", "Cold call"),
    Option("import", "导入", "Import", system=True),
    Option("other", "其他", "Other", system=True),
]
register_choice_list(
    ChoiceList(SOURCE_LIST, _("Customer source"), SOURCE_DEFAULTS, model="customers.Customer", field="source")
)
register_choice_list(
    ChoiceList(
        CONTACT_ROLE_LIST,
        _("Contact role"),
        [
            Option("decision_maker", "决策人", "Decision maker"),
            Option("finance", "财务", "Finance"),
            Option("user", "使用者", "User"),
            Option("other", "其他", "Other", system=True),
        ],
        model="customers.CustomerContact",
        field="role",
    )
)


def industry_choices() -> list[tuple[str, str]]:
    """``Customer.industry``'s choices (configured)."""
    return choices(INDUSTRY_LIST)


def scale_choices() -> list[tuple[str, str]]:
    """``Customer.scale``'s choices: the company sizes (configured)."""
    return choices(SCALE_LIST)


def source_choices() -> list[tuple[str, str]]:
    """``Customer.source``'s choices (configured)."""
    return choices(SOURCE_LIST)


def contact_role_choices() -> list[tuple[str, str]]:
    """``CustomerContact.role``'s choices (configured)."""
    return choices(CONTACT_ROLE_LIST)


def level_choices() -> list[tuple[str, str]]:
    """``Customer.level``'s choices: the configured levels (inactive ones too, for display)."""
    return choices(LEVEL_LIST)


def stage_choices() -> list[tuple[str, str]]:
    """``Customer.stage``'s choices: the configured stages (inactive ones too, for display)."""
    return choices(STAGE_LIST)
