"""The customers module's configurable lists: customer level (A/B/C/D) and lifecycle stage.

Administrators edit them under Settings → Choice lists; ``Customer.level`` and ``Customer.stage``
take ``level_choices`` / ``stage_choices`` as their (callable) choices. The stage codes in
``Customer.Stage`` are built in (``system``): code depends on them, so they can be renamed and
reordered but not deactivated or deleted.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from guanxi.core.choices import ChoiceList, Option, choices, register_choice_list

LEVEL_LIST = "customers.customer.level"
STAGE_LIST = "customers.customer.stage"


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


def level_choices() -> list[tuple[str, str]]:
    """``Customer.level``'s choices: the configured levels (inactive ones too, for display)."""
    return choices(LEVEL_LIST)


def stage_choices() -> list[tuple[str, str]]:
    """``Customer.stage``'s choices: the configured stages (inactive ones too, for display)."""
    return choices(STAGE_LIST)
