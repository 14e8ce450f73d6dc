"""Duplicates among leads, declared on the lead's ``EntityType(duplicates=...)``: the scan (same
phone, same email, a similar company name), the queue (no merge: leads declare none), the
entry-time check (the lead form's panel and ``POST /api/v1/dedup/check/``), the rules page, and
the registry's list of types the duplicates app works on."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.urls import reverse

from guanxi.customers.models import Lead
from guanxi.dedup.models import DuplicateCandidate
from guanxi.dedup.services import queue
from guanxi.dedup.services.rules import entity_labels, rules_in_force
from guanxi.dedup.services.scan import scan_entity
from guanxi.framework.api.testing import make_user, token_client
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.scopes import give_role

pytestmark = pytest.mark.django_db
LABEL = "customers.lead"


@pytest.fixture
def leads(db):
    """A phone twin, an email twin, a company spelt two ways, and leads that match nothing (one
    without a company: an empty name is no similarity)."""
    zhang = make_user("zhang", language="en")
    admin = make_user("boss", superuser=True, language="en")
    with as_system():
        make = Lead.objects.create
        rows = SimpleNamespace(
            a=make(name="王磊", company="星河科技有限公司", phone="+8613800138000", owner=zhang),
            b=make(name="王磊", company="", phone="+8613800138000", owner=zhang),
            c=make(name="李娜", company="（上海）星河科技股份有限公司", owner=zhang),
            d=make(name="陈静", company="万达贸易", email="chen@wanda.cn", owner=zhang),
            e=make(name="陈静", company="远洋物流", email="chen@wanda.cn"),  # unassigned
            f=make(name="赵强", company="完全无关的公司", owner=zhang),
            g=make(name="孙丽", company="", owner=zhang),
        )
    return SimpleNamespace(zhang=zhang, admin=admin, lead=rows)


def pairs():
    return {
        (c.left_id, c.right_id): sorted((r["field"], r.get("score")) for r in c.reasons)
        for c in DuplicateCandidate.objects.filter(content_type__model="lead")
    }


def test_registry_lists_leads_after_customers_and_contacts():
    assert entity_labels() == ["customers.customer", "customers.contact", "customers.lead"]
    assert [(r.field, r.kind) for r in rules_in_force(LABEL)] == [
        ("phone", "exact"),
        ("email", "exact"),
        ("company", "fuzzy"),
    ]


def test_scan_finds_lead_duplicates(leads):
    lead = leads.lead
    result = scan_entity(LABEL)
    assert (result.records, result.candidates, result.dismissed) == (7, 3, 0)
    assert pairs() == {
        (lead.a.pk, lead.b.pk): [("phone", None)],
        (lead.a.pk, lead.c.pk): [("company", 1.0)],
        (lead.d.pk, lead.e.pk): [("email", None)],
    }


def test_queue_lists_lead_pairs_without_merge(client, leads):
    scan_entity(LABEL)
    client.force_login(leads.admin)
    page = client.get(reverse("dedup:queue"), {"entity": LABEL})
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('name="ids"') == 3
    assert "same phone 138 0013 8000" in html and "company similarity 1.00" in html
    # leads declare no merge (EntityType.merge): the queue offers opening and dismissing only
    assert 'data-testid="dedup-merge"' not in html
    rows = queue.rows_for(leads.admin, Lead, queue.visible_candidates(leads.admin, Lead))
    assert len(rows) == 3 and {row.merge_url for row in rows} == {""}
    # a rep granted the dedup verb on their own leads sees the pairs of their own leads only
    give_role(leads.zhang, Lead, "own", ["view", "change", "dedup"], name="张-leads")
    assert queue.visible_candidates(leads.zhang, Lead).count() == 2  # not the unassigned e


def test_dismissing_a_lead_pair(client, leads):
    scan_entity(LABEL)
    candidate = DuplicateCandidate.objects.get(left_id=leads.lead.d.pk)
    client.force_login(leads.admin)
    response = client.post(reverse("dedup:dismiss"), {"entity": LABEL, "ids": [candidate.pk]})
    assert response.status_code == 302
    assert scan_entity(LABEL).dismissed == 1


def test_api_check_finds_leads(leads):
    api = token_client(leads.admin)
    # typed as people type it: the lead's clean() makes the phone E.164 and the email lower case
    body = {"type": LABEL, "values": {"phone": "138 0013 8000", "email": "", "company": ""}}
    found = api.post("/api/v1/dedup/check/", body, format="json").json()
    assert sorted(f["record"]["id"] for f in found) == sorted([leads.lead.a.pk, leads.lead.b.pk])
    body = {"type": LABEL, "values": {"company": "星河科技", "email": "CHEN@wanda.cn"}}
    found = api.post("/api/v1/dedup/check/", body, format="json").json()
    lead = leads.lead
    assert {f["record"]["id"] for f in found} == {lead.a.pk, lead.c.pk, lead.d.pk, lead.e.pk}
    assert (
        api.post("/api/v1/dedup/check/", {"type": "sales.deal", "values": {}}, format="json").status_code
        == 400
    )


def test_lead_form_carries_the_panel(client, leads):
    client.force_login(leads.admin)
    html = client.get(reverse("customers:lead_add")).content.decode()
    assert 'id="possible-duplicates"' in html
    assert f'hx-post="{reverse("dedup:check")}?type=customers.lead"' in html
    assert "from:#id_phone" in html and "from:#id_company" in html
    # and the panel answers with the leads the rules match
    page = client.post(f"{reverse('dedup:check')}?type={LABEL}", {"company": "星河科技有限公司"})
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-record="{leads.lead.a.pk}"' in html and f'data-record="{leads.lead.c.pk}"' in html
    assert f'data-record="{leads.lead.f.pk}"' not in html


def test_rules_page_lists_leads(client, leads):
    client.force_login(leads.admin)
    page = client.get(reverse("dedup:rules"), {"entity": LABEL})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="threshold_company"' in html and f'value="{LABEL}"' in html
    form = {"entity": LABEL, "enabled_phone": "on", "enabled_company": "on", "threshold_company": "80"}
    assert client.post(reverse("dedup:rules"), form).status_code == 302
    rules = {r.field: (r.enabled, r.threshold) for r in rules_in_force(LABEL)}
    assert rules == {"phone": (True, 90), "email": (False, 90), "company": (True, 80)}


def test_entry_check_query_count_does_not_grow_with_leads(leads):
    """Index lookups only (phone, email, the stored company_key prefix): 60 more matching leads
    cost no query more, and the answer stops at LIMIT."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from guanxi.dedup.services.entry import LIMIT, normalized_values, possible_duplicates

    values = normalized_values(LABEL, {"company": "星河科技", "phone": "+8613800138000", "email": "x@y.cn"})
    possible_duplicates(LABEL, values, user=leads.admin)  # warm the access snapshot

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            possible_duplicates(LABEL, values, user=leads.admin)
        return len(queries)

    few = count()
    with as_system():
        Lead.objects.bulk_create(
            Lead(
                name=f"客户{i}",
                company=f"星河{i}号科技有限公司",
                company_key=f"星河{i}号科技",
                phone="+8613800138000",
            )
            for i in range(60)
        )
    assert count() == few
    assert len(possible_duplicates(LABEL, values, user=leads.admin)) == LIMIT


@pytest.mark.parametrize("access", ["masked", "hidden"])
def test_region_note_follows_the_company_field_rule(client, leads, access):
    """The "different regions" note is read off the company names: a reviewer whose field rules
    mask or hide the lead's company reads no region in any reason (queue page, API, panel). A
    hidden company gives no similarity reason either, and the check does not compare a typed
    company with companies the reviewer may not read (no hit at all)."""
    from django.contrib.contenttypes.models import ContentType

    from guanxi.users.models import FieldRule, User

    with as_system():
        shenzhen = Lead.objects.create(name="周", company="深圳维旺明传媒有限公司", owner=leads.zhang)
        Lead.objects.create(name="吴", company="杭州维旺明传媒有限公司", owner=leads.zhang)
    scan_entity(LABEL)
    role = give_role(leads.zhang, Lead, "own", ["view", "change", "dedup"], name="张-leads")

    def reasons_everywhere() -> list[str]:
        user = User.objects.get(pk=leads.zhang.pk)  # a fresh user: field rules are kept per request
        rows = queue.rows_for(user, Lead, queue.visible_candidates(user, Lead))
        row = next((r for r in rows if shenzhen in (r.left, r.right)), None)
        if row is None:  # matched only by a company hidden from the reviewer: not listed at all
            assert access == "hidden" and rules_set
            return []
        client.force_login(user)
        html = client.get(reverse("dedup:queue"), {"entity": LABEL}).content.decode()
        html = html[html.index(f'id="dedup-candidate-{row.candidate.pk}"') :]
        html = html[html.index("dedup-reasons") :]
        page = html[: html.index("</td>")]
        api = token_client(user)
        listed = api.get("/api/v1/dedup/candidates/", {"type": LABEL}).json()["results"]
        pair = next(p for p in listed if p["id"] == row.candidate.pk)
        typed = {"company": "杭州维旺明传媒有限公司"}
        found = api.post("/api/v1/dedup/check/", {"type": LABEL, "values": typed}, format="json").json()
        panel = client.post(f"{reverse('dedup:check')}?type={LABEL}", typed).content.decode()
        in_panel = re.findall(r'class="text-sm dedup-reasons">(.*?)</span>', panel)
        # the panel and the API check answer (their reasons are checked), unless the company is hidden
        assert bool(in_panel) == bool(found) == (access != "hidden" or not rules_set)
        return [*row.reasons, page, *pair["reasons"], *(r for f in found for r in f["reasons"]), *in_panel]

    rules_set = False
    assert "different regions: 深圳 / 杭州" in reasons_everywhere()
    rules_set = True
    with as_system():
        FieldRule.objects.create(
            role=role,
            content_type=ContentType.objects.get_for_model(Lead),
            field_name="company",
            access=access,
        )
    seen = " | ".join(reasons_everywhere())
    assert ("company similarity 1.00" in seen) == (access == "masked")
    assert "different regions" not in seen and "深圳" not in seen and "杭州" not in seen


@pytest.mark.parametrize(("access", "shown"), [("masked", "王磊 · 星***司"), ("hidden", "王磊")])
def test_lead_labels_follow_the_company_field_rule(client, leads, access, shown):
    """A lead's label ("王磊 · 星河科技有限公司") in the queue page, the candidates API and the
    entry-time check is read through the reviewer's field rules: a company masked for them is
    masked, a hidden one left out; the admin reads it in clear."""
    from django.contrib.contenttypes.models import ContentType

    from guanxi.users.models import FieldRule, User

    scan_entity(LABEL)
    role = give_role(leads.zhang, Lead, "own", ["view", "change", "dedup"], name="张-leads")
    with as_system():
        FieldRule.objects.create(
            role=role,
            content_type=ContentType.objects.get_for_model(Lead),
            field_name="company",
            access=access,
        )
    a = leads.lead.a
    user = User.objects.get(pk=leads.zhang.pk)
    client.force_login(user)
    page = client.get(reverse("dedup:queue"), {"entity": LABEL}).content.decode()
    assert f">{shown}</a>" in page and "星河科技有限公司" not in page
    api = token_client(user)
    listed = api.get("/api/v1/dedup/candidates/", {"type": LABEL}).json()["results"]
    assert {r["left"]["display"] for r in listed if r["left"]["id"] == a.pk} == {shown}
    typed = {"type": LABEL, "values": {"phone": "13800138000"}}
    found = api.post("/api/v1/dedup/check/", typed, format="json")
    assert {h["record"]["display"] for h in found.json() if h["record"]["id"] == a.pk} == {shown}
    panel = client.post(f"{reverse('dedup:check')}?type={LABEL}", {"phone": "13800138000"}).content.decode()
    assert f">{shown}</a>" in panel and "星河科技有限公司" not in panel
    admin = token_client(leads.admin).get("/api/v1/dedup/candidates/", {"type": LABEL}).json()["results"]
    assert {r["left"]["display"] for r in admin if r["left"]["id"] == a.pk} == {"王磊 · 星河科技有限公司"}


@pytest.mark.parametrize("hidden", ["company", "phone"])
def test_a_pair_found_only_by_a_hidden_field_is_not_listed_nor_filtered_on(client, leads, hidden):
    """王磊/王磊 share a phone, 王磊/李娜 a company name: for a reviewer whose field rules hide the
    field a pair was found by — and nothing else — the pair is neither listed (page, API), nor
    counted (the queue's and the data-quality page's count), and filtering on that field's reason
    selects nothing (the page) or is refused (the API, 400): each would tell which hidden values
    are alike. A masked field still lists its pairs, its reason masked."""
    from django.contrib.contenttypes.models import ContentType

    from guanxi.dedup.hooks import count_candidates
    from guanxi.users.models import FieldRule, User

    scan_entity(LABEL)
    a, b, c = leads.lead.a, leads.lead.b, leads.lead.c
    by_phone, by_company = (a.pk, b.pk), (a.pk, c.pk)
    shown = by_company if hidden == "phone" else by_phone
    role = give_role(leads.zhang, Lead, "own", ["view", "change", "dedup"], name="张-leads")

    def listed(**filters) -> tuple[set, set, set, int]:
        user = User.objects.get(pk=leads.zhang.pk)  # fresh: field rules are kept per request
        client.force_login(user)
        html = client.get(reverse("dedup:queue"), {"entity": LABEL, **filters}).content.decode()
        on_page = {
            (c.left_id, c.right_id)
            for c in DuplicateCandidate.objects.all()
            if f'id="dedup-candidate-{c.pk}"' in html
        }
        body = token_client(user).get("/api/v1/dedup/candidates/", {"type": LABEL, **filters}).json()
        in_api = {(r["left"]["id"], r["right"]["id"]) for r in body["results"]}
        in_queue = {(c.left_id, c.right_id) for c in queue.visible_candidates(user, Lead)}
        counted = count_candidates(user, Lead)
        assert counted is not None
        return on_page, in_api, in_queue, counted[0]

    assert listed() == ({by_phone, by_company},) * 3 + (2,)
    with as_system():
        FieldRule.objects.create(
            role=role,
            content_type=ContentType.objects.get_for_model(Lead),
            field_name=hidden,
            access="masked",
        )
    assert listed() == ({by_phone, by_company},) * 3 + (2,)  # masked: listed, the reason masked
    with as_system():
        rule = FieldRule.objects.get(role=role)
        rule.access = "hidden"
        rule.save()  # (a saved rule renews the access snapshots kept across requests)
    assert listed() == ({shown},) * 3 + (1,)
    user = User.objects.get(pk=leads.zhang.pk)
    client.force_login(user)
    page = client.get(reverse("dedup:queue"), {"entity": LABEL, "reason": hidden}).content.decode()
    assert 'name="ids"' not in page and f'<option value="{hidden}"' not in page
    refused = token_client(user).get("/api/v1/dedup/candidates/", {"type": LABEL, "reason": hidden})
    assert refused.status_code == 400 and "reason" in refused.json()["errors"]
    assert (
        queue.filter_candidates(
            queue.visible_candidates(user, Lead), reason=hidden, user=user, model=Lead
        ).count()
        == 0
    )
    other = "phone" if hidden == "company" else "company"
    assert listed(reason=other)[:3] == ({shown},) * 3
    # the administrator, under no rule, still reads every pair
    admin = token_client(leads.admin).get("/api/v1/dedup/candidates/", {"type": LABEL, "reason": hidden})
    assert admin.status_code == 200 and {
        (r["left"]["id"], r["right"]["id"]) for r in admin.json()["results"]
    } == {by_phone if hidden == "phone" else by_company}
