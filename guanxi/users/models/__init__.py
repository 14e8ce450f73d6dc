"""Users, departments and API tokens."""

from guanxi.users.models.departments import Department
from guanxi.users.models.roles import DataScope, FieldAccess, FieldRule, Role, RoleGrant
from guanxi.users.models.tokens import APIToken
from guanxi.users.models.users import User

__all__ = ["APIToken", "DataScope", "Department", "FieldAccess", "FieldRule", "Role", "RoleGrant", "User"]
