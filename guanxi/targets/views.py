"""Pages of the targets app: the target grid (entry, split, Excel), the forecast, the
leaderboard and the sales dashboard. Every number comes from the measures registry
(``guanxi.framework.measures``) through ``restrict()``; every target write goes through
``guanxi.targets.services`` (the write path)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.framework.access import can
from guanxi.framework.exporting import xlsx_response
from guanxi.framework.http import AuthedRequest
from guanxi.targets import grid as grid_data
from guanxi.targets import services
from guanxi.targets.models import Target

MAX_UPLOAD = 2 * 1024 * 1024


def measure_choices() -> list[tuple[str, Any]]:
    """The measures a target can be set for, in a stable order (回款 once it is registered)."""
    from guanxi.framework.measures import measures

    # Targets may be set for any registered measure, whether or not the writer reads its rows.
    order = ["signed", "received", "won", "new_customers", "follow_ups"]
    found = {m.key: m for m in measures()}
    keys = [k for k in order if k in found] + sorted(k for k in found if k not in order)
    return [(k, found[k].label) for k in keys]


# -- the grid -----------------------------------------------------------------------------------------
def _grid_params(request: AuthedRequest) -> dict[str, Any]:
    """Year, measure and department from the query (or the form), checked against what the user
    may manage; a department outside it is refused with a message (403)."""
    source = request.POST if request.method == "POST" else request.GET
    departments = services.manageable_departments(request.user)
    own = not departments  # a rep reads their own row, nothing else, and changes nothing
    if own and not (can(request.user, "view", Target) and request.user.department_id):
        raise PermissionDenied(_("You may not set targets: ask your manager for yours."))
    if own and request.method == "POST":
        raise PermissionDenied(_("You may not set targets."))
    choices = measure_choices()
    measure = source.get("measure") or choices[0][0]
    if measure not in dict(choices):
        raise Http404(_("There is no such measure."))
    today = timezone.localdate()
    try:
        year = int(source.get("year") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 2000), 2100)
    if own:
        user = request.user
        mine = [services.Subject("user", user.pk, str(user), user.department_id or 0)]
        return {
            "departments": [], "measures": choices, "measure": measure, "year": year,
            "department": user.department, "own": mine,
        }  # fmt: skip
    wanted = source.get("department") or ""
    by_id = {str(d.pk): d for d in departments}
    if wanted and wanted not in by_id:
        raise PermissionDenied(
            _("You may not set targets for this department: it is outside the departments you manage.")
        )
    department = by_id.get(wanted) or _home_department(request.user, departments)
    return {
        "departments": departments,
        "measures": choices,
        "measure": measure,
        "year": year,
        "department": department,
    }


def _home_department(user: Any, departments: list[Any]) -> Any:
    for department in departments:
        if department.pk == user.department_id:
            return department
    return departments[0]


def _grid_context(request: AuthedRequest, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
    from guanxi.framework.measures import measure as get_measure

    rows = grid_data.build_rows(
        request.user,
        params["measure"],
        params["year"],
        params["department"],
        typed=extra.pop("typed", None),
        errors=extra.get("errors"),
        subjects=params.get("own"),
    )
    this_year = timezone.localdate().year
    return {
        **params,
        "rows": rows,
        "money": get_measure(params["measure"]).money,
        "years": list(range(this_year - 2, this_year + 3)),
        "months": list(range(1, 13)),
        "read_only": bool(params.get("own")),
        **extra,
    }


@login_required
def grid(request: AuthedRequest) -> HttpResponse:
    """业绩目标: people (and the department's own row) × months for one measure and year; a POST
    saves every cell at once (all or none), answering the grid again with per-cell errors."""
    params = _grid_params(request)
    if request.method != "POST":
        return render(request, "targets/grid.html", _grid_context(request, params))
    subjects = services.grid_subjects(params["department"])
    cells = {
        (s.key, period): request.POST.get(f"c-{s.key}-{period}", "")
        for s in subjects
        for period in services.MONTHS
        if f"c-{s.key}-{period}" in request.POST
    }
    return _save(request, params, subjects, cells)


def _save(
    request: AuthedRequest,
    params: dict[str, Any],
    subjects: list[services.Subject],
    cells: dict[tuple[str, str], Any],
    *,
    lines: dict[str, int] | None = None,
) -> HttpResponse:
    """Save cells and answer the grid partial: 200 saved, 422 with per-cell errors, 409 on a race."""
    status = 200
    extra: dict[str, Any] = {}
    try:
        result = services.save_grid(
            actor=request.user, measure=params["measure"], year=params["year"], subjects=subjects, cells=cells
        )
    except services.Conflict:
        status, extra["problem"] = (
            409,
            _("Someone saved these targets at the same time: reload and try again."),
        )
        result = None
    except ValidationError as error:
        status, extra["problem"] = 422, "; ".join(error.messages)
        result = None
    if result is not None and result.errors:
        status = 422
        extra["errors"] = result.errors
        extra["typed"] = cells
        extra["problem"] = _("Nothing was saved: correct the highlighted cells.")
        if lines is not None:
            extra["upload_errors"] = [
                (grid_data.cell_address(k, lines), message) for k, message in sorted(result.errors.items())
            ]
    elif result is not None:
        extra["saved"] = _("Saved: %(created)d added, %(updated)d changed, %(deleted)d removed.") % {
            "created": result.created,
            "updated": result.updated,
            "deleted": result.deleted,
        }
    template = "targets/_grid.html" if request.htmx else "targets/grid.html"
    return render(request, template, _grid_context(request, params, **extra), status=status)


@login_required
@require_POST
def split(request: AuthedRequest) -> HttpResponse:
    """Split a department's yearly figure down its tree (evenly or by last year's actuals)."""
    from guanxi.framework.measures import measure as get_measure

    params = _grid_params(request)
    method = request.POST.get("method", "even")
    if method not in ("even", "last_year"):
        method = "even"
    try:
        total = services.parse_amount(
            request.POST.get("total", ""), money=get_measure(params["measure"]).money
        )
    except ValidationError as error:
        total, problem = None, error.messages[0]
    else:
        problem = "" if total is not None else _("Enter the department's yearly figure.")
    if total is None:
        context = _grid_context(request, params, problem=problem, split_error=problem)
        return render(
            request, "targets/_grid.html" if request.htmx else "targets/grid.html", context, status=422
        )
    try:
        services.split_year(
            actor=request.user,
            measure=params["measure"],
            year=params["year"],
            department=params["department"],
            total=total,
            method=method,
        )
    except services.Conflict:
        context = _grid_context(
            request, params, problem=_("Someone saved these targets at the same time: reload and try again.")
        )
        return render(
            request, "targets/_grid.html" if request.htmx else "targets/grid.html", context, status=409
        )
    context = _grid_context(request, params, saved=_("The yearly figure was split down the tree."))
    return render(request, "targets/_grid.html" if request.htmx else "targets/grid.html", context)


@login_required
def grid_export(request: AuthedRequest) -> HttpResponse:
    """The grid as XLSX (fill it in and upload it back)."""
    if not can(request.user, "export", Target):
        raise PermissionDenied(_("You may not export targets."))
    params = _grid_params(request)
    rows = grid_data.build_rows(
        request.user, params["measure"], params["year"], params["department"], subjects=params.get("own")
    )
    label = str(dict(params["measures"])[params["measure"]])
    content = grid_data.workbook(
        rows, measure_label=label, year=params["year"], department=params["department"]
    )
    name = f"targets-{params['measure']}-{params['year']}-{params['department'].pk}.xlsx"
    return xlsx_response(content, name)


@login_required
@require_POST
def grid_import(request: AuthedRequest) -> HttpResponse:
    """Upload the grid's XLSX: every cell or none, errors by cell address."""
    if not can(request.user, "import", Target):
        raise PermissionDenied(_("You may not import targets."))
    params = _grid_params(request)
    upload = request.FILES.get("file")
    problem = ""
    if upload is None:
        problem = _("Choose the Excel file to upload.")
    elif (upload.size or 0) > MAX_UPLOAD:
        problem = _("The file is too large (at most 2 MB).")
    subjects = services.grid_subjects(params["department"])
    if not problem and upload is not None:
        cells, lines, layout = grid_data.read_workbook(upload.read(), subjects)
        if layout:
            problem = _("Nothing was imported: correct the file.")
            context = _grid_context(request, params, problem=problem, upload_errors=sorted(layout.items()))
            return render(request, "targets/grid.html", context, status=422)
        return _save(request, params, subjects, cells, lines=lines)
    return render(request, "targets/grid.html", _grid_context(request, params, problem=problem), status=422)


# -- forecast, leaderboard, dashboard -------------------------------------------------------------------
@login_required
def forecast(request: AuthedRequest) -> HttpResponse:
    from guanxi.targets import forecast as data

    return render(request, "targets/forecast.html", data.context(request))


@login_required
def leaderboard(request: AuthedRequest) -> HttpResponse:
    from guanxi.targets import leaderboard as data

    return render(request, "targets/leaderboard.html", data.context(request))


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    from guanxi.targets import dashboards

    return render(request, "targets/dashboard.html", dashboards.context(request))


@login_required
def dashboard_export(request: AuthedRequest, key: str) -> HttpResponse:
    """One dashboard chart's table as XLSX, for the same period and scope as the page."""
    from guanxi.framework.dashboard import chart_workbook
    from guanxi.targets import dashboards

    chart = dashboards.chart(request, key)
    if chart is None:
        raise Http404(_("There is no such chart."))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(chart_workbook(chart), f"{key}-{stamp}.xlsx")
