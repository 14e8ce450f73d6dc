"""What the shipped default roles may do with pools and pool rules (administrators edit them;
directors and managers read them — the pool page itself needs only ``view`` on customers)."""

from guanxi.users.default_roles import ALL_ACTIONS

POOL_MODELS = ["pool", "poolrule"]

POOL_GRANTS: dict[str, tuple[list[str], str]] = {
    "系统管理员": ([a for a in ALL_ACTIONS if a not in ("assign", "reveal")], "all"),
    "销售总监": (["view"], "all"),
    "销售经理": (["view"], "all"),
}
