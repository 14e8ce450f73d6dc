"""Upload, download and delete a record's files (the "Files" card; see guanxi.core.attachments)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core import attachments
from guanxi.core.models import Attachment
from guanxi.framework.http import AuthedRequest
from guanxi.framework.querysets import visible_object


def _record(request: HttpRequest, ct_id: int, pk: int):
    return visible_object(request.user, get_object_or_404(ContentType, pk=ct_id).model_class(), pk)


def _panel(request: HttpRequest, obj) -> HttpResponse:
    context = attachments.attachments_panel_context(request, obj)
    return render(request, "core/files_panel.html", context)


@login_required
@require_POST
def upload(request: AuthedRequest, ct_id: int, pk: int) -> HttpResponse:
    obj = _record(request, ct_id, pk)
    uploaded = request.FILES.get("file")
    try:
        if uploaded is None:
            raise ValidationError({"file": _("Choose a file to upload.")})
        attachments.attach_file(obj, uploaded, actor=request.user)
        messages.success(request, _("Attached “%(name)s”.") % {"name": uploaded.name})
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    except PermissionDenied as error:
        messages.error(request, str(error))
    if request.htmx:
        return _panel(request, obj)
    return HttpResponseRedirect(obj.get_absolute_url())


@login_required
def download(request: HttpRequest, attachment_id: int) -> FileResponse:
    try:
        attachment = attachments.visible_attachment(request.user, attachment_id)
    except Attachment.DoesNotExist:
        raise Http404 from None
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def delete(request: AuthedRequest, attachment_id: int) -> HttpResponse:
    try:
        attachment = attachments.visible_attachment(request.user, attachment_id)
    except Attachment.DoesNotExist:
        raise Http404 from None
    obj = attachment.content_object
    assert obj is not None  # visible_attachment found the record
    try:
        attachments.delete_attachment(attachment, actor=request.user)
        messages.success(request, _("Deleted “%(name)s”.") % {"name": attachment.name})
    except PermissionDenied as error:
        messages.error(request, str(error))
    if request.htmx:
        return _panel(request, obj)
    return HttpResponseRedirect(obj.get_absolute_url())
