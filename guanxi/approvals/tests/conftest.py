"""An organisation for approval scenarios.

总部 (boss) ─ director ─ 销售一部 (manager) ─ rep, rep2
                       └ 华南 (south_manager) ─ south_rep
Everyone may view/add/change their own requisitions and view their own approval requests (本人):
approvers see documents outside that scope only through the engine's row access.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType

from guanxi.approvals.models import ApprovalFlow, ApprovalRequest
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.testapp.models import Requisition
from guanxi.framework.write import save_object


@dataclass
class Org:
    users: dict[str, Any]
    departments: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        user = self.users[key]
        return type(user).objects.get(pk=user.pk)  # fresh: the policy caches on the object


@pytest.fixture
def org(db: Any) -> Org:
    from guanxi.users.models import Department, Role, RoleGrant, User

    with as_system():
        hq = Department.objects.create(name="总部")
        sales = Department.objects.create(name="销售一部", parent=hq)
        south = Department.objects.create(name="华南", parent=hq)

        def person(username: str, department: Any, manager: Any = None, **extra: Any) -> Any:
            return User.objects.create_user(
                username=username,
                password="pw-" + username * 3,
                name=username,
                department=department,
                manager=manager,
                **extra,
            )

        boss = person("boss", hq)
        director = person("director", hq, boss)
        manager = person("manager", sales, director)
        rep = person("rep", sales, manager)
        rep2 = person("rep2", sales, manager)
        south_manager = person("south_manager", south, director)
        south_rep = person("south_rep", south, south_manager)
        hq.manager, sales.manager, south.manager = boss, manager, south_manager
        for d in (hq, sales, south):
            d.save()
        role = Role.objects.create(name="staff")
        for model, actions in ((Requisition, ["view", "add", "change"]), (ApprovalRequest, ["view"])):
            RoleGrant.objects.create(
                role=role, content_type=ContentType.objects.get_for_model(model), actions=actions, scope="own"
            )
        finance = Role.objects.create(name="finance")
        users = {u.username: u for u in (boss, director, manager, rep, rep2, south_manager, south_rep)}
        role.users.add(*users.values())
    return Org(users=users, departments={"hq": hq, "sales": sales, "south": south, "finance_role": finance})


@pytest.fixture
def make_flow(db: Any):
    def factory(steps: list[dict[str, Any]], **fields: Any) -> ApprovalFlow:
        fields.setdefault("priority", 1)  # before the declared default flow
        with as_system():
            return save_object(
                ApprovalFlow(
                    name=fields.pop("name", "测试流程"),
                    content_type=ContentType.objects.get_for_model(Requisition),
                    transition=fields.pop("transition", "submit"),
                    steps=steps,
                    **fields,
                ),
                actor=None,
                validate=True,
            )

    return factory


@pytest.fixture
def make_doc(db: Any):
    def factory(
        owner: Any, title: str = "办公设备采购", amount: str = "1000.00", discount: str = "0", **extra: Any
    ):
        with as_user(owner):
            return save_object(
                Requisition(
                    title=title,
                    amount_amount=Decimal(amount),
                    amount_currency="CNY",
                    discount_percent=Decimal(discount),
                    **extra,
                ),
                actor=owner,
                validate=True,
            )

    return factory
