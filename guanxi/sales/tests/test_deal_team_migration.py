"""The migration of the deal team (``sales.DealTeamMember``) into the record team
(``core.RecordShare``): every member moves with their access, a colleague on both keeps the wider
access, the moved members' change-log entries follow them, the organisation version is bumped."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from guanxi.sales.tests.conftest import make_deal

BEFORE = [("sales", "0003_deal_board_totals")]


@pytest.mark.django_db(transaction=True)
def test_the_deal_team_moves_to_the_record_team(sales):
    from guanxi.framework.testing.fixtures import as_system
    from guanxi.users.models import User

    first = make_deal(sales.rep1, sales.customer, sales.pipeline, name="first")
    second = make_deal(sales.rep1, sales.customer, sales.pipeline, name="second")
    with as_system():
        both_read = User.objects.create_user(username="both-read", name="李强")
        share_only = User.objects.create_user(username="share-only", name="赵敏")

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    ContentType = old.get_model("contenttypes", "ContentType")
    DealTeamMember = old.get_model("sales", "DealTeamMember")
    RecordShare = old.get_model("core", "RecordShare")
    ObjectChange = old.get_model("core", "ObjectChange")
    AccessVersion = old.get_model("users", "AccessVersion")
    deal_ct = ContentType.objects.get(app_label="sales", model="deal")
    team_ct, _ = ContentType.objects.get_or_create(app_label="sales", model="dealteammember")

    rep2, manager = sales.rep2, sales.manager1
    moved = DealTeamMember.objects.create(deal_id=first.pk, user_id=rep2.pk, access="write")
    DealTeamMember.objects.create(deal_id=second.pk, user_id=rep2.pk, access="read")
    DealTeamMember.objects.create(deal_id=first.pk, user_id=manager.pk, access="write")  # wider
    DealTeamMember.objects.create(deal_id=first.pk, user_id=both_read.pk, access="read")  # narrower
    for user, access in ((manager, "read"), (both_read, "write"), (share_only, "read")):
        RecordShare.objects.create(content_type=deal_ct, object_id=first.pk, user_id=user.pk, access=access)
    logged = ObjectChange.objects.create(
        request_id=uuid.uuid4(),
        source="web",
        action="create",
        changed_object_type=team_ct,
        changed_object_id=moved.pk,
        object_repr="陈静 (Can edit)",
        related_object_type=deal_ct,
        related_object_id=first.pk,
        postchange_data={"deal": first.pk, "user": rep2.pk, "access": "write"},
    )
    version_before = AccessVersion.objects.get(pk=1).version

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    # forward to the latest state of every app: later tests need the tables of later migrations
    executor.migrate(executor.loader.graph.leaf_nodes())

    from guanxi.core.models import ObjectChange as Change
    from guanxi.core.models import RecordShare as Share
    from guanxi.sales.models import Deal
    from guanxi.users.models import AccessVersion as Version

    def team(deal):
        return sorted(Deal.objects.get(pk=deal.pk).team.values_list("user__username", "access"))

    assert team(first) == [
        ("both-read", "write"),
        ("manager1", "write"),
        ("rep2", "write"),
        ("share-only", "read"),
    ]
    assert team(second) == [("rep2", "read")]
    share = Share.objects.get(object_id=first.pk, user_id=rep2.pk)
    change = Change.objects.get(pk=logged.pk)
    assert (change.changed_object_type.model_class(), change.changed_object_id) == (Share, share.pk)
    assert (change.related_object_type_id, change.related_object_id) == (deal_ct.pk, first.pk)
    assert Version.objects.get(pk=1).version == version_before + 1

    # and the moved rows open the deals through restrict(): write on the first, read on the second
    member = User.objects.get(pk=rep2.pk)
    assert set(Deal.objects.restrict(member, "view").values_list("name", flat=True)) == {"first", "second"}
    assert set(Deal.objects.restrict(member, "change").values_list("name", flat=True)) == {"first"}
