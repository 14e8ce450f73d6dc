"""Team sharing: who may manage a record's team, what a read or read-write share opens, the Team
card on a record's page and its add/remove forms, and the change log of both."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from guanxi.core.models import ObjectChange, RecordShare
from guanxi.framework.access import can
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.testapp.models import Gadget
from guanxi.users.models import Department, Role, RoleGrant, User
from guanxi.users.services.access import can_manage_team, share_record, unshare_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    """director ← manager ← owner; peer reports to director too; outsider elsewhere.
    Everyone may view and edit their own gadgets (scope 本人)."""
    with as_system():
        dept = Department.objects.create(name="华东销售二部")
        people = {}
        for username, name, manager in (
            ("director", "总监", None),
            ("manager", "经理", "director"),
            ("owner", "王芳", "manager"),
            ("peer", "李雷", "director"),
            ("outsider", "韩梅梅", None),
        ):
            people[username] = User.objects.create_user(
                username=username, name=name, department=dept, manager=people.get(manager), password="x"
            )
        role = Role.objects.create(name="一线销售")
        RoleGrant.objects.create(
            role=role,
            content_type=ContentType.objects.get_for_model(Gadget),
            actions=["view", "change"],
            scope="own",
        )
        role.users.set(people.values())
        people["gadget"] = Gadget.objects.create(name="年度框架合同", code="G1", owner=people["owner"])
    return people


def fresh(user):
    return User.objects.get(pk=user.pk)  # a new object: no access cached from earlier checks


def test_who_can_manage_the_team(org, admin_user):
    gadget = org["gadget"]
    assert [
        u for u in ("director", "manager", "owner", "peer", "outsider") if can_manage_team(org[u], gadget)
    ] == [
        "director",
        "manager",
        "owner",
    ]
    assert can_manage_team(admin_user, gadget) is True
    assert can_manage_team(None, gadget) is False


def test_read_share_opens_viewing_only_and_is_logged_on_the_record(org):
    owner, peer, gadget = org["owner"], org["peer"], org["gadget"]
    assert not can(fresh(peer), "view", gadget)
    with as_user(owner):
        share = share_record(gadget, peer, "read", actor=owner)
    assert (share.user, share.access) == (peer, "read")
    assert can(fresh(peer), "view", gadget) is True
    assert can(fresh(peer), "change", gadget) is False
    change = ObjectChange.objects.get(changed_object_type=ContentType.objects.get_for_model(RecordShare))
    assert (change.action, change.user, change.related_object_id) == ("create", owner, gadget.pk)

    with as_user(owner):
        share_record(gadget, peer, "write", actor=owner)  # upgrade in place
    assert RecordShare.objects.get().access == "write"
    assert can(fresh(peer), "change", gadget) is True

    with as_user(owner):
        assert unshare_record(gadget, peer, actor=owner) is True
        assert unshare_record(gadget, peer, actor=owner) is False
    assert not RecordShare.objects.exists()
    assert not can(fresh(peer), "view", gadget)
    actions = list(
        ObjectChange.objects.filter(related_object_id=gadget.pk, changed_object_type__model="recordshare")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "delete"]


def test_others_cannot_change_the_team(org):
    peer, outsider, gadget = org["peer"], org["outsider"], org["gadget"]
    with as_user(peer), pytest.raises(PermissionDenied):
        share_record(gadget, outsider, "write", actor=peer)
    assert not RecordShare.objects.exists()


def test_sharing_validation(org):
    owner, gadget = org["owner"], org["gadget"]
    with as_system():
        gone = User.objects.create_user(username="gone", is_active=False)
    with as_user(owner):
        for user, access, key in (
            (org["peer"], "admin", "access"),
            (gone, "read", "user"),
            (owner, "read", "user"),
        ):
            with pytest.raises(ValidationError) as error:
                share_record(gadget, user, access, actor=owner)
            assert list(error.value.message_dict) == [key]
    assert not RecordShare.objects.exists()


def test_team_card_on_the_record_page(client, org):
    gadget, manager = org["gadget"], org["manager"]
    ct = ContentType.objects.get_for_model(Gadget).pk
    client.force_login(org["owner"])
    page = client.get(f"/test/gadgets/{gadget.pk}/").content.decode()
    assert 'id="team-panel"' in page
    assert f'action="/org/team/{ct}/{gadget.pk}/add/"' in page

    response = client.post(f"/org/team/{ct}/{gadget.pk}/add/", {"user": org["peer"].pk, "access": "write"})
    assert response.status_code == 302
    assert list(RecordShare.objects.values_list("user__username", "access")) == [("peer", "write")]

    # htmx: the card comes back alone, listing the member with a remove form
    response = client.post(
        f"/org/team/{ct}/{gadget.pk}/add/",
        {"user": org["outsider"].pk, "access": "read"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith("{# ") is False and '<section class="card" id="team-panel">' in body
    assert "<html" not in body
    assert 'data-user="outsider"' in body and 'data-user="peer"' in body

    # the manager above the owner removes a member
    client.force_login(manager)
    assert client.post(f"/org/team/{ct}/{gadget.pk}/remove/{org['outsider'].pk}/").status_code == 302
    assert list(RecordShare.objects.values_list("user__username", flat=True)) == ["peer"]


def test_team_member_sees_the_card_without_the_forms(client, org):
    gadget = org["gadget"]
    with as_user(org["owner"]):
        share_record(gadget, org["peer"], "read", actor=org["owner"])
    client.force_login(org["peer"])
    page = client.get(f"/test/gadgets/{gadget.pk}/").content.decode()
    assert 'id="team-panel"' in page
    assert "team-add-form" not in page
    ct = ContentType.objects.get_for_model(Gadget).pk
    before = list(RecordShare.objects.values_list("user_id", "access"))
    response = client.post(
        f"/org/team/{ct}/{gadget.pk}/add/", {"user": org["outsider"].pk, "access": "write"}
    )
    assert response.status_code == 403
    assert list(RecordShare.objects.values_list("user_id", "access")) == before


def test_team_forms_need_the_record_to_be_visible(client, org):
    gadget = org["gadget"]
    ct = ContentType.objects.get_for_model(Gadget).pk
    client.force_login(org["outsider"])
    assert (
        client.post(
            f"/org/team/{ct}/{gadget.pk}/add/", {"user": org["outsider"].pk, "access": "write"}
        ).status_code
        == 404
    )
    assert not RecordShare.objects.exists()


def test_no_team_card_on_records_without_an_owner(admin_client):
    with as_system():
        gadget = Gadget.objects.create(name="公共", code="P1")
        dept = Department.objects.create(name="总部")
    assert 'id="team-panel"' not in admin_client.get(f"/test/gadgets/{gadget.pk}/").content.decode()
    assert 'id="team-panel"' not in admin_client.get(f"/org/departments/{dept.pk}/").content.decode()
