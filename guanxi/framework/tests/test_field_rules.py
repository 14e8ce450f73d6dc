"""Field rules (hidden / read-only / masked) hold in every place a value can be read or written."""

import pytest
from django.contrib.contenttypes.models import ContentType

from guanxi.core.models import AuditEvent, CustomField
from guanxi.framework.fieldaccess import mask
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.testapp.models import Gadget
from guanxi.users.access_version import bump_org_version
from guanxi.users.models import FieldRule, Role, RoleGrant

PHONE = "+8613800138000"
MASKED_PHONE = "138****8000"


@pytest.fixture
def setup(db, make_user, admin_user):
    """A clerk whose only role may view/change/export gadgets with phone masked, price hidden,
    status read-only and the custom field ``email`` masked."""
    ct = ContentType.objects.get_for_model(Gadget)
    with as_system():
        CustomField.objects.create(content_type=ct, name="contact_email", label="邮箱", type="email")
        role = Role.objects.create(name="职员")
        RoleGrant.objects.create(
            role=role, content_type=ct, actions=["view", "change", "export"], scope="all"
        )
        for field, access in (
            ("phone", "masked"),
            ("price", "hidden"),
            ("status", "readonly"),
            ("cf_contact_email", "masked"),
        ):
            FieldRule.objects.create(role=role, content_type=ct, field_name=field, access=access)
        clerk = make_user("clerk")
        clerk.roles.add(role)
        gadget = Gadget.objects.create(
            name="扫码枪",
            code="G-1",
            price="199.00",
            phone=PHONE,
            owner=admin_user,
            custom_field_data={"contact_email": "zhang.san@example.com"},
        )
    return clerk, gadget, role


def test_mask_formats():
    assert mask(PHONE, "phone") == MASKED_PHONE
    assert mask("13800138000", "phone") == MASKED_PHONE
    assert mask("zhang.san@example.com", "email") == "z***@example.com"
    assert mask("110105199001011234", "id") == "110***********1234"
    assert mask("王芳", "text") == "**"


def test_list_detail_and_export_mask_and_hide(client, setup):
    clerk, gadget, _role = setup
    client.force_login(clerk)
    listing = client.get(
        "/test/gadgets/?columns=name&columns=phone&columns=price&columns=status"
    ).content.decode()
    assert MASKED_PHONE in listing and "13800138000" not in listing
    assert "199.00" not in listing  # hidden column is not even offered
    detail = client.get(f"/test/gadgets/{gadget.pk}/").content.decode()
    assert MASKED_PHONE in detail and "13800138000" not in detail
    assert "z***@example.com" in detail and "zhang.san" not in detail
    assert "199.00" not in detail
    export = client.get("/test/gadgets/?export=csv&columns=name&columns=phone").getvalue().decode("utf-8-sig")
    assert MASKED_PHONE in export and "13800138000" not in export


def test_form_keeps_restricted_values_whatever_is_posted(client, setup):
    clerk, gadget, _role = setup
    client.force_login(clerk)
    form = client.get(f"/test/gadgets/{gadget.pk}/edit/").content.decode()
    assert 'name="phone"' not in form and 'name="price"' not in form
    assert MASKED_PHONE in form  # shown read-only, masked
    response = client.post(
        f"/test/gadgets/{gadget.pk}/edit/",
        {
            "name": "扫码枪 Pro",
            "code": "G-1",
            "phone": "13900000000",
            "price": "1",
            "status": "retired",
            "cf_contact_email": "evil@example.com",
        },
    )
    assert response.status_code == 302
    gadget.refresh_from_db()
    assert (gadget.name, gadget.phone, str(gadget.price), gadget.status) == (
        "扫码枪 Pro",
        PHONE,
        "199.00",
        "active",
    )
    assert gadget.custom_field_data == {"contact_email": "zhang.san@example.com"}


def test_history_and_search_respect_rules(client, setup):
    clerk, gadget, _role = setup
    with as_system():
        gadget.phone = "+8613912345678"
        gadget.save()
    client.force_login(clerk)
    history = client.get(f"/test/gadgets/{gadget.pk}/history/").content.decode()
    assert MASKED_PHONE in history and "139****5678" in history
    assert "13912345678" not in history and "13800138000" not in history
    assert "199.00" not in history

    from guanxi.framework.search import search

    assert [h.object for h in search(clerk, "扫码枪")] == [gadget]


def test_api_masks_and_refuses_restricted_writes(setup):
    from guanxi.framework.api.testing import token_client

    clerk, gadget, _role = setup
    api = token_client(clerk, scopes=["read", "write"])
    url = f"/api/v1/testapp/gadgets/{gadget.pk}/"
    response = api.get(url)
    assert response.status_code == 200
    body = response.json()
    assert body["phone"] == MASKED_PHONE
    assert "price" not in body
    assert body["custom_fields"]["contact_email"] == "z***@example.com"
    refused = api.patch(url, {"phone": "13900000000"}, format="json")
    assert refused.status_code == 400
    assert "phone" in refused.json()["errors"]
    gadget.refresh_from_db()
    assert gadget.phone == PHONE


def test_reveal_needs_the_action_and_is_audited(client, setup):
    clerk, gadget, role = setup
    client.force_login(clerk)
    url = f"/reveal/testapp/gadget/{gadget.pk}/phone/"
    assert client.post(url).status_code == 403
    assert "Show" not in client.get(f"/test/gadgets/{gadget.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    with as_system():
        RoleGrant.objects.filter(role=role).update(actions=["view", "change", "export", "reveal"])
        bump_org_version()  # a queryset update sends no signal: whoever runs one bumps the version
    clerk = type(clerk).objects.get(pk=clerk.pk)
    client.force_login(clerk)
    response = client.post(url)
    assert response.status_code == 200
    assert "13800138000" in response.content.decode()
    event = AuditEvent.objects.get(event="reveal")
    assert event.user == clerk and event.detail == {
        "model": "testapp.Gadget",
        "pk": gadget.pk,
        "field": "phone",
    }
    assert client.post(f"/reveal/testapp/gadget/{gadget.pk}/price/").status_code == 404  # hidden stays hidden


def test_a_second_role_without_the_rule_shows_the_field(client, setup, db):
    clerk, gadget, _role = setup
    ct = ContentType.objects.get_for_model(Gadget)
    with as_system():
        plain = Role.objects.create(name="组长")
        RoleGrant.objects.create(role=plain, content_type=ct, actions=["view"], scope="all")
        clerk.roles.add(plain)
    client.force_login(clerk)
    detail = client.get(f"/test/gadgets/{gadget.pk}/").content.decode()
    assert "138 0013 8000" in detail  # union of roles: the least restrictive wins (unmasked)


def test_unrestricted_phones_are_formatted_on_pages_and_raw_in_exports(admin_client, setup):
    _clerk, gadget, _role = setup
    listing = admin_client.get("/test/gadgets/?columns=name&columns=phone").content.decode()
    assert "138 0013 8000" in listing
    assert "138 0013 8000" in admin_client.get(f"/test/gadgets/{gadget.pk}/").content.decode()
    export = (
        admin_client.get("/test/gadgets/?export=csv&columns=name&columns=phone")
        .getvalue()
        .decode("utf-8-sig")
    )
    assert PHONE in export  # machines get the stored E.164 form
