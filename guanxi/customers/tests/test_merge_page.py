"""The customers' merge page (``customers:merge``) and the list's 合并 bulk action: side by side, masked
values masked, hidden ones not choosable, the preview of what moves, confirm → the kept record."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from guanxi.activities.models import FollowUp
from guanxi.customers.models import Customer
from guanxi.customers.tests.test_merge_api import state
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.scopes import give_role
from guanxi.framework.write import version_of
from guanxi.users.models import FieldRule

pytestmark = pytest.mark.django_db
URL = reverse("customers:merge")


@pytest.fixture
def director(team):
    """赵磊, director of 华东销售一部, may merge in its tree; phones are masked and emails hidden for him."""
    from guanxi.users.models import User

    with as_system():
        user = User.objects.create_user(
            username="director1", name="赵磊", department=team.east1, language="en"
        )
    role = give_role(user, Customer, "department_tree", ["view", "change", "delete"], name="director-merge")
    with as_system():
        ct = ContentType.objects.get_for_model(Customer)
        FieldRule.objects.create(role=role, content_type=ct, field_name="phone", access="masked")
        FieldRule.objects.create(role=role, content_type=ct, field_name="email", access="hidden")
    return User.objects.get(pk=user.pk)


@pytest.fixture
def pair(team, admin_user):
    with as_user(admin_user):
        keep = Customer.objects.create(name="华信科技有限公司", owner=team.rep1, email="old@huaxin.cn")
        dup = Customer.objects.create(
            name="华信", owner=team.rep1, phone="+8613800138000", email="new@huaxin.cn", level="A"
        )
        for n in range(2):
            FollowUp.objects.create(target=dup, customer=dup, content=f"拜访{n}")
    return keep, dup


def test_the_page_compares_masks_and_previews(client, director, pair):
    keep, dup = pair
    client.force_login(director)
    page = client.get(URL, {"ids": [keep.pk, dup.pk]}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'name="field_name" value="{dup.pk}" checked' in html  # the newest non-empty value
    assert f'name="field_name" value="{keep.pk}"' in html
    assert "138****8000" in html and "13800138000" not in html  # masked for him
    assert "huaxin.cn" not in html and 'name="field_email"' not in html  # hidden: not choosable
    assert 'Follow-ups</td><td class="mono">2</td>' in html.replace("\n", "")
    assert "go to the recycle bin" in html


def test_the_page_speaks_chinese(client, director, pair):
    keep, dup = pair
    director.language = "zh-hans"
    with as_system():
        director.save()
    client.force_login(director)
    html = client.get(URL, {"ids": [keep.pk, dup.pk]}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "合并 2 条记录" in html
    assert "将转移到“华信科技有限公司”的内容" in html


def test_the_list_bulk_action_opens_the_page(client, director, pair):
    keep, dup = pair
    client.force_login(director)
    listing = client.get(reverse("customers:customer_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'formaction="{URL}"' in listing
    response = client.post(URL, {"pk": [keep.pk, dup.pk]})
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?ids={keep.pk}&ids={dup.pk}"
    response = client.post(URL, {"pk": [keep.pk]})
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:customer_list")


def test_confirm_merges_and_opens_the_kept_record(client, director, pair):
    keep, dup = pair
    client.force_login(director)
    response = client.post(
        URL,
        {
            "ids": [keep.pk, dup.pk],
            "survivor": keep.pk,
            "field_name": keep.pk,
            f"version_{keep.pk}": version_of(keep),
            f"version_{dup.pk}": version_of(dup),
            "_confirm": "1",
        },
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert response.redirect_chain[-1][0] == keep.get_absolute_url()
    assert "Merged 1 record into “华信科技有限公司”. Moved: follow-ups: 2." in response.content.decode()
    keep.refresh_from_db()
    # name kept as chosen; level and phone from the newer record; email (hidden from him) by default
    assert (keep.name, keep.level, keep.phone, keep.email) == (
        "华信科技有限公司",
        "A",
        "+8613800138000",
        "new@huaxin.cn",
    )
    assert not Customer.objects.filter(pk=dup.pk).exists()
    assert FollowUp.objects.filter(customer=keep).count() == 2


def test_keeping_the_other_record_swaps_the_preview(client, director, pair):
    keep, dup = pair
    client.force_login(director)
    html = client.get(URL, {"ids": [keep.pk, dup.pk], "survivor": dup.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert "What moves to “华信”" in html.content.decode()
    assert "The other records have no related records." in html.content.decode()


def test_choosing_a_hidden_field_is_refused_and_changes_nothing(client, director, pair):
    keep, dup = pair
    client.force_login(director)
    before = state()
    response = client.post(
        URL,
        {"ids": [keep.pk, dup.pk], "survivor": keep.pk, "field_email": keep.pk, "_confirm": "1"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert "You may not choose the value of this field." in response.content.decode()
    assert state() == before


def test_a_stale_page_is_409_and_changes_nothing(client, director, pair, team):
    keep, dup = pair
    client.force_login(director)
    seen = version_of(dup)
    with as_user(team.rep1):
        dup.notes = "改过了"
        dup.save()
    before = state()
    response = client.post(
        URL,
        {"ids": [keep.pk, dup.pk], "survivor": keep.pk, f"version_{dup.pk}": seen, "_confirm": "1"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    assert "Someone else changed this record" in response.content.decode()
    assert state() == before


def test_without_delete_the_page_is_forbidden(client, team, pair):
    keep, dup = pair
    client.force_login(team.rep1)
    assert client.get(URL, {"ids": [keep.pk, dup.pk]}).status_code == 403
    listing = client.get(reverse("customers:customer_list")).content.decode()
    assert f'formaction="{URL}"' not in listing


def test_a_record_outside_the_users_view_is_404(client, director, pair, admin_user, team):
    keep, _dup = pair
    with as_user(admin_user):
        elsewhere = Customer.objects.create(name="别人的客户", owner=team.rep2)
    client.force_login(director)
    assert client.get(URL, {"ids": [keep.pk, elsewhere.pk]}).status_code == 404
