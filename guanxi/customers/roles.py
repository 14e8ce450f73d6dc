"""What the shipped default roles may do with customers and contacts (no field rules by default)."""

from guanxi.users.default_roles import ALL_ACTIONS

MODELS = ["customer", "contact"]

# role → (actions, scope), the same for customers and contacts
GRANTS: dict[str, tuple[list[str], str]] = {
    "系统管理员": (ALL_ACTIONS, "all"),
    "销售总监": (["view", "add", "change", "delete", "export", "assign"], "department_tree"),
    "销售经理": (["view", "add", "change", "export", "assign"], "department_tree"),
    "销售代表": (["view", "add", "change"], "own"),
    "客服": (["view"], "all"),  # service agents serve every customer, so they see them all
    "市场": (["view", "export"], "all"),
    "只读": (["view", "export"], "all"),
}
