"""The leads demo step: every status and source, a pool, conversions into demo customers, the web form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from guanxi.core.models import ObjectChange
from guanxi.customers.models import AssignmentRule, Lead, LeadCaptureForm

pytestmark = pytest.mark.django_db


def test_demo_leads(monkeypatch):
    monkeypatch.setattr("guanxi.customers.demo_data.CUSTOMER_COUNT", 40)
    monkeypatch.setattr("guanxi.customers.leads.demo.LEAD_COUNT", 120)
    monkeypatch.setattr("guanxi.customers.leads.demo.CONVERTED_COUNT", 6)
    call_command("demo", "--quiet")
    leads = list(Lead.objects.select_related("owner", "converted_customer", "converted_contact"))
    assert len(leads) == 120
    assert {lead.status for lead in leads} == set(Lead.Status.values)
    assert {lead.source for lead in leads} == set(Lead.Source.values)
    pooled = [lead for lead in leads if lead.owner_id is None]
    assert pooled and all(lead.department_id and lead.status == "new" for lead in pooled)
    converted = [lead for lead in leads if lead.status == "converted"]
    assert len(converted) == 6
    for lead in converted:
        assert lead.converted_customer.owner_id == lead.owner_id
        assert lead.converted_contact.customer_links.filter(customer=lead.converted_customer).exists()
        assert lead.name == lead.converted_contact.name
    assert all(lead.disqualify_reason for lead in leads if lead.status == "disqualified")
    # leads came in over the last month, before a rep got them; their history says the same
    now = timezone.now()
    assert all(now - timedelta(days=33) < lead.created_at < now for lead in leads)
    assert all(lead.created_at < lead.assigned_at for lead in leads if lead.assigned_at)
    assert len({lead.created_at.date() for lead in leads}) > 10
    entry = ObjectChange.objects.get(
        action="create", changed_object_type__model="lead", changed_object_id=leads[0].pk
    )
    assert entry.time == leads[0].created_at
    form = LeadCaptureForm.objects.get(name="官网咨询表单")
    rule = AssignmentRule.objects.get()
    assert (form.assignment_rule, rule.max_open_leads, rule.method) == (rule, 30, "round_robin")
    assert rule.members.exists() and {u.department.name for u in rule.members.all()} == {"华东销售一部"}
    call_command("demo", "--quiet")  # idempotent
    assert Lead.objects.count() == 120
