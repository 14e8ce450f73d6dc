"""Change capture: every write is logged with its actor, only real changes count."""

import pytest

from guanxi.core.models import ObjectChange, Tag
from guanxi.framework.context import MissingActorContext, Source, actor_context
from guanxi.framework.testing.fixtures import as_system


@pytest.mark.django_db
def test_write_outside_an_actor_context_fails_in_tests():
    with pytest.raises(MissingActorContext):
        Tag.objects.create(name="VIP", slug="vip")
    assert not Tag.objects.exists()


@pytest.mark.django_db
def test_create_update_delete_are_logged_with_actor_and_source(admin_user):
    with actor_context(admin_user, source=Source.COMMAND) as ctx:
        tag = Tag.objects.create(name="VIP", slug="vip")
        tag = Tag.objects.get(pk=tag.pk)
        tag.save()  # nothing changed: no entry
        tag.color = "red"
        tag.save(update_fields=["color"])
        tag.delete()
    tag_changes = ObjectChange.objects.filter(object_repr="VIP").order_by("id")
    rows = list(tag_changes.values_list("action", "prechange_data", "postchange_data"))
    assert [r[0] for r in rows] == ["create", "update", "delete"]
    assert rows[1][1:] == ({"color": "blue"}, {"color": "red"})
    assert rows[2][1]["name"] == "VIP" and rows[2][2] is None
    assert set(tag_changes.values_list("user", "source", "request_id")) == {
        (admin_user.pk, "command", ctx.request_id)
    }


@pytest.mark.django_db
def test_request_id_links_the_response_to_its_changes(admin_client):
    response = admin_client.post("/tags/add/", {"name": "渠道伙伴", "slug": "partner", "color": "teal"})
    change = ObjectChange.objects.get(object_repr="渠道伙伴")
    assert response["X-Request-ID"] == str(change.request_id)
    assert change.source == "web"


@pytest.mark.django_db
def test_last_login_bookkeeping_needs_no_actor(client, make_user):
    user = make_user("rep")
    client.force_login(user)  # updates last_login outside any request context
    assert not ObjectChange.objects.filter(object_repr="rep", action="update").exists()


@pytest.mark.django_db
def test_tag_changes_are_logged_on_the_tagged_row(admin_user):
    from guanxi.framework.tags import set_tags
    from guanxi.framework.testing.testapp.models import Gadget

    with as_system():
        vip = Tag.objects.create(name="VIP", slug="vip")
        gadget = Gadget.objects.create(name="扫码枪", code="G1")
    with actor_context(admin_user, source=Source.WEB):
        set_tags(gadget, [vip])
    change = ObjectChange.objects.filter(changed_object_id=gadget.pk, action="update").latest("id")
    assert change.prechange_data == {"tags": []} and change.postchange_data == {"tags": ["VIP"]}


@pytest.mark.django_db
def test_refresh_from_db_resets_the_diff_baseline(admin_user):
    with as_system():
        tag = Tag.objects.create(name="VIP", slug="vip")
        Tag.objects.filter(pk=tag.pk).update(color="red")  # changed behind the instance's back
        tag.refresh_from_db()
        tag.save()  # nothing differs from what was just loaded
    assert not ObjectChange.objects.filter(object_repr="VIP", action="update").exists()
