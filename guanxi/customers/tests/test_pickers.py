"""Pickers (framework/pickers.py): what each person is offered, what is refused, what it costs.

The owner picker of a rep offers only the people the rep may give a customer to (here: only
themself), a manager their department tree; the same rule validates the form, so a crafted id is
refused at the owner input and nothing changes. Search is the platform's (pinyin, initials, phone
digits), inside ``restrict()``, and never through a field the reader may not read in clear.
"""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test.utils import override_settings
from django.urls import reverse

from guanxi.core.choices import active_choices
from guanxi.customers.choices import CONTACT_ROLE_LIST
from guanxi.customers.models import Contact, Customer, CustomerContact
from guanxi.framework import write
from guanxi.framework.pickers import rows_for
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.users.models import FieldRule, User

OWNER = reverse("pick", args=["customers.customer.owner"])
CONTACTS = reverse("pick", args=["customers.contact"])


def make_customer(owner, **fields) -> Customer:
    with as_system():
        return Customer.objects.create(name=fields.pop("name", "飞海科技"), owner=owner, **fields)


def make_contact(owner, name, **fields) -> Contact:
    with as_system():
        return Contact.objects.create(name=name, owner=owner, **fields)


def picked(client, url, q="", **params) -> list[tuple[int, str, str]]:
    response = client.get(url, {"q": q, **params})
    assert response.status_code == 200, response.content
    return [(row["id"], row["text"], row["secondary"]) for row in response.json()["results"]]


def edit_data(client, url, **changes) -> dict:
    """The edit form's current values as a browser would post them, with ``changes``."""
    form = client.get(url).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value not in (None, "", []) and not field.disabled:
            data[name] = [str(getattr(v, "pk", v)) for v in value] if isinstance(value, list) else value
    return {**data, **changes}


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)  # no access snapshot carried over


# -- what is offered --------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_reps_owner_picker_offers_only_the_rep(team, client):
    client.force_login(team.rep1)
    assert [row[:2] for row in picked(client, OWNER)] == [(team.rep1.pk, "王芳")]
    assert picked(client, OWNER, "liuyang") == []  # 刘洋: a colleague the rep may not give rows to
    assert picked(client, OWNER, "wf") == [(team.rep1.pk, "王芳", "华东销售一部")]


@pytest.mark.django_db
def test_a_managers_owner_picker_offers_the_department_tree_found_by_pinyin(team, client):
    with as_system():
        team.rep1b.phone, team.rep1b.job_title = "138 1234 8000", "销售代表"
        team.rep1b.save()  # its search keys follow
    client.force_login(team.manager1)
    everyone = picked(client, OWNER)
    assert sorted(pk for pk, _t, _s in everyone) == sorted([team.manager1.pk, team.rep1.pk, team.rep1b.pk])
    assert team.rep2.pk not in [pk for pk, _t, _s in everyone]  # 陈静, another department
    assert picked(client, OWNER, "wangfang") == [(team.rep1.pk, "王芳", "华东销售一部")]
    assert picked(client, OWNER, "王") == [(team.rep1.pk, "王芳", "华东销售一部")]
    assert picked(client, OWNER, "ly") == [(team.rep1b.pk, "刘洋", "华东销售一部 · 销售代表")]
    assert picked(client, OWNER, "8000") == [(team.rep1b.pk, "刘洋", "华东销售一部 · 销售代表")]
    assert picked(client, OWNER, "chenjing") == []  # 陈静 exists, but not for this manager


@pytest.mark.django_db
def test_owner_choices_is_the_one_rule(team):
    assert list(write.owner_choices(fresh(team.rep1), Customer)) == [team.rep1]
    assert set(write.owner_choices(fresh(team.manager1), Customer)) == {team.manager1, team.rep1, team.rep1b}
    with as_system():
        User.objects.filter(pk=team.rep1b.pk).update(is_active=False)
    assert team.rep1b not in set(write.owner_choices(fresh(team.manager1), Customer))


@pytest.mark.django_db
def test_records_are_searched_inside_restrict(team, client):
    mine = make_contact(team.rep1, "李雷")
    make_contact(team.rep2, "李娜")  # another rep's contact
    client.force_login(team.rep1)
    assert [row[:2] for row in picked(client, CONTACTS, "li")] == [(mine.pk, "李雷")]
    client.force_login(team.rep2)
    assert [row[1] for row in picked(client, CONTACTS, "li")] == ["李娜"]


@pytest.mark.django_db
def test_masked_and_hidden_fields_are_never_searched_or_shown(team, client):
    contact = make_contact(team.rep1, "韩梅梅", phone="13912345678", email="zqx@corp.cn", title="采购经理")
    client.force_login(team.rep1)
    assert picked(client, CONTACTS, "5678") == [(contact.pk, "韩梅梅", "采购经理 · zqx@corp.cn")]
    role = team.rep1.roles.get(name="rep-contact-rep1")
    with as_system():
        ct = ContentType.objects.get_for_model(Contact)
        FieldRule.objects.create(role=role, content_type=ct, field_name="phone", access="masked")
        FieldRule.objects.create(role=role, content_type=ct, field_name="email", access="hidden")
    assert picked(client, CONTACTS, "5678") == []  # the masked phone finds nothing
    assert picked(client, CONTACTS, "zqx@") == []  # nor the hidden e-mail
    assert picked(client, CONTACTS, "hmm") == [(contact.pk, "韩梅梅", "采购经理")]  # no e-mail shown


@pytest.mark.django_db
def test_unknown_sources_and_anonymous_readers(team, client):
    assert client.get(OWNER).status_code == 302  # to the login page
    client.force_login(team.rep1)
    for source in ("nope", "customers.nothing", "customers.customer.nothing", "customers.customer.name",
                   "sessions.session", "customers.customer:delete"):  # fmt: skip
        assert client.get(reverse("pick", args=[source])).status_code == 404, source


@pytest.mark.django_db
def test_pages_of_twenty(team, client):
    with as_system():
        for n in range(25):
            Contact.objects.create(name=f"李{n:02d}", owner=team.rep1)
    client.force_login(team.rep1)
    first = client.get(CONTACTS, {"q": "li"}).json()
    second = client.get(CONTACTS, {"q": "li", "page": 2}).json()
    pages = (len(first["results"]), first["more"], len(second["results"]), second["more"])
    assert pages == (20, True, 5, False)
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}
    assert client.get(CONTACTS, {"page": "x"}).status_code == 200


@pytest.mark.django_db
def test_the_endpoint_costs_a_fixed_number_of_queries(team, client, django_assert_num_queries):
    with as_system():
        for n in range(30):
            User.objects.create_user(username=f"w{n}", name=f"王{n:02d}", department=team.east1)
    client.force_login(team.manager1)
    client.get(OWNER, {"q": "wang"})  # warm: content types, the access snapshot
    # session + user, candidate keys, the restricted rows (with their departments)
    with django_assert_num_queries(4):
        response = client.get(OWNER, {"q": "wang"})
    assert len(response.json()["results"]) == 20
    with django_assert_num_queries(3):  # no query: one page of the choices by name
        assert len(client.get(OWNER).json()["results"]) == 20


# -- what is refused ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_crafted_owner_is_refused_at_the_field_and_nothing_changes(team, client):
    customer = make_customer(team.rep1)
    client.force_login(team.rep1)
    url = reverse("customers:customer_edit", args=[customer.pk])
    form = client.get(url)
    assert 'role="combobox"' in form.content.decode()
    assert "陈静" not in form.content.decode() and "刘洋" not in form.content.decode()
    data = edit_data(client, url, owner=team.rep1b.pk)
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    refused = "That is not one of the choices you may make."
    assert dict(response.context["form"].errors) == {"owner": [refused]}
    body = response.content.decode()
    assert "That is not one of the choices you may make." in body
    assert body.index("That is not one of the choices") > body.index('name="owner"')  # at the owner input
    customer.refresh_from_db()
    assert customer.owner_id == team.rep1.pk


@pytest.mark.django_db
def test_a_write_that_gives_the_row_away_says_why_at_the_owner(team):
    customer = make_customer(team.rep1)
    customer.owner = team.rep2
    with as_user(team.rep1), pytest.raises(write.OutsideScope) as refused:
        write.save_object(customer, actor=fresh(team.rep1))
    assert refused.value.field == "owner"
    assert str(refused.value) == (
        "You may not give this record to 陈静: you would no longer be allowed to see it."
    )
    assert Customer.objects.get(pk=customer.pk).owner_id == team.rep1.pk


@pytest.mark.django_db
def test_the_manager_assigns_within_the_tree(team, client):
    customer = make_customer(team.rep1)
    client.force_login(team.manager1)
    url = reverse("customers:customer_edit", args=[customer.pk])
    response = client.post(url, edit_data(client, url, owner=team.rep1b.pk))
    assert response.status_code == 302, response.context["form"].errors
    customer.refresh_from_db()
    assert (customer.owner_id, customer.department_id) == (team.rep1b.pk, team.east1.pk)


# -- the 360° page ------------------------------------------------------------------------------------
@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="en")
def test_the_contacts_card_links_through_the_picker_not_a_select_of_every_contact(team, client):
    customer = make_customer(team.rep1)
    other = make_customer(team.rep1, name="星河贸易")
    contact = make_contact(team.rep1, "韩梅梅")
    with as_system():
        CustomerContact.objects.create(customer=other, contact=contact)
        for n in range(50):
            Contact.objects.create(name=f"联系人{n}", owner=team.rep1)
    client.force_login(team.rep1)
    page = client.get(customer.get_absolute_url()).content.decode()
    card = page[page.index('id="customer-contacts"') :]
    card = card[: card.index("</section>")]
    assert "联系人1" not in card and "<option" in card  # roles only
    assert card.count("<option") == len(active_choices(CONTACT_ROLE_LIST))
    assert reverse("pick", args=["customers.contact"]) in card
    response = client.post(
        reverse("customers:customer_contact_link", args=[customer.pk]),
        {"contact": contact.pk, "role": "other"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert CustomerContact.objects.filter(customer=customer, contact=contact).exists()
    outsider = make_contact(team.rep2, "李娜")
    refused = client.post(
        reverse("customers:customer_contact_link", args=[customer.pk]),
        {"contact": outsider.pk, "role": "other"},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 422
    assert "That is not one of the choices you may make." in refused.content.decode()
    assert not CustomerContact.objects.filter(contact=outsider).exists()


@pytest.mark.django_db
def test_rows_for_reads_the_same_rule_as_the_form(team):
    rows, more = rows_for(fresh(team.rep1), "customers.customer.owner", "")
    assert ([row["id"] for row in rows], more) == ([team.rep1.pk], False)


@pytest.mark.django_db
def test_an_edited_rows_current_owner_stays_valid(team, client):
    from guanxi.framework.testing.scopes import share

    customer = make_customer(team.rep2)
    share(customer, team.rep1, "write")  # rep1 edits 陈静's customer without owning it
    client.force_login(team.rep1)
    url = reverse("customers:customer_edit", args=[customer.pk])
    page = client.get(url).content.decode()
    assert 'value="陈静"' in page  # the current owner shows in the picker
    response = client.post(url, edit_data(client, url, name="飞海科技（上海）"))
    assert response.status_code == 302, response.context["form"].errors
    customer.refresh_from_db()
    assert (customer.name, customer.owner_id) == ("飞海科技（上海）", team.rep2.pk)
