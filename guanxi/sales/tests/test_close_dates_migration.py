"""sales.0005: deals closed by a stage's change of kind (before the stage form refused it) get a
close date; deals in an open stage lose a leftover one."""

from __future__ import annotations

import datetime
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from guanxi.sales.models import Deal, Stage
from guanxi.sales.tests.conftest import make_deal

migration = importlib.import_module("guanxi.sales.migrations.0005_close_dates_follow_stage_kind")


@pytest.mark.django_db
def test_close_dates_follow_the_stage_kind(sales):
    entered = timezone.now() - datetime.timedelta(days=40)
    closed_earlier = timezone.now() - datetime.timedelta(days=90)
    held = make_deal(sales.rep1, sales.customer, sales.pipeline, name="held")
    won = make_deal(sales.rep1, sales.customer, sales.pipeline, name="won")
    reopened = make_deal(sales.rep1, sales.customer, sales.pipeline, name="reopened")
    won_stage = Stage.objects.get(pipeline=sales.pipeline, kind="won")
    other_open = Stage.objects.filter(pipeline=sales.pipeline, kind="open").exclude(pk=held.stage_id).first()
    # the old ways in: a stage's kind changed under its deal (set-based, as the bug left it) …
    Stage.objects.filter(pk=held.stage_id).update(kind="won")
    Deal.objects.filter(pk=held.pk).update(stage_entered_at=entered)
    # … a deal properly won keeps its date; one left in an open stage with a close date loses it
    Deal.objects.filter(pk=won.pk).update(stage=won_stage, closed_at=closed_earlier)
    Deal.objects.filter(pk=reopened.pk).update(stage=other_open, closed_at=closed_earlier)

    migration.close_dates_follow_stage_kind(apps, SimpleNamespace(connection=connection))

    closed = dict(Deal.objects.values_list("name", "closed_at"))
    assert closed == {"held": entered, "won": closed_earlier, "reopened": None}
    sales.customer.refresh_from_db()
    assert sales.customer.last_won_at == entered  # the newest of its wins
