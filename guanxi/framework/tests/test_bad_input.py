"""Bad input from outside is a 4xx with a clear message, never a 500: NUL characters (which
PostgreSQL cannot store) in query strings, JSON and form bodies, tags and custom-field values, and
non-numeric ids in API routes. Run on both databases: SQLite stores NUL, so a missing check would
only show as a 500 on PostgreSQL, but the refusals below must be the same on both."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import translation

from guanxi.core.models import CustomField, Tag
from guanxi.customers.models import Contact, Customer, Lead
from guanxi.framework.api.testing import make_user, token_client
from guanxi.framework.testing.fixtures import as_system

pytestmark = pytest.mark.django_db
NUL = "Null characters are not allowed."

PAGE_LISTS = [
    "customers:customer_list",
    "customers:contact_list",
    "customers:lead_list",
    "core:tag_list",
    "activities:task_list",
    "search",
]
API_LISTS = [
    "/api/v1/customers/customers/",
    "/api/v1/customers/contacts/",
    "/api/v1/customers/leads/",
    "/api/v1/core/tags/",
    "/api/v1/core/changes/",
    "/api/v1/users/users/",
    "/api/v1/activities/tasks/",
]


@pytest.fixture
def admin():
    return make_user("boss", superuser=True, language="en")


@pytest.fixture
def api(admin):
    return token_client(admin)


@pytest.fixture
def region_field():
    with as_system():
        return CustomField.objects.create(
            content_type=ContentType.objects.get_for_model(Customer), name="region", label="区域", type="text"
        )


@pytest.mark.parametrize("name", PAGE_LISTS)
def test_a_nul_in_a_page_query_string_is_a_translated_400(client, admin, name):
    client.force_login(admin)
    url = reverse(name)
    response = client.get(url, {"q": "华东\x00"})
    assert response.status_code == 400
    assert NUL in response.content.decode()
    # the name of a parameter counts too, and the user's language decides the message
    admin.language = "zh-hans"
    with as_system():
        admin.save(update_fields=["language"])
    chinese = client.get(f"{url}?status%00=1")
    assert chinese.status_code == 400
    assert "不允许包含空字符" in chinese.content.decode()


def test_a_nul_in_the_path_is_a_400_even_on_public_pages(client, api):
    """``/f/<str:key>/`` (the public web form) would look the key up and fail on PostgreSQL."""
    public = client.get("/f/a%00b/", HTTP_ACCEPT_LANGUAGE="en")
    assert public.status_code == 400 and NUL in public.content.decode()
    assert api.get("/api/v1/core/tags/a%00b/").json() == {
        "detail": NUL,
        "errors": {"non_field_errors": [NUL]},
    }


@pytest.mark.parametrize("url", API_LISTS)
def test_a_nul_in_an_api_query_string_is_a_400_naming_the_parameter(api, url):
    response = api.get(url, {"q": "a\x00b", "ordering": "name"})
    assert response.status_code == 400
    assert response.json() == {"detail": NUL, "errors": {"q": [NUL]}}
    assert api.get(url, {"q": "a b"}).status_code == 200


def test_nul_in_json_bodies_is_a_field_message_wherever_it_hides(api, region_field):
    customers = "/api/v1/customers/customers/"
    nested = api.post(customers, {"name": "ACME", "custom_fields": {"region": "华\x00东"}}, format="json")
    assert nested.status_code == 400
    assert nested.json()["errors"] == {"custom_fields.region": [NUL]}
    tags = api.post(customers, {"name": "ACME", "tags": ["vip\x00"]}, format="json")
    assert tags.json()["errors"] == {"tags": [NUL]}
    key = api.post(customers, {"name": "ACME", "custom_fields": {"re\x00gion": "x"}}, format="json")
    assert key.json()["errors"] == {"custom_fields.region": [NUL]}
    with as_system():
        first = Contact.objects.create(name="李娜")
        second = Contact.objects.create(name="赵强")
    bulk = api.patch(
        "/api/v1/customers/contacts/",
        [{"id": first.pk, "title": "经理"}, {"id": second.pk, "title": "总\x00监"}],
        format="json",
    )
    assert bulk.status_code == 400
    assert bulk.json()["errors"] == {"1.title": [NUL]}
    form_encoded = api.post("/api/v1/core/tags/", {"name": "VIP\x00", "slug": "vip"})
    assert form_encoded.status_code == 400
    assert form_encoded.json()["errors"] == {"name": [NUL]}
    assert not Customer.objects.exists() and not Tag.objects.exists()
    assert set(Contact.objects.values_list("title", flat=True)) == {""}


def test_nul_in_custom_fields_and_tags_is_refused_below_the_api_too(admin, region_field):
    """Forms, imports and services reach the model's clean() and the tag resolver, not the parser."""
    from django.core.exceptions import ValidationError

    from guanxi.framework.tags import resolve_tags

    customer = Customer(name="ACME", custom_field_data={"region": "华\x00东"})
    with pytest.raises(ValidationError) as refused:
        customer.full_clean()
    assert refused.value.message_dict["cf_region"] == [NUL]
    with pytest.raises(ValidationError) as refused_tags:
        resolve_tags(["vip\x00"])
    assert refused_tags.value.message_dict == {"tags": [NUL]}


def test_nul_in_a_page_form_is_a_form_error(client, admin, region_field):
    client.force_login(admin)
    response = client.post(
        reverse("customers:customer_add"),
        {"kind": "company", "name": "ACME", "cf_region": "华\x00东", "tags": ["1\x00"]},
    )
    assert response.status_code == 200  # the form again, with its errors
    form = response.context["form"]
    assert form.errors["cf_region"] == [NUL]
    assert "tags" in form.errors
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/api/v1/customers/customers/abc/claim/"),
        ("post", "/api/v1/customers/customers/abc/release/"),
        ("get", "/api/v1/customers/customers/abc/"),
        ("post", "/api/v1/customers/leads/abc/convert/"),
        ("post", "/api/v1/customers/leads/1.5/assign/"),
        ("patch", "/api/v1/core/tags/-1/"),
        ("get", "/api/v1/core/changes/abc/"),
        ("get", "/api/v1/users/users/abc/"),
        ("delete", "/api/v1/activities/tasks/abc/"),
        ("post", "/api/v1/customers/customers/99999999999999999999999/claim/"),
        ("get", "/customers/abc/"),
        ("get", "/leads/abc/edit/"),
    ],
)
def test_a_non_numeric_id_is_a_404(api, method, url):
    assert getattr(api, method)(url, {}, format="json").status_code == 404


def test_numeric_ids_still_route(api):
    with as_system():
        lead = Lead.objects.create(name="王五", company="华东贸易")
    assert api.get(f"/api/v1/customers/leads/{lead.pk}/").status_code == 200
    # a real route answering for a record that does not exist
    assert api.post("/api/v1/customers/customers/12345/claim/").status_code == 404


def test_the_nul_message_reads_in_chinese():
    from guanxi.framework.middleware import NUL_MESSAGE

    with translation.override("zh-hans"):
        assert str(NUL_MESSAGE) == "不允许包含空字符（NUL）。"
