"""Property: for random organisations, ``restrict()`` returns exactly the rows the scope rules define.

Hypothesis draws a department forest (at most four levels), users placed in departments with
manager links (each manager drawn from earlier users, so there are no cycles), records with
random owners and departments, 0–2 roles per user with random scopes and actions (some granted
on another entity type, which must not count), and record shares. The expected rows are computed
here from those drawn facts alone — reporting chains by walking manager links, subtrees by walking
parent links — and compared with ``Gadget.objects.restrict(user, action)`` for every user.

Each example runs in its own savepoint that is rolled back, so examples never see each other's rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanxi.core.models import RecordShare, Tag
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.testapp.models import Gadget
from guanxi.users.models import Department, Role, RoleGrant, User

SCOPES = ("own", "own_subordinates", "department", "department_tree", "all")
ACTIONS = ("view", "change", "delete", "export")
MAX_DEPTH = 4


@dataclass(frozen=True)
class World:
    parents: tuple[int | None, ...]  # department i's parent (an earlier department) or None
    people: tuple[tuple[int | None, int | None, bool], ...]  # (department, manager, active)
    records: tuple[tuple[int | None, int | None], ...]  # (owner, department)
    roles: tuple[tuple[tuple[str, frozenset[str], bool], ...], ...]  # per user: (scope, actions, on Gadget)
    shares: tuple[tuple[int, int, str], ...]  # (user, record, access)


@st.composite
def worlds(draw: st.DrawFn) -> World:
    parents: list[int | None] = []
    depth: list[int] = []
    for i in range(draw(st.integers(1, 8))):
        shallow = [j for j in range(i) if depth[j] < MAX_DEPTH - 1]
        parent = draw(st.none() | st.sampled_from(shallow)) if shallow else None
        parents.append(parent)
        depth.append(0 if parent is None else depth[parent] + 1)
    n_depts = len(parents)
    people = []
    for i in range(draw(st.integers(1, 8))):
        dept = draw(st.none() | st.integers(0, n_depts - 1))
        manager = draw(st.none() | st.integers(0, i - 1)) if i else None
        people.append((dept, manager, draw(st.sampled_from([True, True, True, False]))))  # 1 in 4 inactive
    n_people = len(people)
    records = draw(
        st.lists(
            st.tuples(st.none() | st.integers(0, n_people - 1), st.none() | st.integers(0, n_depts - 1)),
            max_size=25,
        )
    )
    role = st.tuples(
        st.sampled_from(SCOPES),
        st.frozensets(st.sampled_from(ACTIONS), min_size=1),
        st.integers(0, 4).map(bool),  # one role in five is granted on another entity type
    )
    roles = tuple(tuple(draw(st.lists(role, max_size=2))) for _ in range(n_people))
    shares: tuple[tuple[int, int, str], ...] = ()
    if records:
        shares = tuple(
            draw(
                st.lists(
                    st.tuples(
                        st.integers(0, n_people - 1),
                        st.integers(0, len(records) - 1),
                        st.sampled_from(["read", "write"]),
                    ),
                    max_size=5,
                    unique_by=lambda s: (s[0], s[1]),
                )
            )
        )
    return World(tuple(parents), tuple(people), tuple(records), roles, shares)


# --- the rules, stated independently of the access policy -----------------------------------
def reports_of(world: World, person: int) -> set[int]:
    """Everyone whose chain of managers reaches ``person``."""
    found: set[int] = set()
    for other, (_dept, _manager, _active) in enumerate(world.people):
        boss = world.people[other][1]
        while boss is not None:
            if boss == person:
                found.add(other)
                break
            boss = world.people[boss][1]
    return found


def subtree_of(world: World, dept: int) -> set[int]:
    """``dept`` and every department whose chain of parents reaches it."""
    found = set()
    for other in range(len(world.parents)):
        node: int | None = other
        while node is not None:
            if node == dept:
                found.add(other)
                break
            node = world.parents[node]
    return found


def scope_rows(world: World, person: int, scope: str) -> set[int]:
    dept = world.people[person][0]
    rows = set()
    for index, (owner, record_dept) in enumerate(world.records):
        if (
            scope == "all"
            or (scope == "own" and owner == person)
            or (
                scope == "own_subordinates"
                and owner is not None
                and owner in {person} | reports_of(world, person)
            )
            or (scope == "department" and dept is not None and record_dept == dept)
            or (scope == "department_tree" and dept is not None and record_dept in subtree_of(world, dept))
        ):
            rows.add(index)
    return rows


def expected_rows(world: World, person: int, action: str) -> set[int]:
    if not world.people[person][2]:
        return set()  # inactive users see nothing, whatever their roles
    rows: set[int] = set()
    for scope, actions, on_gadget in world.roles[person]:
        if on_gadget and action in actions:
            rows |= scope_rows(world, person, scope)
    for user, record, access in world.shares:
        if user == person and (action in ("view", "export") or (action == "change" and access == "write")):
            rows.add(record)
    return rows


# --- building the world in the database ------------------------------------------------------
def build(world: World) -> tuple[list[User], list[int]]:
    gadget_ct = ContentType.objects.get_for_model(Gadget)
    tag_ct = ContentType.objects.get_for_model(Tag)
    with as_system():
        depts: list[Department] = []
        for i, parent in enumerate(world.parents):  # save() computes the materialised path
            depts.append(
                Department.objects.create(name=f"D{i}", parent=depts[parent] if parent is not None else None)
            )
        users = User.objects.bulk_create(
            [
                User(
                    username=f"p{i}",
                    password="!",
                    department=depts[d] if d is not None else None,
                    is_active=active,
                )
                for i, (d, _m, active) in enumerate(world.people)
            ]
        )
        for user, (_d, manager, _a) in zip(users, world.people, strict=True):
            user.manager = users[manager] if manager is not None else None
        User.objects.bulk_update(users, ["manager"])
        gadgets = Gadget.objects.bulk_create(
            [
                Gadget(
                    name=f"G{i}",
                    code=f"G{i}",
                    owner=users[o] if o is not None else None,
                    department=depts[d] if d is not None else None,
                )
                for i, (o, d) in enumerate(world.records)
            ]
        )
        specs = [(u, r) for u, user_roles in enumerate(world.roles) for r in user_roles]
        roles = Role.objects.bulk_create([Role(name=f"R{i}") for i in range(len(specs))])
        RoleGrant.objects.bulk_create(
            [
                RoleGrant(
                    role=role,
                    content_type=gadget_ct if on_gadget else tag_ct,
                    actions=sorted(acts),
                    scope=scope,
                )
                for role, (_u, (scope, acts, on_gadget)) in zip(roles, specs, strict=True)
            ]
        )
        Role.users.through.objects.bulk_create(
            [Role.users.through(role=role, user=users[u]) for role, (u, _r) in zip(roles, specs, strict=True)]
        )
        RecordShare.objects.bulk_create(
            [
                RecordShare(content_type=gadget_ct, object_id=gadgets[r].pk, user=users[u], access=access)
                for u, r, access in world.shares
            ]
        )
    return users, [g.pk for g in gadgets]


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=worlds())
def test_restrict_returns_exactly_the_rows_the_rules_define(world: World) -> None:
    with transaction.atomic():
        users, gadget_pks = build(world)
        for person, user in enumerate(users):
            for action in ACTIONS:
                fresh = User.objects.get(pk=user.pk)  # the policy caches per-request facts on the object
                got = set(Gadget.objects.restrict(fresh, action).values_list("pk", flat=True))
                want = {gadget_pks[i] for i in expected_rows(world, person, action)}
                assert got == want, (person, action)
        transaction.set_rollback(True)


def test_the_reference_rules_on_a_known_world() -> None:
    """The independent rules themselves, on a hand-checked example."""
    world = World(
        parents=(None, 0, 1, 0),  # 0 ─┬─ 1 ── 2
        #                                └─ 3
        people=((1, None, True), (2, 0, True), (2, 1, True), (3, None, False)),
        records=((0, 1), (1, 2), (2, 2), (None, 3), (3, 0)),
        roles=(
            (("department_tree", frozenset({"view"}), True),),
            (("own_subordinates", frozenset({"view", "change"}), True),),
            (("own", frozenset({"view"}), True), ("all", frozenset({"view"}), False)),
            (("all", frozenset({"view"}), True),),
        ),
        shares=((2, 3, "write"), (2, 4, "read")),
    )
    assert reports_of(world, 0) == {1, 2}
    assert subtree_of(world, 0) == {0, 1, 2, 3}
    assert expected_rows(world, 0, "view") == {0, 1, 2}
    assert expected_rows(world, 1, "change") == {1, 2}
    assert expected_rows(world, 2, "view") == {2, 3, 4}  # the Tag grant does not count
    assert expected_rows(world, 2, "change") == {3}
    assert expected_rows(world, 2, "delete") == set()
    assert expected_rows(world, 3, "view") == set()  # inactive
