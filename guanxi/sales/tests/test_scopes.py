"""The data-scope suite on deals; pipelines are reference data, visible to their departments."""

from __future__ import annotations

import pytest

from guanxi.customers.models import Customer
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.scopes import ScopeSuite, give_role, record_name
from guanxi.sales.models import Deal, Pipeline
from guanxi.sales.services import visible_pipelines
from guanxi.sales.tests.conftest import make_pipeline
from guanxi.users.models import Department, User


class TestDealScopes(ScopeSuite):
    model = Deal
    url_prefix = "/sales/deals/"
    api_url = "/api/v1/sales/deals/"
    api_edit = {"next_step": "edited"}

    def make(self, owner, department, n):
        pipeline = Pipeline.objects.filter(is_default=True).first() or make_pipeline()
        with as_system():
            customer = Customer.objects.filter(name="范围测试客户").first() or Customer.objects.create(
                name="范围测试客户"
            )
            return Deal.objects.create(
                name=record_name(n),
                customer=customer,
                pipeline=pipeline,
                stage=pipeline.first_open_stage(),
                owner=owner,
                department=department,
            )

    def api_create_body(self, org, user):
        give_role(org.users[user.username], Customer, "own", ["view", "change"], name="on-my-customers")
        with as_system():
            customer = Customer.objects.create(name="新客户", owner=user)
        return {"name": "scoperec-new", "customer": customer.pk}


@pytest.mark.django_db
def test_pipelines_are_reference_data_for_every_grant_holder(client):
    with as_system():
        hq = Department.objects.create(name="总部")
        east = Department.objects.create(name="华东销售一部", parent=hq)
        west = Department.objects.create(name="西南销售部", parent=hq)
        rep = User.objects.create_user(username="rep", name="王芳", department=east)
        outsider = User.objects.create_user(username="outsider", name="路人", department=west)
    standard = make_pipeline()
    projects = make_pipeline("项目型销售", is_default=False)
    with as_system():
        projects.departments.set([west])
    give_role(rep, Pipeline, "own", ["view"], name="pipeline-view")
    assert set(Pipeline.objects.restrict(rep, "view")) == {standard, projects}
    assert list(visible_pipelines(rep)) == [standard]  # 项目型销售 is 西南's
    assert list(Pipeline.objects.restrict(outsider, "view")) == []
    client.force_login(outsider)
    assert client.get("/sales/pipelines/").status_code == 403
    give_role(outsider, Pipeline, "own", ["view"], name="pipeline-view-2")
    outsider = User.objects.get(pk=outsider.pk)
    assert list(visible_pipelines(outsider)) == [standard, projects]
    give_role(rep, Deal, "own", ["view"], name="deal-view")
    client.force_login(rep)
    assert client.get(f"/sales/pipelines/{projects.pk}/board/").status_code == 404
    assert client.get(f"/sales/pipelines/{standard.pk}/board/").status_code == 200
