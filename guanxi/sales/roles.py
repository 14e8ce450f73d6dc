"""What the shipped default roles may do with pipelines and deals (until the entity registry
declares them). Pipelines and stages are reference data: administrators keep them, sales
roles read them."""

from guanxi.users.default_roles import ALL_ACTIONS

MODELS = ["deal"]

GRANTS: dict[str, tuple[list[str], str]] = {
    "系统管理员": (ALL_ACTIONS, "all"),
    "销售总监": (["view", "add", "change", "delete", "export", "import", "assign"], "department_tree"),
    "销售经理": (["view", "add", "change", "export", "assign"], "department_tree"),
    "销售代表": (["view", "add", "change"], "own"),
    "客服": (["view"], "all"),
    "市场": (["view", "export"], "all"),
    "只读": (["view", "export"], "all"),
}

REFERENCE_MODELS = ["pipeline", "stage"]

REFERENCE_GRANTS: dict[str, tuple[list[str], str]] = {
    "系统管理员": ([a for a in ALL_ACTIONS if a not in ("assign", "reveal")], "all"),
    "销售总监": (["view"], "all"),
    "销售经理": (["view"], "all"),
    "销售代表": (["view"], "all"),
    "客服": (["view"], "all"),
    "市场": (["view"], "all"),
    "只读": (["view", "export"], "all"),
}
