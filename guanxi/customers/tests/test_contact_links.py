"""The 360° Contacts card: edit a link's role, move the primary flag, unlink, link an existing contact."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from guanxi.core.models import ObjectChange
from guanxi.customers.models import Contact, Customer, CustomerContact
from guanxi.framework.testing.fixtures import as_system

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def card(team):
    with as_system():
        customer = Customer.objects.create(name="无锡华光机电有限公司", owner=team.rep1)
        li, zhao = (
            Contact.objects.create(name="李娜", owner=team.rep1),
            Contact.objects.create(name="赵强", owner=team.rep1),
        )
        first = CustomerContact.objects.create(customer=customer, contact=li, role="finance", is_primary=True)
        second = CustomerContact.objects.create(customer=customer, contact=zhao, role="user")
        spare = Contact.objects.create(name="钱多多", owner=team.rep1)
        foreign = Contact.objects.create(name="外人", owner=team.rep2)
    return customer, first, second, spare, foreign


def links(customer):
    return list(
        CustomerContact.objects.filter(customer=customer)
        .order_by("contact__name")
        .values_list("contact__name", "role", "is_primary")
    )


def test_edit_role_and_move_the_primary_flag(client, team, card):
    customer, _first, second, _spare, _foreign = card
    client.force_login(team.rep1)
    url = f"/customers/{customer.pk}/contacts/{second.pk}/edit/"
    response = client.post(
        url, {f"link{second.pk}-role": "decision_maker", f"link{second.pk}-is_primary": "on"}, **HX
    )
    assert response.status_code == 200
    assert 'id="customer-contacts"' in response.content.decode()
    assert links(customer) == [("李娜", "finance", False), ("赵强", "decision_maker", True)]
    ct = ContentType.objects.get_for_model(CustomerContact)
    logged = ObjectChange.objects.filter(
        changed_object_type=ct, action="update", related_object_id=customer.pk
    )
    assert logged.count() == 2  # the old primary lost the flag, the new one got it and its role


def test_unlink_keeps_the_contact(client, team, card):
    customer, first, _second, _spare, _foreign = card
    client.force_login(team.rep1)
    response = client.post(f"/customers/{customer.pk}/contacts/{first.pk}/unlink/")
    assert response.status_code == 302  # without HTMX: back to the page
    assert links(customer) == [("赵强", "user", False)]
    assert Contact.objects.filter(name="李娜").exists()


def test_link_an_existing_contact(client, team, card):
    customer, _first, _second, spare, foreign = card
    client.force_login(team.rep1)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "/pick/customers.contact/" in page  # a search, not a select of every contact
    offered = [row["text"] for row in client.get("/pick/customers.contact/").json()["results"]]
    assert "钱多多" in offered and "外人" not in offered  # the picker offers only contacts rep1 may view
    url = f"/customers/{customer.pk}/contacts/link/"
    response = client.post(url, {"contact": spare.pk, "role": "user", "is_primary": "on"}, **HX)
    assert response.status_code == 200
    assert links(customer) == [("李娜", "finance", False), ("赵强", "user", False), ("钱多多", "user", True)]
    refused = client.post(url, {"contact": foreign.pk, "role": "user"}, **HX)
    assert refused.status_code == 422
    assert "外人" not in [name for name, _r, _p in links(customer)]


def test_another_rep_can_change_nothing(client, team, card):
    customer, first, _second, spare, _foreign = card
    before = links(customer)
    client.force_login(team.rep2)
    assert client.post(f"/customers/{customer.pk}/contacts/{first.pk}/unlink/").status_code == 404
    assert (
        client.post(
            f"/customers/{customer.pk}/contacts/link/", {"contact": spare.pk, "role": "user"}
        ).status_code
        == 404
    )
    assert links(customer) == before


def test_a_reader_sees_the_card_without_forms(client, team, card):
    customer, first, *_rest = card
    with as_system():
        customer.owner = team.rep2  # rep1 keeps a read share only
        customer.save()
    from guanxi.framework.testing.scopes import share

    share(customer, team.rep1, "read")
    # the contacts went to the customer's new owner with it (customers change hands with their
    # contacts): the reader is shared the one the test reads
    share(first.contact, team.rep1, "read")
    client.force_login(team.rep1)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "李娜" in page and "contact-link-existing" not in page and "contact-unlink" not in page
    response = client.post(f"/customers/{customer.pk}/contacts/{first.pk}/unlink/")
    assert response.status_code == 403
    assert CustomerContact.objects.filter(pk=first.pk).exists()


def test_quick_add_form_loads_into_the_card(client, team, card):
    customer, *_rest = card
    client.force_login(team.rep1)
    response = client.get(f"/contacts/add/?customer={customer.pk}&next=/customers/{customer.pk}/", **HX)
    body = response.content.decode()
    assert response.status_code == 200 and 'id="contact-form"' in body and "<html" not in body
    data = {"name": "孙新", "customer": customer.pk, "role": "other", "next": f"/customers/{customer.pk}/"}
    done = client.post("/contacts/add/", data, **HX)
    assert done.status_code == 204 and done["HX-Redirect"] == f"/customers/{customer.pk}/"
    assert ("孙新", "other", False) in links(customer)


def test_360_page_query_count_is_pinned(client, team, django_assert_max_num_queries):
    with as_system():
        customer = Customer.objects.create(name="青岛海景食品有限公司", owner=team.rep1, region_code="370202")
        for n in range(12):
            contact = Contact.objects.create(
                name=f"联系人{n:02d}", owner=team.rep1, phone=f"+86139000000{n:02d}"
            )
            CustomerContact.objects.create(customer=customer, contact=contact, role="user", is_primary=n == 0)
    client.force_login(team.manager1)  # the manager also gets the Transfer quick action
    # 26 measured (12 contacts with edit forms, transfer action, team card, the follow-ups card,
    # pool status and pool action); N+1 would add 12+
    client.get(f"/customers/{customer.pk}/")
    with django_assert_max_num_queries(27):
        response = client.get(f"/customers/{customer.pk}/")
    page = response.content.decode()
    assert page.count('class="contact-link"') == 12 and "customer-transfer" in page
