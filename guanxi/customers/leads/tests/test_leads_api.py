"""The leads API: duplicate 409, allow_duplicate, the assignment rules on create, convert and assign."""

from __future__ import annotations

import pytest

from guanxi.core.models import ObjectChange
from guanxi.customers.models import AssignmentRule, Contact, Customer, CustomerContact, Lead
from guanxi.framework.api.testing import token_client
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.scopes import give_role, rows_by_pk

pytestmark = pytest.mark.django_db
URL = "/api/v1/customers/leads/"


@pytest.fixture
def rep(django_user_model):
    from guanxi.users.models import Department

    with as_system():
        east = Department.objects.create(name="华东销售一部")
        user = django_user_model.objects.create_user("zhang", name="张三", department=east, language="en")
    give_role(user, Lead, "own", ["view", "add", "change", "claim"], name="rep-leads")
    give_role(user, Customer, "own", ["view", "add", "change"], name="rep-customers")
    give_role(user, Contact, "own", ["view", "add", "change"], name="rep-contacts")
    return type(user).objects.get(pk=user.pk)


def test_create_refuses_a_duplicate_with_409_listing_the_matches(rep):
    with as_system():
        other = type(rep).objects.create_user("li", name="李四")
        Customer.objects.create(name="上海星河科技有限公司", phone="+8613800138000", owner=other)
    api = token_client(rep)
    response = api.post(URL, {"name": "陈晨", "phone": "13800138000", "company": "星河科技"}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["matches"] == [
        {
            "kind": "customer",
            "id": None,
            "name": "上海星河科技有限公司",
            "owner": "李四",
            "reason": "same phone",
        }
    ]
    assert "allow_duplicate" in body["detail"]
    assert not Lead.objects.exists()
    created = api.post(URL, {"name": "陈晨", "phone": "13800138000", "allow_duplicate": True}, format="json")
    assert created.status_code == 201, created.json()
    lead = Lead.objects.get()
    assert (lead.phone, lead.source, lead.owner) == ("+8613800138000", "api", None)
    assert lead.department == rep.department  # waits in the creator's department pool, visible to them
    assert created.json()["id"] == lead.pk


def test_create_goes_through_the_assignment_rules(rep):
    with as_system():
        rule = AssignmentRule.objects.create(name="API 线索", sources=["api"])
        rule.members.set([rep])
    response = token_client(rep).post(URL, {"name": "周杰", "email": "Zhou@Example.com"}, format="json")
    assert response.status_code == 201
    lead = Lead.objects.get()
    assert (lead.owner, lead.email, lead.assigned_at is not None) == (rep, "zhou@example.com", True)


def test_bad_phone_and_email_are_field_errors_in_the_users_language(rep):
    response = token_client(rep).post(URL, {"name": "吴刚", "phone": "123", "email": "nope"}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["phone"] == ["Enter a valid phone number."]
    assert errors["email"] == ["Enter a valid email address."]
    with as_system():
        type(rep).objects.filter(pk=rep.pk).update(language="zh-hans")  # token users get their saved language
    zh = token_client(type(rep).objects.get(pk=rep.pk), language="zh-hans").post(
        URL, {"name": "吴刚", "phone": "123"}, format="json"
    )
    assert zh.json()["errors"]["phone"] == ["请输入有效的电话号码。"]
    assert not Lead.objects.exists()


def test_status_converted_cannot_be_set_directly(rep):
    with as_system():
        lead = Lead.objects.create(name="郑爽", owner=rep)
    response = token_client(rep).patch(f"{URL}{lead.pk}/", {"status": "converted"}, format="json")
    assert response.status_code == 400
    lead.refresh_from_db()
    assert lead.status == "new"


def test_convert_creates_customer_and_contact(rep):
    with as_system():
        lead = Lead.objects.create(
            name="何静", company="深圳前海数据有限公司", phone="+8613911112222", owner=rep
        )
    response = token_client(rep).post(
        f"{URL}{lead.pk}/convert/", {"customer_fields": {"industry": "software"}}, format="json"
    )
    assert response.status_code == 200, response.json()
    customer = Customer.objects.get()
    assert (customer.name, customer.industry, customer.owner) == ("深圳前海数据有限公司", "software", rep)
    assert response.json()["customer"] == {"id": customer.pk, "display": "深圳前海数据有限公司"}
    assert response.json()["lead"]["status"] == "converted"
    assert CustomerContact.objects.get().contact.phone == "+8613911112222"
    change = ObjectChange.objects.get(changed_object_type__model="lead", action="update")
    assert (change.user, change.source) == (rep, "api")
    again = token_client(rep).post(f"{URL}{lead.pk}/convert/", {}, format="json")
    assert again.status_code == 422 and "already converted" in again.json()["detail"]


def test_convert_conflict_is_409_and_nothing_changes(rep):
    with as_system():
        other = type(rep).objects.create_user("li", name="李四")
        Customer.objects.create(name="深圳前海数据有限公司", owner=other)
        lead = Lead.objects.create(name="何静", company="深圳前海数据有限公司", owner=rep)
    before = {model: rows_by_pk(model) for model in (Lead, Customer, Contact)}
    response = token_client(rep).post(f"{URL}{lead.pk}/convert/", {}, format="json")
    assert response.status_code == 409
    assert "李四" in response.json()["detail"]
    assert {model: rows_by_pk(model) for model in before} == before


def test_convert_with_a_bad_credit_code_is_a_field_error(rep):
    with as_system():
        lead = Lead.objects.create(name="林峰", company="广州天河贸易有限公司", owner=rep)
    response = token_client(rep).post(
        f"{URL}{lead.pk}/convert/", {"customer_fields": {"credit_code": "123"}}, format="json"
    )
    assert response.status_code == 400
    assert "customer_fields.credit_code" in response.json()["errors"]
    assert not Customer.objects.exists()


def test_convert_into_a_customer_the_user_may_not_change_is_refused(rep):
    with as_system():
        other = type(rep).objects.create_user("li", name="李四")
        theirs = Customer.objects.create(name="苏州恒远机械有限公司", owner=other)
        lead = Lead.objects.create(name="冯雪", owner=rep)
    response = token_client(rep).post(f"{URL}{lead.pk}/convert/", {"customer": theirs.pk}, format="json")
    assert response.status_code == 400
    assert not Contact.objects.exists()


def test_assign_needs_the_assign_action(rep, django_user_model):
    with as_system():
        lead = Lead.objects.create(name="韩梅", owner=rep)
        li = django_user_model.objects.create_user("li", name="李四", department=rep.department)
    assert (
        token_client(rep).post(f"{URL}{lead.pk}/assign/", {"owner": li.pk}, format="json").status_code == 403
    )
    with as_system():
        manager = django_user_model.objects.create_user("boss", name="经理", department=rep.department)
    give_role(manager, Lead, "department_tree", ["view", "assign"])
    response = token_client(manager).post(f"{URL}{lead.pk}/assign/", {"owner": li.pk}, format="json")
    assert response.status_code == 200, response.json()
    lead.refresh_from_db()
    assert lead.owner == li
    bad = token_client(manager).post(f"{URL}{lead.pk}/assign/", {"owner": 999999}, format="json")
    assert bad.status_code == 400 and "owner" in bad.json()["errors"]


@pytest.mark.parametrize(("access", "shown"), [("masked", "王磊 · 星***司"), ("hidden", "王磊")])
def test_a_leads_label_follows_the_company_field_rule(client, rep, access, shown):
    """Every label of a lead a reader sees — the API's ``display``, the picker's rows and chosen
    row, global search, the page titles — reads the company through their field rules
    (``fieldaccess.label``); a reader under no rule reads "王磊 · 星河科技有限公司"."""
    from django import forms
    from django.contrib.contenttypes.models import ContentType
    from django.urls import reverse

    from guanxi.framework.pickers import use_picker
    from guanxi.users.models import FieldRule

    with as_system():
        lead = Lead.objects.create(name="王磊", company="星河科技有限公司", owner=rep)
        FieldRule.objects.create(
            role=rep.roles.get(name="rep-leads"),
            content_type=ContentType.objects.get_for_model(Lead),
            field_name="company",
            access=access,
        )
    assert str(lead) == "王磊 · 星河科技有限公司"  # no reader: no field rule
    user = type(rep).objects.get(pk=rep.pk)
    api = token_client(user)
    assert api.get(f"{URL}{lead.pk}/").json()["display"] == shown
    assert [row["display"] for row in api.get(URL).json()["results"]] == [shown]
    client.force_login(user)
    picked = client.get(reverse("pick", args=["customers.lead"]), {"q": "王磊"}).json()["results"]
    assert [row["text"] for row in picked] == [shown]
    field = use_picker(forms.ModelChoiceField(Lead.objects.all()), "customers.lead", user)
    assert field.widget.selected([str(lead.pk)]) == [(str(lead.pk), shown)]
    found = client.get(reverse("search"), {"q": "王磊"}).content.decode()
    assert f'<span class="search-hit-title">{shown}</span>' in found
    for url in (lead.get_absolute_url(), reverse("customers:lead_edit", args=[lead.pk])):
        html = client.get(url).content.decode()
        assert shown in html and "星河科技有限公司" not in html
