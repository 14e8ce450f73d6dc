"""The generic suites on leads, web forms and assignment rules, and the lead pool's visibility."""

from __future__ import annotations

import pytest

from guanxi.customers.models import AssignmentRule, Lead, LeadCaptureForm
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.scopes import (
    ORG_PEOPLE,
    ORG_RECORDS,
    READ,
    ScopeSuite,
    _subtree,
    build_org,
    give_role,
    record_name,
)
from guanxi.framework.testing.suites import EntityViewSuite, snapshot


class TestLeadViews(EntityViewSuite):
    model = Lead
    url_prefix = "/leads/"
    form_data = {
        "name": "王磊",
        "company": "苏州启明软件有限公司",
        "phone": "13800138000",
        "source": "manual",
        "status": "new",
    }
    edit_data = {
        "name": "王磊",
        "company": "苏州启明软件股份有限公司",
        "source": "referral",
        "status": "contacted",
    }
    bulk_edit_data = {"province": "上海市"}

    def make(self, n):
        return Lead.objects.create(name=f"线索{n:03d}", phone=f"+86137{n:08d}")


class TestLeadCaptureFormViews(EntityViewSuite):
    model = LeadCaptureForm
    url_prefix = "/lead-forms/"
    form_data = {
        "name": "官网咨询表单",
        "active": "on",
        "show_fields": ["name", "company", "phone"],
        "required_fields": ["phone"],
        "default_source": "web_form",
    }
    edit_data = {
        "name": "官网试用申请",
        "show_fields": ["name", "email"],
        "required_fields": ["email"],
        "default_source": "campaign",
    }
    bulk_edit_data = {"title": "免费试用申请"}

    def make(self, n):
        return LeadCaptureForm.objects.create(name=f"表单{n:03d}")


class TestAssignmentRuleViews(EntityViewSuite):
    model = AssignmentRule
    url_prefix = "/assignment-rules/"
    bulk_edit_data = {"priority": 5}

    @property
    def form_data(self):  # the rule needs its reps: a department made on first use
        from guanxi.users.models import Department

        with as_system():
            department, _created = Department.objects.get_or_create(name="华东销售一部")
        return {
            "name": "华东轮转",
            "priority": 10,
            "active": "on",
            "method": "round_robin",
            "department": department.pk,
            "source_choices": ["web_form"],
            "province_list": "上海市，江苏省",
        }

    @property
    def edit_data(self):
        return {**self.form_data, "name": "华东轮转（新）", "max_open_leads": 30}

    def make(self, n):
        return AssignmentRule.objects.create(name=f"规则{n:03d}", priority=n)


@pytest.mark.django_db
def test_rule_form_stores_conditions_as_lists(admin_client):
    data = TestAssignmentRuleViews().form_data
    assert admin_client.post("/assignment-rules/add/", data).status_code == 302
    rule = AssignmentRule.objects.get()
    assert (rule.sources, rule.provinces) == (["web_form"], ["上海市", "江苏省"])


@pytest.mark.django_db
def test_capture_form_stores_fields_with_name_always_required(admin_client):
    assert admin_client.post("/lead-forms/add/", TestLeadCaptureFormViews.form_data).status_code == 302
    form = LeadCaptureForm.objects.get()
    assert form.fields == [
        {"name": "name", "required": True},
        {"name": "company", "required": False},
        {"name": "phone", "required": True},
    ]
    page = admin_client.get(f"/lead-forms/{form.pk}/").content.decode()
    assert f"/f/{form.key}/" in page and "&lt;iframe" in page  # the embed snippet


@pytest.mark.django_db
def test_capture_form_without_a_way_to_reply_is_refused(admin_client):
    data = {**TestLeadCaptureFormViews.form_data, "show_fields": ["name", "company"]}
    response = admin_client.post("/lead-forms/add/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert "A web form must ask for a phone number, an email or a WeChat ID." in response.content.decode()
    assert not LeadCaptureForm.objects.exists()


@pytest.mark.django_db
def test_capture_form_redirect_must_be_https(admin_client):
    data = {**TestLeadCaptureFormViews.form_data, "redirect_url": "http://www.example.com/thanks"}
    response = admin_client.post("/lead-forms/add/", data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "跳转地址必须以 https:// 开头。" in response.content.decode()
    assert not LeadCaptureForm.objects.exists()


# --- scopes, with the lead pool ------------------------------------------------------------------
def pool_keys(subject: str) -> set[str]:
    """Unassigned records of the subject's department subtree: what the pool extension opens."""
    subtree = _subtree(ORG_PEOPLE[subject][1])
    return {key for key, (owner, dept) in ORG_RECORDS.items() if owner is None and dept in subtree}


class TestLeadScopes(ScopeSuite):
    model = Lead
    url_prefix = "/leads/"
    api_url = "/api/v1/customers/leads/"

    def make(self, owner, department, n):
        return Lead.objects.create(
            name=record_name(n), phone=f"+86139{n:08d}", owner=owner, department=department
        )

    def scoped(self, org, subject, scope, actions):
        user, expected = super().scoped(org, subject, scope, actions)
        if actions == READ:  # viewing reaches the department's pool too; changing does not
            expected |= org.pks(pool_keys(subject))
        return user, expected


@pytest.fixture
def org(db):
    return build_org(
        lambda owner, department, n: Lead.objects.create(
            name=record_name(n), owner=owner, department=department
        )
    )


@pytest.mark.django_db
def test_rep_sees_and_claims_own_department_pool_but_cannot_edit_it(client, org):
    give_role(org.users["rep1"], Lead, "own", ["view", "change", "claim"])
    with as_system():
        pooled = Lead.objects.create(name="待分配线索", department=org.departments["east1"])
        other = Lead.objects.create(name="二部的线索", department=org.departments["east2"])
    rep = org.user("rep1")
    visible = set(Lead.objects.restrict(rep, "view").values_list("pk", flat=True))
    assert pooled.pk in visible and other.pk not in visible
    assert not Lead.objects.restrict(rep, "change").filter(pk=pooled.pk).exists()
    client.force_login(rep)
    page = client.get("/lead-pool/").content.decode()
    assert "待分配线索" in page and "二部的线索" not in page
    assert client.get(f"/leads/{pooled.pk}/edit/").status_code == 404
    before = snapshot(Lead)
    assert client.post(f"/leads/{other.pk}/claim/").status_code == 404
    assert snapshot(Lead) == before
    assert client.post(f"/leads/{pooled.pk}/claim/").status_code == 302
    pooled.refresh_from_db()
    assert (pooled.owner, pooled.department) == (org.users["rep1"], org.departments["east1"])


@pytest.mark.django_db
def test_pool_without_claim_or_view_grant_stays_closed(org):
    give_role(org.users["rep2"], Lead, "own", ["view"])
    with as_system():
        Lead.objects.create(name="一部的待分配线索", department=org.departments["east1"])
    assert not Lead.objects.restrict(org.user("rep2"), "view").filter(owner__isnull=True).exists()
    assert not Lead.objects.restrict(org.user("agent"), "view").exists()  # no role on leads at all


@pytest.mark.django_db
def test_unassigned_page_query_count_is_flat(client, org, django_assert_max_num_queries):
    give_role(org.users["manager1"], Lead, "department_tree", ["view", "assign", "claim"])
    user = org.user("manager1")
    client.force_login(user)
    with as_system():
        for n in range(3):
            Lead.objects.create(name=f"池线索{n}", department=org.departments["east1"])
    client.get("/lead-pool/")
    with django_assert_max_num_queries(14):
        assert client.get("/lead-pool/").status_code == 200
    with as_system():
        for n in range(30):
            Lead.objects.create(name=f"更多池线索{n}", department=org.departments["east1"])
    with django_assert_max_num_queries(14):
        page = client.get("/lead-pool/")
    assert page.content.decode().count('class="pool-lead"') == 33


@pytest.mark.django_db
def test_lead_detail_query_count(client, admin_user, django_assert_max_num_queries):
    with as_system():
        lead = Lead.objects.create(name="刘洋", company="杭州云帆贸易有限公司", phone="+8613912345678")
        Lead.objects.create(name="刘洋", phone="+8613912345678")
    client.force_login(admin_user)
    client.get(f"/leads/{lead.pk}/")
    with django_assert_max_num_queries(25):
        page = client.get(f"/leads/{lead.pk}/")
    assert 'id="lead-duplicates"' in page.content.decode()


@pytest.mark.django_db
def test_menu_lists_leads_and_pool(admin_client):
    page = admin_client.get("/").content.decode()
    assert 'href="/leads/"' in page and 'href="/lead-pool/"' in page
    assert 'href="/lead-forms/"' in page and 'href="/assignment-rules/"' in page


@pytest.mark.django_db
def test_rep_lead_list_query_count_is_flat(client, org, django_assert_max_num_queries):
    """A role-scoped rep (own + the department pool), not only a superuser, gets a flat list."""
    give_role(org.users["rep1"], Lead, "own", ["view", "add", "change", "claim"])
    client.force_login(org.user("rep1"))
    client.get("/leads/")
    with django_assert_max_num_queries(19):
        assert client.get("/leads/").status_code == 200
    with as_system():
        for n in range(40):
            owner = org.users["rep1"] if n % 2 else None
            Lead.objects.create(name=f"更多线索{n}", owner=owner, department=org.departments["east1"])
    with django_assert_max_num_queries(19):
        page = client.get("/leads/", {"per_page": 100})
    assert page.content.decode().count("更多线索") == 40
