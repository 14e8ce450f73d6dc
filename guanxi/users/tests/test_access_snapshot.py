"""The cached access snapshot and the organisation version that invalidates it.

Each test changes one thing that decides access, the way an administrator would (a service or a
plain ``save()``), and checks that the *next request* — a fresh user object, as every request
loads — sees the new access, while a request with nothing changed reads no permission query.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.core.models import RecordShare
from guanxi.framework.access import can, get_policy
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.testapp.models import Gadget
from guanxi.users.access import UserAccess, shared_q, snapshot_key
from guanxi.users.access_version import VERSION_KEY, bump_org_version, org_version
from guanxi.users.models import AccessVersion, Department, FieldRule, Role, RoleGrant, User
from guanxi.users.services.access import (
    assign_roles,
    deactivate_user,
    move_department,
    save_field_rules,
    save_role_grants,
    share_record,
    unshare_record,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> dict[str, Any]:
    """boss ← rep (east); other in west; a 本人 role on gadgets for rep and other."""
    with as_system():
        hq = Department.objects.create(name="总部")
        east = Department.objects.create(name="华东", parent=hq)
        west = Department.objects.create(name="华西", parent=hq)
        boss = User.objects.create_user("boss", password="x", department=hq)
        rep = User.objects.create_user("rep", password="x", department=east, manager=boss)
        other = User.objects.create_user("other", password="x", department=west)
        role = Role.objects.create(name="一线")
        grant = RoleGrant.objects.create(
            role=role, content_type=ContentType.objects.get_for_model(Gadget), actions=["view"], scope="own"
        )
        role.users.set([rep, other])
        gadgets = {
            f"g_{name}": Gadget.objects.create(name=name, code=name, owner=owner)
            for name, owner in (("mine", rep), ("boss", boss), ("west", other))
        }
        admin = User.objects.create_superuser("root", password="x")
    return {
        "hq": hq,
        "east": east,
        "west": west,
        "boss": boss,
        "rep": rep,
        "other": other,
        "role": role,
        "grant": grant,
        "admin": admin,
        **gadgets,
    }


@pytest.fixture
def commit_bumps(django_capture_on_commit_callbacks: Any) -> Any:
    """``django_capture_on_commit_callbacks``, after dropping the commit bumps already queued in the
    test's never-committed transaction (set-up, or an earlier capture: captured callbacks stay
    queued). One commit bump is queued per transaction, so later bumps would join those."""
    from guanxi.users.access_version import _commit_bump

    def capture(*, execute: bool) -> Any:
        connection.run_on_commit[:] = [c for c in connection.run_on_commit if c[1] is not _commit_bump]
        return django_capture_on_commit_callbacks(execute=execute)

    return capture


def bumps(callbacks: list[Any]) -> int:
    """The commit bumps among the captured callbacks (writes queue others: event delivery)."""
    from guanxi.users.access_version import _commit_bump

    return sum(1 for callback in callbacks if callback is _commit_bump)


def fresh(user: Any) -> Any:
    """The user as the next request loads it (nothing cached on the object)."""
    return User.objects.get(pk=user.pk)


def visible(user: Any) -> set[str]:
    return set(Gadget.objects.restrict(fresh(user), "view").values_list("name", flat=True))


def warm(user: Any) -> None:
    visible(user)
    assert cache.get(snapshot_key(user.pk, org_version())) is not None


# --- caching --------------------------------------------------------------------------------------


def test_second_request_reads_no_permission_query(org: dict[str, Any]) -> None:
    warm(org["rep"])
    user = fresh(org["rep"])
    with CaptureQueriesContext(connection) as queries:
        names = set(Gadget.objects.restrict(user, "view").values_list("name", flat=True))
        assert user.has_perm("testapp.view_gadget") is False  # Django's set comes from the snapshot
        assert can(user, "view", Gadget)
    assert names == {"mine"}
    assert len(queries) == 1, [q["sql"] for q in queries]  # the list itself


def test_snapshot_is_keyed_by_user_and_version(org: dict[str, Any]) -> None:
    warm(org["rep"])
    stored = cache.get(snapshot_key(org["rep"].pk, org_version()))
    assert isinstance(stored, UserAccess)
    assert stored.subordinate_ids is None  # loaded on first use only: 本人 never needed it
    bump_org_version()
    assert cache.get(snapshot_key(org["rep"].pk, org_version())) is None


def test_version_survives_losing_the_cache(org: dict[str, Any], commit_bumps: Any) -> None:
    with commit_bumps(execute=True):
        bump_org_version()
    row = AccessVersion.objects.get(pk=1)
    assert org_version() == f"{row.version}-{row.token}"
    cache.clear()
    assert org_version() == f"{row.version}-{row.token}"  # read back from the row, not restarted
    with commit_bumps(execute=True):
        bump_org_version()
    after = AccessVersion.objects.get(pk=1)
    assert after.version == row.version + 1 and after.token != row.token
    assert org_version() == f"{after.version}-{after.token}"


def test_a_cache_that_outlives_its_database_serves_no_snapshot(org: dict[str, Any]) -> None:
    """A re-created database counts its versions from the start again; its versions still differ
    from those another database left in a shared cache (the bench found a manager refused his
    own pipeline: a snapshot of the same user id from the previous bench database)."""
    from guanxi.users import access_version

    AccessVersion.objects.all().delete()
    first = access_version._durable_version()  # a fresh database: counter 0, its own token
    cache.set(snapshot_key(org["rep"].pk, first), "a snapshot computed from that database")
    AccessVersion.objects.all().delete()  # the database re-created: counter 0 again
    second = access_version._durable_version()
    assert first.startswith("0-") and second.startswith("0-") and first != second
    assert cache.get(snapshot_key(org["rep"].pk, second)) is None


def test_bump_in_transaction_is_private_until_commit(org: dict[str, Any], commit_bumps: Any) -> None:
    before = org_version()
    with commit_bumps(execute=False) as callbacks:
        bump_org_version()
    pending = org_version()
    assert pending != before and pending.startswith("pending-")
    for callback in callbacks:
        callback()
    assert re.fullmatch(r"\d+-[0-9a-f]{32}", org_version()) and org_version() != pending


def test_the_private_token_outlives_the_cache_entry_while_the_transaction_is_open(
    org: dict[str, Any], commit_bumps: Any
) -> None:
    """A transaction longer than the version key's TTL (the demo, a big import) must not fall back
    to the durable counter, under which snapshots from before its change are still cached."""
    before = org_version()
    stale = cache.get(snapshot_key(org["rep"].pk, before))
    with commit_bumps(execute=False) as callbacks:
        bump_org_version()
    pending = org_version()
    cache.delete(VERSION_KEY)  # the shared entry expired (VERSION_TTL) while the transaction runs
    assert org_version() == pending != before
    assert stale is None or cache.get(snapshot_key(org["rep"].pk, org_version())) is None
    for callback in callbacks:
        callback()
    assert re.fullmatch(r"\d+-[0-9a-f]{32}", org_version()) and org_version() != pending


def test_many_changes_in_one_transaction_bump_once_at_commit(org: dict[str, Any], commit_bumps: Any) -> None:
    from django.db import transaction

    with commit_bumps(execute=False) as callbacks:
        with as_system():
            for gadget in Gadget.objects.all():
                share_record(gadget, fresh(org["boss"]), "read", actor=None) if gadget.owner_id != org[
                    "boss"
                ].pk else None
        with transaction.atomic():  # a savepoint inside: its own bump is covered by the outer one
            bump_org_version()
    assert bumps(callbacks) == 1
    with commit_bumps(execute=False) as callbacks:
        try:
            with transaction.atomic():
                bump_org_version()  # queued here, then dropped with the savepoint's rollback
                raise RuntimeError
        except RuntimeError:
            pass
        bump_org_version()  # so this change queues its own
    assert bumps(callbacks) == 1


def test_version_read_once_per_request(org: dict[str, Any]) -> None:
    warm(org["rep"])
    user = fresh(org["rep"])
    reads = []
    original = cache.get

    def counting_get(key: str, *args: Any, **kwargs: Any) -> Any:
        reads.append(key)
        return original(key, *args, **kwargs)

    cache.get = counting_get  # type: ignore[method-assign]
    try:
        for _ in range(3):
            list(Gadget.objects.restrict(user, "view"))
            can(user, "change", Gadget)
    finally:
        cache.get = original  # type: ignore[method-assign]
    # once per request at most (none inside a transaction that changed access: its token is on
    # the connection)
    assert reads.count(VERSION_KEY) <= 1
    assert len([key for key in reads if key.startswith("guanxi:access:user:")]) == 1


# --- one test per kind of change ------------------------------------------------------------------


def test_grant_change_through_the_service(org: dict[str, Any]) -> None:
    warm(org["rep"])
    with as_system():
        save_role_grants(
            org["role"], {ContentType.objects.get_for_model(Gadget): (["view"], "all")}, actor=None
        )
    assert visible(org["rep"]) == {"mine", "boss", "west"}


def test_grant_change_by_a_raw_save(org: dict[str, Any]) -> None:
    warm(org["rep"])
    with as_system():
        org["grant"].scope = "department_tree"
        org["grant"].save()
    assert visible(org["rep"]) == {"mine"}  # east has no other gadgets
    assert visible(org["other"]) == {"west"}
    with as_system():
        org["grant"].delete()
    assert visible(org["rep"]) == set()


def test_field_rule_change(org: dict[str, Any]) -> None:
    policy = get_policy()
    assert policy.field_rules(fresh(org["rep"]), Gadget) == {}
    with as_system():
        save_field_rules(
            org["role"], {ContentType.objects.get_for_model(Gadget): {"price": "hidden"}}, actor=None
        )
    assert policy.field_rules(fresh(org["rep"]), Gadget) == {"price": "hidden"}
    with as_system():
        FieldRule.objects.filter(role=org["role"]).update(access="masked")  # no signal: bump by hand
        bump_org_version()
    assert policy.field_rules(fresh(org["rep"]), Gadget) == {"price": "masked"}


def test_role_membership_change(org: dict[str, Any]) -> None:
    warm(org["boss"])
    assert visible(org["boss"]) == set()
    with as_system():
        assign_roles(org["boss"], [org["role"]], actor=None)
    assert visible(org["boss"]) == {"boss"}
    with as_system():
        org["role"].users.remove(org["boss"])  # the other side of the m2m
    assert visible(org["boss"]) == set()


def test_manager_change(org: dict[str, Any]) -> None:
    with as_system():
        org["grant"].scope = "own_subordinates"
        org["grant"].save()
        assign_roles(org["boss"], [org["role"]], actor=None)
    assert visible(org["boss"]) == {"boss", "mine"}
    with as_system():
        other = fresh(org["other"])
        other.manager = org["boss"]
        other.save(update_fields=["manager"])
    assert visible(org["boss"]) == {"boss", "mine", "west"}


def test_department_change_of_a_user(org: dict[str, Any]) -> None:
    with as_system():
        org["grant"].scope = "department"
        org["grant"].save()
        Gadget.objects.filter(name="west").update(department=org["west"])
    assert visible(org["rep"]) == {"mine"}
    with as_system():
        rep = fresh(org["rep"])
        rep.department = org["west"]
        rep.save()
    assert visible(org["rep"]) == {"west"}


def test_department_move(org: dict[str, Any]) -> None:
    with as_system():
        org["grant"].scope = "department_tree"
        org["grant"].save()
        Gadget.objects.filter(name="west").update(department=org["west"])
        assign_roles(org["boss"], [org["role"]], actor=None)
        boss = fresh(org["boss"])
        boss.department = org["east"]
        boss.save()
    assert visible(org["boss"]) == {"mine"}  # the boss gadget stays in 总部
    with as_system():
        move_department(org["west"], org["east"], actor=None)
    assert visible(org["boss"]) == {"mine", "west"}


def test_deactivation_and_superuser_flag(org: dict[str, Any]) -> None:
    warm(org["rep"])
    with as_system():
        deactivate_user(fresh(org["rep"]), actor=None)
    assert visible(org["rep"]) == set()
    with as_system():
        other = fresh(org["other"])
        other.is_superuser = True
        other.save(update_fields=["is_superuser"])
    assert visible(org["other"]) == {"mine", "boss", "west"}


def test_django_permission_change(org: dict[str, Any]) -> None:
    warm(org["boss"])
    perm = Permission.objects.get(content_type__app_label="testapp", codename="view_gadget")
    with as_system():
        org["boss"].user_permissions.add(perm)
    assert visible(org["boss"]) == {"mine", "boss", "west"}
    with as_system():
        org["boss"].user_permissions.remove(perm)
        group = Group.objects.create(name="readers")
        group.permissions.add(perm)
    assert visible(org["boss"]) == set()
    with as_system():
        fresh(org["boss"]).groups.add(group)
    assert visible(org["boss"]) == {"mine", "boss", "west"}


def test_share_and_unshare(org: dict[str, Any]) -> None:
    warm(org["other"])
    with as_system():
        share_record(org["g_mine"], fresh(org["other"]), "read", actor=None)
    assert visible(org["other"]) == {"west", "mine"}
    with as_system():
        unshare_record(org["g_mine"], fresh(org["other"]), actor=None)
    assert visible(org["other"]) == {"west"}
    with as_system():  # a raw row (admin, import) counts as well
        RecordShare.objects.create(
            content_type=ContentType.objects.get_for_model(Gadget),
            object_id=Gadget.objects.get(name="boss").pk,
            user=org["other"],
        )
    assert visible(org["other"]) == {"west", "boss"}


def test_a_few_shares_are_an_id_list_and_many_an_exists_subquery(org: dict[str, Any], monkeypatch) -> None:
    """A user's few shares of a type are a literal ``pk IN (…)`` read once into the snapshot (an
    index lookup on the list's own table, like the deal team had); past ``SHARE_IDS_LIMIT`` the
    condition is an ``EXISTS`` on the share table, so many shares cost the same SQL."""
    import guanxi.users.access as access_module

    with as_system():
        for name in ("mine", "boss"):
            share_record(Gadget.objects.get(name=name), fresh(org["other"]), "read", actor=None)
    user = fresh(org["other"])
    condition = shared_q(user, Gadget, "view")
    assert condition is not None
    sql = str(Gadget.objects.filter(condition).query).upper()
    assert "EXISTS" not in sql and "CORE_RECORDSHARE" not in sql
    assert set(Gadget.objects.restrict(user, "view").values_list("name", flat=True)) == {
        "mine",
        "boss",
        "west",
    }
    assert shared_q(user, Gadget, "change") is None  # no write share: no condition at all

    monkeypatch.setattr(access_module, "SHARE_IDS_LIMIT", 1)
    bump_org_version()  # a new snapshot reads the shares again
    user = fresh(org["other"])
    condition = shared_q(user, Gadget, "view")
    assert condition is not None
    sql = str(Gadget.objects.filter(condition).query).upper()
    assert "EXISTS" in sql and "CORE_RECORDSHARE" in sql
    assert set(Gadget.objects.restrict(user, "view").values_list("name", flat=True)) == {
        "mine",
        "boss",
        "west",
    }


def test_the_snapshot_rides_on_the_user_behind_request_user(org):
    """``request.user`` is a ``SimpleLazyObject``: the snapshot must be kept on the user it wraps,
    or every permission check of the request reads the shared cache again (twice)."""
    from unittest import mock

    from django.utils.functional import SimpleLazyObject

    rep = User.objects.get(pk=org["rep"].pk)
    request_user = SimpleLazyObject(lambda: rep)
    assert can(request_user, "view", Gadget)
    assert "_guanxi_access" in vars(rep)
    with mock.patch("guanxi.users.access.org_version", side_effect=AssertionError("shared cache read again")):
        assert [can(request_user, action, Gadget) for action in ("view", "change", "view")] == [
            True,
            False,
            True,
        ]
