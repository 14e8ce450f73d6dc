"""The demo's duplicates queue: the generated customers are all different companies (one core
each), and the deliberate duplicates the generator seeds show every reason of the queue."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from django.utils.module_loading import autodiscover_modules

from guanxi.customers.models import Customer
from guanxi.dedup.models import DuplicateCandidate
from guanxi.dedup.services.queue import rows_for
from guanxi.dedup.services.scan import scan_entity
from guanxi.demo.generator import _context_for, demo_steps
from guanxi.framework.api.testing import make_user
from guanxi.framework.context import Source, actor_context

pytestmark = pytest.mark.django_db


def load(*names: str) -> None:
    from guanxi.demo import organisation  # noqa: F401

    autodiscover_modules("demo_data")
    shared = None
    with actor_context(None, source=Source.DEMO):
        for step in demo_steps():
            if step.name in names:
                ctx = _context_for(step.name, shared, "!", lambda _text: None)
                step.fn(ctx)
                shared = ctx


def test_the_demo_queue_shows_the_deliberate_duplicates_only():
    started = time.perf_counter()
    load("organisation", "customers")
    loaded = time.perf_counter() - started
    assert Customer.objects.count() == 2000 + 11
    scan_entity("customers.customer")
    scan_entity("customers.contact")
    pairs = list(DuplicateCandidate.objects.filter(content_type__model="customer"))
    reasons = Counter(r["field"] for pair in pairs for r in pair.reasons)
    print(f"loaded in {loaded:.1f} s; {len(pairs)} customer pairs, reasons {dict(reasons)}")
    assert 11 <= len(pairs) <= 20, [(str(p.left_id), str(p.right_id), p.reasons) for p in pairs]
    assert set(reasons) == {"name", "phone", "email", "credit_code"}
    contact_pairs = DuplicateCandidate.objects.filter(content_type__model="contact")
    assert {r["field"] for pair in contact_pairs for r in pair.reasons} >= {"email", "mobile"}
    assert contact_pairs.count() <= 5
    # the reviewer reads "different regions" on the pair of one core in two cities
    admin = make_user("boss", superuser=True, language="en")
    texts = [t for row in rows_for(admin, Customer, pairs) for t in row.reasons]
    assert any(t.startswith("different regions: ") for t in texts), texts


def test_the_demo_fills_the_queue_once():
    """A fresh demo's queue was empty until someone pressed "Scan now", so the deliberate
    duplicates above did not show: the demo's last step scans, and a second run scans nothing."""
    from guanxi.dedup.demo_data import load_duplicates
    from guanxi.demo.generator import _context_for

    load("organisation", "customers", "duplicates")
    pairs = DuplicateCandidate.objects.filter(content_type__model="customer")
    assert 11 <= pairs.count() <= 20
    first = DuplicateCandidate.objects.order_by("pk").values_list("pk", flat=True)[0]
    with actor_context(None, source=Source.DEMO):
        assert load_duplicates(_context_for("duplicates", None, "!", lambda _text: None)) == 0
    assert (
        DuplicateCandidate.objects.order_by("pk").values_list("pk", flat=True)[0] == first
    )  # not re-scanned


def test_the_demo_leads_are_different_companies():
    """The lead generator named a lead whose brand a customer already had "<city><brand>第2分公司":
    the same company to the duplicate engine (it strips regions and branches), so a fresh demo's
    queue held 67 lead pairs, every one a false alarm. Its leads now take the customers' rule."""
    from guanxi.customers.models import Lead

    load("organisation", "customers", "leads")
    assert Lead.objects.count() >= 300
    scan_entity("customers.lead")
    pairs = list(DuplicateCandidate.objects.filter(content_type__model="lead"))
    assert len(pairs) <= 3, [(p.left_id, p.right_id, p.reasons) for p in pairs]
    assert not Lead.objects.filter(company__contains="分公司").exists()
