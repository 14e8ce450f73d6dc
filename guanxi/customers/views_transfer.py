"""Transfer pages of customers: one customer (the 360° page's quick action) and the list's selection.

Thin: rows are read through ``restrict(user, "assign")``, ``guanxi.framework.transfer`` does the
work. The leaving-employee flow ("all of this user's records") lives on the user's page
(``guanxi.users.views_org.user_transfer_records``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from guanxi.customers.models import Customer
from guanxi.framework.forms import add_validation_errors
from guanxi.framework.http import AuthedRequest
from guanxi.framework.transfer import summary, transfer_records
from guanxi.framework.transfer_forms import TransferForm


def _apply(request: AuthedRequest, form: TransferForm, rows: list[Any]) -> bool:
    """Run the transfer; False (with the reason on the form) when it was refused."""
    try:
        result = transfer_records(
            actor=request.user,
            to_user=form.cleaned_data["to_user"],
            reason=form.cleaned_data["reason"],
            records=rows,
        )
    except ValidationError as error:
        add_validation_errors(form, error)
        return False
    except PermissionDenied as error:
        form.add_error(None, str(error))
        return False
    messages.success(
        request,
        _("Transferred %(what)s to %(user)s.")
        % {"what": summary(result.counts), "user": form.cleaned_data["to_user"]},
    )
    return True


def _render(request: AuthedRequest, form: TransferForm, rows: list[Any], **extra: Any) -> HttpResponse:
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "transfer/transfer.html", {"form": form, "rows": rows, **extra}, status=status)


@login_required
def customer_transfer(request: AuthedRequest, pk: int) -> HttpResponse:
    """Give one customer to another owner (from the 360° page)."""
    customer = get_object_or_404(
        Customer.objects.restrict(request.user, "assign").select_related("owner"), pk=pk
    )
    form = TransferForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid() and _apply(request, form, [customer]):
        return HttpResponseRedirect(customer.get_absolute_url())
    return _render(
        request,
        form,
        [],
        heading=_("Transfer “%(name)s”") % {"name": customer},
        action_url=reverse("customers:customer_transfer", args=[customer.pk]),
        back_url=customer.get_absolute_url(),
        back_label=str(customer),
    )


@login_required
@require_POST
def customer_bulk_transfer(request: AuthedRequest) -> HttpResponse:
    """The list's "Transfer" bulk action: first the form with the selection, then the transfer."""
    list_url = reverse("customers:customer_list")
    ids = request.POST.getlist("pk")
    rows = list(Customer.objects.restrict(request.user, "assign").filter(pk__in=ids).select_related("owner"))
    if not rows:
        messages.warning(request, _("Select at least one customer you may transfer."))
        return HttpResponseRedirect(list_url)
    form = TransferForm(request.POST if "_apply" in request.POST else None, actor=request.user)
    if len(rows) != len(set(ids)) and "_apply" in request.POST:
        form.is_valid()
        form.add_error(None, _("You may not transfer some of these records; nothing was changed."))
    elif form.is_bound and form.is_valid() and _apply(request, form, rows):
        return HttpResponseRedirect(list_url)
    count = len(rows)
    return _render(
        request,
        form,
        rows,
        heading=ngettext("Transfer %(count)d customer", "Transfer %(count)d customers", count)
        % {"count": count},
        action_url=reverse("customers:customer_bulk_transfer"),
        selected_pks=[r.pk for r in rows],
        back_url=list_url,
        back_label=str(Customer._meta.verbose_name_plural).capitalize(),
    )
