"""Contract and order use cases: the contract (and order) from an accepted quote, an order from a
contract, the renewal deal, renewal reminders, the settings, the customer's 360° cards, and bad
input that writes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanxi.contracts.models import Contract, ContractSettings, Order, OrderLine
from guanxi.contracts.services import (
    OrderLineInput,
    create_contract,
    create_contract_from_quote,
    create_order_from_contract,
    create_renewal_deal,
    remind_renewals,
    save_order_lines,
    update_contract_settings,
)
from guanxi.contracts.tests.conftest import accepted_quote, new_contract, new_order
from guanxi.core.models import Notification
from guanxi.framework.statemachine import transition
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.suites import snapshot
from guanxi.sales.models import Deal
from guanxi.users.models import User


def _activate(contract, user):
    with as_user(user):
        transition(contract, "submit", actor=user)
    contract.refresh_from_db()
    return contract


def test_accepting_a_quote_makes_the_contract_and_the_order_with_its_lines(c):
    quote = accepted_quote(c, quantity="2", discount="5")
    with as_user(c.rep1):
        contract, order = create_contract_from_quote(quote, actor=c.rep1, with_order=True)
    assert contract.number.startswith("HT-") and contract.status == "draft"
    assert (contract.customer, contract.deal, contract.quote) == (c.customer, c.deal, quote)
    assert contract.amount_amount == quote.grand_total_amount == Decimal("42510.60")  # 39,600 − 5 % + 13 %
    assert contract.owner == c.rep1 and contract.our_signer == c.rep1
    assert order is not None and order.contract == contract and order.customer == c.customer
    line = order.lines.get()
    assert (line.product, line.quantity, line.unit_price_amount, line.discount_percent) == (
        c.crm,
        Decimal("2.000"),
        Decimal("19800.00"),
        Decimal("5.00"),
    )
    assert Order.objects.get(pk=order.pk).total_amount == Decimal("37620.00")  # net of tax
    # a second contract from the same quote is refused and writes nothing
    before = snapshot(Contract), snapshot(Order)
    with pytest.raises(ValidationError, match="already made from this quote"), as_user(c.rep1):
        create_contract_from_quote(quote, actor=c.rep1, with_order=True)
    assert (snapshot(Contract), snapshot(Order)) == before


def test_a_quote_not_accepted_makes_no_contract(c):
    from guanxi.quotes.models import Quote
    from guanxi.quotes.services import create_quote

    with as_user(c.rep1):
        quote = create_quote(actor=c.rep1, quote=Quote(deal=c.deal, owner=c.rep1))
    with pytest.raises(ValidationError, match="Only an accepted quote"), as_user(c.rep1):
        create_contract_from_quote(quote, actor=c.rep1)
    assert not Contract.objects.exists()


def test_another_rep_cannot_make_a_contract_of_someone_elses_quote(c):
    quote = accepted_quote(c)
    with pytest.raises(PermissionDenied), as_user(c.rep2):
        create_contract_from_quote(quote, actor=c.rep2)
    assert not Contract.objects.exists()


def test_the_quote_page_offers_the_contract_once_accepted(c, client):
    quote = accepted_quote(c)
    client.force_login(c.rep1)
    page = client.get(f"/quotes/{quote.pk}/").content.decode()
    assert 'data-testid="quote-create-contract"' in page
    response = client.post(f"/contracts/from-quote/{quote.pk}/", {"with_order": "1"})
    contract = Contract.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/contracts/{contract.pk}/"
    assert Order.objects.get().contract == contract
    page = client.get(f"/quotes/{quote.pk}/").content.decode()
    assert contract.number in page and 'data-testid="quote-create-contract"' not in page


def test_the_api_makes_the_contract_from_a_quote(c):
    from guanxi.framework.testing.scopes import api_client

    quote = accepted_quote(c)
    response = api_client(c.rep1).post(
        "/api/v1/contracts/contracts/from-quote/", {"quote": quote.pk, "with_order": True}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == {"amount": "22374.00", "currency": "CNY"}
    assert Order.objects.get().pk == response.json()["order"]
    again = api_client(c.rep1).post(
        "/api/v1/contracts/contracts/from-quote/", {"quote": quote.pk}, format="json"
    )
    assert again.status_code == 400 and "quote" in again.json()["errors"]


def test_an_order_from_a_contract_without_a_quote_has_one_line_for_the_amount(c):
    contract = new_contract(c.rep1, c.customer, amount_amount=Decimal("12345.67"))
    with as_user(c.rep1):
        order = create_order_from_contract(contract, actor=c.rep1)
    line = order.lines.get()
    assert (line.description, line.quantity, line.total_amount) == (
        "华康年度服务合同",
        1,
        Decimal("12345.67"),
    )
    assert Order.objects.get(pk=order.pk).total_amount == Decimal("12345.67")


def test_the_renewal_deal_lands_in_the_default_pipeline_once(c, client):
    contract = _activate(
        new_contract(
            c.rep1, c.customer, starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31)
        ),
        c.rep1,
    )
    with as_user(c.rep1):
        deal = create_renewal_deal(contract, actor=c.rep1)
    assert deal.pipeline == c.pipeline and deal.stage == c.pipeline.stages.order_by("order").first()
    assert (deal.customer, deal.owner, deal.amount_amount) == (c.customer, c.rep1, Decimal("50000.00"))
    assert deal.expected_close_date == datetime.date(2026, 12, 31)
    assert deal.name == "Renewal: 华康年度服务合同"
    assert Contract.objects.get(pk=contract.pk).renewal_deal == deal
    deals = Deal.objects.count()
    client.force_login(c.rep1)
    response = client.post(f"/contracts/{contract.pk}/renew/")
    assert response.status_code == 302 and Deal.objects.count() == deals  # refused: one per contract


def test_a_draft_contract_is_not_renewed(c):
    contract = new_contract(c.rep1, c.customer)
    deals = Deal.objects.count()
    with pytest.raises(ValidationError, match="active or completed"), as_user(c.rep1):
        create_renewal_deal(contract, actor=c.rep1)
    assert Deal.objects.count() == deals


def test_renewal_reminders_go_to_the_owner_once_per_end_date(c, django_capture_on_commit_callbacks):
    today = datetime.date(2026, 12, 6)
    soon = _activate(new_contract(c.rep1, c.customer, ends_on=today + datetime.timedelta(days=20)), c.rep1)
    _activate(new_contract(c.rep1, c.customer, ends_on=today + datetime.timedelta(days=90)), c.rep1)
    new_contract(c.rep1, c.customer, ends_on=today + datetime.timedelta(days=5))  # a draft: no reminder
    with as_system(), django_capture_on_commit_callbacks(execute=True):
        assert remind_renewals(today=today) == 1
        assert remind_renewals(today=today) == 0  # once
    note = Notification.objects.get(recipient=c.rep1)
    assert note.url == f"/contracts/{soon.pk}/"
    assert note.title == f"Contract {soon.number} ends on 2026-12-26: time to renew"
    assert Contract.objects.get(pk=soon.pk).renewal_reminded_for == soon.ends_on


def test_contract_numbers_follow_the_configured_pattern(c):
    with as_system():
        admin = User.objects.create_superuser(username="boss", password="x")
    with as_user(admin):
        update_contract_settings(actor=admin, number_pattern="GX{YY}-{seq:3}", renewal_reminder_days=15)
    first = new_contract(c.rep1, c.customer, signed_on=datetime.date(2026, 3, 1))
    second = new_contract(c.rep1, c.customer, signed_on=datetime.date(2026, 11, 1))
    third = new_contract(c.rep1, c.customer, signed_on=datetime.date(2027, 1, 2))
    assert [first.number, second.number, third.number] == ["GX26-001", "GX26-002", "GX27-001"]


def test_a_pattern_without_a_sequence_is_refused_at_the_field(c, client):
    with as_system():
        admin = User.objects.create_superuser(username="boss", password="x", language="en")
    before = snapshot(ContractSettings)
    with pytest.raises(ValidationError) as refused, as_user(admin):
        update_contract_settings(actor=admin, number_pattern="HT-{YYYY}{MM}", renewal_reminder_days=30)
    assert "number_pattern" in refused.value.message_dict
    assert "no sequence" in refused.value.message_dict["number_pattern"][0]
    client.force_login(admin)
    page = client.post("/contracts/settings/", {"number_pattern": "HT-{YYYY}", "renewal_reminder_days": "30"})
    assert page.status_code == 422 and "no sequence" in page.content.decode()
    assert snapshot(ContractSettings) == before
    with pytest.raises(PermissionDenied), as_user(c.rep1):
        update_contract_settings(actor=c.rep1, number_pattern="X-{seq}", renewal_reminder_days=30)
    assert (
        client.post(
            "/contracts/settings/", {"number_pattern": "HT{YYYY}-{seq:5}", "renewal_reminder_days": "45"}
        ).status_code
        == 302
    )
    assert ContractSettings.current().number_pattern == "HT{YYYY}-{seq:5}"


def test_end_before_start_is_a_field_message_and_writes_nothing(c, client):
    before = snapshot(Contract)
    with pytest.raises(ValidationError) as refused:
        new_contract(
            c.rep1, c.customer, starts_on=datetime.date(2027, 1, 1), ends_on=datetime.date(2026, 1, 1)
        )
    assert refused.value.message_dict["ends_on"] == ["The contract cannot end before it starts."]
    client.force_login(c.rep1)
    response = client.post(
        "/contracts/add/",
        {"title": "坏合同", "customer": c.customer.pk, "amount_amount": "-5", "amount_currency": "CNY",
         "starts_on": "2027-01-01", "ends_on": "2026-01-01"},
    )  # fmt: skip
    body = response.content.decode()
    assert "The contract cannot end before it starts." in body and "The amount cannot be negative." in body
    assert snapshot(Contract) == before


def test_a_deal_of_another_customer_is_refused(c):
    from guanxi.customers.models import Customer

    with as_system():
        second = Customer.objects.create(name="苏州工业园区科技有限公司", owner=c.rep1)
    before = snapshot(Contract)
    with pytest.raises(ValidationError) as refused:
        new_contract(c.rep1, second, deal=c.deal)
    assert refused.value.message_dict == {"deal": ["Choose a deal of the contract's customer."]}
    with pytest.raises(ValidationError) as refused, as_user(c.rep2):
        create_contract(actor=c.rep2, contract=Contract(customer=c.customer, title="x", amount_amount=1))
    assert refused.value.message_dict == {"customer": ["Choose a customer you can see."]}
    assert snapshot(Contract) == before


def test_negative_quantity_and_discount_over_100_write_nothing(c):
    order = new_order(c.rep1, c.customer, [OrderLineInput(product=c.crm, quantity="1")])
    before = snapshot(Order), snapshot(OrderLine)
    with pytest.raises(ValidationError) as refused, as_user(c.rep1):
        save_order_lines(
            order,
            [
                OrderLineInput(product=c.crm, quantity="-1"),
                OrderLineInput(description="服务", quantity="1", unit_price="10", discount_percent="101"),
                OrderLineInput(description="", quantity="1", unit_price="abc"),
            ],
            actor=c.rep1,
        )
    assert refused.value.message_dict == {
        "1.quantity": ["The quantity cannot be negative."],
        "2.discount_percent": ["The discount is a percentage between 0 and 100."],
        "3.unit_price": ["Enter a number."],
    }
    assert (snapshot(Order), snapshot(OrderLine)) == before


def test_the_customer_page_shows_contracts_orders_and_lifetime_totals(c, client):
    _activate(new_contract(c.rep1, c.customer, amount_amount=Decimal("30000.00")), c.rep1)
    _activate(new_contract(c.rep1, c.customer, amount_amount=Decimal("20000.50")), c.rep1)
    new_contract(c.rep1, c.customer, amount_amount=Decimal("99999.00"))  # a draft: not signed
    order = new_order(c.rep1, c.customer, [OrderLineInput(product=c.crm, quantity="1")])
    with as_user(c.rep1):
        transition(order, "confirm", actor=c.rep1)
    client.force_login(c.rep1)
    page = client.get(f"/customers/{c.customer.pk}/").content.decode()
    assert 'id="customer-contracts"' in page and 'id="customer-orders"' in page
    assert "Signed in total: CNY 50,000.50" in page
    assert "Ordered in total: CNY 19,800.00" in page
    client.force_login(c.rep2)  # sees neither the customer's contracts nor the amounts
    assert client.get(f"/customers/{c.customer.pk}/").status_code == 404


def test_the_api_refuses_bad_contracts_at_the_field_and_writes_nothing(c):
    from guanxi.framework.testing.scopes import api_client

    before = snapshot(Contract)
    response = api_client(c.rep1).post(
        "/api/v1/contracts/contracts/",
        {
            "customer": c.customer.pk,
            "title": "坏合同",
            "amount": {"amount": "-1.00", "currency": "CNY"},
            "starts_on": "2027-01-01",
            "ends_on": "2026-01-01",
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert errors["ends_on"] == ["The contract cannot end before it starts."]
    assert errors["amount"] == ["The amount cannot be negative."]
    assert snapshot(Contract) == before


def test_a_contract_with_orders_is_not_deleted_and_says_why(c):
    from guanxi.framework.testing.scopes import api_client

    contract = new_contract(c.rep1, c.customer)
    with as_user(c.rep1):
        create_order_from_contract(contract, actor=c.rep1)
    with as_system():
        admin = User.objects.create_superuser(username="boss", password="x")
    response = api_client(admin).delete(f"/api/v1/contracts/contracts/{contract.pk}/")
    assert response.status_code == 409, response.content
    assert Contract.objects.filter(pk=contract.pk).exists()


def test_the_contract_page_shows_the_number_and_the_amount_with_its_currency(c, client):
    contract = new_contract(c.rep1, c.customer, amount_amount=Decimal("50000.00"))
    order = new_order(c.rep1, c.customer, [OrderLineInput(product=c.crm, quantity="1")])
    client.force_login(c.rep1)
    page = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert f"<dd>{contract.number}</dd>" in page and "<dd>CNY 50,000.00</dd>" in page
    assert "<dd>CNY 19,800.00</dd>" in client.get(f"/orders/{order.pk}/").content.decode()


def test_another_rep_can_neither_renew_nor_order_from_a_contract_and_nothing_changes(c):
    contract = _activate(new_contract(c.rep1, c.customer), c.rep1)
    before = snapshot(Contract), snapshot(Order), Deal.objects.count()
    with pytest.raises(PermissionDenied), as_user(c.rep2):
        create_renewal_deal(contract, actor=c.rep2)
    with pytest.raises(PermissionDenied), as_user(c.rep2):
        create_order_from_contract(contract, actor=c.rep2)
    assert (snapshot(Contract), snapshot(Order), Deal.objects.count()) == before
