"""The public web form /f/<key>/: defences (honeypot, timing, replay, rate limit), UTM, languages, framing."""

from __future__ import annotations

import time

import pytest
from django.test import Client, override_settings

from guanxi.customers.leads.views_capture import make_form_token
from guanxi.customers.models import AssignmentRule, Lead, LeadCaptureForm
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.scopes import rows_by_pk

pytestmark = pytest.mark.django_db


@pytest.fixture
def capture(db):
    from guanxi.users.models import Department

    with as_system():
        pool = Department.objects.create(name="市场部")
        return LeadCaptureForm.objects.create(
            name="官网咨询表单",
            title="预约产品演示",
            department=pool,
            fields=[
                {"name": "name", "required": True},
                {"name": "company", "required": False},
                {"name": "phone", "required": True},
                {"name": "email", "required": False},
            ],
            thank_you_text="谢谢，我们会在一个工作日内联系您。",
            allowed_origins="https://www.xinghe.example\nhttps://m.xinghe.example/",
        )


def token_at(capture, seconds_ago):
    return make_form_token(capture, at=time.time() - seconds_ago)


def post(client, capture, data, *, lang="zh-hans", seconds_ago=10, token=None, **extra):
    body = {"token": token or token_at(capture, seconds_ago), **data}
    return client.post(f"/f/{capture.key}/?lang={lang}", body, **extra)


GOOD = {
    "name": "陈晨",
    "company": "上海星河科技有限公司",
    "phone": "138 0013 8000",
    "email": "Chen@Example.com",
    "utm_source": "baidu",
    "utm_medium": "cpc",
    "utm_campaign": "spring-2027",
    "ref": "https://www.baidu.com/s?wd=crm",
    "page": "https://www.xinghe.example/demo",
}


def test_get_renders_a_bilingual_embeddable_page_with_the_utm_kept(client, capture):
    response = client.get(f"/f/{capture.key}/", {"utm_campaign": "spring-2027", "lang": "en"})
    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert 'name="utm_campaign" value="spring-2027"' in body
    assert "Send" in body and 'name="website"' in body  # the honeypot is there, for bots
    assert "X-Frame-Options" not in response.headers
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors https://www.xinghe.example https://m.xinghe.example" in csp
    zh = client.get(f"/f/{capture.key}/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert "发送" in zh


def test_a_form_without_allowed_sites_may_be_embedded_anywhere(client, capture):
    with as_system():
        capture.allowed_origins = ""
        capture.save()
    assert "frame-ancestors https: http:" in client.get(f"/f/{capture.key}/")["Content-Security-Policy"]


def test_unknown_or_inactive_form_is_404(client, capture):
    assert client.get("/f/nope/").status_code == 404
    with as_system():
        capture.active = False
        capture.save()
    assert client.get(f"/f/{capture.key}/").status_code == 404


def test_a_good_submission_creates_a_pooled_lead_with_tracking(client, capture):
    response = post(client, capture, GOOD)
    assert response.status_code == 200
    assert "谢谢，我们会在一个工作日内联系您。" in response.content.decode()
    lead = Lead.objects.get()
    assert (lead.name, lead.phone, lead.email, lead.source) == (
        "陈晨",
        "+8613800138000",
        "chen@example.com",
        "web_form",
    )
    assert (lead.utm_source, lead.utm_medium, lead.utm_campaign) == ("baidu", "cpc", "spring-2027")
    assert (lead.referrer, lead.landing_page) == (
        "https://www.baidu.com/s?wd=crm",
        "https://www.xinghe.example/demo",
    )
    assert (lead.owner, lead.department, lead.capture_form) == (None, capture.department, capture)
    assert lead.possible_duplicate is False


def test_csrf_is_not_required_cross_site(capture):
    client = Client(enforce_csrf_checks=True)
    assert post(client, capture, GOOD).status_code == 200
    assert Lead.objects.count() == 1


def test_the_honeypot_pretends_success_and_keeps_nothing(client, capture):
    response = post(client, capture, {**GOOD, "website": "http://spam.example"})
    assert response.status_code == 200 and "谢谢" in response.content.decode()
    assert not Lead.objects.exists()


def test_too_fast_old_forged_and_replayed_tokens_are_refused(client, capture):
    too_fast = post(client, capture, GOOD, seconds_ago=1, lang="en")
    assert too_fast.status_code == 400 and "very fast" in too_fast.content.decode()
    old = post(client, capture, GOOD, seconds_ago=2 * 24 * 3600, lang="en")
    assert old.status_code == 400 and "opened too long ago" in old.content.decode()
    forged = post(client, capture, GOOD, token="abc:def", lang="en")
    assert forged.status_code == 400 and "could not be verified" in forged.content.decode()
    assert not Lead.objects.exists()
    token = token_at(capture, 10)
    assert post(client, capture, GOOD, token=token).status_code == 200
    replay = post(client, capture, GOOD, token=token, lang="en")
    assert replay.status_code == 400 and "already sent" in replay.content.decode()
    assert Lead.objects.count() == 1


def test_another_forms_token_is_refused(client, capture):
    with as_system():
        other = LeadCaptureForm.objects.create(name="展会表单")
    response = post(client, capture, GOOD, token=make_form_token(other, at=time.time() - 10))
    assert response.status_code == 400
    assert not Lead.objects.exists()


@override_settings(LEAD_FORM_RATE=3, LEAD_FORM_WINDOW=600)
def test_a_flood_gets_429_and_creates_nothing_more(client, capture):
    statuses = [post(client, capture, {**GOOD, "phone": f"1380013800{n}"}).status_code for n in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert Lead.objects.count() == 3
    # another address still gets through
    assert post(client, capture, GOOD, REMOTE_ADDR="10.0.0.9").status_code == 200


@override_settings(LEAD_FORM_RATE=1, BEHIND_PROXY=True)
def test_behind_a_proxy_the_forwarded_address_counts(client, capture):
    assert post(client, capture, GOOD, HTTP_X_FORWARDED_FOR="1.2.3.4").status_code == 200
    assert post(client, capture, GOOD, HTTP_X_FORWARDED_FOR="1.2.3.4").status_code == 429
    assert post(client, capture, GOOD, HTTP_X_FORWARDED_FOR="5.6.7.8").status_code == 200


@override_settings(LEAD_FORM_RATE=1, BEHIND_PROXY=False)
def test_without_a_proxy_a_forged_forwarded_header_does_not_escape_the_limit(client, capture):
    assert post(client, capture, GOOD, HTTP_X_FORWARDED_FOR="1.2.3.4").status_code == 200
    assert post(client, capture, GOOD, HTTP_X_FORWARDED_FOR="5.6.7.8").status_code == 429


@pytest.mark.parametrize(
    ("lang", "phone_error", "required_error"),
    [
        ("en", "valid phone number", "This field is required."),
        ("zh-hans", "请输入有效的电话号码。", "此字段为必填项。"),
    ],
)
def test_field_errors_in_the_visitors_language(client, capture, lang, phone_error, required_error):
    before = rows_by_pk(Lead)
    response = post(client, capture, {"name": "", "phone": "12345", "email": "not-an-email"}, lang=lang)
    body = response.content.decode()
    assert response.status_code == 422
    assert phone_error in body and required_error in body
    assert body.count('class="field-error"') == 3
    assert rows_by_pk(Lead) == before


def test_a_duplicate_submission_is_created_and_flagged(client, capture):
    with as_system():
        Lead.objects.create(name="陈晨", phone="+8613800138000")
    assert post(client, capture, GOOD).status_code == 200
    assert Lead.objects.filter(capture_form=capture).get().possible_duplicate is True


def test_the_forms_rule_assigns_and_redirect_goes_to_the_https_page(client, capture, django_user_model):
    with as_system():
        rep = django_user_model.objects.create_user("rep", name="张三", department=capture.department)
        rule = AssignmentRule.objects.create(name="市场部轮转", department=capture.department)
        capture.assignment_rule = rule
        capture.redirect_url = "https://www.xinghe.example/thanks"
        capture.save()
    response = post(client, capture, GOOD)
    assert (response.status_code, response["Location"]) == (302, "https://www.xinghe.example/thanks")
    assert Lead.objects.get().owner == rep
    assert (
        "form-action 'self' https://www.xinghe.example"
        in client.get(f"/f/{capture.key}/")["Content-Security-Policy"]
    )
