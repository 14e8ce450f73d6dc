"""Validation cleans each distinct value of a column once a chunk (``Validator.clean_fields``):
the same errors on the same rows and columns as the model's own ``clean_fields``, and the
model's ``clean()`` still on every row."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import models

from guanxi.customers.models import Customer
from guanxi.imports import engine
from guanxi.imports.models import ImportRow

pytestmark = pytest.mark.django_db
R = ImportRow.Status

HEADER = "客户名称,手机,客户级别\n"


def _load(user, write, text):
    path = write("c.csv", text, "utf-8")
    batch = engine.create_batch(user, Customer, str(path), "c.csv", match_key="phone")
    engine.run(batch)
    batch.refresh_from_db()
    return batch


def test_a_bad_value_on_many_rows_fails_each_row_with_the_models_own_message(rep, write):
    good = [f"好公司{i},1380013800{i},A\n" for i in range(3)]
    bad = [f"坏公司{i},12345,A\n" for i in range(4)]
    batch = _load(rep, write, HEADER + "".join(bad[:2] + good + bad[2:]))

    expected = Customer(name="x", phone="12345", level="A")
    with pytest.raises(ValidationError) as problem:
        expected.clean_fields(exclude=[f.name for f in Customer._meta.fields if f.name != "phone"])
    phone_errors = problem.value.message_dict["phone"]

    rows = {r.number: r for r in batch.rows.all()}
    failed = sorted(n for n, r in rows.items() if r.status == R.ERROR)
    assert failed == [2, 3, 7, 8]  # the file's rows (1 is the header), good ones between
    for number in failed:
        assert rows[number].messages == [["手机", m] for m in phone_errors]
    assert (batch.created, batch.failed) == (3, 4)
    assert set(Customer.objects.values_list("phone", flat=True)) == {f"+861380013800{i}" for i in range(3)}


def test_each_distinct_value_is_cleaned_once_a_chunk_and_clean_runs_on_every_row(rep, write, monkeypatch):
    cleaned: list[tuple[str, object]] = []
    field_clean = models.Field.clean

    def counting_clean(self, value, instance):
        cleaned.append((self.name, value))
        return field_clean(self, value, instance)

    monkeypatch.setattr(models.Field, "clean", counting_clean)
    rows_cleaned: list[str] = []
    customer_clean = Customer.clean

    def counting_customer_clean(self):
        rows_cleaned.append(self.name)
        customer_clean(self)

    monkeypatch.setattr(Customer, "clean", counting_customer_clean)
    text = HEADER + "".join(f"公司{i},1390013900{i},B\n" for i in range(5))
    batch = _load(rep, write, text)

    assert batch.created == 5
    assert [value for name, value in cleaned if name == "level"] == ["B"]  # five rows, one value
    assert len([1 for name, _v in cleaned if name == "phone"]) == 5  # five distinct phones
    assert sorted(rows_cleaned) == [f"公司{i}" for i in range(5)]  # the model's clean(): every row


def test_fields_whose_check_may_read_the_row_are_cleaned_on_every_row():
    class RowAware(models.CharField):
        def validate(self, value, model_instance):  # may look at the row
            super().validate(value, model_instance)

    assert engine._value_only(Customer._meta.get_field("level"))
    assert not engine._value_only(Customer._meta.get_field("owner"))  # a relation
    assert not engine._value_only(RowAware(max_length=5))
