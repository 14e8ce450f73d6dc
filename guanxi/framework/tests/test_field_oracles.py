"""A field a user may not read in clear (hidden or masked) can be neither searched, filtered,
sorted nor compared by that user, through any channel (issue 8, "hidden and masked values can be
extracted").

Each test asks the same question with the right guess and with a wrong one and checks the
restricted persona gets the same answer to both, while an unrestricted user (the admin) tells them
apart — so each test fails if the channel leaks.
"""

import re

import pytest
from django.contrib.contenttypes.models import ContentType

from guanxi.core.models import CustomField
from guanxi.framework.api.testing import token_client
from guanxi.framework.search import search
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.testapp.models import Gadget
from guanxi.users.models import FieldRule, Role, RoleGrant

CODE = "HX-7731"  # hidden for the agent
EMAIL = "info825@bh-example.com"  # custom field, masked for the agent
MOBILE = "+8613800138000"  # custom field, masked for the agent
RIGHT, WRONG = "right", "wrong"


@pytest.fixture
def agent(db, make_user, admin_user):
    """An agent (客服) who may view and change gadgets, with ``code`` and ``price`` hidden,
    ``status`` and ``phone`` masked, the searchable custom fields ``email`` and ``mobile`` masked
    and the filterable number ``level`` hidden."""
    ct = ContentType.objects.get_for_model(Gadget)
    with as_system():
        for name, type_ in (("email", "email"), ("mobile", "phone")):
            CustomField.objects.create(content_type=ct, name=name, label=name, type=type_, searchable=True)
        CustomField.objects.create(content_type=ct, name="level", label="level", type="integer")
        role = Role.objects.create(name="测试客服")
        RoleGrant.objects.create(
            role=role, content_type=ct, actions=["view", "change", "export"], scope="all"
        )
        for field, access in (
            ("code", "hidden"),
            ("price", "hidden"),
            ("status", "masked"),
            ("phone", "masked"),
            ("cf_email", "masked"),
            ("cf_mobile", "masked"),
            ("cf_level", "hidden"),
        ):
            FieldRule.objects.create(role=role, content_type=ct, field_name=field, access=access)
        user = make_user("agent1")
        user.roles.add(role)
        target = Gadget.objects.create(
            name="扫码枪",
            code=CODE,
            price="199.00",
            status="retired",
            phone="+8613912345678",
            owner=admin_user,
            custom_field_data={"email": EMAIL, "mobile": MOBILE, "level": 7},
        )
        Gadget.objects.create(name="打印机", code="PR-1", price="5.00", phone="+8613700000001")
    return user, target


GUESSES = {
    # query: (right guess, wrong guess)
    "hidden code": ("hx-77", "hx-78"),
    "masked email": ("info825@bh", "info825@bx"),
    "masked phone suffix": ("138000", "148000"),
}


def list_ids(client, url):
    page = client.get(url).content.decode()
    return sorted(int(pk) for pk in re.findall(r'name="pk" value="(\d+)"', page))


def api_ids(api, url):
    response = api.get(url)
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


@pytest.mark.parametrize("what", sorted(GUESSES))
def test_search_box_and_global_search_do_not_match_restricted_fields(client, admin_client, agent, what):
    user, target = agent
    right, wrong = GUESSES[what]
    admin_api = token_client(type(user).objects.get(username="admin"))
    # the unrestricted reader tells the guesses apart: the test would see a leak
    assert list_ids(admin_client, f"/test/gadgets/?q={right}") == [target.pk]
    assert list_ids(admin_client, f"/test/gadgets/?q={wrong}") == []
    assert api_ids(admin_api, f"/api/v1/testapp/gadgets/?q={right}") == [target.pk]

    client.force_login(user)
    api = token_client(user)
    assert (
        list_ids(client, f"/test/gadgets/?q={right}") == list_ids(client, f"/test/gadgets/?q={wrong}") == []
    )
    assert api_ids(api, f"/api/v1/testapp/gadgets/?q={right}") == []
    assert api_ids(api, f"/api/v1/testapp/gadgets/?q={wrong}") == []
    assert search(user, right) == search(user, wrong) == []
    dropdown = client.get(f"/search/?q={right}").content.decode()
    assert "扫码枪" not in dropdown


def test_search_still_finds_through_readable_fields(client, agent):
    user, target = agent
    client.force_login(user)
    assert list_ids(client, "/test/gadgets/?q=扫码") == [target.pk]
    assert [hit.object for hit in search(user, "扫码枪")] == [target]


@pytest.mark.parametrize(
    ("param", "right", "wrong"),
    [("status", "retired", "active"), ("cf_level", "7", "8"), ("cf_level__gte", "7", "8")],
)
def test_filters_on_restricted_fields_are_refused_whatever_the_value(
    client, admin_client, agent, param, right, wrong
):
    user, target = agent
    assert list_ids(admin_client, f"/test/gadgets/?{param}={right}") == [target.pk]
    assert target.pk not in list_ids(admin_client, f"/test/gadgets/?{param}={wrong}")

    api = token_client(user, language="zh-hans")
    answers = [api.get(f"/api/v1/testapp/gadgets/?{param}={guess}") for guess in (right, wrong)]
    assert [a.status_code for a in answers] == [400, 400]
    assert answers[0].json() == answers[1].json()
    assert answers[0].json()["errors"][param] == ["您无权按此字段筛选。"]

    client.force_login(user)
    pages = [
        client.get(f"/test/gadgets/?{param}={guess}", HTTP_ACCEPT_LANGUAGE="en") for guess in (right, wrong)
    ]
    for page in pages:
        html = page.content.decode()
        assert re.findall(r'name="pk" value="(\d+)"', html) == []
        assert "You may not filter on this field." in html  # the refusal is visible
    plain = client.get("/test/gadgets/").content.decode()
    assert f'name="{param.split("__")[0]}"' not in plain  # the filter panel does not offer it
    assert 'name="cf_level__gte"' not in plain


@pytest.mark.parametrize("field", ["price", "phone", "status", "code"])
def test_api_ordering_by_restricted_fields_is_refused(agent, field):
    user, _target = agent
    admin_api = token_client(type(user).objects.get(username="admin"))
    assert admin_api.get(f"/api/v1/testapp/gadgets/?ordering={field}").status_code == 200
    api = token_client(user)
    for term in (field, f"-{field}"):
        response = api.get(f"/api/v1/testapp/gadgets/?ordering={term}")
        assert response.status_code == 400
        assert "ordering" in response.json()["errors"]
    assert api.get("/api/v1/testapp/gadgets/?ordering=-name").status_code == 200


def test_list_columns_of_restricted_fields_are_not_sortable(client, agent):
    user, _target = agent
    client.force_login(user)
    url = "/test/gadgets/?columns=name&columns=phone&columns=status&columns=cf_email"
    page = client.get(url).content.decode()
    assert "sort=phone" not in page and "sort=status" not in page and "sort=cf_email" not in page
    assert "sort=name" in page
    # ?sort= on them is ignored: both directions give the default order
    ascending = re.findall(r'name="pk" value="(\d+)"', client.get(url + "&sort=phone").content.decode())
    descending = re.findall(r'name="pk" value="(\d+)"', client.get(url + "&sort=-phone").content.decode())
    assert ascending == descending


@pytest.mark.parametrize(
    "body",
    [
        {"phone": "+8613912345678"},  # the stored (masked) value
        {"status": "retired"},  # the stored (masked) value
        {"code": CODE},  # the stored (hidden) value
        {"code": "PR-1"},  # another record's value: a unique check would answer differently
        {"custom_fields": {"email": EMAIL}},
        {"custom_fields": {"level": 7}},
    ],
)
def test_api_refuses_restricted_fields_whatever_value_is_sent(agent, body):
    user, target = agent
    api = token_client(user)
    url = f"/api/v1/testapp/gadgets/{target.pk}/"
    wrong = {
        key: (
            {k: "nope@example.com" if k == "email" else 8 for k in value}
            if isinstance(value, dict)
            else "X-0"
        )
        for key, value in body.items()
    }
    answers = [api.patch(url, guess, format="json") for guess in (body, wrong)]
    assert [a.status_code for a in answers] == [400, 400]
    assert answers[0].json() == answers[1].json()
    key = next(iter(body))
    if key == "custom_fields":
        key = f"custom_fields.{next(iter(body['custom_fields']))}"
    assert answers[0].json()["errors"][key] == ["You may not change this field."]
    assert api.patch(url, {"name": "扫码枪 Pro"}, format="json").status_code == 200


def test_exports_and_history_do_not_show_hidden_values(client, agent):
    user, target = agent
    with as_system():
        target.code = "HX-9999"
        target.custom_field_data = {**target.custom_field_data, "level": 9}
        target.save()
    client.force_login(user)
    export = (
        client.get("/test/gadgets/?export=csv&columns=name&columns=code&columns=cf_level")
        .getvalue()
        .decode("utf-8-sig")
    )
    assert "扫码枪" in export and CODE not in export and "HX-9999" not in export
    history = client.get(f"/test/gadgets/{target.pk}/history/").content.decode()
    assert CODE not in history and "HX-9999" not in history
    timeline = client.get(f"/test/gadgets/{target.pk}/").content.decode()
    assert CODE not in timeline and "HX-9999" not in timeline and EMAIL not in timeline


def test_bulk_edit_does_not_offer_or_apply_restricted_fields(client, agent):
    user, target = agent
    client.force_login(user)
    form = client.post("/test/gadgets/bulk-edit/", {"pk": [target.pk]}).content.decode()
    assert 'name="status"' not in form and 'name="price"' not in form and 'name="cf_level"' not in form
    data = {"pk": [target.pk], "_apply": "1", "status": "active", "price": "1", "cf_level": "1"}
    assert client.post("/test/gadgets/bulk-edit/", data).status_code == 302
    target.refresh_from_db()
    assert (target.status, str(target.price), target.custom_field_data["level"]) == ("retired", "199.00", 7)
