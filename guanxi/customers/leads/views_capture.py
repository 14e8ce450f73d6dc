"""The public web form that creates leads (``/f/<key>/``), and the admin pages of web forms and rules.

The public form is shown to anonymous visitors, usually inside an ``<iframe>`` on the company's
site, in the visitor's language (``?lang=en`` / ``?lang=zh-hans``, else Accept-Language). Its
defences, in the order a POST meets them:

1. **rate limit** per form and client IP (``LEAD_FORM_RATE`` posts per ``LEAD_FORM_WINDOW``
   seconds, in the cache) → 429, nothing created;
2. **honeypot**: an input people never see; filled in → the thank-you page, nothing created;
3. **signed timestamp** (``django.core.signing``) rendered with the form: refused when it is
   forged, older than a day, used before (replay), or sent under three seconds after the page
   was rendered (people cannot type that fast; scripts do);
4. field validation in the visitor's language → 422 with the messages beside the inputs.

UTM parameters come from the page URL's query string (kept in hidden inputs), the referrer from
``?ref=`` or the Referer header when the page was rendered.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.forms import modelform_factory
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from guanxi.customers.leads.filtersets import AssignmentRuleFilterSet, LeadCaptureFormFilterSet
from guanxi.customers.leads.forms import AssignmentRuleForm, LeadCaptureFormForm
from guanxi.customers.leads.models.capture import CAPTURE_FIELDS, csp_origin
from guanxi.customers.leads.services.leads import capture_lead
from guanxi.customers.leads.tables import AssignmentRuleTable, LeadCaptureFormTable
from guanxi.customers.models import AssignmentRule, Lead, LeadCaptureForm
from guanxi.framework.forms import style_widgets
from guanxi.framework.views import EntityViews

TOKEN_SALT = "guanxi.customers.lead-capture"  # noqa: S105  (a signing namespace, not a secret)
TOKEN_MAX_AGE = 24 * 3600  # a form left open longer than a day must be reloaded
MIN_FILL_SECONDS = 3
HONEYPOT = "website"  # a plausible name bots fill in; hidden from people by CSS and aria-hidden
LANGUAGES = ("zh-hans", "en")
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


def rate_limit() -> tuple[int, int]:
    """(posts allowed, per this many seconds) per form and IP."""
    return getattr(settings, "LEAD_FORM_RATE", 5), getattr(settings, "LEAD_FORM_WINDOW", 600)


def client_ip(request: HttpRequest) -> str:
    """The visitor's address: behind a trusted reverse proxy (``BEHIND_PROXY``) the last hop it
    added to X-Forwarded-For, else the socket's peer (a forged header is then ignored)."""
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def make_form_token(form: LeadCaptureForm, at: float | None = None) -> str:
    """The signed "rendered at" stamp of one page view of ``form``."""
    stamp = int(at if at is not None else time.time())
    # The nonce makes two page views in the same second two different (single-use) tokens.
    return signing.dumps({"f": form.pk, "t": stamp, "n": secrets.token_hex(6)}, salt=TOKEN_SALT)


def _token_key(token: str) -> str:
    return "lead-form-token:" + hashlib.sha256(token.encode()).hexdigest()


def check_form_token(form: LeadCaptureForm, token: str) -> str | None:
    """None when the token is good; else the visitor-facing reason it is refused."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        return _("This form was opened too long ago. Please reload the page and send it again.")
    except signing.BadSignature:
        return _("This form could not be verified. Please reload the page and send it again.")
    if not isinstance(data, dict) or data.get("f") != form.pk or not isinstance(data.get("t"), int):
        return _("This form could not be verified. Please reload the page and send it again.")
    elapsed = time.time() - data["t"]
    if elapsed > TOKEN_MAX_AGE:
        return _("This form was opened too long ago. Please reload the page and send it again.")
    if elapsed < MIN_FILL_SECONDS:
        return _("That was very fast. Please check your entries and send the form again.")
    if cache.get(_token_key(token)):
        return _("This form was already sent. Please reload the page to send another.")
    return None


def over_rate_limit(form: LeadCaptureForm, ip: str) -> bool:
    """Count this POST; True once the form+IP pair went over its allowance in the window."""
    allowed, window = rate_limit()
    key = f"lead-form-rate:{form.pk}:{ip}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > allowed


def public_lead_form(form: LeadCaptureForm) -> type[forms.ModelForm]:
    """A ModelForm of the lead fields this web form shows, with its required flags."""
    specs = form.field_specs()
    names = [name for name, _required in specs]
    form_class = modelform_factory(Lead, fields=names)
    for name, required in specs:
        form_class.base_fields[name].required = required
    return form_class


def visitor_language(request: HttpRequest) -> str:
    wanted = (request.GET.get("lang") or "").lower()
    if wanted in LANGUAGES:
        return wanted
    return translation.get_language_from_request(request) or settings.LANGUAGE_CODE


def _embedding_csp(form: LeadCaptureForm) -> dict[str, Any]:
    """The site's CSP, but embeddable by the form's allowed sites (any site when none are listed)
    and allowed to go on to its https redirect address after sending.

    Django joins the sources into the header as they are, so each goes through ``csp_origin``
    here as well as in the model's ``clean()``: an entry that is not a plain site address (saved
    before the check, or by a path around it) is dropped, never copied into the header. When every
    listed entry is dropped, nobody may embed the form — an invalid list never widens to "any"."""
    base: dict[str, Any] = settings.SECURE_CSP
    config: dict[str, Any] = {key: list(value) for key, value in base.items()}
    listed = form.origin_list()
    safe = [source for source in map(csp_origin, listed) if source]
    config["frame-ancestors"] = safe or ([CSP.NONE] if listed else ["https:", "http:"])
    if form.redirect_url:
        parts = urlsplit(form.redirect_url)
        target = csp_origin(f"{parts.scheme}://{parts.netloc}") if parts.scheme == "https" else None
        if target:
            config["form-action"] = [CSP.SELF, target]
    return config


# The form is public and embedded in other sites' pages, where browsers block third-party
# cookies: Django's CSRF cookie would never arrive, so CSRF protection cannot work here. There
# is no session to ride on either (nobody is signed in) — what CSRF protects does not exist. The
# signed, single-use, time-checked token and the rate limit take its place against abuse.
@csrf_exempt
@xframe_options_exempt  # framing is governed by CSP frame-ancestors (the form's allowed sites)
def public_capture_view(request: HttpRequest, key: str) -> HttpResponse:
    """GET: the standalone form. POST: the defences above, then ``capture_lead``."""
    # Public by design: the form row is looked up by its unguessable key, not through restrict()
    # (there is no user to restrict for); only active forms answer.
    capture = get_object_or_404(
        LeadCaptureForm.objects.select_related("assignment_rule", "owner"), key=key, active=True
    )
    language = visitor_language(request)
    with translation.override(language):
        response = _handle(request, capture, language)
    response["Content-Language"] = language
    response._csp_config = _embedding_csp(capture)  # type: ignore[attr-defined]  # read by CSP middleware
    return response


def _render(
    request: HttpRequest,
    capture: LeadCaptureForm,
    language: str,
    form: Any,
    status: int = 200,
    tracking: dict[str, str] | None = None,
    error: str = "",
    sent: bool = False,
) -> HttpResponse:
    if form is not None:
        style_widgets(form)
    context = {
        "capture": capture,
        "form": form,
        "token": make_form_token(capture),
        "tracking": tracking or {},
        "honeypot": HONEYPOT,
        "error": error,
        "sent": sent,
        "language": language,
        "other_language": "en" if language != "en" else "zh-hans",
    }
    return render(request, "customers/leads/public_form.html", context, status=status)


def _tracking_from(request: HttpRequest, source: Any) -> dict[str, str]:
    values = {name: str(source.get(name, ""))[:100] for name in UTM_FIELDS}
    values["referrer"] = str(source.get("ref", "") or "")[:500]
    values["landing_page"] = str(source.get("page", "") or "")[:500]
    return values


def _handle(request: HttpRequest, capture: LeadCaptureForm, language: str) -> HttpResponse:
    form_class = public_lead_form(capture)
    if request.method != "POST":
        tracking = _tracking_from(request, request.GET)
        referer = request.META.get("HTTP_REFERER", "")
        tracking["referrer"] = tracking["referrer"] or referer[:500]
        tracking["landing_page"] = tracking["landing_page"] or referer[:500]
        return _render(request, capture, language, form_class(), tracking=tracking)
    if over_rate_limit(capture, client_ip(request)):
        return _render(
            request,
            capture,
            language,
            None,
            status=429,
            error=_("Too many submissions from your network. Please try again in a few minutes."),
        )
    tracking = _tracking_from(request, request.POST)
    if request.POST.get(HONEYPOT):
        return _render(request, capture, language, None, sent=True)  # pretend success; keep nothing
    token = request.POST.get("token", "")
    refusal = check_form_token(capture, token)
    form = form_class(request.POST)
    if refusal:
        return _render(request, capture, language, form, status=400, tracking=tracking, error=refusal)
    if not form.is_valid():
        return _render(request, capture, language, form, status=422, tracking=tracking)
    values = {name: getattr(form.instance, name) for name in form_class.base_fields}
    capture_lead(capture, values, tracking=tracking)
    cache.set(_token_key(token), 1, timeout=TOKEN_MAX_AGE)  # single use
    if capture.redirect_url:
        return HttpResponseRedirect(capture.redirect_url)
    return _render(request, capture, language, None, sent=True)


# --- admin pages: web forms ---------------------------------------------------------------------------
FIELD_CHOICES = [(name, name) for name in CAPTURE_FIELDS]


class LeadCaptureFormViews(EntityViews):
    model = LeadCaptureForm
    filterset = LeadCaptureFormFilterSet
    form = LeadCaptureFormForm
    table = LeadCaptureFormTable
    url_prefix = "lead-forms"
    detail_fields = ("name", "active", "title", "default_source", "assignment_rule", "owner", "department",
                     "thank_you_text", "redirect_url", "allowed_origins")  # fmt: skip
    detail_template = "customers/leads/captureform_detail.html"
    bulk_edit_fields = ("title",)


class AssignmentRuleViews(EntityViews):
    model = AssignmentRule
    filterset = AssignmentRuleFilterSet
    form = AssignmentRuleForm
    table = AssignmentRuleTable
    url_prefix = "assignment-rules"
    detail_fields = (
        "name",
        "priority",
        "active",
        "sources",
        "provinces",
        "department",
        "method",
        "max_open_leads",
    )
    bulk_edit_fields = ("priority", "max_open_leads")
