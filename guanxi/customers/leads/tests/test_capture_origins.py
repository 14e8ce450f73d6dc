"""A web form's "allowed sites" end up in a Content-Security-Policy header: each must be a plain
site address, refused at the model's clean() (pages and any API) and filtered again where the
header is built, so no entry can add a CSP source or directive."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from guanxi.customers.leads.models.capture import csp_origin
from guanxi.customers.leads.tests.test_leads_views import TestLeadCaptureFormViews
from guanxi.customers.models import LeadCaptureForm
from guanxi.framework.testing.fixtures import as_system

pytestmark = pytest.mark.django_db

INJECTIONS = [
    "https://www.xinghe.example; script-src 'unsafe-inline'",
    "https://www.xinghe.example 'unsafe-inline'",
    "'unsafe-inline'",
    "'self'",
    "*",
    "https:",
    "https://a.example,https://b.example",
    'https://a.example"',
    "https://a.example/path",
    "https://a.example:99999",
    "javascript://a.example",
    "https://user@a.example",
    "https://a.example\tb",
    "a..example",
]


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("https://www.xinghe.example", "https://www.xinghe.example"),
        ("https://M.Xinghe.Example/", "https://m.xinghe.example"),
        ("http://localhost:8080", "http://localhost:8080"),
        ("*.xinghe.example", "*.xinghe.example"),
        ("https://*.xinghe.example:8443", "https://*.xinghe.example:8443"),
        ("www.xinghe.example", "www.xinghe.example"),
        ("https://星河.中国", "https://xn--kiv79l.xn--fiqs8s"),
    ],
)
def test_site_addresses_become_csp_sources(text, source):
    assert csp_origin(text) == source


@pytest.mark.parametrize("text", INJECTIONS)
def test_anything_else_is_refused_by_the_model_with_a_field_message(text):
    assert csp_origin(text) is None
    form = LeadCaptureForm(name="官网", allowed_origins=f"https://www.xinghe.example\n{text}")
    with pytest.raises(ValidationError) as refused:
        form.full_clean()
    assert list(refused.value.message_dict) == ["allowed_origins"]


def test_the_admin_page_refuses_an_injection_beside_the_input(admin_client):
    data = {
        **TestLeadCaptureFormViews.form_data,
        "allowed_origins": "https://www.xinghe.example; script-src 'unsafe-inline'",
    }
    response = admin_client.post("/lead-forms/add/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "allowed_origins" in response.context["form"].errors
    assert "is not a site address like https://www.example.com" in response.content.decode()
    assert not LeadCaptureForm.objects.exists()


def test_the_header_drops_entries_saved_around_the_check(client):
    with as_system():  # an old row, or a write that skipped clean(): the header must still be safe
        capture = LeadCaptureForm.objects.create(name="官网", allowed_origins="placeholder")
    LeadCaptureForm.objects.filter(pk=capture.pk).update(
        allowed_origins="https://ok.example\nhttps://x.example; script-src 'unsafe-inline' *\n'unsafe-eval'",
        redirect_url="https://thanks.example; script-src *",
    )
    csp = client.get(f"/f/{capture.key}/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["frame-ancestors"] == "https://ok.example"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "thanks.example" not in csp
    assert "'unsafe-inline'" not in directives.get("script-src", "")

    LeadCaptureForm.objects.filter(pk=capture.pk).update(allowed_origins="'unsafe-inline'\n*")
    only_bad = client.get(f"/f/{capture.key}/")["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in only_bad  # an invalid list never widens to "any site"
