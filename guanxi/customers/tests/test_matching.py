"""Company-name keys and the customer match finder behind 撞单 and lead duplicate checks."""

from __future__ import annotations

import pytest

from guanxi.customers.matching import company_name_key, find_customer_matches, near_identical
from guanxi.customers.models import Customer
from guanxi.framework.testing.fixtures import as_system


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("上海星河科技有限公司", "上海星河科技"),
        ("上海 星河科技（有限公司）", "上海星河科技"),
        ("上海星河科技股份有限公司", "上海星河科技"),
        ("星河科技集团有限公司", "星河科技"),
        ("ＸＩＮＧＨＥ Tech Co., Ltd.", "xinghetech"),
        ("公司", "公司"),  # a bare suffix is a name, not nothing
        ("", ""),
    ],
)
def test_name_key_drops_width_case_spaces_punctuation_and_legal_forms(name, key):
    assert company_name_key(name) == key


def test_near_identical_tolerates_one_character_in_a_long_name():
    assert near_identical("杭州云帆智能装备制造", "杭州云帆智能装备制选")
    assert not near_identical("杭州云帆", "杭州远航")
    assert not near_identical("", "")


@pytest.mark.django_db
def test_matches_name_the_field_and_skip_the_row_itself():
    with as_system():
        twin = Customer.objects.create(name="苏州宏达精密机械有限公司", phone="+8613912345678")
        other = Customer.objects.create(name="南京宏达物流", email="info@hongda.cn")
    assert twin.name_key == "苏州宏达精密机械"
    by_name = find_customer_matches(name="苏州宏达精密机械（有限公司）")
    assert [(m.obj, m.field) for m in by_name] == [(twin, "name")]
    by_phone = find_customer_matches(phone="+8613912345678", name="另一家公司")
    assert [(m.obj, m.field) for m in by_phone] == [(twin, "phone")]
    by_email = find_customer_matches(email="info@hongda.cn")
    assert [(m.obj, m.field) for m in by_email] == [(other, "email")]
    assert find_customer_matches(name="苏州宏达精密机械", exclude_pk=twin.pk) == []
    assert find_customer_matches() == []


@pytest.mark.django_db
def test_owned_since_follows_the_owner(make_user):
    rep, other = make_user("rep_a"), make_user("rep_b")
    with as_system():
        customer = Customer.objects.create(name="无主客户")
        assert customer.owned_since is None
        customer.owner = rep
        customer.save()
        first = customer.owned_since
        assert first is not None
        customer.refresh_from_db()
        customer.notes = "跟进中"
        customer.save()
        assert customer.owned_since == first  # an edit is not a new owner
        customer.owner = other
        customer.save(update_fields=["owner"])
        customer.refresh_from_db()
        assert customer.owned_since > first


@pytest.mark.django_db
def test_a_customer_of_another_rep_is_a_conflict_naming_the_owner(make_user):
    from django.utils.translation import override

    from guanxi.customers.services.conflicts import OwnershipConflict, check_ownership_conflict

    owner = make_user("zhangwei", first_name="伟", last_name="张")
    rep = make_user("wangfang")
    with as_system():
        Customer.objects.create(name="成都天府软件有限公司", owner=owner, phone="+8618612345678")
    assert check_ownership_conflict(actor=owner, owner=owner, name="成都天府软件") == []
    with override("en"), pytest.raises(OwnershipConflict) as refused:
        check_ownership_conflict(actor=rep, owner=rep, phone="+8618612345678", name="别的名字")
    assert "成都天府软件有限公司" in refused.value.messages[0]
    assert str(owner) in refused.value.messages[0]
    assert "same phone" in refused.value.messages[0]


@pytest.mark.django_db
def test_a_new_owner_takes_the_customer_out_of_its_pool(make_user):
    from django.utils import timezone

    from guanxi.customers.models import Pool

    rep = make_user("pool_leaver")
    with as_system():
        pool = Pool.objects.create(name="华东公海")
        customer = Customer.objects.create(name="公海客户", pool=pool, pool_entered_at=timezone.now())
        customer.refresh_from_db()
        customer.owner = rep
        customer.save(update_fields=["owner"])
    customer.refresh_from_db()
    assert (customer.pool, customer.pool_entered_at, customer.owner) == (None, None, rep)
