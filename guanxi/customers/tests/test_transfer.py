"""Transfers (转移 / 离职交接): one customer, a selection, or everything of a leaving rep."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from guanxi.core.models import Notification, ObjectChange, OwnershipTransfer
from guanxi.customers.conftest import set_policy
from guanxi.customers.models import Contact, Customer
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.scopes import rows_by_pk
from guanxi.framework.timeline import timeline
from guanxi.framework.transfer import transfer_records
from guanxi.users.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(team):
    """王芳 (rep1) owns two customers and three contacts; 陈静 (rep2, another department) one customer."""
    with as_system():
        a = Customer.objects.create(name="苏州明远精密机械有限公司", phone="+8613900000001", owner=team.rep1)
        b = Customer.objects.create(name="南京云帆贸易有限公司", phone="+8613900000002", owner=team.rep1)
        c = Customer.objects.create(name="广州远景电子有限公司", phone="+8613900000003", owner=team.rep2)
        for n in range(3):
            Contact.objects.create(name=f"联系人{n}", owner=team.rep1)
    return a, b, c


def owners(*customers):
    return [Customer.objects.get(pk=c.pk).owner.username for c in customers]


def test_manager_transfers_one_customer_from_its_page(client, team, book):
    a, b, _c = book
    client.force_login(team.manager1)
    page = client.get(f"/customers/{a.pk}/").content.decode()
    assert f"/customers/{a.pk}/transfer/" in page  # the quick action
    response = client.post(f"/customers/{a.pk}/transfer/", {"to_user": team.rep1b.pk, "reason": "离职交接"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.owner, a.department, owners(b)) == (team.rep1b, team.east1, ["rep1"])
    assert a.owned_since is not None
    change = ObjectChange.objects.filter(changed_object_id=a.pk, action="update").get()
    assert change.prechange_data == {"owner": team.rep1.pk}
    assert change.postchange_data == {"owner": team.rep1b.pk}
    assert (change.user, change.message) == (team.manager1, "Transferred: 离职交接")
    transfer = OwnershipTransfer.objects.get()
    assert (transfer.from_user, transfer.to_user, transfer.reason) == (None, team.rep1b, "离职交接")
    assert transfer.counts == {"customers.customer": 1}
    entries, _cursor = timeline(a, team.manager1)
    assert "Transferred from 王芳 to 刘洋: 离职交接" in [e.title for e in entries]


def test_new_owner_is_notified_once_in_their_language(client, team, book, django_capture_on_commit_callbacks):
    a, b, _c = book
    with django_capture_on_commit_callbacks(execute=True), as_user(team.manager1):
        transfer_records(actor=team.manager1, to_user=team.rep1b, reason="离职交接", records=[a, b])
    note = Notification.objects.get(recipient=team.rep1b)  # rep1b reads Chinese
    assert note.title == "有 2 条记录转给了你"
    assert note.body == "客户：2，来自张伟。原因：离职交接"
    assert note.actor == team.manager1


def test_bulk_action_on_the_list_transfers_the_selection(client, team, book):
    a, b, _c = book
    client.force_login(team.manager1)
    page = client.get("/customers/").content.decode()
    assert "/customers/bulk-transfer/" in page
    first = client.post("/customers/bulk-transfer/", {"pk": [a.pk, b.pk]})
    assert first.status_code == 200
    assert "Transfer 2 customers" in first.content.decode()
    assert owners(a, b) == ["rep1", "rep1"]
    done = client.post(
        "/customers/bulk-transfer/",
        {"pk": [a.pk, b.pk], "_apply": "1", "to_user": team.rep1b.pk, "reason": "区域调整"},
    )
    assert done.status_code == 302
    assert owners(a, b) == ["rep1b", "rep1b"]
    assert OwnershipTransfer.objects.get().counts == {"customers.customer": 2}
    ct = ContentType.objects.get_for_model(Customer)
    assert ObjectChange.objects.filter(changed_object_type=ct, action="update").count() == 2


def test_leaving_employee_page_counts_and_moves_everything(client, team, book):
    a, b, c = book
    client.force_login(team.manager1)
    assert (
        f"/org/users/{team.rep1.pk}/transfer/" in client.get(f"/org/users/{team.rep1.pk}/").content.decode()
    )
    page = client.get(f"/org/users/{team.rep1.pk}/transfer/").content.decode()
    assert "Transfer all records of 王芳" in page
    counts = page[page.index('id="transfer-counts"') :]
    assert '>Customers</td><td class="mono">2<' in counts and '>Contacts</td><td class="mono">3<' in counts
    response = client.post(
        f"/org/users/{team.rep1.pk}/transfer/", {"to_user": team.rep1b.pk, "reason": "离职交接"}
    )
    assert response.status_code == 302
    assert owners(a, b, c) == ["rep1b", "rep1b", "rep2"]
    assert set(Contact.objects.values_list("owner__username", flat=True)) == {"rep1b"}
    transfer = OwnershipTransfer.objects.get()
    assert transfer.from_user == team.rep1
    assert transfer.counts == {"customers.customer": 2, "customers.contact": 3}


@pytest.mark.parametrize(
    ("target", "reason", "field", "message"),
    [
        ("inactive", "离职交接", "to_user", "is no longer active and cannot own records."),
        ("self", "离职交接", "to_user", "You cannot transfer records to yourself."),
        ("rep1b", "  ", "reason", "Say why the records change hands"),
    ],
)
def test_refusals_are_field_messages_and_change_nothing(client, team, book, target, reason, field, message):
    a, _b, _c = book
    with as_system():
        inactive = User.objects.create_user(
            username="gone", name="赵离", department=team.east1, is_active=False
        )
    to_user = {"inactive": inactive, "self": team.manager1, "rep1b": team.rep1b}[target]
    before = rows_by_pk(Customer)
    client.force_login(team.manager1)
    response = client.post(f"/customers/{a.pk}/transfer/", {"to_user": to_user.pk, "reason": reason})
    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    assert rows_by_pk(Customer) == before
    assert not OwnershipTransfer.objects.exists()


def test_manager_can_transfer_only_what_they_may_assign(client, team, book):
    a, _b, c = book  # c belongs to another department
    client.force_login(team.manager1)
    assert client.get(f"/customers/{c.pk}/transfer/").status_code == 404
    before = rows_by_pk(Customer)
    with as_user(team.manager1), pytest.raises(PermissionDenied):
        transfer_records(actor=team.manager1, to_user=team.rep1b, reason="x", records=[a, c])
    assert rows_by_pk(Customer) == before
    assert not OwnershipTransfer.objects.exists()
    response = client.post(
        "/customers/bulk-transfer/",
        {"pk": [a.pk, c.pk], "_apply": "1", "to_user": team.rep1b.pk, "reason": "x"},
    )
    assert "nothing was changed" in response.content.decode()
    assert rows_by_pk(Customer) == before


def test_a_rep_without_assign_sees_no_transfer(client, team, book):
    a, _b, _c = book
    client.force_login(team.rep1)
    assert f"/customers/{a.pk}/transfer/" not in client.get(f"/customers/{a.pk}/").content.decode()
    assert "/customers/bulk-transfer/" not in client.get("/customers/").content.decode()
    assert client.get(f"/customers/{a.pk}/transfer/").status_code == 404
    assert client.get(f"/org/users/{team.rep1.pk}/transfer/").status_code in (403, 404)


def test_the_conflict_policy_does_not_block_transfers(team, book):
    a, _b, _c = book
    set_policy("refuse")
    with as_system():
        Customer.objects.create(name="苏州明远精密机械有限公司", phone=a.phone, owner=team.rep2)
    with as_user(team.manager1):
        result = transfer_records(actor=team.manager1, to_user=team.rep1b, reason="x", records=[a])
    assert result.counts == {"customers.customer": 1}


def test_service_validates_before_touching_anything(team, book):
    with as_user(team.manager1), pytest.raises(ValidationError) as error:
        transfer_records(actor=team.manager1, to_user=team.rep1, reason="x", from_user=team.rep1)
    assert error.value.message_dict == {"to_user": ["Choose someone other than the current owner."]}


def test_transfer_of_many_rows_takes_a_bounded_number_of_queries(team, django_assert_max_num_queries):
    with as_system():
        rows = [Customer.objects.create(name=f"批量客户{n:03d}", owner=team.rep1) for n in range(60)]
    with as_user(team.manager1), django_assert_max_num_queries(20):
        result = transfer_records(actor=team.manager1, to_user=team.rep1b, reason="离职交接", records=rows)
    assert result.counts == {"customers.customer": 60}
    assert ObjectChange.objects.filter(action="update", message="Transferred: 离职交接").count() == 60


def test_nothing_to_move_records_nothing(team, book, django_capture_on_commit_callbacks):
    a, _b, _c = book  # a is rep1's already
    with django_capture_on_commit_callbacks(execute=True), as_user(team.manager1):
        result = transfer_records(actor=team.manager1, to_user=team.rep1, reason="x", records=[a])
    assert (result.transfer, result.counts, result.total) == (None, {}, 0)
    assert not OwnershipTransfer.objects.exists() and not Notification.objects.exists()


def test_single_record_notification_links_to_it(team, book, django_capture_on_commit_callbacks):
    a, _b, _c = book
    with django_capture_on_commit_callbacks(execute=True), as_user(team.manager1):
        transfer_records(actor=team.manager1, to_user=team.rep1b, reason="x", records=[a])
    assert Notification.objects.get(recipient=team.rep1b).url == f"/customers/{a.pk}/"
