"""A 撞单 refusal's way forward: ask the owner to join the customer's team, the owner adds you or
declines from the notification, then the lead converts into that customer. Denials change nothing."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.core import signing

from guanxi.core.models import Notification, RecordShare
from guanxi.customers.models import Customer, CustomerContact, Lead
from guanxi.customers.pools.tests import pool_fixtures
from guanxi.framework.testing.fixtures import as_system

pytestmark = pytest.mark.django_db
org = pool_fixtures.org  # the fixture
PHONE = "+8613912345678"


@pytest.fixture
def taken(org):
    """张三's customer; 李四 (same department, own scope) will run into it."""
    return org.customer("苏州明远精密机械有限公司", owner="zhang", owned_days=5, phone=PHONE)


@pytest.fixture
def lead(org):
    with as_system():
        return Lead.objects.create(
            name="陈静", company="苏州明远精密机械", phone=PHONE, owner=org.users["li"]
        )


def ask_link(page):
    found = re.search(r'class="btn btn-secondary btn-sm conflict-ask" href="([^"]+)"', page)
    return unescape(found.group(1)) if found else None


def convert(client, lead, **data):
    return client.post(f"/leads/{lead.pk}/convert/", data)


def test_refused_conversion_offers_to_ask_the_owner_then_converts_into_the_customer(
    client, org, taken, lead, django_capture_on_commit_callbacks
):
    li, zhang = org.users["li"], org.users["zhang"]
    client.force_login(li)
    fields = {
        "mode": "new",
        "customer-kind": "company",
        "customer-name": "苏州明远精密机械",
        "create_contact": "on",
    }
    fields |= {"customer-phone": PHONE, "customer-level": "", "customer-source": "other"}
    response = convert(client, lead, **fields)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Customer “苏州明远精密机械有限公司” already exists, owned by 张三" in page
    assert 'id="conflict-ways"' in page and "conflict-open" not in page  # 李四 may not open it yet
    assert "Convert into this customer" not in page  # nor change it
    link = ask_link(page)
    assert link.startswith("/customers/team-requests/?token=")

    confirm = client.get(link)
    assert confirm.status_code == 200 and "张三 owns “苏州明远精密机械有限公司”" in confirm.content.decode()
    token = re.search(r'name="token" value="([^"]+)"', confirm.content.decode()).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post("/customers/team-requests/", {"token": token, "next": f"/leads/{lead.pk}/"})
    assert asked.status_code == 302 and asked["Location"] == f"/leads/{lead.pk}/"
    note = Notification.objects.get(recipient=zhang)
    assert note.title == "李四 asks to join the team of “苏州明远精密机械有限公司”"
    assert note.url.startswith("/customers/team-requests/")

    # 李四 cannot decide his own request: 403, nothing shared
    assert client.post(note.url, {"decision": "write"}).status_code == 403
    assert not RecordShare.objects.exists()

    client.force_login(zhang)
    assert "Add them (can edit)" in client.get(note.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        decided = client.post(note.url, {"decision": "write"})
    assert decided.status_code == 302 and decided["Location"] == f"/customers/{taken.pk}/"
    share = RecordShare.objects.get()
    assert (share.user, share.access, share.object_id) == (li, "write", taken.pk)
    told = Notification.objects.get(recipient=li)
    assert (told.title, told.url) == (
        "张三 added you to the team of “苏州明远精密机械有限公司”",
        f"/customers/{taken.pk}/",
    )

    # Now the refusal offers to open the customer and convert the lead into it.
    client.force_login(li)
    page = convert(client, lead, **fields).content.decode()
    assert "conflict-open" in page and "Convert into this customer" in page and ask_link(page) is None
    done = convert(client, lead, mode="existing", customer=str(taken.pk), create_contact="on")
    assert done.status_code == 302
    lead.refresh_from_db()
    assert (lead.status, lead.converted_customer_id) == ("converted", taken.pk)
    assert CustomerContact.objects.filter(customer=taken, contact__name="陈静").count() == 1
    assert Customer.objects.count() == 1


def test_declined_request_tells_the_requester_and_shares_nothing(
    client, org, taken, django_capture_on_commit_callbacks
):
    from guanxi.customers.services.team_requests import DECIDE_SALT

    li, zhang = org.users["li"], org.users["zhang"]
    token = signing.dumps({"c": taken.pk, "u": li.pk}, salt=DECIDE_SALT)
    client.force_login(zhang)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/customers/team-requests/{token}/", {"decision": "decline"}).status_code == 302
    assert not RecordShare.objects.exists()
    assert (
        Notification.objects.get(recipient=li).title
        == "张三 declined your request to join the team of “苏州明远精密机械有限公司”"
    )


def test_forged_or_foreign_tokens_are_refused_and_change_nothing(client, org, taken):
    from guanxi.customers.services.team_requests import ASK_SALT

    li, wang = org.users["li"], org.users["wang"]
    client.force_login(li)
    # a token made for someone else, and one that was never signed
    foreign = signing.dumps({"c": taken.pk, "u": wang.pk}, salt=ASK_SALT)
    assert client.post("/customers/team-requests/", {"token": foreign, "next": "/"}).status_code == 403
    response = client.get("/customers/team-requests/?token=forged")
    assert response.status_code == 404 and "This request is not valid." in response.content.decode()
    assert client.get("/customers/team-requests/forged/").status_code == 404
    assert client.post("/customers/team-requests/forged/", {"decision": "write"}).status_code == 404
    assert not Notification.objects.exists() and not RecordShare.objects.exists()


def test_customer_form_refusal_offers_the_request(client, org, taken):
    client.force_login(org.users["li"])
    page = client.post(
        "/customers/add/",
        {
            "kind": "company",
            "name": "杭州新客户有限公司",
            "stage": "prospect",
            "status": "active",
            "phone": PHONE,
        },
    ).content.decode()
    assert "already exists, owned by 张三" in page
    assert ask_link(page).startswith("/customers/team-requests/?token=")
