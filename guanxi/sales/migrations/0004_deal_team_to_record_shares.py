"""One team mechanism: the deal team (协同人, ``sales.DealTeamMember``) becomes the record team
every owned record has (``core.RecordShare`` on the deal).

Every member moves with their access; a colleague already on the deal's record team keeps the
wider of the two ("can edit" wins). The change-log entries of the members that move are re-filed
under their share, so the deal's history still names them. The organisation version is bumped and
its cached copy dropped, so no access snapshot computed from the old table is used again.
Reversible: the deal shares go back into the deal team table.
"""

import uuid

from django.conf import settings
from django.db import migrations
from django.db.models import F

# guanxi.users.access_version.VERSION_KEY (copied: a migration does not import code that may change)
VERSION_KEY = "guanxi:access:org-version"
WRITE = "write"


def _bump_org_version(apps, db):
    from django.core.cache import cache

    AccessVersion = apps.get_model("users", "AccessVersion")
    AccessVersion.objects.using(db).filter(pk=1).update(version=F("version") + 1, token=uuid.uuid4().hex)
    cache.delete(VERSION_KEY)


def deal_team_to_record_shares(apps, schema_editor):
    db = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    DealTeamMember = apps.get_model("sales", "DealTeamMember")
    RecordShare = apps.get_model("core", "RecordShare")
    ObjectChange = apps.get_model("core", "ObjectChange")

    deal_ct, _ = ContentType.objects.using(db).get_or_create(app_label="sales", model="deal")
    shares = {
        (share.object_id, share.user_id): share
        for share in RecordShare.objects.using(db).filter(content_type=deal_ct)
    }
    widened, created, member_pks = [], [], {}
    for member in DealTeamMember.objects.using(db).order_by("pk").iterator(chunk_size=2000):
        key = (member.deal_id, member.user_id)
        member_pks[member.pk] = key
        share = shares.get(key)
        if share is None:
            shares[key] = share = RecordShare(
                content_type=deal_ct,
                object_id=member.deal_id,
                user_id=member.user_id,
                access=member.access,
                created_by_id=member.created_by_id,
                updated_by_id=member.updated_by_id,
            )
            created.append(share)
        elif member.access == WRITE and share.access != WRITE:
            share.access = WRITE  # on both teams: the wider access wins
            widened.append(share)
    RecordShare.objects.using(db).bulk_create(created, batch_size=1000)
    RecordShare.objects.using(db).bulk_update(widened, ["access"], batch_size=1000)

    team_ct = ContentType.objects.using(db).filter(app_label="sales", model="dealteammember").first()
    if team_ct is not None and member_pks:
        share_ct, _ = ContentType.objects.using(db).get_or_create(app_label="core", model="recordshare")
        for member_pk, (deal_id, user_id) in member_pks.items():
            share = shares[(deal_id, user_id)]
            share_pk = share.pk or (  # bulk_create returns the keys on PostgreSQL and SQLite ≥ 3.35
                RecordShare.objects.using(db).get(content_type=deal_ct, object_id=deal_id, user_id=user_id).pk
            )
            ObjectChange.objects.using(db).filter(
                changed_object_type=team_ct, changed_object_id=member_pk
            ).update(changed_object_type=share_ct, changed_object_id=share_pk)
    _bump_org_version(apps, db)


def record_shares_to_deal_team(apps, schema_editor):
    db = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    DealTeamMember = apps.get_model("sales", "DealTeamMember")
    RecordShare = apps.get_model("core", "RecordShare")
    Deal = apps.get_model("sales", "Deal")

    deal_ct = ContentType.objects.using(db).filter(app_label="sales", model="deal").first()
    if deal_ct is not None:
        deal_shares = RecordShare.objects.using(db).filter(content_type=deal_ct)
        existing = set(Deal.objects.using(db).values_list("pk", flat=True))
        DealTeamMember.objects.using(db).bulk_create(
            [
                DealTeamMember(deal_id=share.object_id, user_id=share.user_id, access=share.access)
                for share in deal_shares
                if share.object_id in existing
            ],
            batch_size=1000,
        )
        deal_shares.delete()
    _bump_org_version(apps, db)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0016_drop_covered_change_event_indexes"),
        ("sales", "0003_deal_board_totals"),
        ("users", "0007_access_version_token"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(deal_team_to_record_shares, record_shares_to_deal_team),
        migrations.DeleteModel(name="DealTeamMember"),
    ]
