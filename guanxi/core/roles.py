"""What the shipped default roles may do with the platform's configurable choice lists."""

from guanxi.users.default_roles import READ

CHOICE_MODELS = ["choiceoption"]
# Everyone reads the options (labels, API); administrators edit the lists.
CHOICE_GRANTS: dict[str, tuple[list[str], str]] = {
    "系统管理员": (["view", "add", "change", "delete", "export"], "all"),
    **{role: (["view"], "all") for role in ("销售总监", "销售经理", "销售代表", "客服", "市场")},
    "只读": (READ, "all"),
}

RATE_MODELS = ["exchangerate"]
# Everyone reads the rates (amounts are shown and converted with them); administrators keep them.
RATE_GRANTS: dict[str, tuple[list[str], str]] = CHOICE_GRANTS
