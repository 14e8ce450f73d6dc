"""Shared people for the customer-360 tests: two reps of different departments and their manager."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from guanxi.customers.models import Contact, Customer, CustomerSettings
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.scopes import give_role
from guanxi.users.models import Department, User

REP = ["view", "add", "change"]
MANAGER = ["view", "add", "change", "export", "assign"]


@pytest.fixture
def team(db):
    """王芳 (rep1, east1) and 陈静 (rep2, east2) with "own" roles; 张伟 manages east1 (assign, dept
    tree); 刘洋 (rep1b) is east1's other rep. English unless a test switches."""
    with as_system():
        east1 = Department.objects.create(name="华东销售一部")
        east2 = Department.objects.create(name="华东销售二部")
        manager = User.objects.create_user(username="manager1", name="张伟", department=east1, language="en")
        rep1 = User.objects.create_user(
            username="rep1", name="王芳", department=east1, manager=manager, language="en"
        )
        rep1b = User.objects.create_user(
            username="rep1b", name="刘洋", department=east1, manager=manager, language="zh-hans"
        )
        rep2 = User.objects.create_user(username="rep2", name="陈静", department=east2, language="en")
    for user in (rep1, rep1b, rep2):
        give_role(user, Customer, "own", REP, name=f"rep-{user.username}")
        give_role(user, Contact, "own", REP, name=f"rep-contact-{user.username}")
    give_role(manager, Customer, "department_tree", MANAGER, name="mgr-customer")
    give_role(manager, Contact, "department_tree", MANAGER, name="mgr-contact")
    give_role(manager, User, "department_tree", ["view"], name="mgr-user")
    users = {u.username: u for u in User.objects.filter(username__in=["manager1", "rep1", "rep1b", "rep2"])}
    return SimpleNamespace(east1=east1, east2=east2, **users)


def set_policy(policy: str) -> None:
    with as_system():
        CustomerSettings.objects.update_or_create(pk=1, defaults={"conflict_policy": policy})
