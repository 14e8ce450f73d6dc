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

# role → {field: access}: ID card numbers are masked (110***********1234) for every shipped role
# but the administrators'; users granted "reveal" can show one at a time, and each reveal is audited.
FIELD_RULES: dict[str, dict[str, str]] = {
    role: {"id_number": "masked"} for role in GRANTS if role != "系统管理员"
}

# The customer settings page (撞单 policy) is for administrators.
SETTINGS_MODELS = ["customersettings"]
SETTINGS_GRANTS: dict[str, tuple[list[str], str]] = {"系统管理员": (["view", "change"], "all")}
# -- leads (线索): reps work their own and claim unassigned ones of their department
# (guanxi.customers.lead_access); managers assign within their department tree; marketing runs
# the web forms and hands leads out company-wide.
LEAD_MODELS = ["lead"]
LEAD_GRANTS: dict[str, tuple[list[str], str]] = {
    "系统管理员": ([*ALL_ACTIONS, "claim"], "all"),
    "销售总监": (
        ["view", "add", "change", "delete", "export", "import", "assign", "claim"],
        "department_tree",
    ),
    "销售经理": (["view", "add", "change", "export", "import", "assign", "claim"], "department_tree"),
    "销售代表": (["view", "add", "change", "claim"], "own"),
    "客服": (["view", "add"], "own"),  # agents note down callers who want to buy
    "市场": (["view", "add", "change", "export", "import", "assign"], "all"),
    "只读": (["view", "export"], "all"),
}
# Web forms and assignment rules: reference data administrators, directors and marketing keep.
LEAD_SETUP_MODELS = ["leadcaptureform", "assignmentrule"]
LEAD_SETUP_GRANTS: dict[str, tuple[list[str], str]] = {
    "系统管理员": (["view", "add", "change", "delete", "export"], "all"),
    "销售总监": (["view", "add", "change", "delete"], "all"),
    "市场": (["view", "add", "change"], "all"),
}
