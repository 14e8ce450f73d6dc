"""Scenarios of the recycle bin: a customer deleted with its contacts, follow-ups, tags and files,
restored with all of them; refusals that change nothing; purge; the bulk delete job; who may restore."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import ProtectedError
from django.utils import timezone

from guanxi.activities.models import FollowUp
from guanxi.core.attachments import attach_file
from guanxi.core.models import Attachment, Event, ObjectChange, SearchEntry, Tag, TaggedItem
from guanxi.customers.models import Contact, Customer, CustomerContact
from guanxi.framework.context import actor_context
from guanxi.framework.tags import set_tags
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.write import delete_object, delete_objects
from guanxi.recyclebin import services
from guanxi.recyclebin.access import restorable_entries
from guanxi.recyclebin.models import RecycleBinEntry
from guanxi.recyclebin.services import RestoreRefused, purge_expired, restore_entry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def keys(model, pk):
    return SearchEntry.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id=pk)


def values(model, pks):
    names = [f.attname for f in model._meta.concrete_fields]
    return list(model._default_manager.filter(pk__in=pks).order_by("pk").values_list(*names))


@pytest.fixture
def customer_with_relations(admin_user):
    """A customer with 5 linked contacts, 20 follow-ups, a tag and an attached file."""
    with as_user(admin_user):
        customer = Customer.objects.create(name="华信科技有限公司", phone="+8613800138000")
        contacts = [Contact.objects.create(name=f"联系人{n}") for n in range(5)]
        for contact in contacts:
            CustomerContact.objects.create(customer=customer, contact=contact)
        follow_ups = [
            FollowUp.objects.create(target=customer, customer=customer, content=f"第{n}次拜访")
            for n in range(20)
        ]
        tag = Tag.objects.create(name="重点", slug="key")
        set_tags(customer, [tag])
        attachment = attach_file(customer, SimpleUploadedFile("合同.pdf", b"%PDF-1.4 x"), actor=admin_user)
    return customer, contacts, follow_ups, attachment


def test_delete_keeps_everything_and_restore_brings_it_back(admin_user, customer_with_relations):
    customer, _contacts, follow_ups, attachment = customer_with_relations
    links = list(CustomerContact.objects.filter(customer=customer).values_list("pk", flat=True))
    before_customer = values(Customer, [customer.pk])
    before_links = values(CustomerContact, links)
    before_follow_ups = values(FollowUp, [f.pk for f in follow_ups])
    assert keys(Customer, customer.pk).exists()

    with as_user(admin_user):
        delete_object(customer, actor=admin_user)

    pk = before_customer[0][0]
    assert not Customer.objects.filter(pk=pk).exists()
    assert not CustomerContact.objects.filter(pk__in=links).exists()
    assert not TaggedItem.objects.filter(object_id=pk).exists()
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert default_storage.exists(attachment.file.name)  # the file stays until the purge
    assert FollowUp.objects.filter(pk__in=[f.pk for f in follow_ups], customer=None).count() == 20
    assert not keys(Customer, pk).exists()
    assert (
        ObjectChange.objects.filter(
            changed_object_id=pk, action="delete", changed_object_type__model="customer"
        ).count()
        == 1
    )

    entry = RecycleBinEntry.objects.get()
    assert (entry.object_id, entry.object_repr, entry.deleted_by) == (pk, "华信科技有限公司", admin_user)
    assert entry.related == {
        "customers.customercontact": 5,
        "activities.followup": 20,
        "core.taggeditem": 1,
        "core.attachment": 1,
    }
    assert entry.related_count == 27
    assert entry.files == [attachment.file.name]
    assert entry.rows[0]["model"] == "customers.customer"

    with as_user(admin_user):
        restored = restore_entry(entry, actor=admin_user).record

    assert restored.pk == pk
    assert values(Customer, [pk]) == before_customer
    assert values(CustomerContact, links) == before_links
    assert values(FollowUp, [f.pk for f in follow_ups]) == before_follow_ups
    assert [t.slug for t in Customer.objects.get(pk=pk).tag_list] == ["key"]
    assert Attachment.objects.get(pk=attachment.pk).file.name == attachment.file.name
    assert keys(Customer, pk).exists()
    assert not RecycleBinEntry.objects.exists()
    restored_log = ObjectChange.objects.filter(
        changed_object_id=pk, changed_object_type__model="customer", action="create", source="restore"
    )
    assert restored_log.get().user == admin_user
    assert Event.objects.filter(kind="customer.restored", object_id=pk).count() == 1


def test_delete_query_count_is_pinned(admin_user, customer_with_relations, django_assert_num_queries):
    customer = customer_with_relations[0]
    # the deletion collector asks each relation of a customer once: contracts and orders add two,
    # receipts and invoice requests two more
    with as_user(admin_user), django_assert_num_queries(51):
        delete_object(customer, actor=admin_user)


def test_a_tagging_whose_tag_is_gone_stays_out(admin_user):
    with as_user(admin_user):
        tag = Tag.objects.create(name="A", slug="a")
        customer = Customer.objects.create(name="甲公司")
        set_tags(customer, [tag])
        delete_object(customer, actor=admin_user)
        entry = RecycleBinEntry.objects.get()
        tag.delete()  # the tag the customer carried is gone now
        restored = restore_entry(entry, actor=admin_user)
    assert restored.left_out == 1
    assert restored.record.tag_list == []
    assert Customer.objects.filter(pk=entry.object_id).exists()


def test_restore_refused_when_the_record_refers_to_a_gone_record_changes_nothing(admin_user):
    from guanxi.activities.models import Task

    with as_user(admin_user):
        customer = Customer.objects.create(name="己公司")
        follow_up = FollowUp.objects.create(target=customer, customer=customer, content="拜访")
        task = Task.objects.create(title="回访", due_at=timezone.now(), follow_up=follow_up)
        delete_object(task, actor=admin_user)
        FollowUp.objects.filter(pk=follow_up.pk).delete()  # gone for good meanwhile
    entry = RecycleBinEntry.objects.get()
    with as_user(admin_user), pytest.raises(RestoreRefused) as refused:
        restore_entry(entry, actor=admin_user)
    assert refused.value.messages == [
        f"“回访” cannot be restored: the follow-up it refers to (no. {follow_up.pk}) no longer exists."
    ]
    assert RecycleBinEntry.objects.filter(pk=entry.pk).exists()
    assert not Task.objects.filter(pk=task.pk).exists()


def test_restore_refused_when_the_id_exists_again(admin_user):
    with as_user(admin_user):
        customer = Customer.objects.create(name="乙公司")
        pk = customer.pk
        delete_object(customer, actor=admin_user)
        entry = RecycleBinEntry.objects.get()
        restore_entry(RecycleBinEntry.objects.get(pk=entry.pk), actor=admin_user)
    # the same snapshot a second time (a copy of the entry): refused, nothing written
    entry.pk = None
    entry.save()
    with as_user(admin_user), pytest.raises(RestoreRefused):
        restore_entry(entry, actor=admin_user)
    assert Customer.objects.filter(pk=pk).count() == 1


def test_protected_rows_are_refused_and_nothing_enters_the_bin(admin_user):
    from guanxi.sales.tests.test_views import _deal_row as make_deal

    with as_user(admin_user):
        deal = make_deal(0)
    with as_user(admin_user), pytest.raises(ProtectedError):
        delete_object(deal.customer, actor=admin_user)
    assert not RecycleBinEntry.objects.exists()
    assert Customer.objects.filter(pk=deal.customer_id).exists()


def test_bulk_delete_files_each_related_row_under_its_record(admin_user):
    with as_user(admin_user):
        customers = [Customer.objects.create(name=f"客户{n}") for n in range(3)]
        for n, customer in enumerate(customers):
            for m in range(n + 1):
                CustomerContact.objects.create(
                    customer=customer, contact=Contact.objects.create(name=f"人{n}{m}")
                )
        delete_objects(customers, actor=admin_user)
    entries = {e.object_repr: e for e in RecycleBinEntry.objects.all()}
    assert {name: e.related.get("customers.customercontact") for name, e in entries.items()} == {
        "客户0": 1,
        "客户1": 2,
        "客户2": 3,
    }
    with as_user(admin_user):
        restore_entry(entries["客户1"], actor=admin_user)
    assert CustomerContact.objects.filter(customer__name="客户1").count() == 2
    assert not Customer.objects.filter(name__in=["客户0", "客户2"]).exists()


def test_non_business_records_are_deleted_as_before(admin_user):
    with as_user(admin_user):
        tag = Tag.objects.create(name="B", slug="b")
        delete_object(tag, actor=admin_user)
    assert not Tag.objects.filter(slug="b").exists()
    assert not RecycleBinEntry.objects.exists()


def test_who_may_restore(make_user, admin_user):
    from guanxi.users.models import Department, Role, RoleGrant

    with as_system():
        sales = Department.objects.create(name="销售部")
        other = Department.objects.create(name="市场部")
        rep = make_user("rep", department=sales)
        manager = make_user("manager", department=sales)
        outsider = make_user("outsider", department=other)
        viewer = make_user("viewer", department=sales)
        ct = ContentType.objects.get_for_model(Customer)
        for name, scope, people, actions in (
            ("reps", "own", [rep], ["view", "add", "delete"]),
            ("managers", "department", [manager, outsider], ["view", "add", "delete"]),
            ("viewers", "all", [viewer], ["view"]),
        ):
            role = Role.objects.create(name=name)
            RoleGrant.objects.create(role=role, content_type=ct, actions=actions, scope=scope)
            role.users.set(people)
    with as_user(rep):
        customer = Customer.objects.create(name="丙公司", owner=rep)
        delete_object(customer, actor=rep)
    entry = RecycleBinEntry.objects.get()
    assert entry.department == sales
    for user, allowed in (
        (rep, True),
        (manager, True),
        (outsider, False),
        (viewer, False),
        (admin_user, True),
    ):
        assert restorable_entries(user).filter(pk=entry.pk).exists() is allowed, user
    with as_user(outsider), pytest.raises(PermissionDenied):
        restore_entry(entry, actor=outsider)
    assert not Customer.objects.filter(pk=entry.object_id).exists()
    with as_user(manager):
        restore_entry(entry, actor=manager)
    assert Customer.objects.get(pk=entry.object_id).owner == rep


def test_purge_removes_expired_entries_and_their_files(
    admin_user, customer_with_relations, django_capture_on_commit_callbacks
):
    customer, _contacts, _follow_ups, attachment = customer_with_relations
    with as_user(admin_user):
        delete_object(customer, actor=admin_user)
        kept = Customer.objects.create(name="丁公司")
        delete_object(kept, actor=admin_user)
    old = RecycleBinEntry.objects.get(object_repr="华信科技有限公司")
    RecycleBinEntry.objects.filter(pk=old.pk).update(purge_after=timezone.now() - dt.timedelta(minutes=1))
    with actor_context(None), django_capture_on_commit_callbacks(execute=True):
        assert purge_expired() == 1
    assert list(RecycleBinEntry.objects.values_list("object_repr", flat=True)) == ["丁公司"]
    assert not default_storage.exists(attachment.file.name)
    assert not keys(Customer, old.object_id).exists()


def test_purge_now_is_for_administrators(make_user, admin_user):
    rep = make_user("rep2", perms=["customers.view_customer", "customers.delete_customer"])
    with as_user(rep):
        customer = Customer.objects.create(name="戊公司", owner=rep)
        delete_object(customer, actor=rep)
    entry = RecycleBinEntry.objects.get()
    with pytest.raises(PermissionDenied):
        services.purge_entry(entry, actor=rep)
    assert RecycleBinEntry.objects.filter(pk=entry.pk).exists()
    services.purge_entry(entry, actor=admin_user)
    assert not RecycleBinEntry.objects.exists()


def test_bulk_delete_job_skips_what_is_still_needed(admin_user, django_capture_on_commit_callbacks):
    from guanxi.core.models import Job
    from guanxi.framework.jobs import start_job
    from guanxi.recyclebin.tasks import delete_records
    from guanxi.sales.tests.test_views import _deal_row as make_deal

    with as_user(admin_user):
        free = [Customer.objects.create(name=f"批量{n}") for n in range(5)]
        deal = make_deal(1)
    ids = [c.pk for c in free] + [deal.customer_id]
    with as_user(admin_user), django_capture_on_commit_callbacks(execute=True):
        job = start_job(
            "delete", delete_records, user=admin_user, params={"model": "customers.customer", "ids": ids}
        )
    job = Job.objects.get(pk=job.pk)
    assert job.status == "completed", job.error
    assert job.result == {"deleted": 5, "skipped": 1}
    assert RecycleBinEntry.objects.count() == 5
    assert Customer.objects.filter(pk=deal.customer_id).exists()
