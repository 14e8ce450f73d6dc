"""Quote use cases, given / when / then with exact values; refusals change nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from guanxi.core.models import ExchangeRate
from guanxi.framework.money import Money
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.suites import snapshot
from guanxi.framework.write import save_object
from guanxi.products.models import PriceList
from guanxi.quotes.models import Quote, QuoteLine, QuoteStatus
from guanxi.quotes.services import LineInput, revise_quote, save_quote_lines
from guanxi.quotes.tests.conftest import new_quote, with_lines


def test_new_quote_takes_customer_invoicing_details_price_list_and_number(q):
    quote = new_quote(q.rep1, q.deal)
    assert quote.customer == q.customer
    assert quote.invoice_title == "上海华康医疗器械有限公司"
    assert quote.invoice_address == "上海市浦东新区张江路88号"
    assert quote.price_list == q.level_a  # the customer's level A list in CNY
    assert quote.number.startswith("Q-") and quote.version == 1 and quote.is_current
    assert (quote.valid_until - quote.quote_date).days == 30
    assert quote.title == "华康 CRM 项目"
    assert quote.grand_total == Money("0", "CNY")


def test_lines_priced_from_the_price_list_and_totals_stored_exactly(q):
    quote = new_quote(q.rep1, q.deal)
    quote = with_lines(
        quote,
        q.rep1,
        [
            LineInput(product=q.crm, quantity="2", discount_percent="5"),  # ¥16,800 from the A list
            LineInput(product=q.training, quantity="3"),  # no list price: ¥3,000 list price, 6 %
        ],
    )
    lines = list(quote.lines.order_by("position"))
    assert [line.unit_price.amount for line in lines][:2] == [Decimal("16800.00"), Decimal("3000.00")]
    assert lines[0].total == Money("36069.60", "CNY")  # 33,600 − 1,680 = 31,920 + 13 % 4,149.60
    assert lines[1].total == Money("9540.00", "CNY")


def test_unit_price_with_more_decimals_than_the_currency_is_refused(q):
    quote = new_quote(q.rep1, q.deal)
    with pytest.raises(ValidationError) as refused:
        with_lines(quote, q.rep1, [LineInput(description="上门服务费", quantity="1", unit_price="1234.565")])
    assert "1.unit_price" in refused.value.message_dict
    assert not quote.lines.exists()


def test_totals_scenario(q):
    quote = new_quote(q.rep1, q.deal)
    quote = with_lines(
        quote,
        q.rep1,
        [
            LineInput(product=q.crm, quantity="2", discount_percent="5"),
            LineInput(product=q.training, quantity="3"),
            LineInput(description="上门服务费", quantity="1", unit_price="1234.56", tax_rate="6"),
        ],
    )
    assert quote.subtotal == Money("43834.56", "CNY")
    assert quote.discount_total == Money("1680.00", "CNY")
    assert quote.tax_total == Money("4763.67", "CNY")  # 4,149.60 + 540.00 + 74.07
    assert quote.grand_total == Money("46918.23", "CNY")
    assert quote.grand_total_base == Decimal("46918.23")


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"quantity": "-1"}, "1.quantity", "The quantity cannot be negative."),
        ({"quantity": "1", "discount_percent": "120"}, "1.discount_percent", "between 0 and 100"),
        ({"quantity": "1", "unit_price": "-5"}, "1.unit_price", "cannot be negative"),
        ({"quantity": "abc"}, "1.quantity", "Enter a number."),
    ],
)
def test_bad_lines_are_refused_with_a_field_message_and_nothing_changes(q, row, field, message):
    quote = with_lines(new_quote(q.rep1, q.deal), q.rep1, [LineInput(product=q.crm, quantity="1")])
    before_lines, before_quotes = snapshot(QuoteLine), snapshot(Quote)
    with pytest.raises(ValidationError) as refused:
        with_lines(quote, q.rep1, [LineInput(product=q.crm, **row)])
    assert any(message in text for text in refused.value.message_dict[field])
    assert snapshot(QuoteLine) == before_lines and snapshot(Quote) == before_quotes


def test_price_list_in_another_currency_is_refused(q):
    with as_system():
        ExchangeRate.objects.create(currency="USD", rate=Decimal("7.10"), valid_from="2020-01-01")
        usd = PriceList.objects.create(name="USD list", currency="USD")
    quote = new_quote(q.rep1, q.deal)
    before = snapshot(Quote)
    quote.price_list = usd
    with pytest.raises(ValidationError) as refused, as_user(q.rep1):
        quote.full_clean()
        save_object(quote, actor=q.rep1)
    assert "The price list is in USD but the quote is in CNY" in refused.value.message_dict["price_list"][0]
    assert snapshot(Quote) == before


def test_usd_quote_converts_the_list_price_at_the_dated_rate(q):
    with as_system():
        ExchangeRate.objects.create(currency="USD", rate=Decimal("7.20"), valid_from="2020-01-01")
    quote = new_quote(q.rep1, q.deal, currency="USD")
    quote = with_lines(quote, q.rep1, [LineInput(product=q.training, quantity="1", tax_rate="0")])
    assert quote.price_list is None
    assert quote.lines.get().unit_price == Money("416.67", "USD")  # 3,000 / 7.20, half up
    assert quote.grand_total == Money("416.67", "USD")
    assert quote.grand_total_base == Decimal("3000.02")  # 416.67 × 7.20


def test_more_than_500_lines_are_refused(q):
    quote = new_quote(q.rep1, q.deal)
    with pytest.raises(ValidationError) as refused:
        with_lines(quote, q.rep1, [LineInput(description="x", quantity="1", unit_price="1")] * 501)
    assert "at most 500 lines" in refused.value.messages[0]
    assert not quote.lines.exists()


def test_terms_over_10000_characters_are_refused(q):
    quote = new_quote(q.rep1, q.deal)
    quote.terms = "款" * 10_001
    with pytest.raises(ValidationError) as refused:
        quote.full_clean()
    assert "limited to 10,000 characters" in refused.value.message_dict["terms"][0]


def test_revising_copies_into_a_new_draft_and_keeps_the_old_version_read_only(q):
    quote = with_lines(new_quote(q.rep1, q.deal), q.rep1, [LineInput(product=q.crm, quantity="1")])
    Quote.objects.filter(pk=quote.pk).update(status=QuoteStatus.SENT)
    quote.refresh_from_db()
    with as_user(q.rep1):
        new = revise_quote(quote, actor=q.rep1)
    quote.refresh_from_db()
    assert (new.number, new.version, new.status, new.is_current) == (quote.number, 2, "draft", True)
    assert new.previous == quote and not quote.is_current
    assert new.grand_total == quote.grand_total == Money("18984.00", "CNY")
    assert new.lines.count() == 1
    # the old version refuses every change, on every path
    before = snapshot(Quote), snapshot(QuoteLine)
    quote.title = "改了"
    with pytest.raises(ValidationError, match="old version"), as_user(q.rep1):
        save_object(quote, actor=q.rep1)
    with pytest.raises(ValidationError, match="Only the current draft"), as_user(q.rep1):
        save_quote_lines(quote, [LineInput(product=q.crm, quantity="9")], actor=q.rep1)
    with pytest.raises(ValidationError, match="current version"), as_user(q.rep1):
        revise_quote(quote, actor=q.rep1)
    assert (snapshot(Quote), snapshot(QuoteLine)) == before


def test_a_sent_quote_cannot_be_edited(q):
    quote = with_lines(new_quote(q.rep1, q.deal), q.rep1, [LineInput(product=q.crm, quantity="1")])
    Quote.objects.filter(pk=quote.pk).update(status=QuoteStatus.SENT)
    quote.refresh_from_db()
    before = snapshot(Quote)
    quote.terms = "新条款"
    with pytest.raises(ValidationError, match="Only a draft quote can be edited"), as_user(q.rep1):
        save_object(quote, actor=q.rep1)
    assert snapshot(Quote) == before


def test_another_rep_cannot_change_the_lines(q):
    from django.core.exceptions import PermissionDenied

    quote = with_lines(new_quote(q.rep1, q.deal), q.rep1, [LineInput(product=q.crm, quantity="1")])
    before = snapshot(QuoteLine)
    with pytest.raises(PermissionDenied), as_user(q.rep2):
        save_quote_lines(quote, [LineInput(product=q.crm, quantity="5")], actor=q.rep2)
    assert snapshot(QuoteLine) == before
