"""Field rules on money: one name per money field, and lines under their total's rule.

A rule on a money field is kept under the field's name (``amount``, ``grand_total``) — the role
editor lists it once, and every reader (the list and its export, the API, the kanban card, the
approval summary) looks it up by that name; a rule stored under a column name before
(``amount_amount``) still counts (``fieldaccess.canonical_rules``, migration users 0008). The money
of a quote's lines follows the grand total's rule (``QuoteLine.rolls_up_into``): adding the lines
up would tell a masked total."""

from __future__ import annotations

import csv
import datetime
import importlib
import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from guanxi.approvals.models import ApprovalRequest
from guanxi.framework.api.testing import token_client
from guanxi.framework.statemachine import transition
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.scopes import give_role
from guanxi.quotes.models import Quote
from guanxi.quotes.services import LineInput
from guanxi.quotes.tests.conftest import new_quote, with_lines
from guanxi.quotes.tests.test_approval_summary import _summary
from guanxi.sales.models import Deal, Pipeline
from guanxi.users.models import FieldRule, Role, User
from guanxi.users.services.access import rule_fields, save_field_rules

SECRET = "123,456"  # the deal's amount as any page or export would print it
SECRET_NUMBER = "123456"


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def _set(role: str, model: type, rules: dict[str, str]) -> None:
    """The role editor's write: ``save_field_rules`` (what the matrix form and the API call)."""
    with as_system():
        save_field_rules(
            Role.objects.get(name=role), {ContentType.objects.get_for_model(model): rules}, actor=None
        )


@pytest.fixture
def deal(q):
    give_role(q.manager1, Pipeline, "all", ["view"], name="pipeline-manager1")  # the kanban
    q.deal.amount_amount = Decimal("123456.00")
    with as_system():
        q.deal.save(update_fields=["amount_amount"])
    return q.deal


def _readers(client, q, deal) -> dict[str, str]:
    """What the manager reads of the deal: list, CSV export, API, kanban board."""
    client.force_login(_fresh(q.manager1))
    return {
        "list": client.get("/sales/deals/?columns=name&columns=amount").content.decode(),
        "export": client.get("/sales/deals/?export=csv&columns=name,amount").getvalue().decode("utf-8-sig"),
        "api": token_client(_fresh(q.manager1)).get(f"/api/v1/sales/deals/{deal.pk}/").content.decode(),
        "board": client.get(f"/sales/pipelines/{q.pipeline.pk}/board/").content.decode(),
    }


def test_the_role_editor_lists_a_money_field_once_by_its_name(db):
    fields = dict(rule_fields(Deal))
    assert str(fields["amount"]) == str(Deal.amount.verbose_name)
    assert not {"amount_amount", "amount_currency", "amount_base"} & set(fields)


def test_a_masked_deal_amount_is_masked_everywhere(client, q, deal):
    shown = _readers(client, q, deal)
    assert all(SECRET in shown[k] for k in ("list", "board")) and SECRET_NUMBER in shown["export"]
    _set("mgr-deal", Deal, {"amount": "masked"})
    shown = _readers(client, q, deal)
    for where, text in shown.items():
        assert SECRET not in text and SECRET_NUMBER not in text, where
    assert "***" in shown["list"] and "***" in shown["board"]
    _header, row = list(csv.reader(io.StringIO(shown["export"])))[:2]
    assert "***" in row[1]


def test_a_hidden_deal_amount_is_gone_everywhere_including_the_kanban_card(client, q, deal):
    _set("mgr-deal", Deal, {"amount": "hidden"})
    shown = _readers(client, q, deal)
    for where, text in shown.items():
        assert SECRET not in text and SECRET_NUMBER not in text, where
    header = next(csv.reader(io.StringIO(shown["export"])))
    assert len(header) == 1  # the name only
    assert '"amount"' not in shown["api"]
    assert "no amount" not in shown["board"]  # no amount line at all, not "no amount"


def test_a_rule_stored_under_a_money_column_still_counts_and_is_renamed(client, q, deal):
    """Rules written before the role editor named money fields once (``amount_amount``): the
    policy folds them into ``amount`` (the strictest wins) and migration 0008 renames them."""
    role = Role.objects.get(name="mgr-deal")
    ct = ContentType.objects.get_for_model(Deal)
    with as_system():
        FieldRule.objects.create(role=role, content_type=ct, field_name="amount_amount", access="masked")
        FieldRule.objects.create(role=role, content_type=ct, field_name="amount_currency", access="hidden")
    shown = _readers(client, q, deal)
    for where, text in shown.items():
        assert SECRET not in text and SECRET_NUMBER not in text, where
    assert '"amount"' not in shown["api"]  # hidden, the stricter of the two
    migration = importlib.import_module("guanxi.users.migrations.0008_money_field_rules_by_field_name")
    with as_system():  # the real models here are change-logged (a migration's are not)
        migration.rename_money_rules(apps, None)
    assert list(FieldRule.objects.filter(role=role, content_type=ct).values_list("field_name", "access")) == [
        ("amount", "hidden")
    ]


# --- lines follow their total ---------------------------------------------------------------------


def _pending_quote(q) -> tuple[Quote, ApprovalRequest]:
    from guanxi.approvals.declare import install_declared_flows

    install_declared_flows()
    for user in (q.rep1, q.manager1):
        give_role(user, ApprovalRequest, "own", ["view"], name=f"approvals-{user.username}")
    rows = [LineInput(product=q.crm, quantity="2", discount_percent="20")]
    quote = with_lines(
        new_quote(q.rep1, q.deal, title="华康报价", valid_until=datetime.date(2027, 1, 31)), q.rep1, rows
    )
    with as_user(q.rep1):
        transition(quote, "submit", actor=q.rep1)
    quote.refresh_from_db()
    return quote, ApprovalRequest.objects.get(object_id=quote.pk, content_type__model="quote")


@pytest.mark.parametrize("rule", ["masked", "hidden"])
def test_lines_follow_a_restricted_grand_total(client, q, rule):
    quote, request = _pending_quote(q)
    line = quote.lines.get()
    prices = [line.unit_price.format(), line.total.format(), quote.grand_total.format()]
    prices += [quote.subtotal.format(), quote.tax_total.format()]  # they add up to it too
    assert "16,800.00" in prices[0]
    client.force_login(_fresh(q.rep1))  # under no rule: the numbers
    page = client.get(quote.get_absolute_url()).content.decode()
    assert all(p in page for p in prices)
    _set("mgr-quote", Quote, {"grand_total": rule})
    manager = _fresh(q.manager1)
    client.force_login(manager)
    page = client.get(quote.get_absolute_url()).content.decode()
    card = _summary(client.get(f"/approvals/{request.pk}/").content.decode())
    api = token_client(manager).get(f"/api/v1/quotes/quotes/{quote.pk}/").json()
    for where, text in (("page", page), ("card", card), ("api", str(api))):
        for price in prices:
            assert price not in text, (where, price)
        assert "16800" not in text, where
    assert "CRM-PRO" in page and "CRM-PRO" in card  # the lines are still there
    if rule == "masked":
        assert "***" in page and "***" in card and "***" in str(api["lines"][0]["unit_price"])
    else:
        assert "unit_price" not in api["lines"][0] and "total" not in api["lines"][0]
    # the customer document carries the amounts in full: not for this reader
    assert client.get(f"/quotes/{quote.pk}/pdf/").status_code == 403
    assert client.get(f"/quotes/{quote.pk}/print/").status_code == 403
    assert client.get(f"/quotes/{quote.pk}/lines/").status_code == 403  # the editor shows the prices
    # … and the quote's page offers no button to those pages, saying why instead
    for refused in ("/pdf/", "/print/", "/lines/", "/attach-pdf/"):
        assert f"/quotes/{quote.pk}{refused}" not in page, refused
    assert 'id="quote-document-withheld"' in page
    client.force_login(_fresh(q.rep1))
    page = client.get(quote.get_absolute_url()).content.decode()
    assert all(p in page for p in prices)
    assert f"/quotes/{quote.pk}/pdf/" in page and 'id="quote-document-withheld"' not in page
