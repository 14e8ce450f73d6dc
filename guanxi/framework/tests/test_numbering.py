"""The numbering service (``guanxi.framework.numbering``): patterns, periods, seeding from stored
numbers, numbers given back by failed transactions — and 50 contracts created at the same moment,
each on its own connection, get 50 distinct numbers without a gap, on PostgreSQL and on SQLite
(a database file: SQLite's in-memory test database refuses concurrent writers instead of making
them wait)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from guanxi.contracts.models import Contract
from guanxi.contracts.services import create_contract
from guanxi.core.models import NumberSequence
from guanxi.customers.models import Customer
from guanxi.framework.context import Source, actor_context
from guanxi.framework.numbering import next_number, parse_pattern, preview, validate_pattern
from guanxi.framework.testing.concurrency import in_thread, run_together
from guanxi.framework.testing.fixtures import as_system

DAY = datetime.date(2026, 12, 6)


@pytest.mark.parametrize(
    ("pattern", "number"),
    [
        ("HT-{YYYY}{MM}-{seq:4}", "HT-202612-0007"),
        ("Q-{YYYY}{MM}{DD}-{seq:4}", "Q-20261206-0007"),
        ("{YY}{seq}", "267"),
        ("合同{YYYY}第{seq:3}号", "合同2026第007号"),
        ("{seq:6}-{YYYY}", "000007-2026"),
    ],
)
def test_patterns_format_their_numbers(pattern, number):
    assert parse_pattern(pattern).format(DAY, 7) == number


def test_the_period_keeps_the_sequence_open():
    pattern = parse_pattern("HT-{YYYY}{MM}-{seq:4}")
    assert pattern.period(DAY) == "HT-202612-{seq}"
    assert pattern.period(datetime.date(2027, 1, 1)) == "HT-202701-{seq}"
    assert pattern.sequence_of("HT-202612-0042", DAY) == 42
    assert pattern.sequence_of("HT-202611-0042", DAY) is None
    assert preview("HT-{YYYY}{MM}-{seq:4}", day=DAY) == "HT-202612-0001"


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("HT-{YYYY}{MM}", "no sequence"),
        ("", "Enter a number pattern"),
        ("HT-{seq}-{seq:2}", "only one sequence"),
        ("HT-{YYYY}-{id}", "Unknown part {id}"),
        ("HT-{YYYY-{seq}", "unmatched brace"),
        ("HT-{seq:0}", "between 1 and 12 digits"),
    ],
)
def test_bad_patterns_are_refused_with_a_message(pattern, message):
    with pytest.raises(ValidationError) as refused:
        validate_pattern(pattern)
    assert message in refused.value.messages[0]


def test_numbers_that_would_not_fit_are_refused():
    with pytest.raises(ValidationError, match="longer than 20 characters"):
        validate_pattern("CONTRACT-{YYYY}{MM}{DD}-{seq:8}", max_length=20)


@pytest.mark.django_db
def test_each_period_counts_from_one_and_stored_numbers_are_skipped():
    assert next_number("test.a", "A{YYYY}{MM}-{seq:2}", day=DAY) == "A202612-01"
    assert next_number("test.a", "A{YYYY}{MM}-{seq:2}", day=DAY) == "A202612-02"
    assert next_number("test.a", "A{YYYY}{MM}-{seq:2}", day=datetime.date(2027, 1, 1)) == "A202701-01"
    assert next_number("test.b", "A{YYYY}{MM}-{seq:2}", day=DAY) == "A202612-01"  # another scheme
    with as_system():
        customer = Customer.objects.create(name="华康")
        for n in (3, 41, 7):
            Contract.objects.create(customer=customer, title="旧合同", number=f"OLD-2026-{n:03d}")
    # a period whose counter starts now continues after the highest number stored for it
    assert next_number("test.old", "OLD-{YYYY}-{seq:3}", day=DAY, model=Contract) == "OLD-2026-042"
    assert NumberSequence.objects.get(key="test.old").last == 42


@pytest.mark.django_db
def test_a_failed_creation_gives_its_number_back():
    with as_system():
        customer = Customer.objects.create(name="华康")
        first = create_contract(actor=None, contract=Contract(customer=customer, title="一", amount_amount=1))
        with pytest.raises(RuntimeError), transaction.atomic():
            create_contract(actor=None, contract=Contract(customer=customer, title="二", amount_amount=1))
            raise RuntimeError("the rest of the use case failed")
        second = create_contract(
            actor=None, contract=Contract(customer=customer, title="三", amount_amount=1)
        )
    month = timezone.localdate().strftime("%Y%m")
    assert [first.number, second.number] == [f"HT-{month}-0001", f"HT-{month}-0002"]


# -- 50 at once -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_contracts_get_fifty_numbers_without_a_gap(shared_database):
    with as_system():
        customer = Customer.objects.create(name="上海华康医疗器械有限公司")
    shared_database()  # the customer, where the threads look for it

    def create(index: int) -> str:
        with actor_context(None, source=Source.TASK):
            contract = Contract(
                customer_id=customer.pk, title=f"并发合同{index}", amount_amount=Decimal(1000)
            )
            return create_contract(actor=None, contract=contract).number

    numbers = run_together(50, create)
    assert all(isinstance(n, str) for n in numbers), [n for n in numbers if not isinstance(n, str)]
    month = timezone.localdate().strftime("%Y%m")
    assert sorted(numbers) == [f"HT-{month}-{n:04d}" for n in range(1, 51)]
    stored = in_thread(lambda: sorted(Contract.objects.values_list("number", flat=True)))
    assert stored == sorted(numbers)
    assert in_thread(lambda: NumberSequence.objects.get(key="contracts.contract").last) == 50
