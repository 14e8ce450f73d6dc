"""Scenarios: the scan finds the seeded duplicates with their reasons, keeps dismissals, obeys the
rules an administrator sets; the queue shows a viewer only pairs of records they may see, with
values masked as they read them."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.customers.models import Customer
from guanxi.dedup.models import DismissedPair, DuplicateCandidate, MatchRule
from guanxi.dedup.services import queue
from guanxi.dedup.services.entry import possible_duplicates
from guanxi.dedup.services.rules import set_rule
from guanxi.dedup.services.scan import scan_entity
from guanxi.framework.api.testing import make_user
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.scopes import give_role
from guanxi.users.models import FieldRule

pytestmark = pytest.mark.django_db


def pairs():
    return {
        (c.left_id, c.right_id): sorted((r["field"], r.get("score")) for r in c.reasons)
        for c in DuplicateCandidate.objects.all()
    }


def test_scan_finds_the_seeded_duplicates(world):
    c = world.c
    result = scan_entity("customers.customer")
    assert (result.records, result.candidates, result.dismissed) == (6, 4, 0)
    assert pairs() == {
        (c.a.pk, c.b.pk): [("name", 1.0), ("phone", None)],
        (c.a.pk, c.c.pk): [("name", 1.0)],
        (c.b.pk, c.c.pk): [("name", 1.0)],
        (c.d.pk, c.e.pk): [("email", None), ("name", 1.0)],
    }
    assert DuplicateCandidate.objects.get(left_id=c.a.pk, right_id=c.b.pk).exact is True


def test_dismissal_is_remembered_across_scans(world):
    c = world.c
    scan_entity("customers.customer")
    candidate = DuplicateCandidate.objects.get(left_id=c.a.pk, right_id=c.c.pk)
    with as_user(world.zhang):
        assert queue.dismiss_candidates(Customer, [candidate.pk], actor=world.zhang) == 1
    dismissed = DismissedPair.objects.get()
    assert (dismissed.left_id, dismissed.right_id, dismissed.dismissed_by) == (c.a.pk, c.c.pk, world.zhang)
    assert dismissed.created_by == world.zhang  # through the write path: change-logged
    result = scan_entity("customers.customer")
    assert (result.candidates, result.dismissed) == (3, 1)
    assert (c.a.pk, c.c.pk) not in pairs()


def test_dismissing_a_pair_outside_the_queue_changes_nothing(world):
    c = world.c
    scan_entity("customers.customer")
    theirs = DuplicateCandidate.objects.get(left_id=c.d.pk)  # 李's record on one side
    mine = DuplicateCandidate.objects.get(left_id=c.a.pk, right_id=c.b.pk)
    with as_user(world.zhang), pytest.raises(ValidationError) as refused:
        queue.dismiss_candidates(Customer, [mine.pk, theirs.pk], actor=world.zhang)
    assert "ids" in refused.value.message_dict
    with as_user(world.li), pytest.raises(PermissionDenied):
        queue.dismiss_candidates(Customer, [mine.pk], actor=world.li)  # no dedup verb
    assert DismissedPair.objects.count() == 0 and DuplicateCandidate.objects.count() == 4


def test_queue_shows_pairs_whose_both_records_are_visible(world):
    c = world.c
    scan_entity("customers.customer")
    seen = {(x.left_id, x.right_id) for x in queue.visible_candidates(world.zhang, Customer)}
    assert seen == {(c.a.pk, c.b.pk), (c.a.pk, c.c.pk), (c.b.pk, c.c.pk)}  # not 万达 (李's)
    assert queue.visible_candidates(world.li, Customer).count() == 0  # no dedup verb
    assert queue.visible_candidates(world.admin, Customer).count() == 4


def test_reasons_are_masked_as_the_viewer_sees_them(world):
    c = world.c
    scan_entity("customers.customer")
    role = world.zhang.roles.get(name="张-dedup")
    with as_system():
        FieldRule.objects.create(role=role, content_type=world.ct, field_name="phone", access="masked")
    candidate = DuplicateCandidate.objects.get(left_id=c.a.pk, right_id=c.b.pk)
    zhang = type(world.zhang).objects.get(pk=world.zhang.pk)
    [row] = queue.rows_for(zhang, Customer, [candidate])  # reads the access snapshot (cached)
    assert sorted(row.reasons) == ["name similarity 1.00", "same phone 138****8000"]
    with CaptureQueriesContext(connection) as queries:
        page = queue.rows_for(zhang, Customer, queue.visible_candidates(zhang, Customer))
    # the candidates, then every record of the page at once (access from the cached snapshot)
    assert len(page) == 3 and len(queries) == 2
    [admin_row] = queue.rows_for(world.admin, Customer, [candidate])
    assert sorted(admin_row.reasons) == ["name similarity 1.00", "same phone 138 0013 8000"]


def test_reasons_leave_out_a_field_hidden_from_the_viewer(world):
    """A name hidden from the viewer gives no "name similarity" reason (a score tells how close
    the names they may not read are); the pair stays listed by its phone."""
    c = world.c
    scan_entity("customers.customer")
    role = world.zhang.roles.get(name="张-dedup")
    with as_system():
        FieldRule.objects.create(role=role, content_type=world.ct, field_name="name", access="hidden")
    candidate = DuplicateCandidate.objects.get(left_id=c.a.pk, right_id=c.b.pk)
    zhang = type(world.zhang).objects.get(pk=world.zhang.pk)
    [row] = queue.rows_for(zhang, Customer, [candidate])
    assert row.reasons == ["same phone 138 0013 8000"]
    [admin_row] = queue.rows_for(world.admin, Customer, [candidate])
    assert sorted(admin_row.reasons) == ["name similarity 1.00", "same phone 138 0013 8000"]


def test_filters(world):
    c = world.c
    scan_entity("customers.customer")
    rows = queue.visible_candidates(world.admin, Customer)
    assert {x.left_id for x in queue.filter_candidates(rows, reason="email")} == {c.d.pk}
    assert queue.filter_candidates(rows, reason="phone").count() == 1
    assert queue.filter_candidates(rows, reason="name").count() == 4
    assert queue.filter_candidates(rows, min_score=1.0).count() == 4


def test_rules_switch_off_and_tighten(world):
    with as_user(world.li), pytest.raises(PermissionDenied):
        set_rule("customers.customer", "name", enabled=False, threshold=90, actor=world.li)
    with as_user(world.admin):
        set_rule("customers.customer", "name", enabled=False, threshold=90, actor=world.admin)
    assert scan_entity("customers.customer").candidates == 2  # phone and email only
    with as_user(world.admin), pytest.raises(ValidationError) as refused:
        set_rule("customers.customer", "name", enabled=True, threshold=101, actor=world.admin)
    assert "threshold" in refused.value.message_dict
    with as_user(world.admin), pytest.raises(ValidationError):
        set_rule("customers.customer", "website", enabled=True, threshold=90, actor=world.admin)
    assert MatchRule.objects.get().enabled is False


def test_scan_replaces_its_candidates(world):
    scan_entity("customers.customer")
    with as_system():
        Customer.objects.filter(pk=world.c.b.pk).update(phone="", name="另一家")
    assert scan_entity("customers.customer").candidates == 2


def test_contacts_scan(world):
    from guanxi.customers.models import Contact

    with as_system():
        one = Contact.objects.create(name="张伟", mobile="+8613900139000", owner=world.zhang)
        two = Contact.objects.create(name="張偉", mobile="+8613900139000", owner=world.zhang)
        three = Contact.objects.create(name="张玮", wechat_id="zw88", owner=world.zhang)
        four = Contact.objects.create(name="张伟", wechat_id="ZW88", owner=world.zhang)
        Contact.objects.create(name="张伟", owner=world.zhang)  # a bare namesake
    assert scan_entity("customers.contact").candidates == 2
    assert pairs() == {(one.pk, two.pk): [("mobile", None)], (three.pk, four.pk): [("name", 1.0)]}


def test_entry_time_check(world):
    c = world.c
    found = possible_duplicates(
        "customers.customer", {"name": "深圳星河科技有限公司", "phone": "+8613800138000"}, user=world.zhang
    )
    assert [(h.obj.pk, h.score, sorted(r["field"] for r in h.reasons)) for h in found] == [
        (c.a.pk, 1.0, ["name", "phone"]),
        (c.b.pk, 1.0, ["name", "phone"]),
        (c.c.pk, 1.0, ["name"]),
    ]
    # 李 sees only their own: 万达 (theirs) yes, 萬達 (张's) never revealed.
    found = possible_duplicates("customers.customer", {"name": "万达贸易有限公司"}, user=world.li)
    assert [h.obj.pk for h in found] == [c.e.pk]
    assert possible_duplicates("customers.customer", {"name": ""}, user=world.li) == []


def test_a_reviewer_of_all_sees_every_pair(world):
    other = make_user("wang")
    give_role(other, Customer, "all", ["view", "dedup"])
    scan_entity("customers.customer")
    assert queue.visible_candidates(other, Customer).count() == 4
