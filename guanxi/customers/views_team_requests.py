"""Pages of a 撞单's way forward: ask a customer's owner to join its team; the owner decides from
the notification's link (guanxi.customers.services.team_requests)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guanxi.customers.services.team_requests import decide_team_request, request_team_membership, team_request
from guanxi.framework.http import AuthedRequest


def _safe(request: AuthedRequest, target: str) -> bool:
    return bool(target) and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    )


def _back(request: AuthedRequest) -> str:
    target = request.POST.get("next", "")
    return target if _safe(request, target) else "/"


@login_required
@require_http_methods(["GET", "POST"])
def ask_to_join(request: AuthedRequest) -> HttpResponse:
    """The requester's link on a 撞单 refusal: a page to confirm, then the request."""
    if request.method == "GET":
        from guanxi.customers.services.team_requests import requested_customer

        token = request.GET.get("token", "")
        try:
            customer = requested_customer(actor=request.user, token=token)
        except (ValidationError, PermissionDenied) as error:
            message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            return render(request, "404.html", {"message": message}, status=404)
        back = request.GET.get("next", "")
        context = {"customer": customer, "token": token, "next": back if _safe(request, back) else "/"}
        return render(request, "customers/team_request_ask.html", context)
    try:
        customer = request_team_membership(actor=request.user, token=request.POST.get("token", ""))
    except ValidationError as error:
        for problems in error.message_dict.values():
            for problem in problems:
                messages.error(request, problem)
        return HttpResponseRedirect(_back(request))
    messages.success(
        request,
        _("Asked %(owner)s to add you to the team of “%(name)s”. You will be notified of the answer.")
        % {"owner": customer.owner, "name": customer.name},
    )
    return HttpResponseRedirect(_back(request))


@login_required
@require_http_methods(["GET", "POST"])
def decide(request: AuthedRequest, token: str) -> HttpResponse:
    """The owner's page behind the notification: who asks, for which customer; add or decline."""
    from guanxi.users.services.access import can_manage_team

    try:
        customer, requester = team_request(token)
    except ValidationError as error:
        return render(request, "404.html", {"message": " ".join(error.messages)}, status=404)
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        try:
            decide_team_request(actor=request.user, token=token, decision=decision)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(request.path)
        if decision == "decline":
            messages.success(request, _("Declined; %(user)s has been told.") % {"user": requester})
        else:
            messages.success(
                request,
                _("%(user)s is on the team of “%(name)s” now.") % {"user": requester, "name": customer.name},
            )
        return HttpResponseRedirect(customer.get_absolute_url())
    context = {
        "customer": customer,
        "requester": requester,
        "can_decide": can_manage_team(request.user, customer),
    }
    return render(request, "customers/team_request.html", context)
