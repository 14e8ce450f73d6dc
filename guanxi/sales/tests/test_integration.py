"""Deals from the other modules: lead conversion creates one, the customer 360° page shows them,
the pool rule "no won deal for N days" reads the won date."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.customers.models import Contact, Customer, Lead
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.scopes import give_role
from guanxi.sales.models import Deal, DealContact
from guanxi.sales.tests.conftest import make_deal, stage

pytestmark = pytest.mark.django_db


def _convert(client, lead, **extra):
    data = {
        "mode": "new",
        "create_contact": "on",
        "customer-kind": "company",
        "customer-name": "宁波海曙精密机械有限公司",
        "customer-province": "浙江省",
        "customer-source": "web_form",
        **extra,
    }
    return client.post(f"/leads/{lead.pk}/convert/", data)


def test_the_convert_page_offers_a_deal_and_creates_it(sales, client):
    from guanxi.customers.models import Lead as LeadModel

    give_role(sales.rep1, LeadModel, "own", ["view", "add", "change"], name="rep-lead")
    give_role(sales.rep1, Contact, "own", ["view", "add", "change"], name="rep-contact")
    with as_system():
        lead = Lead.objects.create(
            name="吴刚", company="宁波海曙精密机械有限公司", owner=sales.rep1, utm_campaign="2026 工博会"
        )
    client.force_login(sales.rep1)
    page = client.get(f"/leads/{lead.pk}/convert/").content.decode()
    assert 'name="create_deal"' in page and 'name="deal_amount"' in page
    response = _convert(client, lead, create_deal="on", deal_name="数控机床改造", deal_amount="-1")
    assert response.status_code == 422
    assert not Customer.objects.filter(name="宁波海曙精密机械有限公司").exists() and not Deal.objects.exists()
    response = _convert(client, lead, create_deal="on", deal_name="数控机床改造", deal_amount="88000")
    assert response.status_code == 302, response.content.decode()[:2000]
    deal = Deal.objects.get()
    customer = Customer.objects.get(name="宁波海曙精密机械有限公司")
    assert (deal.name, deal.customer, deal.lead, deal.owner, deal.amount_amount) == (
        "数控机床改造",
        customer,
        lead,
        sales.rep1,
        Decimal("88000.00"),
    )
    assert deal.source.endswith("2026 工博会")
    assert DealContact.objects.get(deal=deal).contact.name == "吴刚"
    profile = client.get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="customer-deals"' in profile and "数控机床改造" in profile


def test_converting_without_the_box_creates_no_deal(sales, client):
    give_role(sales.rep1, Lead, "own", ["view", "add", "change"], name="rep-lead")
    give_role(sales.rep1, Contact, "own", ["view", "add", "change"], name="rep-contact")
    with as_system():
        lead = Lead.objects.create(name="吴刚", company="宁波海曙精密机械有限公司", owner=sales.rep1)
    client.force_login(sales.rep1)
    assert _convert(client, lead).status_code == 302
    assert not Deal.objects.exists()


def test_the_360_card_shows_only_visible_deals(sales, client):
    make_deal(sales.rep1, sales.customer, sales.pipeline, name="王芳的商机")
    with as_system():
        Customer.objects.filter(pk=sales.customer.pk).update(owner=sales.rep1)
    make_deal(sales.rep2, sales.customer, sales.pipeline, name="陈静的商机")
    client.force_login(sales.rep1)
    page = client.get(f"/customers/{sales.customer.pk}/").content.decode()
    assert "王芳的商机" in page and "陈静的商机" not in page
    assert f"/sales/deals/add/?customer={sales.customer.pk}" in page


def test_a_won_deal_keeps_the_customer_out_of_the_no_won_deal_rule(sales):
    from guanxi.customers.models import Pool, PoolRule
    from guanxi.customers.pools.services import rules as pool_rules
    from guanxi.framework.testing.fixtures import as_user

    with as_system():
        pool = Pool.objects.create(name="公海", is_default=True)
        PoolRule.objects.create(pool=pool, name="90 天未成交", no_won_deal_days=90)
        Customer.objects.filter(pk=sales.customer.pk).update(
            owned_since=timezone.now() - datetime.timedelta(days=200)
        )

    def returning(now):
        return {move.customer.pk for move in pool_rules.plan_returns(now) if move.kind == pool_rules.RETURN}

    assert sales.customer.pk in returning(timezone.now())
    deal = make_deal(sales.rep1, sales.customer, sales.pipeline)
    with as_user(sales.rep1):
        from guanxi.sales.services import move_deal

        move_deal(deal, stage(sales.pipeline, "Won"), actor=sales.rep1, reason="price")
    customer = Customer.objects.get(pk=sales.customer.pk)
    assert timezone.now() - customer.last_won_at < datetime.timedelta(minutes=1)
    assert sales.customer.pk not in returning(timezone.now())
    assert sales.customer.pk in returning(timezone.now() + datetime.timedelta(days=91))
