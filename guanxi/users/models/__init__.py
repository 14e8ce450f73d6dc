"""Users, departments and API tokens."""

from guanxi.users.models.departments import Department
from guanxi.users.models.roles import DataScope, FieldAccess, FieldRule, Role, RoleGrant
from guanxi.users.models.tokens import APIToken
from guanxi.users.models.users import User
from guanxi.users.models.versions import AccessVersion, AppliedDefault

__all__ = [
    "APIToken",
    "AccessVersion",
    "AppliedDefault",
    "DataScope",
    "Department",
    "FieldAccess",
    "FieldRule",
    "Role",
    "RoleGrant",
    "User",
]
