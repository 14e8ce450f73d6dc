"""Organisation pages: departments, users and roles (generic entity pages), the roles editor matrix,
user (de)activation, a record's team card, and the access explanation page.

Permissions come from the generic machinery: each page asks ``can(user, action, Model)`` and reads
rows through ``restrict()``; superusers always pass.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.framework.access import can, get_policy
from guanxi.framework.forms import add_validation_errors
from guanxi.framework.http import AuthedRequest
from guanxi.framework.models import BaseModel
from guanxi.framework.querysets import model_queryset
from guanxi.framework.views import EntityViews
from guanxi.framework.views.objects import ObjectDeleteView
from guanxi.users.filtersets import DepartmentFilterSet, RoleFilterSet, UserFilterSet
from guanxi.users.forms import DepartmentForm, ExplainForm, RoleAccessForm, RoleForm, TeamMemberForm, UserForm
from guanxi.users.models import Department, FieldAccess, Role, User
from guanxi.users.services import access as services
from guanxi.users.tables import DepartmentTable, RoleTable, UserTable


def _deny_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You do not have permission to do this."))


class DepartmentViews(EntityViews):
    model = Department
    queryset = Department.objects.select_related("parent", "manager").annotate(member_count=Count("members"))
    filterset = DepartmentFilterSet
    form = DepartmentForm
    table = DepartmentTable
    url_prefix = "org/departments"
    bulk_edit_fields = ("manager", "order")
    detail_template = "users/org/department_detail.html"


class UserViews(EntityViews):
    model = User
    queryset = User.objects.select_related("department", "manager").prefetch_related("roles")
    filterset = UserFilterSet
    form = UserForm
    table = UserTable
    url_prefix = "org/users"
    bulk_edit_fields = ("department", "manager", "job_title")
    detail_template = "users/org/user_detail.html"
    detail_fields = (
        "username",
        "name",
        "email",
        "department",
        "manager",
        "job_title",
        "phone",
        "language",
        "time_zone",
        "is_active",
        "last_login",
    )


class RoleDeleteView(ObjectDeleteView):
    """Shipped default roles can be edited but not deleted."""

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        role = get_object_or_404(self.restricted(), pk=pk)
        if role.is_system:
            messages.error(
                request, _("“%(name)s” is a shipped default role and cannot be deleted.") % {"name": role}
            )
            return HttpResponseRedirect(role.get_absolute_url())
        return super().post(request, pk)


class RoleViews(EntityViews):
    model = Role
    queryset = Role.objects.annotate(member_count=Count("users", distinct=True))
    filterset = RoleFilterSet
    form = RoleForm
    table = RoleTable
    url_prefix = "org/roles"
    bulk_edit_fields = ("description",)
    detail_template = "users/org/role_detail.html"
    detail_fields = ("name", "name_en", "description", "is_system")

    @classmethod
    def urls(cls) -> list[Any]:
        patterns = super().urls()
        name = "role_delete"
        return [
            path("org/roles/<int:pk>/delete/", RoleDeleteView.as_view(config=cls), name=name)
            if p.name == name
            else p
            for p in patterns
        ]


# --- the roles editor -----------------------------------------------------------------------


@login_required
def role_access(request: HttpRequest, pk: int) -> HttpResponse:
    """The matrix of a role's grants and field rules; saved in one transaction through the services."""
    _deny_unless(can(request.user, "change", Role))
    role = get_object_or_404(Role.objects.restrict(request.user, "change"), pk=pk)
    status = 200
    if request.method == "POST":
        matrix = RoleAccessForm(role, request.POST)
        grants, rules = matrix.parse()
        try:
            with transaction.atomic():
                services.save_role_grants(role, grants, actor=request.user)
                services.save_field_rules(role, rules, actor=request.user)
        except ValidationError as error:
            matrix.errors = [m for messages_ in error.message_dict.values() for m in messages_]
            status = 422
        else:
            messages.success(request, _("Saved the permissions of “%(name)s”.") % {"name": role})
            return HttpResponseRedirect(role.get_absolute_url())
    else:
        matrix = RoleAccessForm(role)
    return render(request, "users/org/role_access.html", {"role": role, "matrix": matrix}, status=status)


# --- deactivate / reactivate ------------------------------------------------------------------


@login_required
@require_POST
def user_set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    _deny_unless(can(request.user, "change", User))
    user = get_object_or_404(User.objects.restrict(request.user, "change"), pk=pk)
    try:
        if active:
            services.reactivate_user(user, actor=request.user)
            messages.success(request, _("%(user)s can sign in again.") % {"user": user})
        else:
            services.deactivate_user(user, actor=request.user)
            messages.success(
                request, _("%(user)s is deactivated; their records and history are kept.") % {"user": user}
            )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    return HttpResponseRedirect(user.get_absolute_url())


@login_required
def user_transfer_records(request: AuthedRequest, pk: int) -> HttpResponse:
    """ "Transfer all records of this user to…" (离职交接): per-kind counts, a new owner, a reason.

    Counts and moves only what the actor may ``assign``; see ``guanxi.framework.transfer``."""
    from guanxi.framework.transfer import summary, transfer_counts, transfer_records
    from guanxi.framework.transfer_forms import TransferForm

    from_user = get_object_or_404(User.objects.restrict(request.user, "view"), pk=pk)
    counts = transfer_counts(actor=request.user, from_user=from_user)
    _deny_unless(any(can(request.user, "assign", kind.model) for kind, _count in counts))
    form = TransferForm(request.POST or None, actor=request.user, from_user=from_user)
    if request.method == "POST" and form.is_valid():
        try:
            result = transfer_records(
                actor=request.user,
                to_user=form.cleaned_data["to_user"],
                reason=form.cleaned_data["reason"],
                from_user=from_user,
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(
                request,
                _("Transferred %(what)s to %(user)s.")
                % {"what": summary(result.counts), "user": form.cleaned_data["to_user"]},
            )
            return HttpResponseRedirect(from_user.get_absolute_url())
    context = {
        "form": form,
        "kind_counts": counts,
        "heading": _("Transfer all records of %(user)s") % {"user": from_user},
        "action_url": request.path,
        "back_url": from_user.get_absolute_url(),
        "back_label": str(from_user),
    }
    return render(request, "transfer/transfer.html", context, status=422 if form.errors else 200)


def user_transfer_card(request: HttpRequest, obj: Any) -> dict[str, Any] | None:
    """The "Hand over" card on a user's page, for those who may assign any transferable kind."""
    from guanxi.framework.transfer import transferables

    if not isinstance(obj, User) or not any(can(request.user, "assign", t.model) for t in transferables()):
        return None
    return {}


# --- the team card on a record's page ---------------------------------------------------------


def team_panel_context(request: HttpRequest, obj: models.Model) -> dict[str, Any]:
    """Context of the "Team" card for a record's detail page (empty when the record has no owner).

    One card for every owned record, deals included (their 协同人: ``Deal.team_title`` names it)."""
    if services.owner_id_of(obj) is None:
        return {"show_team_panel": False}
    ct = ContentType.objects.get_for_model(obj)
    members = services.team_members(obj)
    manage = services.can_manage_team(request.user, obj)
    return {
        "show_team_panel": True,
        "team_object": obj,
        "team_title": getattr(obj, "team_title", None),
        "team_ct": ct.pk,
        "team_members": members,
        "team_can_manage": manage,
        "team_form": TeamMemberForm() if manage else None,
        "team_can_explain": can(request.user, "view", Role),
    }


def _team_object(request: HttpRequest, ct_id: int, pk: int) -> BaseModel:
    ct = get_object_or_404(ContentType, pk=ct_id)
    model = ct.model_class()
    if model is None or not hasattr(model._default_manager, "restrict"):
        raise Http404
    obj = get_object_or_404(model_queryset(model), pk=pk)
    # Visible to the asker, or theirs to manage (the owner's managers, whatever their scope).
    if (
        services.can_manage_team(request.user, obj)
        or model_queryset(model).restrict(request.user, "view").filter(pk=pk).exists()
    ):
        return obj
    raise Http404


def _team_response(request: AuthedRequest, obj: BaseModel, form: Any = None) -> HttpResponse:
    if request.htmx:
        context = team_panel_context(request, obj)
        if form is not None:
            context["team_form"] = form
        return render(request, "users/org/team_panel.html", context, status=200 if form is None else 422)
    return HttpResponseRedirect(obj.get_absolute_url())


@login_required
@require_POST
def team_add(request: AuthedRequest, ct_id: int, pk: int) -> HttpResponse:
    obj = _team_object(request, ct_id, pk)
    _deny_unless(services.can_manage_team(request.user, obj))
    form = TeamMemberForm(request.POST)
    if form.is_valid():
        try:
            services.share_record(
                obj, form.cleaned_data["user"], form.cleaned_data["access"], actor=request.user
            )
        except ValidationError as error:
            add_validation_errors(form, error)
    if form.errors:
        if not request.htmx:
            for error_text in [e for errs in form.errors.values() for e in errs]:
                messages.error(request, str(error_text))  # an ErrorList yields message strings
        return _team_response(request, obj, form)
    messages.success(request, _("%(user)s joined the team.") % {"user": form.cleaned_data["user"]})
    return _team_response(request, obj)


@login_required
@require_POST
def team_remove(request: AuthedRequest, ct_id: int, pk: int, user_id: int) -> HttpResponse:
    obj = _team_object(request, ct_id, pk)
    _deny_unless(services.can_manage_team(request.user, obj))
    member = get_object_or_404(User, pk=user_id)
    if services.unshare_record(obj, member, actor=request.user):
        messages.success(request, _("%(user)s left the team.") % {"user": member})
    return _team_response(request, obj)


# --- the access explanation page --------------------------------------------------------------

EXPLAINED_ACTIONS = (("view", "View"), ("change", "Edit"), ("delete", "Delete"))


@login_required
def access_explain(request: HttpRequest) -> HttpResponse:
    """For a user and a record: may they view / edit / delete it, and why — role by role."""
    _deny_unless(can(request.user, "view", Role))
    form = ExplainForm(request.GET or None, viewer=request.user)
    result: dict[str, Any] | None = None
    if form.is_bound and form.is_valid():
        subject = User.objects.select_related("department").get(pk=form.cleaned_data["user"].pk)
        model = ContentType.objects.get(pk=form.cleaned_data["entity_type"]).model_class()
        assert model is not None  # ExplainForm offers only installed entity types
        # The asker must be able to see the record themselves: the page reveals who owns it.
        obj = (
            model_queryset(model)
            .restrict(request.user, "view")
            .filter(pk=form.cleaned_data["record"])
            .first()
        )
        if obj is None:
            form.add_error("record", _("No such record, or you cannot see it."))
        else:
            policy = get_policy()
            verdicts = []
            labels = {"view": _("View"), "change": _("Edit"), "delete": _("Delete")}
            for action, _english in EXPLAINED_ACTIONS:
                allowed, reasons = policy.explain(subject, obj, action)
                verdicts.append({"action": labels[action], "allowed": allowed, "reasons": reasons})
            labels_of = dict(services.rule_fields(model))
            access_labels = dict(FieldAccess.choices)
            field_rules = [
                (labels_of.get(name, name), access_labels.get(rule, rule))
                for name, rule in sorted(policy.field_rules(subject, model).items())
            ]
            result = {
                "subject": subject,
                "object": obj,
                "model_name": model._meta.verbose_name,
                "verdicts": verdicts,
                "field_rules": field_rules,
            }
    return render(request, "users/org/explain.html", {"form": form, "result": result})
