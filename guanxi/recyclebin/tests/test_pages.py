"""The recycle bin page: filters by type and by who deleted, the menu entry, messages, and a large
bulk delete from a list running as one job."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from guanxi.core.models import Job
from guanxi.customers.models import Contact, Customer
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.write import delete_object
from guanxi.recyclebin.models import RecycleBinEntry

pytestmark = pytest.mark.django_db


def test_the_bin_filters_by_type_and_deleter(admin_client, admin_user, make_user):
    other = make_user("zhang", perms=["customers.view_customer", "customers.delete_customer"])
    with as_user(admin_user):
        customer = Customer.objects.create(name="过滤客户")
        contact = Contact.objects.create(name="过滤联系人")
        delete_object(customer, actor=admin_user)
        delete_object(contact, actor=admin_user)
    with as_user(other):
        mine = Customer.objects.create(name="张的客户", owner=other)
        delete_object(mine, actor=other)
    page = admin_client.get("/settings/recycle-bin/").content.decode()
    assert all(name in page for name in ("过滤客户", "过滤联系人", "张的客户"))
    ct = ContentType.objects.get_for_model(Customer).pk
    page = admin_client.get(f"/settings/recycle-bin/?type={ct}").content.decode()
    assert "过滤客户" in page and "张的客户" in page and "过滤联系人" not in page
    page = admin_client.get(f"/settings/recycle-bin/?type={ct}&deleted_by={other.pk}").content.decode()
    assert "张的客户" in page and "过滤客户" not in page
    # bad filter values are ignored, not a 500
    assert admin_client.get("/settings/recycle-bin/?type=x&deleted_by=-1&page=zz").status_code == 200


def test_the_menu_offers_the_bin_and_a_restore_says_so(admin_client, admin_user):
    with as_user(admin_user):
        customer = Customer.objects.create(name="菜单客户")
        delete_object(customer, actor=admin_user)
    home = admin_client.get("/").content.decode()
    assert 'href="/settings/recycle-bin/"' in home
    entry = RecycleBinEntry.objects.get()
    response = admin_client.post(f"/settings/recycle-bin/{entry.pk}/restore/", follow=True)
    assert "“菜单客户”" in response.content.decode()  # the success message names the record
    assert Customer.objects.filter(name="菜单客户").exists()
    again = admin_client.post(f"/settings/recycle-bin/{entry.pk}/restore/")
    assert again.status_code == 404


def test_restore_refusal_is_a_message_and_changes_nothing(admin_client, admin_user):
    with as_user(admin_user):
        customer = Customer.objects.create(name="撞号客户")
        delete_object(customer, actor=admin_user)
    entry = RecycleBinEntry.objects.get()
    clone = RecycleBinEntry.objects.get(pk=entry.pk)
    clone.pk = None
    clone.save()
    admin_client.post(f"/settings/recycle-bin/{entry.pk}/restore/")
    response = admin_client.post(f"/settings/recycle-bin/{clone.pk}/restore/", follow=True)
    assert "“撞号客户”无法恢复" in response.content.decode()
    assert Customer.objects.filter(name="撞号客户").count() == 1
    assert RecycleBinEntry.objects.filter(pk=clone.pk).exists()


def test_a_large_bulk_delete_runs_as_one_job(admin_client, settings, django_capture_on_commit_callbacks):
    settings.RECYCLE_BIN_JOB_ROWS = 3
    with as_system():
        rows = [Customer.objects.create(name=f"批量客户{n}") for n in range(5)]
    pks = [r.pk for r in rows]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/customers/bulk-delete/", {"pk": pks, "_confirm": "1"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    job.refresh_from_db()
    assert (job.status, job.result) == ("completed", {"deleted": 5, "skipped": 0})
    assert not Customer.objects.filter(pk__in=pks).exists()
    assert RecycleBinEntry.objects.count() == 5


def test_a_small_bulk_delete_goes_to_the_bin_at_once(admin_client):
    with as_system():
        rows = [Customer.objects.create(name=f"少量客户{n}") for n in range(2)]
    admin_client.post("/customers/bulk-delete/", {"pk": [r.pk for r in rows], "_confirm": "1"})
    assert sorted(RecycleBinEntry.objects.values_list("object_repr", flat=True)) == ["少量客户0", "少量客户1"]


def test_the_delete_confirmation_says_where_the_record_goes(admin_client, settings):
    from guanxi.core.models import Tag

    settings.RECYCLE_BIN_DAYS = 14
    with as_system():
        customer = Customer.objects.create(name="确认客户")
        tag = Tag.objects.create(name="确认标签", slug="confirm")
    page = admin_client.get(f"/customers/{customer.pk}/delete/").content.decode()
    assert "“确认客户”将连同相关记录移入回收站，14 天内可以从回收站恢复。" in page
    other = admin_client.get(f"/tags/{tag.pk}/delete/").content.decode()
    assert "移入回收站" not in other and "“确认标签”" in other


def test_the_bin_page_query_count_does_not_grow_with_entries(client, make_user, django_assert_num_queries):
    from guanxi.framework.testing.fixtures import grant

    user = make_user("lister")
    grant(user, ["customers.view_customer", "customers.delete_customer"])
    client.force_login(user)

    def delete(count):
        with as_user(user):
            for n in range(count):
                customer = Customer.objects.create(name=f"计数客户{n}", owner=user)
                delete_object(customer, actor=user)

    delete(3)
    client.get("/settings/recycle-bin/")  # warm caches (content types, access snapshot)
    with django_assert_num_queries(7):
        assert client.get("/settings/recycle-bin/").status_code == 200
    delete(30)
    with django_assert_num_queries(7):
        assert client.get("/settings/recycle-bin/").status_code == 200
