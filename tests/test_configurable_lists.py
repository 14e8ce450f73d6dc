"""Industry, company size, customer source, contact role and follow-up outcome are configurable
lists like level and stage: seeded with the codes rows already hold, labelled in both languages,
edited by administrators, offered when active, still shown when deactivated."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils.translation import override

from guanxi.activities.choices import OUTCOME_LIST, Outcome
from guanxi.core import choice_services
from guanxi.core.choices import REGISTRY, label, options
from guanxi.core.models import ChoiceOption
from guanxi.customers.choices import CONTACT_ROLE_LIST, INDUSTRY_LIST, SCALE_LIST, SOURCE_LIST
from guanxi.customers.models import Contact, Customer, CustomerContact
from guanxi.framework.testing.fixtures import as_system, as_user

pytestmark = pytest.mark.django_db

LISTS = {
    INDUSTRY_LIST: Customer.Industry.values,
    SCALE_LIST: Customer.Scale.values,
    SOURCE_LIST: Customer.Source.values,
    CONTACT_ROLE_LIST: ("decision_maker", "finance", "user", "other"),
    OUTCOME_LIST: Outcome.values,
}


def test_the_lists_are_seeded_with_the_codes_rows_already_hold() -> None:
    for name, codes in LISTS.items():
        assert name in REGISTRY
        seeded = list(
            ChoiceOption.objects.filter(list_name=name).order_by("order").values_list("value", flat=True)
        )
        assert seeded == list(codes), name


@pytest.mark.parametrize(
    ("name", "value", "zh", "en"),
    [
        (INDUSTRY_LIST, "finance", "金融", "Finance"),
        (CONTACT_ROLE_LIST, "finance", "财务", "Finance"),
        (SCALE_LIST, "enterprise", "1000 人及以上", "1,000 people or more"),
        (SOURCE_LIST, "cold_call", "电话陌拜", "Cold call"),
        (OUTCOME_LIST, "no_answer", "未接通", "No answer"),
    ],
)
def test_labels_in_both_languages(name: str, value: str, zh: str, en: str) -> None:
    with override("zh-hans"):
        assert label(name, value) == zh
    with override("en"):
        assert label(name, value) == en


def test_the_customer_page_reads_finance_as_jinrong(client: Any, admin_user: Any) -> None:
    with as_system():
        customer = Customer.objects.create(
            name="华夏理财", industry="finance", scale="large", source="referral"
        )
    client.force_login(admin_user)
    form = client.get("/customers/add/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<option value="finance">金融</option>' in form
    with override("zh-hans"):
        assert (customer.get_industry_display(), customer.get_scale_display()) == ("金融", "500–999 人")
    with override("en"):
        assert customer.get_industry_display() == "Finance"


def test_an_administrator_adds_an_industry_and_deactivates_one(client: Any, admin_user: Any) -> None:
    with as_user(admin_user):
        choice_services.add_choice_option(
            actor=admin_user,
            list_name=INDUSTRY_LIST,
            value="agriculture",
            label_zh="农业",
            label_en="Agriculture",
        )
        energy = ChoiceOption.objects.get(list_name=INDUSTRY_LIST, value="energy")
        choice_services.set_choice_option_active(energy, actor=admin_user, active=False)
    with as_system():
        kept = Customer.objects.create(name="国电新能源", industry="energy")
    client.force_login(admin_user)
    add = client.get("/customers/add/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<option value="agriculture">农业</option>' in add
    assert 'value="energy"' not in add
    edit = client.get(f"/customers/{kept.pk}/edit/").content.decode()
    assert '<option value="energy" selected>能源</option>' in edit  # the row keeps its value
    response = client.post(
        "/customers/add/",
        {
            "kind": "company",
            "name": "新农科技",
            "industry": "agriculture",
            "stage": "prospect",
            "status": "active",
        },
    )
    assert response.status_code == 302
    assert Customer.objects.get(name="新农科技").industry == "agriculture"
    # the filter panel offers the new industry too
    assert 'value="agriculture"' in client.get("/customers/").content.decode()


def test_a_deactivated_contact_role_is_not_offered_but_kept(client: Any, admin_user: Any) -> None:
    with as_system():
        customer = Customer.objects.create(name="苏州精工机械", owner=admin_user)
        contact = Contact.objects.create(name="赵强", owner=admin_user)
        link = CustomerContact.objects.create(customer=customer, contact=contact, role="user")
    with as_user(admin_user):
        user_role = ChoiceOption.objects.get(list_name=CONTACT_ROLE_LIST, value="user")
        choice_services.update_choice_option(user_role, actor=admin_user, label_zh="使用人", label_en="User")
        choice_services.set_choice_option_active(user_role, actor=admin_user, active=False)
    client.force_login(admin_user)
    url = f"/customers/{customer.pk}/contacts/{link.pk}/edit/"
    # unchanged role: accepted; a deactivated role set anew: refused at the field
    ok = client.post(
        url, {f"link{link.pk}-role": "user", f"link{link.pk}-is_primary": "on"}, HTTP_HX_REQUEST="true"
    )
    assert ok.status_code == 200
    link.refresh_from_db()
    assert (link.role, link.is_primary) == ("user", True)
    with override("zh-hans"):
        assert link.get_role_display() == "使用人"
    with as_system():
        other = CustomerContact.objects.create(
            customer=customer, contact=Contact.objects.create(name="钱多多", owner=admin_user), role="other"
        )
    refused = client.post(
        f"/customers/{customer.pk}/contacts/{other.pk}/edit/",
        {f"link{other.pk}-role": "user"},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 422
    other.refresh_from_db()
    assert other.role == "other"
    assert [o.value for o in options(CONTACT_ROLE_LIST) if o.active] == ["decision_maker", "finance", "other"]


def test_follow_up_outcomes_follow_the_list(client: Any, admin_user: Any) -> None:
    from guanxi.activities.forms import QuickFollowUpForm

    with as_user(admin_user):
        choice_services.add_choice_option(
            actor=admin_user,
            list_name=OUTCOME_LIST,
            value="demo_booked",
            label_zh="已约演示",
            label_en="Demo booked",
        )
    with override("zh-hans"):
        offered = dict(QuickFollowUpForm.base_fields["outcome"].choices)
    assert offered["demo_booked"] == "已约演示" and offered["reached"] == "已接通"
    with override("en"):
        assert dict(QuickFollowUpForm.base_fields["outcome"].choices)["demo_booked"] == "Demo booked"
