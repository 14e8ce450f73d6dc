"""What the shipped default roles may do with follow-ups and tasks.

Reps see their own follow-ups and tasks; managers and directors their department tree. A record's
timeline shows every follow-up and task of the record to whoever may view the record — these
grants govern the list pages, the API and editing.
"""

from guanxi.users.default_roles import ALL_ACTIONS

MODELS = ["followup", "task"]

GRANTS: dict[str, tuple[list[str], str]] = {
    "系统管理员": (ALL_ACTIONS, "all"),
    "销售总监": (["view", "add", "change", "delete", "export", "assign"], "department_tree"),
    "销售经理": (["view", "add", "change", "export", "assign"], "department_tree"),
    "销售代表": (["view", "add", "change"], "own"),
    "客服": (["view", "add", "change"], "own"),  # agents log service calls and their own to-dos
    "市场": (["view", "add", "change"], "own"),
    "只读": (["view", "export"], "all"),
}
