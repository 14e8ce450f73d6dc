"""The deal team (协同人) is the record team every owned record has (``core.RecordShare``): one card
on the deal's page, the API's ``team`` field and its add/change/remove actions, access through
``restrict()`` as a cheap literal id list, and a removal that ends access at once."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied

from guanxi.core.models import RecordShare
from guanxi.framework.testing.fixtures import as_user
from guanxi.sales import services
from guanxi.sales.models import Deal
from guanxi.sales.tests.conftest import make_deal, stage
from guanxi.users.services.access import share_record, unshare_record


def fresh(user):
    """The user as a new request sees them (their snapshot comes from the shared cache)."""
    return type(user).objects.get(pk=user.pk)


def _sees(user, deal, action="view") -> bool:
    return Deal.objects.restrict(fresh(user), action).filter(pk=deal.pk).exists()


def test_a_read_member_views_a_write_member_edits_and_leaving_ends_it_at_once(sales):
    deal = make_deal(sales.rep1, sales.customer, sales.pipeline)
    assert not _sees(sales.rep2, deal)
    with as_user(sales.rep1):
        share_record(deal, sales.rep2, "read", actor=sales.rep1)
    # one team: the member of the record team is the deal's team (the API's ``team``)
    assert list(Deal.objects.get(pk=deal.pk).team.values_list("user_id", "access")) == [
        (sales.rep2.pk, "read")
    ]
    assert _sees(sales.rep2, deal)
    assert not _sees(sales.rep2, deal, "change")
    with as_user(sales.rep2), pytest.raises(PermissionDenied):
        services.move_deal(deal, stage(sales.pipeline, "Needs analysis"), actor=fresh(sales.rep2))

    with as_user(sales.rep1):
        share_record(deal, sales.rep2, "write", actor=sales.rep1)
    assert _sees(sales.rep2, deal, "change")
    with as_user(sales.rep2):
        services.move_deal(deal, stage(sales.pipeline, "Needs analysis"), actor=fresh(sales.rep2))
    assert Deal.objects.get(pk=deal.pk).stage.name_en == "Needs analysis"

    warm = fresh(sales.rep2)
    assert Deal.objects.restrict(warm, "view").filter(pk=deal.pk).exists()  # snapshot cached
    with as_user(sales.rep1):
        unshare_record(deal, sales.rep2, actor=sales.rep1)
    assert not Deal.objects.get(pk=deal.pk).team.exists()
    assert not _sees(sales.rep2, deal)  # the cached snapshot is of an older organisation version
    assert not _sees(sales.rep2, deal, "change")


def test_a_members_deal_list_adds_an_id_list_not_an_exists_over_the_share_table(sales):
    """The deals list and board keep the deal team's cheap path: the member's deals are a literal
    ``id IN (…)`` read into the cached snapshot (an ``OR EXISTS`` over the share table would cost
    every list and board query a scan, bench_deals); a user on no team adds nothing."""
    mine = make_deal(sales.rep2, sales.customer, sales.pipeline, name="mine")
    other = make_deal(sales.rep1, sales.customer, sales.pipeline, name="theirs")
    plain = str(Deal.objects.restrict(fresh(sales.rep2), "view").query).lower()
    with as_user(sales.rep1):
        share_record(other, sales.rep2, "write", actor=sales.rep1)
    member = fresh(sales.rep2)
    for action in ("view", "change"):
        rows = Deal.objects.restrict(member, action)
        sql = str(rows.query).lower()
        assert "exists" not in sql and "recordshare" not in sql, sql
        assert f'"{Deal._meta.db_table}"."id" in ({other.pk})' in sql, sql
        assert set(rows.values_list("pk", flat=True)) == {mine.pk, other.pk}
    assert "recordshare" not in plain and " in (" not in plain.split("where", 1)[1]


def test_the_deal_page_shows_one_team_card_that_adds_changes_and_removes(client, sales):
    deal = make_deal(sales.rep1, sales.customer, sales.pipeline)
    client.force_login(sales.rep1)
    page = client.get(deal.get_absolute_url()).content.decode()
    assert 'id="deal-team"' not in page
    assert page.count('id="team-panel"') == 1
    card = page[page.index('id="team-panel"') :]
    card = card[: card.index("</section>")]
    assert "Deal team" in card
    assert 'x-data="picker" data-url="/pick/users.colleagues/' in card
    ct = ContentType.objects.get_for_model(Deal).pk
    add = f"/org/team/{ct}/{deal.pk}/add/"
    refused = client.post(add, {"user": "", "access": "read"}, follow=True)
    assert "Choose a colleague." in refused.content.decode()
    assert not deal.team.exists()
    assert client.post(add, {"user": sales.rep2.pk, "access": "write"}).status_code == 302
    assert list(deal.team.values_list("user__username", "access")) == [("rep2", "write")]
    assert client.post(add, {"user": sales.rep2.pk, "access": "read"}).status_code == 302
    assert list(deal.team.values_list("user__username", "access")) == [("rep2", "read")]
    assert _sees(sales.rep2, deal) and not _sees(sales.rep2, deal, "change")
    page = client.get(deal.get_absolute_url()).content.decode()
    assert 'data-user="rep2"' in page
    assert client.post(f"/org/team/{ct}/{deal.pk}/remove/{sales.rep2.pk}/").status_code == 302
    assert not deal.team.exists()
    assert not _sees(sales.rep2, deal)


def test_the_api_lists_adds_changes_and_removes_team_members(sales):
    from guanxi.framework.api.testing import token_client

    deal = make_deal(sales.rep1, sales.customer, sales.pipeline)
    api = token_client(sales.rep1)
    url = f"/api/v1/sales/deals/{deal.pk}/"
    assert api.get(url).json()["team"] == []
    added = api.post(f"{url}team/", {"user": sales.rep2.pk, "access": "write"}, format="json")
    assert added.status_code == 200, added.content
    assert [(m["user"]["id"], m["access"]) for m in added.json()["team"]] == [(sales.rep2.pk, "write")]
    assert _sees(sales.rep2, deal, "change")
    changed = api.post(f"{url}team/", {"user": sales.rep2.pk, "access": "read"}, format="json")
    assert [m["access"] for m in changed.json()["team"]] == ["read"]
    assert [m["access"] for m in api.get(url).json()["team"]] == ["read"]
    assert not _sees(sales.rep2, deal, "change")

    # a read member may read the deal, not change its team; bad input is a 400
    member = token_client(sales.rep2)
    assert member.get(url).status_code == 200
    assert (
        member.post(f"{url}team/", {"user": sales.rep2.pk, "access": "write"}, format="json").status_code
        == 403
    )
    assert api.post(f"{url}team/", {"user": "abc"}, format="json").status_code == 400
    assert (
        api.post(f"{url}team/", {"user": sales.rep2.pk, "access": "owner"}, format="json").status_code == 400
    )
    assert [m["access"] for m in api.get(url).json()["team"]] == ["read"]

    removed = api.delete(f"{url}team/{sales.rep2.pk}/")
    assert removed.status_code == 200, removed.content
    assert removed.json()["team"] == []
    assert member.get(url).status_code == 404


def test_deleting_a_deal_bins_its_team_and_a_restore_brings_it_back(sales):
    from guanxi.framework.write import delete_object
    from guanxi.recyclebin.models import RecycleBinEntry
    from guanxi.recyclebin.services import restore_entry

    deal = make_deal(sales.rep1, sales.customer, sales.pipeline)
    pk = deal.pk
    with as_user(sales.rep1):
        share_record(deal, sales.rep2, "write", actor=sales.rep1)
        delete_object(deal, actor=sales.rep1)
    assert not RecordShare.objects.filter(object_id=pk, user=sales.rep2).exists()
    from guanxi.framework.testing.fixtures import as_system
    from guanxi.users.models import User

    with as_system():
        admin = User.objects.create_superuser(username="boss", password="x")
    with as_user(admin):
        restore_entry(RecycleBinEntry.objects.get(), actor=admin)
    restored = Deal.objects.get(pk=pk)
    assert list(restored.team.values_list("user__username", "access")) == [("rep2", "write")]
    assert _sees(sales.rep2, restored, "change")
