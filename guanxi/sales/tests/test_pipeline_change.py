"""Moving a deal to another pipeline: the service (stage machine, history, refusals), the deal
page's "Change pipeline" form and the API's ``move``."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from guanxi.core.models import Event, ObjectChange
from guanxi.framework.api.testing import token_client
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.write import version_of
from guanxi.sales import services
from guanxi.sales.models import Deal, Pipeline, StageChange
from guanxi.sales.tests.conftest import make_deal, make_pipeline, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def renewals(sales):
    """A second pipeline (续约) everyone works with."""
    pipeline = make_pipeline("续约流程", is_default=False)
    Pipeline.objects.filter(pk=pipeline.pk).update(name_en="Renewals")
    pipeline.refresh_from_db()
    return pipeline


def _deal(sales):
    return make_deal(sales.rep1, sales.customer, sales.pipeline, name="ERP 二期")


def test_the_deal_moves_to_an_open_stage_of_another_pipeline_with_its_history(sales, renewals):
    deal = _deal(sales)
    target = stage(renewals, "Needs analysis")
    with as_user(sales.rep1):
        services.move_deal(deal, target, actor=sales.rep1)
    deal.refresh_from_db()
    assert (deal.pipeline_id, deal.stage_id) == (renewals.pk, target.pk)
    change = StageChange.objects.get(deal=deal)
    assert (change.from_stage.pipeline_id, change.to_stage_id) == (sales.pipeline.pk, target.pk)
    logged = ObjectChange.objects.filter(changed_object_id=deal.pk, action="update").latest("pk")
    assert logged.postchange_data["pipeline"] == renewals.pk and logged.postchange_data["stage"] == target.pk
    assert Event.objects.filter(object_id=deal.pk, kind="deal.move").exists()


def test_closed_stages_and_pipelines_the_rep_does_not_work_with_are_refused(sales, renewals):
    deal = _deal(sales)
    with as_user(sales.rep1), pytest.raises(ValidationError) as closed:
        services.move_deal(deal, stage(renewals, "Won"), actor=sales.rep1, reason="price")
    assert "open stage" in str(closed.value)
    with as_system():
        renewals.departments.add(sales.east2)  # now only for 华东销售二部
    with as_user(sales.rep1), pytest.raises(ValidationError) as hidden:
        services.move_deal(deal, stage(renewals, "Qualification"), actor=sales.rep1)
    assert "pipeline you work with" in str(hidden.value)
    deal.refresh_from_db()
    assert deal.pipeline_id == sales.pipeline.pk and not StageChange.objects.filter(deal=deal).exists()


def test_the_target_stage_required_fields_are_asked_for_and_nothing_moves(sales, renewals):
    deal = _deal(sales)
    with as_user(sales.rep1), pytest.raises(services.RequiredFieldsMissing) as missing:
        services.move_deal(deal, stage(renewals, "Proposal"), actor=sales.rep1)
    assert missing.value.fields == ["amount_amount", "expected_close_date"]
    assert deal.pipeline_id == sales.pipeline.pk  # the caller's object is as it was read
    assert Deal.objects.get(pk=deal.pk).pipeline_id == sales.pipeline.pk


def test_the_page_offers_open_stages_of_other_pipelines_and_moves_the_deal(client, sales, renewals):
    deal = _deal(sales)
    client.force_login(sales.rep1)
    page = client.get(deal.get_absolute_url())
    assert b'id="deal-change-pipeline"' in page.content
    form = client.get(f"/sales/deals/{deal.pk}/pipeline/")
    assert form.status_code == 200
    text = form.content.decode()
    assert "Renewals" in text and f'value="{stage(renewals, "Qualification").pk}"' in text
    assert f'value="{stage(renewals, "Won").pk}"' not in text  # closed stages are not offered
    assert f'value="{stage(sales.pipeline, "Needs analysis").pk}"' not in text  # nor the current board
    target = stage(renewals, "Negotiation")
    done = client.post(
        f"/sales/deals/{deal.pk}/pipeline/", {"stage": target.pk, "version": version_of(deal)}, follow=True
    )
    assert done.status_code == 200
    assert "moved to Renewals › Negotiation" in done.content.decode()
    assert Deal.objects.get(pk=deal.pk).stage_id == target.pk


def test_the_page_reports_required_fields_and_conflicts(client, sales, renewals):
    deal = _deal(sales)
    client.force_login(sales.rep1)
    stale = version_of(deal)
    refused = client.post(f"/sales/deals/{deal.pk}/pipeline/", {"stage": stage(renewals, "Proposal").pk})
    assert refused.status_code == 422
    assert "Fill in " in refused.content.decode() and "“Proposal”" in refused.content.decode()
    with as_user(sales.rep1):
        services.move_deal(deal, stage(sales.pipeline, "Needs analysis"), actor=sales.rep1)
    conflict = client.post(
        f"/sales/deals/{deal.pk}/pipeline/", {"stage": stage(renewals, "Negotiation").pk, "version": stale}
    )
    assert conflict.status_code == 409
    assert Deal.objects.get(pk=deal.pk).pipeline_id == sales.pipeline.pk


def test_someone_who_may_not_change_the_deal_gets_no_button_and_a_404(client, sales, renewals):
    deal = _deal(sales)
    client.force_login(sales.rep2)
    assert client.get(f"/sales/deals/{deal.pk}/pipeline/").status_code == 404
    with as_system():
        Pipeline.objects.filter(pk=renewals.pk).update(active=False)
    client.force_login(sales.rep1)
    assert b'id="deal-change-pipeline"' not in client.get(deal.get_absolute_url()).content


def test_the_api_moves_the_deal_to_another_pipeline(sales, renewals):
    deal = _deal(sales)
    api = token_client(sales.rep1)
    target = stage(renewals, "Qualification")
    response = api.post(f"/api/v1/sales/deals/{deal.pk}/move/", {"stage": target.pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["pipeline"]["id"] == renewals.pk
    back_lost = stage(sales.pipeline, "Lost")  # another pipeline now, and a closed stage
    refused = api.post(
        f"/api/v1/sales/deals/{deal.pk}/move/", {"stage": back_lost.pk, "reason": "price"}, format="json"
    )
    assert refused.status_code == 400 and "stage" in refused.json()["errors"], refused.json()
    assert Deal.objects.get(pk=deal.pk).pipeline_id == renewals.pk
