"""``POST /api/v1/customers/customers/merge/``: 200 with what moved, field-level 400s, 403, 404, 409,
messages in the caller's language; a refusal changes nothing."""

from __future__ import annotations

import pytest

from guanxi.activities.models import FollowUp
from guanxi.core.models import ObjectChange
from guanxi.customers.models import Customer
from guanxi.framework.api.testing import token_client
from guanxi.framework.testing.fixtures import as_user
from guanxi.framework.testing.scopes import give_role
from guanxi.framework.write import version_of
from guanxi.recyclebin.models import RecycleBinEntry

pytestmark = pytest.mark.django_db
URL = "/api/v1/customers/customers/merge/"


@pytest.fixture
def pair(team, admin_user):
    """Two customers of 王芳 (rep1): 华信科技 with a follow-up, and its duplicate 华信 with two."""
    with as_user(admin_user):
        keep = Customer.objects.create(name="华信科技有限公司", owner=team.rep1)
        dup = Customer.objects.create(name="华信", owner=team.rep1, phone="+8613800138000")
        FollowUp.objects.create(target=keep, customer=keep, content="电话")
        for n in range(2):
            FollowUp.objects.create(target=dup, customer=dup, content=f"拜访{n}")
    return keep, dup


def state():
    return (
        list(Customer.objects.order_by("pk").values_list("pk", "name", "phone", "updated_at")),
        list(FollowUp.objects.order_by("pk").values_list("customer_id", "target_id")),
        ObjectChange.objects.count(),
        RecycleBinEntry.objects.count(),
    )


def test_merge_answers_what_moved(team, admin_user, pair):
    keep, dup = pair
    response = token_client(admin_user).post(
        URL, {"survivor": keep.pk, "others": [dup.pk], "fields": {"name": keep.pk}}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["id"] == keep.pk
    assert body["display"] == "华信科技有限公司"
    assert body["merged"] == [{"id": dup.pk, "display": "华信"}]
    assert body["moved"] == {"activities.followup": 2}
    assert body["url"].endswith(f"/customers/{keep.pk}/")
    keep.refresh_from_db()
    assert (keep.name, keep.phone) == ("华信科技有限公司", "+8613800138000")
    assert FollowUp.objects.filter(customer=keep).count() == 3
    assert not Customer.objects.filter(pk=dup.pk).exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "This field cannot be chosen in a merge."), ("zh-hans", "合并时不能选择这个字段。")],
)
def test_bad_input_is_a_field_error_in_the_callers_language(team, admin_user, pair, language, message):
    keep, dup = pair
    before = state()
    client = token_client(admin_user, language=language)
    response = client.post(
        URL, {"survivor": keep.pk, "others": [dup.pk], "fields": {"created_at": keep.pk}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"created_at": [message]}
    response = client.post(URL, {"survivor": keep.pk, "others": []}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"others"}
    response = client.post(URL, {"survivor": "华信", "others": [dup.pk]}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"survivor"}
    response = client.post(URL, {"survivor": keep.pk, "others": [keep.pk]}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"others"}
    response = client.post(
        URL, {"survivor": keep.pk, "others": [dup.pk], "fields": {"name": 10**9}}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"name"}
    assert state() == before


def test_without_delete_on_the_others_403_and_nothing_changes(team, pair):
    keep, dup = pair
    before = state()
    response = token_client(team.rep1).post(URL, {"survivor": keep.pk, "others": [dup.pk]}, format="json")
    assert response.status_code == 403
    assert state() == before


def test_a_record_outside_the_callers_view_is_404(team, admin_user, pair):
    _keep, dup = pair
    give_role(team.rep2, Customer, "own", ["view", "change", "delete"], name="rep2-merge")
    with as_user(admin_user):
        own = Customer.objects.create(name="陈静的客户", owner=team.rep2)
    before = state()
    response = token_client(team.rep2).post(URL, {"survivor": own.pk, "others": [dup.pk]}, format="json")
    assert response.status_code == 404
    assert state() == before


def test_a_stale_version_is_409_and_nothing_changes(team, admin_user, pair):
    keep, dup = pair
    seen = version_of(dup)
    with as_user(team.rep1):
        dup.notes = "改过了"
        dup.save()
    before = state()
    response = token_client(admin_user).post(
        URL, {"survivor": keep.pk, "others": [dup.pk], "versions": {str(dup.pk): seen}}, format="json"
    )
    assert response.status_code == 409
    assert "Someone else changed this record" in response.json()["detail"]
    assert state() == before


def test_only_entities_declaring_merge_route_it():
    """Customers declare ``merge=Merge()``; deals do not, so their viewset has no merge action."""
    from guanxi.framework.entities import default_viewset, entity_for
    from guanxi.sales.models import Deal

    def actions(model):
        return {a.__name__ for a in default_viewset(entity_for(model)).get_extra_actions()}

    assert "merge" in actions(Customer)
    assert "merge" not in actions(Deal)
