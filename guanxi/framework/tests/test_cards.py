"""Cards registered for a slot render on the generic detail page, in weight order, when wanted."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.template import engines

from guanxi.framework import cards
from guanxi.framework.cards import card_contexts, register_card
from guanxi.framework.testing.fixtures import as_system


@pytest.fixture
def clean_registry(monkeypatch):
    monkeypatch.setattr(cards, "_CARDS", {})


def test_unknown_slot_is_refused():
    with pytest.raises(ValueError, match="Unknown card slot"):
        register_card("detail.nowhere", "x.html")


def test_providers_decide_and_weights_order(clean_registry):
    register_card("detail.side", "b.html", weight=20)(lambda request, obj: {"n": 2})
    register_card("detail.side", "a.html", weight=10)(lambda request, obj: {"n": 1})
    register_card("detail.side", "c.html")(lambda request, obj: None)
    shown = card_contexts("detail.side", None, None)
    assert [(card.template, data) for card, data in shown] == [("a.html", {"n": 1}), ("b.html", {"n": 2})]


def test_tag_renders_each_card_with_its_context_escaped(clean_registry, tmp_path, settings):
    (tmp_path / "card.html").write_text("<p>{{ greeting }} {{ object }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    register_card("home.main", "card.html")(lambda request, obj: {"greeting": "<b>你好</b>"})
    page = engines["django"].from_string('{% load cards %}{% cards "home.main" %}')
    assert page.render({"object": "客户"}) == "<p>&lt;b&gt;你好&lt;/b&gt; 客户</p>"


@pytest.mark.django_db
def test_registered_bulk_action_shows_to_users_holding_its_action(client, make_user, monkeypatch):
    from guanxi.framework import bulkactions
    from guanxi.framework.bulkactions import register_bulk_action
    from guanxi.framework.testing.testapp.models import Gadget

    monkeypatch.setattr(bulkactions, "_ACTIONS", {})
    register_bulk_action(Gadget, "转移所选", "testapp:gadget_list", icon="arrows-exchange", action="delete")
    viewer = make_user("viewer_only", perms=["testapp.view_gadget"])
    deleter = make_user("deleter", perms=["testapp.view_gadget", "testapp.delete_gadget"])
    client.force_login(viewer)
    assert "转移所选" not in client.get("/test/gadgets/").content.decode()
    client.force_login(deleter)
    page = client.get("/test/gadgets/").content.decode()
    assert 'formaction="/test/gadgets/"' in page and "转移所选" in page


@pytest.mark.django_db
def test_row_access_extension_widens_only_granted_users(make_user, monkeypatch):
    from django.db.models import Q

    from guanxi.framework import access
    from guanxi.framework.access import register_row_access
    from guanxi.framework.testing.testapp.models import Gadget
    from guanxi.users.models import DataScope, Role, RoleGrant

    monkeypatch.setattr(access, "_ROW_ACCESS", {})
    owner = make_user("gadget_owner")
    rep = make_user("own_scope_rep")
    outsider = make_user("no_role")
    with as_system():
        mine = Gadget.objects.create(name="我的", code="M-1", owner=rep)
        pooled = Gadget.objects.create(name="公海", code="P-1")
        Gadget.objects.create(name="别人的", code="O-1", owner=owner)
        role = Role.objects.create(name="仅本人设备")
        RoleGrant.objects.create(
            role=role,
            content_type=ContentType.objects.get_for_model(Gadget),
            actions=["view"],
            scope=DataScope.OWN,
        )
        role.users.add(rep)
    assert set(Gadget.objects.restrict(rep, "view")) == {mine}
    register_row_access(Gadget, lambda user, action: Q(owner__isnull=True) if action == "view" else None)
    for user in (rep, outsider):
        user.__dict__.pop("_guanxi_access", None)
    assert set(Gadget.objects.restrict(rep, "view")) == {mine, pooled}
    assert set(Gadget.objects.restrict(rep, "change")) == set()
    assert set(Gadget.objects.restrict(outsider, "view")) == set()
