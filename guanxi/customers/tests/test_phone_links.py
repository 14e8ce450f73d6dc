"""Every phone number and email a user reads in clear is a ``tel:`` / ``mailto:`` link — on the
lists (and their phone cards), the 360° page, its Contacts card and summary, and the search
results — and a masked or hidden one never is: ``tel:138****8000`` dials nothing and would leak."""

import pytest
from django.contrib.contenttypes.models import ContentType

from guanxi.customers.models import Contact, Customer, CustomerContact
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.scopes import give_role
from guanxi.users.models import FieldRule

pytestmark = pytest.mark.django_db

TEL = 'href="tel:+8613800138000"'
CONTACT_TEL = 'href="tel:+8618797064350"'
MAILTO = 'href="mailto:info825@bh-tech.cn"'


@pytest.fixture
def customer(admin_user):
    with as_system():
        customer = Customer.objects.create(
            name="华信科技", email="info825@bh-tech.cn", phone="+8613800138000", owner=admin_user
        )
        contact = Contact.objects.create(
            name="王经理", phone="+8618797064350", email="wang@bh-tech.cn", owner=admin_user
        )
        CustomerContact.objects.create(customer=customer, contact=contact, is_primary=True)
    return customer


def test_links_on_the_list_the_360_page_and_the_search(admin_client, customer):
    listing = admin_client.get("/customers/?columns=name&columns=phone&columns=email").content.decode()
    assert f'<a class="tel-link" {TEL}>138 0013 8000</a>' in listing
    assert f'<a class="mailto-link" {MAILTO}>info825@bh-tech.cn</a>' in listing
    assert f'class="btn btn-sm btn-secondary row-call" {TEL}' in listing  # the card's Call button

    page = admin_client.get(f"/customers/{customer.pk}/").content.decode()
    assert f'<a class="tel-link" {TEL}>138 0013 8000</a>' in page  # the profile
    assert MAILTO in page
    assert f'<a class="tel-link" {CONTACT_TEL}>187 9706 4350</a>' in page  # Contacts card and summary
    assert 'href="mailto:wang@bh-tech.cn"' in page
    assert f'id="summary-call" {CONTACT_TEL}' in page
    assert f'id="actionbar-call" {CONTACT_TEL}' in page

    found = admin_client.get("/search/?q=8000").content.decode()
    assert f'class="icon-btn contact-call" {TEL}' in found
    assert f'class="icon-btn contact-mail" {MAILTO}' in found

    contacts = admin_client.get("/contacts/").content.decode()
    assert CONTACT_TEL in contacts


def test_masked_and_hidden_values_are_never_links(client, make_user, customer):
    user = make_user("agent1")
    role = give_role(user, Customer, "all", ["view"], name="客服-测试")
    with as_system():
        ct = ContentType.objects.get_for_model(Customer)
        for field, access in (("email", "hidden"), ("phone", "masked")):
            FieldRule.objects.create(role=role, content_type=ct, field_name=field, access=access)
    client.force_login(user)
    for url in (
        "/customers/?columns=name&columns=phone&columns=email",
        f"/customers/{customer.pk}/",
        "/search/?q=华信",
    ):
        html = client.get(url).content.decode()
        assert "tel:+8613800138000" not in html and "mailto:info825" not in html, url
    listing = client.get("/customers/?columns=name&columns=phone").content.decode()
    assert "138****8000" in listing
