"""The columns a customer derives from its own values (``Customer.derive``: the name's matching
key…) are computed once per imported row — by the validation, whose 撞单 check reads them, and
carried to the commit — and the stamps of the write (``owned_since``) are one moment a bulk call."""

from __future__ import annotations

import pytest

from guanxi.customers import matching
from guanxi.customers.models import Customer
from guanxi.framework.testing.fixtures import as_user
from guanxi.imports import engine
from guanxi.imports.models import ImportRow
from guanxi.imports.tests.conftest import importer

pytestmark = pytest.mark.django_db
R = ImportRow.Status

CSV = "客户名称,手机\n" + "".join(f"飞海{i}号科技有限公司,1380013{i:04d}\n" for i in range(6))


def _batch(user, write, text=CSV):
    path = write("c.csv", text)
    return engine.create_batch(user, Customer, str(path), "c.csv", match_key="phone")


def test_the_name_key_is_computed_once_per_imported_row(rep, write, monkeypatch):
    calls = []
    real = matching.company_name_key

    def counted(name):
        calls.append(name)
        return real(name)

    monkeypatch.setattr(matching, "company_name_key", counted)
    batch = _batch(rep, write)
    engine.run(batch)
    created = Customer.objects.filter(name__startswith="飞海")
    assert created.count() == 6
    assert sorted(calls) == sorted(created.values_list("name", flat=True))  # once each, not twice
    assert all(c.name_key == real(c.name) and c.name_key for c in created)


def test_a_name_key_conflict_is_still_found_at_validation(rep, make_user, write):
    """The 撞单 check reads the name key the validation derived (no second computation)."""
    other = importer(make_user, "other_rep")
    with as_user(other):
        Customer.objects.create(name="飞海3号科技有限公司", phone="+8613700000000", owner=other)
    batch = _batch(rep, write)
    engine.validate(batch)
    flagged = batch.rows.get(number=5)
    assert flagged.status == R.ERROR and "already exists, owned by" in flagged.messages[0][1]


def test_owned_since_is_one_moment_per_bulk_write(rep, write):
    batch = _batch(rep, write)
    engine.run(batch)
    stamps = set(Customer.objects.filter(name__startswith="飞海").values_list("owned_since", flat=True))
    assert len(stamps) == 1 and None not in stamps


def test_values_validated_without_the_derived_columns_are_derived_at_commit(rep, write):
    """A batch validated before the validation carried the derived columns (no ``DERIVED_KEY``
    in its values) gets them computed by the commit's write, as before."""
    batch = _batch(rep, write)
    engine.validate(batch)
    for row in batch.rows.all():
        assert row.values.pop(engine.DERIVED_KEY) is True and row.values.pop("name_key")
        row.save()
    engine.commit(batch)
    created = Customer.objects.filter(name__startswith="飞海")
    assert created.count() == 6
    assert all(c.name_key == matching.company_name_key(c.name) and c.name_key for c in created)
