"""The entity registry gives the shipped roles their lead, web-form and assignment-rule grants."""

from __future__ import annotations

import pytest

from guanxi.customers.leads.entities import LEAD_SETUP_GRANTS
from guanxi.framework.access import can
from guanxi.framework.entities import entity_for
from guanxi.framework.testing.fixtures import as_system
from guanxi.users.models import Role, RoleGrant

pytestmark = pytest.mark.django_db


def grants_on(model):
    rows = RoleGrant.objects.filter(content_type__app_label="customers", content_type__model=model)
    return {g.role.code: (g.actions, g.scope) for g in rows.select_related("role")}


def test_default_roles_have_lead_grants():
    lead_grants = entity_for("customers.lead").grants
    assert grants_on("lead") == {code: (list(g.actions), g.scope) for code, g in lead_grants.items()}
    assert grants_on("lead")["sales_rep"] == (["view", "add", "change", "claim"], "own")
    for model in ("leadcaptureform", "assignmentrule"):
        assert grants_on(model) == {code: (list(g.actions), g.scope) for code, g in LEAD_SETUP_GRANTS.items()}


def test_a_rep_may_claim_but_not_assign_and_sees_no_setup_pages(client, django_user_model):
    from guanxi.customers.models import AssignmentRule, Lead

    with as_system():
        rep = django_user_model.objects.create_user("rep", name="王芳")
        rep.roles.add(Role.objects.get(name="销售代表"))
    rep = django_user_model.objects.get(pk=rep.pk)
    assert can(rep, "claim", Lead) and not can(rep, "assign", Lead)
    assert not can(rep, "view", AssignmentRule)
    client.force_login(rep)
    assert client.get("/assignment-rules/").status_code == 403
    page = client.get("/").content.decode()
    assert 'href="/leads/"' in page and 'href="/lead-forms/"' not in page
