"""The receivables module's configurable list: how money comes in (Settings → Choice lists)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guanxi.core.choices import ChoiceList, Option, choices, register_choice_list

METHOD_LIST = "receivables.receipt.method"

register_choice_list(
    ChoiceList(
        METHOD_LIST,
        _("Payment method"),
        [
            Option("bank_transfer", "银行转账", "Bank transfer"),
            Option("cash", "现金", "Cash"),
            Option("cheque", "支票", "Cheque"),
            Option("alipay", "支付宝", "Alipay"),
            Option("wechat_pay", "微信支付", "WeChat Pay"),
            Option("acceptance_bill", "承兑汇票", "Acceptance bill"),
            Option("other", "其他", "Other", system=True),
        ],
        model="receivables.Receipt",
        field="method",
    )
)


def method_choices() -> list[tuple[str, str]]:
    """The configured payment methods (inactive ones too, for display)."""
    return choices(METHOD_LIST)
