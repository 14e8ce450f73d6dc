"""A deal's page "Change pipeline": move the deal to an open stage of another pipeline.

The move is ``services.move_deal`` (the stage state machine, stage history, events), the same
service as a board drop; this page only offers the choice and shows its refusals.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from guanxi.framework.statemachine import TransitionConflict
from guanxi.framework.write import StaleWrite, version_of
from guanxi.sales import services
from guanxi.sales.forms import DealPipelineForm
from guanxi.sales.models import Deal, Stage


@login_required
def change_pipeline(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the choice of pipeline and stage; POST: the move (then the deal's page)."""
    deal = (
        Deal.objects.restrict(request.user, "change")
        .select_related("pipeline", "stage")
        .filter(pk=pk)
        .first()
    )
    if deal is None:
        raise Http404(_("This deal does not exist or is not yours to change."))
    choices = services.pipeline_choices(deal, request.user)
    form = DealPipelineForm(request.POST or None, choices=choices, initial={"version": version_of(deal)})
    status = 200
    if request.method == "POST" and form.is_valid():
        stage = Stage.objects.select_related("pipeline").get(pk=form.cleaned_data["stage"])
        try:
            services.move_deal(
                deal, stage, actor=request.user, expected_version=form.cleaned_data["version"] or None
            )
        except services.RequiredFieldsMissing as missing:
            form.add_error("stage", missing.message_dict["transition"][0])
            status = 422
        except (TransitionConflict, StaleWrite) as conflict:
            form.add_error(
                None, conflict.messages[0] if isinstance(conflict, ValidationError) else str(conflict)
            )
            status = 409
        except PermissionDenied as denied:
            form.add_error(None, str(denied) or _("You may not move this deal."))
            status = 403
        except ValidationError as invalid:
            errors = invalid.message_dict if hasattr(invalid, "error_dict") else {"stage": invalid.messages}
            for messages_ in errors.values():
                for message in messages_:
                    form.add_error("stage", message)
            status = 400
        else:
            messages.success(
                request,
                _("“%(deal)s” moved to %(pipeline)s › %(stage)s.")
                % {"deal": deal, "pipeline": stage.pipeline.label, "stage": stage.label},
            )
            return redirect(deal.get_absolute_url())
    elif request.method == "POST":
        status = 400
    context: dict[str, Any] = {"deal": deal, "form": form, "has_choices": bool(choices)}
    return render(request, "sales/deal_pipeline.html", context, status=status)
