"""The deal team (协同人) over the API follows the record page's rule: a member reads the deal and
its team whether or not a role gives them deals (``restrict()`` counts the share, and holding a
share is the verb), a write member edits it, a read member is told they may only view it, and
anyone else gets the 404/403 they always did. The deal's embedded ``team`` and ``GET …/team/``
come from one serializer, so they show a member the same way, at one query for a page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from guanxi.framework.api.testing import token_client
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.scopes import give_role, share
from guanxi.sales.models import Deal
from guanxi.sales.tests.conftest import make_deal
from guanxi.users.models import User
from guanxi.users.services.access import share_record

DEALS = "/api/v1/sales/deals/"


def fresh(user):
    """The user as a new request sees them (their snapshot comes from the shared cache)."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def outsider(sales):
    """赵磊: no role at all (nothing on deals, customers or pipelines)."""
    with as_system():
        return User.objects.create_user(username="zhao", name="赵磊", language="en")


def test_a_member_without_any_role_reads_the_deal_and_its_team_as_the_page_shows_it(sales, outsider):
    deal = make_deal(sales.rep1, sales.customer, sales.pipeline)
    make_deal(sales.rep1, sales.customer, sales.pipeline, name="其他商机")
    share(deal, outsider, "read")

    page = Client()
    page.force_login(outsider)
    assert page.get(deal.get_absolute_url()).status_code == 200  # the product rule
    api = token_client(fresh(outsider))
    listed = api.get(DEALS)
    assert listed.status_code == 200, listed.content
    assert [row["id"] for row in listed.json()["results"]] == [deal.pk]
    detail = api.get(f"{DEALS}{deal.pk}/")
    assert detail.status_code == 200, detail.content
    team = api.get(f"{DEALS}{deal.pk}/team/")
    assert team.status_code == 200, team.content
    assert [(m["user"]["id"], m["access"]) for m in team.json()] == [(outsider.pk, "read")]
    assert detail.json()["team"] == team.json()


def test_no_share_no_deal_as_before(sales, outsider):
    deal = make_deal(sales.rep1, sales.customer, sales.pipeline)
    nobody = token_client(fresh(outsider))  # no verb on deals and no share: refused outright
    for url in (DEALS, f"{DEALS}{deal.pk}/", f"{DEALS}{deal.pk}/team/"):
        assert nobody.get(url).status_code == 403, url
    other = token_client(fresh(sales.rep2))  # deals of their own only: this one does not exist
    for url in (f"{DEALS}{deal.pk}/", f"{DEALS}{deal.pk}/team/"):
        assert other.get(url).status_code == 404, url
    assert other.patch(f"{DEALS}{deal.pk}/", {"next_step": "x"}, format="json").status_code == 404
    assert other.delete(f"{DEALS}{deal.pk}/").status_code == 403  # no delete on deals at all
    assert deal.pk not in {row["id"] for row in other.get(DEALS).json()["results"]}


@pytest.mark.parametrize("member", ["rep2", "outsider"])
def test_a_write_member_patches_the_deal(sales, outsider, member):
    user = outsider if member == "outsider" else sales.rep2
    deal = make_deal(sales.rep1, sales.customer, sales.pipeline)
    share(deal, user, "write")
    response = token_client(fresh(user)).patch(f"{DEALS}{deal.pk}/", {"next_step": "寄样品"}, format="json")
    assert response.status_code == 200, response.content
    assert Deal.objects.get(pk=deal.pk).next_step == "寄样品"


def test_a_read_member_is_told_they_may_only_view_the_deal_in_their_language(sales):
    deal = make_deal(sales.rep1, sales.customer, sales.pipeline, next_step="报价")
    share(deal, sales.rep2, "read")  # rep2 may change their own deals, and view this one
    give_role(sales.rep2, Deal, "own", ["view", "delete"], name="rep2-deletes-own")
    api = token_client(fresh(sales.rep2))
    assert api.get(f"{DEALS}{deal.pk}/").status_code == 200
    refused = api.patch(f"{DEALS}{deal.pk}/", {"next_step": "x"}, format="json")
    assert refused.status_code == 403, refused.content
    assert refused.json()["detail"] == "You may view this deal but not change it."
    deleted = api.delete(f"{DEALS}{deal.pk}/")
    assert deleted.status_code == 403, deleted.content
    assert deleted.json()["detail"] == "You may view this deal but not delete it."
    with as_system():
        User.objects.filter(pk=sales.rep2.pk).update(language="zh-hans")
    chinese = token_client(fresh(sales.rep2), language="zh-hans")
    refused = chinese.patch(f"{DEALS}{deal.pk}/", {"next_step": "x"}, format="json")
    assert (refused.status_code, refused.json()["detail"]) == (403, "您可以查看此商机，但不能修改。")
    assert Deal.objects.get(pk=deal.pk).next_step == "报价"


def test_a_read_member_without_any_role_cannot_patch_either(sales, outsider):
    deal = make_deal(sales.rep1, sales.customer, sales.pipeline, next_step="报价")
    share(deal, outsider, "read")
    refused = token_client(fresh(outsider)).patch(f"{DEALS}{deal.pk}/", {"next_step": "x"}, format="json")
    assert refused.status_code == 403, refused.content
    assert Deal.objects.get(pk=deal.pk).next_step == "报价"


def test_the_embedded_team_and_the_team_list_are_one_representation(sales, outsider):
    deal = make_deal(sales.rep1, sales.customer, sales.pipeline)
    with as_user(sales.rep1):
        share_record(deal, outsider, "write", actor=sales.rep1)  # 赵磊
        share_record(deal, sales.manager1, "read", actor=sales.rep1)  # 张伟
    api = token_client(sales.rep1)
    team = api.get(f"{DEALS}{deal.pk}/team/").json()
    assert [m["user"]["id"] for m in team] == [sales.manager1.pk, outsider.pk]  # by name: 张, 赵
    assert set(team[0]) == {"user", "access", "added_by", "added_at"}
    assert team[0]["added_by"]["id"] == sales.rep1.pk
    assert api.get(f"{DEALS}{deal.pk}/").json()["team"] == team
    assert next(row for row in api.get(DEALS).json()["results"] if row["id"] == deal.pk)["team"] == team
    # a write's answer (DRF drops the prefetch) lists the team the same way
    patched = api.patch(f"{DEALS}{deal.pk}/", {"next_step": "x"}, format="json")
    assert patched.status_code == 200, patched.content
    assert patched.json()["team"] == team


def test_the_deal_list_costs_the_same_whatever_the_teams(sales, outsider):
    """A page of deals reads every team in one query (``team_prefetch``), members joined."""
    first = make_deal(sales.rep1, sales.customer, sales.pipeline, name="一")
    share(first, sales.rep2, "read")
    api = token_client(sales.rep1)
    api.get(DEALS)  # warm the caches (content types, snapshot)
    with CaptureQueriesContext(connection) as one:
        assert len(api.get(DEALS).json()["results"]) == 1
    for name in ("二", "三", "四"):
        deal = make_deal(sales.rep1, sales.customer, sales.pipeline, name=name)
        for member in (sales.rep2, sales.manager1, outsider):
            share(deal, member, "write")
    api = token_client(sales.rep1)
    api.get(DEALS)
    with CaptureQueriesContext(connection) as four:
        assert len(api.get(DEALS).json()["results"]) == 4
    assert len(four) == len(one), [q["sql"] for q in four.captured_queries]
