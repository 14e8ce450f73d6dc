"""Child records take their access from their parent; reference data is declared, never assumed.

* ``CustomerContact`` (``access_parent = "customer"``) is visible exactly when its customer is, for
  the same action (writes on a child change the parent), through one join — no id list.
* A pooled customer opened by the pool extension opens its links too (the parent's extension
  re-rooted through the foreign key).
* Conformance: every model with ``restrict()`` is owned, a child, declared reference data, or
  internal bookkeeping a role is never granted; a model that declares nothing fails loudly.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.utils import timezone

from guanxi.customers.models import Contact, Customer, CustomerContact, Pool, PoolMove
from guanxi.framework.access import can, get_policy
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.scopes import give_role
from guanxi.users.access import access_kind, reroot_q, scope_q
from guanxi.users.models import Department, User
from guanxi.users.services.access import INTERNAL_MODELS, grantable_models

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> SimpleNamespace:
    with as_system():
        east = Department.objects.create(name="华东")
        rep = User.objects.create_user("rep", password="x", department=east)
        other = User.objects.create_user("other", password="x", department=east)
        pool = Pool.objects.create(name="华东公海")
        mine = Customer.objects.create(name="星河科技", owner=rep)
        theirs = Customer.objects.create(name="银河贸易", owner=other)
        pooled = Customer.objects.create(name="公海客户", pool=pool)
        contact = Contact.objects.create(name="王芳", owner=rep)
        links = {
            c.name: CustomerContact.objects.create(customer=c, contact=contact)
            for c in (mine, theirs, pooled)
        }
    give_role(rep, Customer, "own", ["view", "change"])
    return SimpleNamespace(rep=rep, other=other, mine=mine, theirs=theirs, pooled=pooled, links=links)


def fresh(user: Any) -> Any:
    return User.objects.get(pk=user.pk)


def test_links_follow_the_customer_for_viewing(world: SimpleNamespace) -> None:
    rows = CustomerContact.objects.restrict(fresh(world.rep), "view")
    assert {link.customer.name for link in rows} == {"星河科技", "公海客户"}  # pooled: the pool extension
    assert can(fresh(world.rep), "view", CustomerContact)
    assert not can(fresh(world.other), "view", CustomerContact)  # no customer grant: no link either


def test_child_scope_is_one_join_not_an_id_list(world: SimpleNamespace) -> None:
    sql = str(CustomerContact.objects.restrict(fresh(world.rep), "view").order_by("pk").query)
    assert sql.count("JOIN") == 1 and '"customers_customer"' in sql
    assert f'"customers_customer"."owner_id" = {world.rep.pk}' in sql  # the parent's own scope …
    assert '"customers_customercontact"."customer_id" IN' not in sql  # … never a list of customer ids


def test_writing_a_link_needs_change_on_the_customer(world: SimpleNamespace) -> None:
    rep = fresh(world.rep)
    for action in ("add", "change", "delete"):
        assert can(rep, action, CustomerContact)
    assert [link.customer.name for link in CustomerContact.objects.restrict(rep, "delete")] == ["星河科技"]
    with as_system():
        view_only = User.objects.create_user("viewer", password="x")
    give_role(view_only, Customer, "all", ["view"])
    assert not can(fresh(view_only), "delete", CustomerContact)
    assert CustomerContact.objects.restrict(fresh(view_only), "view").count() == 3


def test_pool_moves_follow_the_customer(world: SimpleNamespace) -> None:
    with as_system():
        for customer in (world.mine, world.theirs):
            PoolMove.objects.create(customer=customer, action=PoolMove.Action.RELEASED, time=timezone.now())
    assert [m.customer.name for m in PoolMove.objects.restrict(fresh(world.rep))] == ["星河科技"]


def test_explain_names_the_parent(world: SimpleNamespace) -> None:
    allowed, reasons = get_policy().explain(fresh(world.rep), world.links["银河贸易"], "view")
    assert not allowed
    assert "银河贸易" in reasons[0]


def test_reroot_prefixes_every_lookup() -> None:
    q = Q(pool_id__in=[1, 2], owner__isnull=True) | ~Q(name="x")
    rerooted = reroot_q(q, "customer__")
    assert str(rerooted) == str(
        Q(customer__pool_id__in=[1, 2], customer__owner__isnull=True) | ~Q(customer__name="x")
    )


def test_a_model_that_declares_nothing_fails_loudly() -> None:
    undeclared = SimpleNamespace(_meta=SimpleNamespace(label="somewhere.Thing"))
    with pytest.raises(ImproperlyConfigured, match=r"somewhere\.Thing"):
        scope_q(SimpleNamespace(pk=1, department_id=None), undeclared, "own")  # type: ignore[arg-type]


def test_every_model_with_restrict_declares_how_it_is_scoped() -> None:
    """…and every type the shipped roles hold a grant on (migrations can grant internal types)."""
    grantable = set(grantable_models())
    undeclared = []
    for model in apps.get_models():
        if not hasattr(getattr(model, "objects", None), "restrict"):
            continue
        kind = access_kind(model)
        if kind is None and model in grantable:
            undeclared.append(model._meta.label_lower)
        if kind is None:
            # Not grantable: internal bookkeeping listed with its reason, or opted out by itself.
            assert (
                model._meta.label_lower in INTERNAL_MODELS
                or getattr(model, "access_grantable", True) is False
            ), model
        if kind == "child":
            parent = model._meta.get_field(model.access_parent).related_model  # type: ignore[attr-defined]
            assert parent is not None and access_kind(parent) is not None, (
                model
            )  # the parent is scoped itself
            assert model not in grantable  # one set of grants: the parent's
    assert undeclared == [], (
        f"declare access_owner_field / access_parent / access_reference_data on {undeclared}"
    )


def test_reference_data_audit() -> None:
    """The models reference data for every grant holder, by name: adding one is a decision."""
    reference = sorted(
        m._meta.label_lower
        for m in apps.get_models()
        if hasattr(getattr(m, "objects", None), "restrict") and access_kind(m) == "reference"
    )
    assert reference == [
        "approvals.approvalflow",
        "contracts.contractsettings",
        "core.auditevent",
        "core.choiceoption",
        "core.customfield",
        "core.exchangerate",
        "core.objectchange",
        "core.tag",
        "customers.assignmentrule",
        "customers.customersettings",
        "customers.leadcaptureform",
        "customers.pool",
        "customers.poolrule",
        "products.productcategory",
        "receivables.receivablesettings",
        "sales.pipeline",
        "sales.stage",
        "users.department",
        "users.role",
    ]


def test_pool_changes_apply_on_the_next_request(world: SimpleNamespace) -> None:
    """Pools are part of the cached snapshot: their departments, admins and active flag bump it."""

    def pooled_visible() -> bool:
        return Customer.objects.restrict(fresh(world.rep)).filter(pk=world.pooled.pk).exists()

    with as_system():
        elsewhere = Department.objects.create(name="华南")
    assert pooled_visible()  # a pool without departments is everyone's
    pool = world.pooled.pool
    with as_system():
        pool.departments.add(elsewhere)  # only the m2m changes: its receiver bumps the version
    assert not pooled_visible()
    with as_system():
        pool.admins.add(world.rep)
    assert pooled_visible()
    with as_system():
        pool.active = False
        pool.save(update_fields=["active"])
    assert not pooled_visible()
