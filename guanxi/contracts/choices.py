"""The contracts module's configurable list: the channel an order came through (Settings → Choice
lists)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guanxi.core.choices import ChoiceList, Option, choices, register_choice_list

CHANNEL_LIST = "contracts.order.channel"

register_choice_list(
    ChoiceList(
        CHANNEL_LIST,
        _("Order channel"),
        [
            Option("direct", "直销", "Direct sales"),
            Option("distributor", "经销商", "Distributor"),
            Option("online", "线上商城", "Online store"),
            Option("phone", "电话订购", "Phone order"),
            Option("other", "其他", "Other", system=True),
        ],
        model="contracts.Order",
        field="channel",
    )
)


def channel_choices() -> list[tuple[str, str]]:
    """``Order.channel``'s choices: the configured channels (inactive ones too, for display)."""
    return choices(CHANNEL_LIST)
