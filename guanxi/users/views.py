"""The signed-in user's own pages: login, home dashboard, global search, profile, language."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import UpdateView
from django.views.i18n import set_language

from guanxi.core.models import ObjectChange
from guanxi.framework.history import label_changes
from guanxi.framework.http import AuthedRequest
from guanxi.framework.search import search as run_search
from guanxi.users.forms import LoginForm, ProfileForm, StyledPasswordChangeForm

SEARCH_PAGE_LIMIT = 50
SEARCH_DROPDOWN_LIMIT = 8
RECENT_CHANGES = 10
MAX_QUERY_LENGTH = 100


class LoginView(auth_views.LoginView):
    """Django's login view with our form and page; failures are counted by django-axes."""

    template_name = "registration/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(LoginRequiredMixin, auth_views.PasswordChangeView):
    """Change password under the profile; keeps the session signed in and says so."""

    template_name = "users/profile_password.html"
    form_class = StyledPasswordChangeForm
    success_url = reverse_lazy("profile")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed."))
        return response


class ProfileView(LoginRequiredMixin, UpdateView):
    """Name, email, phone, language and time zone of the signed-in user."""

    form_class = ProfileForm
    template_name = "users/profile.html"
    success_url = reverse_lazy("profile")

    def get_object(self, queryset: Any = None) -> Any:
        return self.request.user

    def form_valid(self, form: ModelForm) -> HttpResponse:
        assert isinstance(form, ProfileForm)  # the view's form_class
        user = form.save(commit=False)
        user.full_clean()
        user.save(update_fields=form.Meta.fields)
        # Show the confirmation (and the rest of the page) in the language just chosen.
        if user.language:
            translation.activate(user.language)
        messages.success(self.request, _("Your profile was saved."))
        return redirect(self.success_url)


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language`` (cookie + redirect), and for a signed-in user also ``user.language``.

    Saving it on the user makes the choice follow them to every device; ``UserLanguageMiddleware``
    applies it on each request. The request's actor context records the change in the log.
    """
    response = set_language(request)
    code = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and code in dict(settings.LANGUAGES) and user.language != code:
        user.language = code
        user.save(update_fields=["language"])
    return response


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """The dashboard: greeting, "my day" cards (filled by later modules), recent own changes."""
    now = timezone.localtime()
    if now.hour < 12:
        greeting = _("Good morning")
    elif now.hour < 18:
        greeting = _("Good afternoon")
    else:
        greeting = _("Good evening")
    from guanxi.framework.dashboard import CHART, NUMBER, manages_team, widget_data

    context: dict[str, Any] = {"greeting": greeting, "today": now}
    # Managers and directors land on their team; "My day" stays one tab away.
    if manages_team(request.user):
        context["team_home"] = True
        if request.GET.get("tab") != "myday":
            context["numbers"] = widget_data(request, NUMBER)
            context["charts"] = widget_data(request, CHART)
            return render(request, "home_team.html", context)
    context["recent_changes"] = label_changes(
        request.user,
        list(
            ObjectChange.objects.filter(user=request.user)
            .select_related("changed_object_type")
            .order_by("-time", "-id")[:RECENT_CHANGES]
        ),
    )
    return render(request, "home.html", context)


@login_required
def team_chart_export(request: AuthedRequest, key: str) -> HttpResponse:
    """A team home chart's numbers as an Excel workbook (what the chart shows, for this user)."""
    from django.http import Http404

    from guanxi.framework.dashboard import CHART, chart_workbook, manages_team, widget
    from guanxi.framework.exporting import xlsx_response

    item = widget(key)
    if item is None or item.kind != CHART or not manages_team(request.user):
        raise Http404(_("There is no such chart."))
    chart = item.provider(request)
    if chart is None:
        raise Http404(_("There is no such chart."))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(chart_workbook(chart), f"{key}-{stamp}.xlsx")


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Global search: the full results page, or the top-bar dropdown for an htmx request."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    dropdown = bool(getattr(request, "htmx", False)) and request.GET.get("full") != "1"
    limit = SEARCH_DROPDOWN_LIMIT if dropdown else SEARCH_PAGE_LIMIT
    hits = run_search(request.user, query, limit=limit) if query else []
    # Groups keep the order of their best hit; hits inside a group stay best first.
    grouped: dict[str, list[Any]] = {}
    for hit in hits:
        grouped.setdefault(hit.model_label, []).append(hit)
    context = {
        "search_query": query,
        "hits": hits,
        "groups": list(grouped.items()),
        "limit": limit,
        "truncated": len(hits) >= limit,
    }
    template = "search/results.html#dropdown" if dropdown else "search/results.html"
    return render(request, template, context)
