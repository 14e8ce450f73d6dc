"""The entry-time check: the form's "possible duplicates" panel (``dedup:check``), the API's
``check/``, who may ask, values normalised by the model, masked reasons, a constant query count,
and the ``dedup`` verb granted through the role editor."""

from __future__ import annotations

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.customers.models import Contact, Customer
from guanxi.dedup.services.entry import normalized_values, possible_duplicates
from guanxi.framework.api.testing import make_user, token_client
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.scopes import give_role
from guanxi.users.models import FieldRule, Role
from guanxi.users.services.access import model_actions, save_role_grants

pytestmark = pytest.mark.django_db
CHECK = reverse("dedup:check")
API = "/api/v1/dedup/check/"
QUEUE = reverse("dedup:queue")


def check(client, user, data, **query):
    client.force_login(user)
    return client.post(
        f"{CHECK}?type={query.pop('type', 'customers.customer')}&exclude={query.get('exclude', '')}", data
    )


def test_panel_lists_matches_with_reasons(client, world):
    c = world.c
    # typed as people type it: a national number with spaces; the model's clean() makes it E.164
    page = check(client, world.zhang, {"name": "星河科技", "phone": "138 0013 8000"})
    assert page.status_code == 200
    html = page.content.decode()
    for hit in (c.a, c.b, c.c):
        assert f'href="{hit.get_absolute_url()}"' in html
    assert "same phone 138 0013 8000" in html and "name similarity 1.00" in html
    assert "Possible duplicates" in html and "You can still save" in html
    assert "万达贸易" not in html and "完全无关" not in html  # 李's (not visible) and unrelated


def test_panel_excludes_the_edited_record_and_is_empty_without_values(client, world):
    c = world.c
    html = check(client, world.zhang, {"name": "星河科技有限公司"}, exclude=c.a.pk).content.decode()
    assert f'data-record="{c.a.pk}"' not in html and f'data-record="{c.b.pk}"' in html
    assert check(client, world.zhang, {"name": ""}).content.decode().strip() == ""


def test_panel_masks_values_as_the_viewer_reads_them(client, world):
    role = world.zhang.roles.get(name="张-dedup")
    with as_system():
        FieldRule.objects.create(role=role, content_type=world.ct, field_name="phone", access="masked")
    html = check(client, world.zhang, {"phone": "+8613800138000"}).content.decode()
    assert "same phone 138****8000" in html and "+8613800138000" not in html


def test_panel_in_chinese(client, world):
    html = check(client, world.admin, {"email": "SALES@wanda.cn"}).content.decode()  # reads Chinese
    assert "疑似重复" in html and "仍可保存" in html and "相同邮箱 sales@wanda.cn" in html


def test_who_may_check(client, world):
    # 李 may only view: neither the panel nor the API answers, and the form has no panel to show
    assert check(client, world.li, {"name": "星河"}).status_code == 403
    assert (
        token_client(world.li)
        .post(API, {"type": "customers.customer", "values": {"name": "星河"}}, format="json")
        .status_code
        == 403
    )
    # a rep who may create customers but not review: the check yes, the queue no
    rep = make_user("rep", language="en")
    give_role(rep, Customer, "own", ["view", "add"], name="rep-add")
    assert check(client, rep, {"name": "星河"}).status_code == 200
    assert client.get(QUEUE).status_code == 403
    # bad input: an unknown type is a 404 (page) / 400 (API), a GET is refused
    assert check(client, rep, {"name": "x"}, type="users.user").status_code == 404
    assert client.get(CHECK + "?type=customers.customer").status_code == 405


def test_form_carries_the_panel(client, world):
    client.force_login(world.zhang)
    html = client.get(reverse("customers:customer_edit", args=[world.c.a.pk])).content.decode()
    assert 'id="possible-duplicates"' in html
    assert f'hx-post="{CHECK}?type=customers.customer&amp;exclude={world.c.a.pk}"' in html
    assert "from:#id_name" in html and "from:#id_credit_code" in html
    client.force_login(world.li)  # no add/change/dedup: no panel
    assert client.get(reverse("customers:customer_list")).status_code == 200
    give_role(world.li, Contact, "own", ["view", "add"], name="李-contacts")
    html = client.get(reverse("customers:contact_add")).content.decode()
    assert 'hx-post="/duplicates/check/?type=customers.contact"' in html and "from:#id_mobile" in html


def test_panel_asks_on_load_only_for_an_edited_record(client, world):
    """``on_load``: an edited record's duplicates show as the form opens; an empty new form asks
    only once a rule field is typed (no request for nothing on every "New" page)."""

    def trigger(url: str) -> str:
        html = client.get(url).content.decode()
        panel = html[html.index('id="possible-duplicates"') :]
        found = re.search(r'hx-trigger="([^"]*)"', panel)
        assert found is not None
        return found.group(1)

    client.force_login(world.zhang)
    give_role(world.zhang, Customer, "own", ["add"], name="张-add")
    edited = trigger(reverse("customers:customer_edit", args=[world.c.a.pk]))
    new = trigger(reverse("customers:customer_add"))
    typed = "input changed delay:400ms from:#id_name"
    assert edited.split(", ")[0] == "load" and typed in edited
    assert "load" not in new.split(", ") and typed in new


def test_panel_asks_on_load_for_a_new_record_shown_again_with_errors(client, world):
    """A new record's form sent with an error comes back holding the user's values: its
    duplicates show as it loads, with no further typing (a blank form still waits for typing)."""
    client.force_login(world.zhang)
    give_role(world.zhang, Customer, "own", ["add"], name="张-add")
    page = client.post(reverse("customers:customer_add"), {"name": "星河科技", "stage": "prospect"})
    html = page.content.decode()
    assert page.status_code == 200 and "星河科技" in html  # re-shown, not saved
    panel = html[html.index('id="possible-duplicates"') :]
    found = re.search(r'hx-trigger="([^"]*)"', panel)
    assert found is not None and found.group(1).split(", ")[0] == "load"
    assert not Customer.objects.filter(name="星河科技").exists()


def test_saving_is_not_blocked(client, world):
    """Advice only: a customer whose name matches others still saves (撞单 is its own policy, and
    these are the writer's own customers)."""
    client.force_login(world.zhang)
    give_role(world.zhang, Customer, "own", ["view", "add", "change"], name="张-add")
    page = client.post(
        reverse("customers:customer_add"),
        {"kind": "company", "name": "星河科技发展", "stage": "prospect", "status": "active"},
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    assert Customer.objects.filter(name="星河科技发展").exists()


def test_normalized_values():
    assert normalized_values("customers.customer", {"phone": "138-0013-8000", "email": " A@B.CN "}) == {
        "phone": "+8613800138000",
        "email": "a@b.cn",
        "credit_code": "",
        "name": "",
    }
    assert normalized_values("customers.contact", {"mobile": "13800138000"})["mobile"] == "+8613800138000"


def _count_queries(user, values):
    with CaptureQueriesContext(connection) as queries:
        possible_duplicates("customers.customer", values, user=user)
    return len(queries)


@pytest.mark.parametrize("superuser", [True, False])
def test_query_count_does_not_grow_with_customers(world, superuser):
    user = world.admin if superuser else world.zhang
    values = normalized_values(
        "customers.customer",
        {"name": "星河科技", "phone": "+8613800138000", "email": "x@y.cn", "credit_code": "91110000X"},
    )
    possible_duplicates("customers.customer", values, user=user)  # warm the access snapshot
    few = _count_queries(user, values)
    with as_system():
        Customer.objects.bulk_create(
            Customer(
                name=f"星河{i}号科技有限公司",
                name_key=f"星河{i}号科技",
                phone="+8613800138000",
                owner=world.zhang,
            )
            for i in range(60)
        )
    many = _count_queries(user, values)
    assert many == few
    assert len(possible_duplicates("customers.customer", values, user=user)) == 20  # LIMIT


def test_role_editor_grants_the_dedup_verb(client, world):
    """Settings → Roles offers "Review duplicates" on customers and contacts; granted through the
    role service it opens the queue and the check API, without it both are 403."""
    assert ("dedup", "Review duplicates") in model_actions(Customer)
    assert ("dedup", "Review duplicates") in model_actions(Contact)
    viewer = make_user("viewer", language="en")
    with as_system():
        role = Role.objects.create(name="查重员")
        role.users.add(viewer)
    ct = ContentType.objects.get_for_model(Customer)
    with as_system():
        save_role_grants(role, {ct: (["view"], "all")}, actor=world.admin)
    api = token_client(viewer)
    body = {"type": "customers.customer", "values": {"name": "星河科技"}}
    client.force_login(viewer)
    assert client.get(QUEUE).status_code == 403
    assert api.post(API, body, format="json").status_code == 403
    with as_system():
        save_role_grants(role, {ct: (["view", "dedup"], "all")}, actor=world.admin)
    viewer = type(viewer).objects.get(pk=viewer.pk)
    client.force_login(viewer)
    assert client.get(QUEUE).status_code == 200
    assert token_client(viewer).post(API, body, format="json").status_code == 200
    assert len(token_client(viewer).post(API, body, format="json").json()) == 3
