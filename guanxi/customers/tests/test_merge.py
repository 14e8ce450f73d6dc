"""Scenarios of merging customers (合并): every related record moves, counts exact, nothing lost, the
merged record restorable from the recycle bin; duplicates absorbed; refusals change nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from guanxi.activities.models import FollowUp, Task
from guanxi.contracts.models import Contract, Order
from guanxi.contracts.tests.conftest import c as contracts_fixture  # noqa: F401  (the base fixture)
from guanxi.contracts.tests.conftest import new_order
from guanxi.core.attachments import attach_file
from guanxi.core.models import Attachment, Event, ObjectChange, RecordShare, Tag, TaggedItem
from guanxi.customers.models import Contact, Customer, CustomerContact, Lead, PoolMove
from guanxi.framework import merging
from guanxi.framework.tags import set_tags
from guanxi.framework.testing.fixtures import as_user
from guanxi.framework.testing.scopes import give_role
from guanxi.framework.timeline import timeline
from guanxi.framework.write import StaleWrite, version_of
from guanxi.quotes.models import Quote
from guanxi.quotes.services import create_quote
from guanxi.receivables.models import InvoiceRequest, Receipt
from guanxi.receivables.tests.conftest import c as receivables_fixture  # noqa: F401
from guanxi.receivables.tests.conftest import record, signed_contract
from guanxi.recyclebin.models import RecycleBinEntry
from guanxi.recyclebin.services import restore_entry
from guanxi.sales.models import Deal
from guanxi.sales.tests.conftest import make_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(receivables_fixture):  # noqa: F811
    """王芳 (rep1) owns 上海华康医疗器械有限公司 and a deal on it; 陈静 (rep2) owns 杭州西湖软件有限公司."""
    return receivables_fixture


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def one_of_each(c, customer, admin):
    """One related record of every kind on ``customer``; returns {relation key: row}."""
    deal = make_deal(c.rep1, customer, c.pipeline, name="华康二期")
    with as_user(c.rep1):
        quote = create_quote(actor=c.rep1, quote=Quote(deal=deal, owner=c.rep1, title="二期报价"))
    contract = signed_contract(c.rep1, customer, "80000.00", title="二期合同")
    order = new_order(c.rep1, customer)
    receipt = record(c.rep1, contract, "1000.00")
    with as_user(admin):
        contact = Contact.objects.create(name="李雷")
        link = CustomerContact.objects.create(customer=customer, contact=contact, is_primary=True)
        follow_up = FollowUp.objects.create(target=customer, customer=customer, content="上门拜访")
        task = Task.objects.create(target=customer, customer=customer, title="发送方案")
        invoice = InvoiceRequest.objects.create(
            contract=contract, customer=customer, amount_amount=Decimal("1000.00"), title="华康"
        )
        lead = Lead.objects.create(name="华康线索", converted_customer=customer)
        pool_move = PoolMove.objects.create(customer=customer, action="returned", time=follow_up.created_at)
        set_tags(customer, [Tag.objects.create(name="二期", slug="phase-2")])
        attachment = attach_file(customer, SimpleUploadedFile("方案.pdf", b"%PDF-1.4 x"), actor=admin)
        share = RecordShare.objects.create(
            content_type=ContentType.objects.get_for_model(Customer), object_id=customer.pk, user=c.rep2
        )
    return {
        "deal": deal, "quote": quote, "contract": contract, "order": order, "receipt": receipt,
        "link": link, "follow_up": follow_up, "task": task, "invoice": invoice, "lead": lead,
        "pool_move": pool_move, "attachment": attachment, "share": share,
    }  # fmt: skip


def test_every_related_record_moves_with_exact_counts(c, admin_user):
    survivor = c.customer
    with as_user(admin_user):
        dup = Customer.objects.create(name="华康医疗", owner=c.rep1, phone="+8613800138000")
    rows = one_of_each(c, dup, admin_user)
    deals_before = Deal.objects.filter(customer=survivor).count()

    with as_user(admin_user):
        result = merging.merge(survivor, [dup], actor=admin_user)

    assert result.moved == {
        "activities.followup": 1,
        "activities.task": 1,
        "contracts.contract": 1,
        "contracts.order": 1,
        "core.attachment": 1,
        "core.recordshare": 1,
        "core.taggeditem": 1,
        "customers.customercontact": 1,
        "customers.lead": 1,
        "customers.poolmove": 1,
        "quotes.quote": 1,
        "receivables.invoicerequest": 1,
        "receivables.receipt": 1,
        "sales.deal": 1,
    }
    assert result.deduplicated == {}
    assert Deal.objects.filter(customer=survivor).count() == deals_before + 1
    for model, row, column in [
        (Deal, rows["deal"], "customer_id"),
        (Quote, rows["quote"], "customer_id"),
        (Contract, rows["contract"], "customer_id"),
        (Order, rows["order"], "customer_id"),
        (Receipt, rows["receipt"], "customer_id"),
        (InvoiceRequest, rows["invoice"], "customer_id"),
        (CustomerContact, rows["link"], "customer_id"),
        (FollowUp, rows["follow_up"], "customer_id"),
        (FollowUp, rows["follow_up"], "target_id"),
        (Task, rows["task"], "customer_id"),
        (Task, rows["task"], "target_id"),
        (Lead, rows["lead"], "converted_customer_id"),
        (PoolMove, rows["pool_move"], "customer_id"),
        (Attachment, rows["attachment"], "object_id"),
        (RecordShare, rows["share"], "object_id"),
    ]:
        assert model._base_manager.filter(pk=row.pk).values_list(column, flat=True).get() == survivor.pk, (
            model,
            column,
        )
    ct = ContentType.objects.get_for_model(Customer)
    tagged = TaggedItem.objects.filter(content_type=ct, object_id=survivor.pk)
    assert [t.tag.slug for t in tagged] == ["phase-2"]
    tags_logged = ObjectChange.objects.get(
        changed_object_type=ct, changed_object_id=survivor.pk, postchange_data__has_key="tags"
    )
    assert (tags_logged.prechange_data, tags_logged.postchange_data) == ({"tags": []}, {"tags": ["二期"]})
    # the merged record: gone, in the recycle bin, holding nothing else (everything moved)
    assert not Customer.objects.filter(pk=dup.pk).exists()
    entry = RecycleBinEntry.objects.get(object_id=dup.pk)
    assert entry.object_repr == "华康医疗"
    # the survivor took the phone (empty on the survivor): most recent non-empty value
    survivor.refresh_from_db()
    assert survivor.phone == "+8613800138000"
    assert survivor.name == "华康医疗"  # the merged record was updated more recently
    # the story: a change-log entry per moved row, the survivor's update, a typed event
    moved_log = ObjectChange.objects.filter(message="Merged into 上海华康医疗器械有限公司")
    # one per change-logged row (a follow-up's customer and target in one); tags and pool moves
    # have no history of their own
    assert moved_log.count() == 12
    update = ObjectChange.objects.filter(
        changed_object_type=ContentType.objects.get_for_model(Customer), changed_object_id=survivor.pk
    ).latest("time")
    assert update.message == "Merged from 华康医疗"
    event = Event.objects.get(kind="customer.merged", object_id=survivor.pk)
    assert event.data["merged"] == [{"id": dup.pk, "name": "华康医疗"}]
    assert event.data["moved"] == result.moved


def test_the_timeline_tells_the_story_in_the_readers_language(c, admin_user):
    with as_user(admin_user):
        dup = Customer.objects.create(name="华康医疗", owner=c.rep1)
        FollowUp.objects.create(target=dup, customer=dup, content="电话")
        dup_pk = dup.pk
        merging.merge(c.customer, [dup], actor=admin_user)
    with translation.override("zh-hans"):
        entries, _cursor = timeline(c.customer, admin_user)
        merge = next(e for e in entries if e.kind == "merge")
        assert merge.title == f"合并自 华康医疗（编号 {dup_pk}）"
        assert "跟进记录: 1" in merge.body or "跟进记录：1" in merge.body
    with translation.override("en"):
        entries, _cursor = timeline(c.customer, admin_user)
        merge = next(e for e in entries if e.kind == "merge")
        assert merge.title == f"Merged from 华康医疗 (no. {dup_pk})"
        assert merge.body == "Moved: follow-ups: 1"


def test_the_merged_record_is_restorable_and_what_moved_stays_on_the_survivor(c, admin_user):
    with as_user(admin_user):
        dup = Customer.objects.create(name="华康医疗", owner=c.rep1, email="hk@example.com")
        follow_up = FollowUp.objects.create(target=dup, customer=dup, content="电话")
        merging.merge(c.customer, [dup], actor=admin_user)
        restore_entry(RecycleBinEntry.objects.get(object_id=dup.pk), actor=admin_user)
    restored = Customer.objects.get(pk=dup.pk)
    assert (restored.name, restored.email) == ("华康医疗", "hk@example.com")
    follow_up.refresh_from_db()
    assert follow_up.customer_id == c.customer.pk


def test_duplicates_are_absorbed_by_the_survivors_twin(c, admin_user):
    survivor = c.customer
    ct = ContentType.objects.get_for_model(Customer)
    with as_user(admin_user):
        dup = Customer.objects.create(name="华康医疗", owner=c.rep1)
        dup2 = Customer.objects.create(name="华康", owner=c.rep1)
        tag = Tag.objects.create(name="重点", slug="key")
        for record in (survivor, dup, dup2):
            set_tags(record, [tag])
        contact = Contact.objects.create(name="李雷")
        own_primary = CustomerContact.objects.create(customer=survivor, contact=contact, is_primary=True)
        CustomerContact.objects.create(customer=dup, contact=contact)
        other_contact = Contact.objects.create(name="韩梅梅")
        CustomerContact.objects.create(customer=dup, contact=other_contact, is_primary=True)
        RecordShare.objects.create(content_type=ct, object_id=survivor.pk, user=c.rep2, access="read")
        RecordShare.objects.create(content_type=ct, object_id=dup.pk, user=c.rep2, access="write")

        result = merging.merge(survivor, [dup, dup2], actor=admin_user)

    assert result.moved == {"customers.customercontact": 1}
    assert result.deduplicated == {
        "core.recordshare": 1,
        "core.taggeditem": 2,
        "customers.customercontact": 1,
    }
    assert TaggedItem.objects.filter(content_type=ct, object_id=survivor.pk).count() == 1
    assert not TaggedItem.objects.filter(content_type=ct, object_id__in=[dup.pk, dup2.pk]).exists()
    share = RecordShare.objects.get(content_type=ct, object_id=survivor.pk)
    assert share.access == "write"  # the wider access of the two
    links = CustomerContact.objects.filter(customer=survivor).order_by("pk")
    assert [(link.contact.name, link.is_primary) for link in links] == [("李雷", True), ("韩梅梅", False)]
    assert own_primary.pk == links[0].pk


def test_chosen_values_win_and_bad_choices_are_field_errors(c, admin_user):
    survivor = c.customer
    with as_user(admin_user):
        dup = Customer.objects.create(name="华康医疗", owner=c.rep2, level="B")
    with as_user(admin_user), pytest.raises(ValidationError) as refused:
        merging.merge(survivor, [dup], actor=admin_user, choices={"name": 999999, "nonsense": survivor.pk})
    assert set(refused.value.message_dict) == {"name", "nonsense"}
    assert Customer.objects.filter(pk=dup.pk).exists()
    with as_user(admin_user):
        chosen = {"name": survivor.pk, "owner": dup.pk, "level": survivor.pk}
        merging.merge(survivor, [dup], actor=admin_user, choices=chosen)
    survivor.refresh_from_db()
    assert (survivor.name, survivor.owner_id, survivor.level) == ("上海华康医疗器械有限公司", c.rep2.pk, "A")
    assert survivor.department_id == c.rep2.department_id  # the department follows the owner


def snapshot():
    return (
        list(Customer.objects.order_by("pk").values_list("pk", "name", "updated_at")),
        list(FollowUp.objects.order_by("pk").values_list("pk", "customer_id", "target_id")),
        ObjectChange.objects.count(),
        Event.objects.count(),
        RecycleBinEntry.objects.count(),
    )


def test_a_denied_merge_changes_nothing(c, admin_user):
    """The rep may change both customers but may not delete: 403, nothing changed."""
    with as_user(admin_user):
        dup = Customer.objects.create(name="华康医疗", owner=c.rep1)
        FollowUp.objects.create(target=dup, customer=dup, content="电话")
    give_role(c.rep2, Customer, "own", ["view", "change", "delete"], name="rep2-delete")
    before = snapshot()
    with as_user(c.rep1), pytest.raises(PermissionDenied):
        merging.merge(c.customer, [dup], actor=c.rep1)
    assert snapshot() == before
    # with delete on customers, but the survivor outside what the user may change: refused too
    with as_user(c.rep2), pytest.raises(PermissionDenied):
        merging.merge(c.customer, [c.other], actor=c.rep2)
    assert snapshot() == before


def test_a_stale_version_is_refused_and_changes_nothing(c, admin_user):
    with as_user(admin_user):
        dup = Customer.objects.create(name="华康医疗", owner=c.rep1)
    seen = version_of(dup)
    with as_user(c.rep1):
        dup.notes = "someone else edited it meanwhile"
        dup.save()
    before = snapshot()
    with as_user(admin_user), pytest.raises(StaleWrite):
        merging.merge(c.customer, [dup], actor=admin_user, versions={dup.pk: seen})
    assert snapshot() == before


def test_a_record_locked_by_an_approval_refuses(c, admin_user):
    from guanxi.framework.write import RecordLocked, register_write_guard

    def locked(instance, actor, action):
        if getattr(instance, "name", "") == "锁定客户":
            raise RecordLocked({"__all__": ["This record is waiting for approval."]})

    register_write_guard(Customer, locked)
    try:
        with as_user(admin_user):
            dup = Customer.objects.create(name="锁定客户", owner=c.rep1)
        before = snapshot()
        with as_user(admin_user), pytest.raises(RecordLocked):
            merging.merge(c.customer, [dup], actor=admin_user)
        assert snapshot() == before
    finally:
        from guanxi.framework.write import _GUARDS

        _GUARDS[Customer].remove(locked)


def test_relations_are_discovered_not_listed():
    """A module's foreign key or generic relation is found without declaring it; history is not."""
    keys = {r.key for r in merging.relations(Customer)}
    assert {
        "sales.deal.customer",
        "receivables.receipt.customer",
        "activities.followup.target_id",
        "core.taggeditem.object_id",
        "core.recordshare.object_id",
        "core.attachment.object_id",
        "customers.poolmove.customer",
    } <= keys
    assert not {"core.objectchange.changed_object_id", "core.event.object_id"} & keys


def test_the_number_of_queries_does_not_grow_with_the_related_records(c, admin_user):
    """One UPDATE per relation and buffered change-log rows: 3 or 30 follow-ups, tasks and links
    cost the same number of queries (no query per moved row)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def merge_with(n):
        with as_user(admin_user):
            keep = Customer.objects.create(name=f"保留{n}", owner=c.rep1)
            dup = Customer.objects.create(name=f"重复{n}", owner=c.rep1)
            for i in range(n):
                FollowUp.objects.create(target=dup, customer=dup, content=f"拜访{i}")
                Task.objects.create(target=dup, customer=dup, title=f"待办{i}")
                contact = Contact.objects.create(name=f"联系人{n}-{i}")
                CustomerContact.objects.create(customer=dup, contact=contact)
            with CaptureQueriesContext(connection) as queries:
                result = merging.merge(keep, [dup], actor=admin_user)
        assert result.moved == {
            "activities.followup": n,
            "activities.task": n,
            "customers.customercontact": n,
        }
        return len(queries)

    merge_with(1)  # warms the per-process caches (content types, custom fields, rules)
    assert merge_with(3) == merge_with(30)
