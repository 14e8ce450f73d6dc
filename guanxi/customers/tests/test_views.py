"""The generic entity suite on customers and contacts, plus the customer profile's Contacts card."""

from __future__ import annotations

import pytest

from guanxi.core.models import ObjectChange
from guanxi.customers.models import Contact, Customer, CustomerContact
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.suites import EntityViewSuite, perm


class TestCustomerViews(EntityViewSuite):
    model = Customer
    url_prefix = "/customers/"
    form_data = {
        "kind": "company",
        "name": "上海星辰科技有限公司",
        "phone": "13800138000",
        "credit_code": "91310000MA1FL8XQ37",
        "stage": "prospect",
        "status": "active",
    }
    edit_data = {"kind": "company", "name": "上海星辰科技股份有限公司", "stage": "won", "status": "active"}
    bulk_edit_data = {"level": "A"}

    def make(self, n):
        return Customer.objects.create(name=f"客户{n:03d}", phone=f"+86138{n:08d}")


class TestContactViews(EntityViewSuite):
    model = Contact
    url_prefix = "/contacts/"
    form_data = {"name": "张伟", "phone": "13900139000", "email": "Zhang.Wei@Example.COM"}
    edit_data = {"name": "张伟伟", "phone": "13900139000"}
    bulk_edit_data = {"title": "采购经理"}

    def make(self, n):
        return Contact.objects.create(name=f"联系人{n:03d}")


@pytest.mark.django_db
def test_form_normalises_phone_and_email(admin_client):
    response = admin_client.post("/contacts/add/", TestContactViews.form_data)
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.phone, contact.email) == ("+8613900139000", "zhang.wei@example.com")


@pytest.mark.django_db
def test_contact_added_from_the_customer_is_linked_and_shown(client, make_user):
    user = make_user(
        "rep",
        perms=[perm(Customer, a) for a in ("view", "change")] + [perm(Contact, a) for a in ("view", "add")],
        language="en",
    )
    with as_system():
        customer = Customer.objects.create(name="杭州云帆贸易有限公司")
    client.force_login(user)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "No contacts yet" in page
    assert f"/contacts/add/?customer={customer.pk}" in page

    data = {
        "name": "李娜",
        "title": "财务总监",
        "customer": customer.pk,
        "role": "finance",
        "is_primary": "on",
    }
    assert client.post("/contacts/add/", data).status_code == 302
    link = CustomerContact.objects.get()
    assert (link.customer, link.contact.name, link.role, link.is_primary) == (
        customer,
        "李娜",
        "finance",
        True,
    )
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert page.count('class="contact-link"') == 1
    assert "李娜" in page and "Finance" in page and "Primary" in page
    # the link is in the customer's history (changelog_parent = "customer")
    change = ObjectChange.objects.get(changed_object_type__model="customercontact", action="create")
    assert (change.related_object_id, change.user) == (customer.pk, user)


@pytest.mark.django_db
def test_second_primary_contact_is_refused(admin_client):
    with as_system():
        customer = Customer.objects.create(name="苏州恒远机械有限公司")
        first = Contact.objects.create(name="王强")
        CustomerContact.objects.create(customer=customer, contact=first, is_primary=True)
    data = {"name": "赵敏", "customer": customer.pk, "role": "user", "is_primary": "on"}
    response = admin_client.post("/contacts/add/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "This customer already has a primary contact." in response.content.decode()
    assert list(Contact.objects.values_list("name", flat=True)) == ["王强"]


@pytest.mark.django_db
def test_contacts_card_hides_contacts_outside_the_users_scope(client, make_user):
    user = make_user("viewer", perms=[perm(Customer, "view")])
    with as_system():
        customer = Customer.objects.create(name="深圳前海数据有限公司")
        CustomerContact.objects.create(customer=customer, contact=Contact.objects.create(name="孙丽"))
    client.force_login(user)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "孙丽" not in page


@pytest.mark.django_db
def test_history_shows_phones_as_people_write_them(admin_client):
    """The change log keeps E.164; the History tab and the timeline read like the page."""
    from guanxi.framework.history import describe_changes

    with as_system():
        customer = Customer.objects.create(name="杭州西湖茶业有限公司", phone="+8618797064350")
        customer.phone = "+8613912345678"
        customer.save()
    changes = list(ObjectChange.objects.filter(changed_object_type__model="customer").order_by("id"))
    assert changes[1].postchange_data["phone"] == "+8613912345678"  # stored form unchanged
    rows = {row.name: row for row in describe_changes(changes)[changes[1].pk]}
    assert (rows["phone"].old, rows["phone"].new) == ("187 9706 4350", "139 1234 5678")
    page = admin_client.get(f"/customers/{customer.pk}/").content.decode()
    # shown as people write it; the E.164 form only in the link that dials it
    assert '<a class="tel-link" href="tel:+8613912345678">139 1234 5678</a>' in page
    assert "+8613912345678" not in page.replace('href="tel:+8613912345678"', "")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"), [("zh-hans", ("不限", "是", "否")), ("en", ("Any", "Yes", "No"))]
)
def test_yes_no_filters_offer_any_instead_of_unknown(admin_client, language, words):
    """A yes/no filter's empty choice means "do not filter", not Django's "Unknown" (未知)."""
    import re

    page = admin_client.get("/customers/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    select = re.search(r'<select name="mine"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None
    options = re.findall(r'<option value="(\w+)"[^>]*>([^<]*)</option>', select.group(1))
    assert options == list(zip(("unknown", "true", "false"), words, strict=True))
    # and it filters: "Yes" narrows to the reader's own customers, "Any" does not filter
    assert admin_client.get("/customers/?mine=unknown").status_code == 200
