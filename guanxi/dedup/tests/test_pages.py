"""The queue page: filters, bulk dismissal, "scan now" (a job), refusals and the menu."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guanxi.core.models import Job
from guanxi.dedup.models import DismissedPair, DuplicateCandidate
from guanxi.dedup.services.scan import scan_entity
from guanxi.framework.testing.fixtures import as_system
from guanxi.users.models import FieldRule

pytestmark = pytest.mark.django_db
URL = "/settings/duplicates/"


@pytest.fixture
def scanned(world):
    scan_entity("customers.customer")
    return world


def login(client, user):
    client.force_login(user)
    return client


def test_queue_lists_the_viewers_pairs_with_masked_reasons(client, scanned):
    page = login(client, scanned.zhang).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('name="ids"') == 3  # 张's three pairs, not the one with 李's customer
    assert "<div>same phone 138 0013 8000</div>" in html and "name similarity 1.00" in html
    assert "万达贸易" not in html
    # each pair opens the customers' merge page with both records, the older one first (kept)
    pairs = DuplicateCandidate.objects.filter(content_type__model="customer")
    for pair in pairs:
        low, high = sorted((pair.left_id, pair.right_id))
        if f'href="/customers/merge/?ids={low}&amp;ids={high}"' in html:
            break
    else:
        raise AssertionError("no pair links to the merge page")
    assert html.count('data-testid="dedup-merge"') == 3


def test_queue_masks_the_phone_in_reasons_as_the_viewer_reads_it(client, scanned):
    role = scanned.zhang.roles.get(name="张-dedup")
    with as_system():
        FieldRule.objects.create(role=role, content_type=scanned.ct, field_name="phone", access="masked")
    html = login(client, scanned.zhang).get(URL).content.decode()
    assert "<div>same phone 138****8000</div>" in html
    assert "13800138000" not in html and "138 0013 8000" not in html


def test_queue_in_chinese(client, scanned):
    html = login(client, scanned.admin).get(URL).content.decode()  # the admin reads Chinese
    assert "查重" in html and "相同电话" in html and "名称相似度 1.00" in html


def test_filters_and_bad_input(client, scanned):
    c = login(client, scanned.admin)
    assert c.get(URL, {"reason": "email"}).content.decode().count('name="ids"') == 1
    assert c.get(URL, {"min_score": "2", "reason": "nope", "page": "x"}).status_code == 200
    assert c.get(URL, {"entity": "sales.deal"}).status_code == 404
    assert c.get(URL, {"entity": "customers.contact"}).status_code == 200


def test_bulk_dismiss(client, scanned):
    c = login(client, scanned.zhang)
    ids = list(DuplicateCandidate.objects.filter(left_id=scanned.c.a.pk).values_list("pk", flat=True))
    response = c.post(reverse("dedup:dismiss"), {"entity": "customers.customer", "ids": ids})
    assert response.status_code == 302
    assert DismissedPair.objects.count() == 2 and DuplicateCandidate.objects.count() == 2
    theirs = DuplicateCandidate.objects.get(left_id=scanned.c.d.pk).pk
    response = c.post(
        reverse("dedup:dismiss"), {"entity": "customers.customer", "ids": [theirs]}, follow=True
    )
    assert "Some of these pairs do not exist" in response.content.decode()
    assert DismissedPair.objects.count() == 2


def test_scan_now_starts_a_job(client, scanned, django_capture_on_commit_callbacks):
    c = login(client, scanned.zhang)
    with django_capture_on_commit_callbacks(execute=False):
        response = c.post(reverse("dedup:scan"), {"entity": "customers.customer"})
    assert response.status_code == 302
    job = Job.objects.get()
    assert (job.task_path, job.params, job.user) == (
        "guanxi.dedup.tasks.run_scan",
        {"entity": "customers.customer"},
        scanned.zhang,
    )


def test_refused_without_the_verb(client, scanned):
    c = login(client, scanned.li)
    assert c.get(URL).status_code == 403
    assert c.post(reverse("dedup:dismiss"), {"ids": [1]}).status_code == 403
    assert c.post(reverse("dedup:scan")).status_code == 403
    assert DismissedPair.objects.count() == 0 and Job.objects.count() == 0


def test_menu_entry_only_for_reviewers(client, scanned):
    assert URL in login(client, scanned.zhang).get("/").content.decode()
    client.logout()
    assert URL not in login(client, scanned.li).get("/").content.decode()


def test_data_quality_counts_candidates(client, scanned):
    html = login(client, scanned.admin).get("/data-quality/").content.decode()
    assert f"{URL}?entity=customers.customer" in html


def test_rules_page(client, scanned):
    from guanxi.dedup.models import MatchRule
    from guanxi.dedup.services.rules import rules_in_force

    c = login(client, scanned.admin)
    page = c.get(reverse("dedup:rules"), {"entity": "customers.contact"})
    assert page.status_code == 200 and 'name="threshold_name"' in page.content.decode()
    form = {"entity": "customers.customer", "enabled_phone": "on", "enabled_email": "on"}
    form["threshold_name"] = "80"  # and the name rule unticked
    assert c.post(reverse("dedup:rules"), form).status_code == 302
    rules = {r.field: (r.enabled, r.threshold) for r in rules_in_force("customers.customer")}
    assert rules == {
        "credit_code": (False, 90),
        "phone": (True, 90),
        "email": (True, 90),
        "name": (False, 80),
    }
    before = list(MatchRule.objects.order_by("field").values_list("field", "enabled", "threshold"))
    refused = c.post(reverse("dedup:rules"), {**form, "enabled_name": "on", "threshold_name": "abc"})
    assert refused.status_code == 400 and "alert-error" in refused.content.decode()
    refused = c.post(reverse("dedup:rules"), {**form, "threshold_name": "101"})
    assert refused.status_code == 400
    assert list(MatchRule.objects.order_by("field").values_list("field", "enabled", "threshold")) == before
    client.logout()
    assert login(client, scanned.zhang).get(reverse("dedup:rules")).status_code == 403


@pytest.mark.parametrize(
    ("language", "note"), [("en", "different regions: 深圳 / 杭州"), ("zh-hans", "地区不同：深圳 / 杭州")]
)
def test_queue_notes_different_regions(client, world, language, note):
    """One core in two cities is a candidate by design (regions are stripped); the reviewer reads
    the regions as a note, and the score is the name's."""
    from guanxi.customers.models import Customer
    from guanxi.framework.testing.fixtures import as_system

    with as_system():
        Customer.objects.create(name="深圳维旺明传媒有限公司")
        Customer.objects.create(name="杭州维旺明传媒有限公司")
    scan_entity("customers.customer")
    world.admin.language = language
    with as_system():
        world.admin.save(update_fields=["language"])
    html = login(client, world.admin).get(URL).content.decode()
    row = html[html.index("深圳维旺明传媒") :]
    row = row[: row.index("</tr>")]
    assert note in row and "1.00" in row
