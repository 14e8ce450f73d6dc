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


@pytest.mark.django_db
@pytest.mark.parametrize("validate", [True, False])
def test_decimals_are_logged_as_the_field_stores_them(admin_user, validate):
    """An amount typed "100", "100.00" or ``Decimal("1E+2")`` is the same stored value: saving it
    again is no change, and history reads "100.00" → "120.50" (the field's decimal places)."""
    from decimal import Decimal

    from django.contrib.contenttypes.models import ContentType

    from guanxi.framework.testing.testapp.models import Gadget
    from guanxi.framework.write import save_object

    def save(gadget, price, list_price):
        gadget.price, gadget.list_price_amount = price, list_price
        with actor_context(admin_user, source=Source.WEB):
            save_object(gadget, actor=admin_user, validate=validate)

    gadget = Gadget(name="扫码枪", code="G1")
    save(gadget, Decimal("1E+2"), "100")
    logged = ObjectChange.objects.filter(
        changed_object_type=ContentType.objects.get_for_model(Gadget), changed_object_id=gadget.pk
    )
    created = logged.get(action="create").postchange_data
    assert (created["price"], created["list_price_amount"]) == ("100.00", "100.00")
    gadget = Gadget.objects.get(pk=gadget.pk)
    for price, list_price in [("100", Decimal("100")), ("100.00", Decimal("1E+2")), (100, "100.0")]:
        save(gadget, price, list_price)
    updates = logged.filter(action="update")
    assert not updates.exists()
    save(gadget, "120.5", Decimal("1.2E+2"))
    change = updates.get()
    # the company-currency amount follows (computed on save, logged like the amount)
    before = {"price": "100.00", "list_price_amount": "100.00", "list_price_base": "100.00"}
    assert change.prechange_data == before
    assert change.postchange_data == {
        "price": "120.50",
        "list_price_amount": "120.00",
        "list_price_base": "120.00",
    }
