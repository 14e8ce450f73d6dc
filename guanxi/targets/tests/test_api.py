"""The targets API: the grid's rule over the REST API (a target for a department or person outside
the writer's tree is a 403 naming it, nothing written), the list filters, create / update /
delete through the write path (change log), and ``PUT …/grid/`` (the year × people table)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from rest_framework.test import APIClient

from guanxi.core.models import ObjectChange
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.suites import snapshot
from guanxi.targets.models import Target
from guanxi.targets.tests.conftest import YEAR

URL = "/api/v1/targets/targets/"


def _api(user, language: str = "en") -> APIClient:
    from guanxi.framework.testing.scopes import give_role
    from guanxi.users.models import Department, Role, User

    for model in (User, Department):  # whom a target may be for: every role reads people
        name = f"{user.username}-{model._meta.model_name}-ref"
        if not Role.objects.filter(name=name).exists():
            give_role(user, model, "all", ["view"], name=name)
    client = APIClient()
    client.force_authenticate(user)
    client.credentials(HTTP_ACCEPT_LANGUAGE=language)
    return client


def _target(subject, period="m01", amount="1000.00", measure="signed") -> Target:
    with as_system():
        if hasattr(subject, "username"):
            return Target.objects.create(
                user=subject, department=subject.department, measure=measure, year=YEAR,
                period=period, amount=Decimal(amount),
            )  # fmt: skip
        return Target.objects.create(
            department=subject, measure=measure, year=YEAR, period=period, amount=Decimal(amount)
        )


def test_a_manager_sets_a_reps_target_and_the_change_log_has_it(org):
    api = _api(org.manager1)
    body = {"user": org.rep1.pk, "measure": "signed", "year": YEAR, "period": "m03", "amount": "50000"}
    created = api.post(URL, body, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["department"]["id"] == org.east1.pk  # the user's department, as on the grid
    assert (data["measure"], data["period"], data["amount"]) == ("signed", "m03", "50000.00")
    target = Target.objects.get()
    changes = ObjectChange.objects.filter(
        changed_object_type=ContentType.objects.get_for_model(Target), changed_object_id=target.pk
    )
    assert changes.filter(action="create", user=org.manager1).exists()
    updated = api.patch(f"{URL}{target.pk}/", {"amount": "60000"}, format="json")
    assert updated.status_code == 200 and updated.json()["amount"] == "60000.00"
    assert changes.filter(action="update").exists()
    assert api.delete(f"{URL}{target.pk}/").status_code == 204
    assert not Target.objects.exists()


def test_a_target_outside_the_managers_tree_is_refused_with_the_grids_message(org):
    before = snapshot(Target)
    api = _api(org.manager1)
    for body in (
        {"user": org.rep2.pk, "measure": "signed", "year": YEAR, "period": "m01", "amount": "1"},
        {"department": org.east2.pk, "measure": "signed", "year": YEAR, "period": "m01", "amount": "1"},
        {"department": org.sales.pk, "measure": "signed", "year": YEAR, "period": "m01", "amount": "1"},
    ):
        refused = api.post(URL, body, format="json")
        assert refused.status_code == 403, refused.json()
        assert "outside the departments you manage" in refused.json()["detail"]
    assert snapshot(Target) == before
    theirs = _target(org.rep2)
    assert api.patch(f"{URL}{theirs.pk}/", {"amount": "9"}, format="json").status_code == 404
    assert api.delete(f"{URL}{theirs.pk}/").status_code == 404
    mine = _target(org.rep1, "m05")
    moved = api.patch(f"{URL}{mine.pk}/", {"user": org.rep2.pk}, format="json")
    assert moved.status_code == 403, moved.json()  # moving a target out of the tree: the same rule
    assert Target.objects.get(pk=mine.pk).user_id == org.rep1.pk


def test_a_rep_reads_their_own_targets_and_writes_none(org):
    mine, _theirs = _target(org.rep1), _target(org.rep1b)
    api = _api(org.rep1)
    listed = api.get(URL)
    assert [r["id"] for r in listed.json()["results"]] == [mine.pk]
    body = {"user": org.rep1.pk, "measure": "signed", "year": YEAR, "period": "m02", "amount": "1"}
    assert api.post(URL, body, format="json").status_code == 403
    assert api.patch(f"{URL}{mine.pk}/", {"amount": "1"}, format="json").status_code == 403


def test_bad_input_is_a_field_error_in_the_users_language(org):
    api = _api(org.manager1)
    base = {"user": org.rep1.pk, "year": YEAR, "period": "m01"}
    unknown = api.post(URL, {**base, "measure": "nope", "amount": "1"}, format="json")
    assert unknown.status_code == 400 and "measure" in unknown.json()["errors"]
    negative = api.post(URL, {**base, "measure": "signed", "amount": "-1"}, format="json")
    assert negative.status_code == 400 and "amount" in negative.json()["errors"]
    body = {**base, "measure": "new_customers", "amount": "1.5"}
    fraction = _api(org.manager1, "zh-hans").post(URL, body, format="json")
    assert fraction.status_code == 400
    assert fraction.json()["errors"]["amount"] == ["该指标按条数计算：请输入整数。"]
    nobody = api.post(URL, {"measure": "signed", "year": YEAR, "period": "m01", "amount": "1"}, format="json")
    assert nobody.status_code == 400 and "department" in nobody.json()["errors"]
    _target(org.rep1)
    twice = api.post(URL, {**base, "measure": "signed", "amount": "1"}, format="json")
    assert twice.status_code == 400
    assert twice.json()["errors"]["non_field_errors"] == [
        "This person already has a target of this measure for this period."
    ]
    assert Target.objects.count() == 1


def test_the_list_filters(org):
    a = _target(org.rep1, "m01", measure="signed")
    b = _target(org.rep1b, "m02", measure="received")
    c = _target(org.east1, "q1", measure="signed")
    api = _api(org.director)

    def ids(query: str) -> list[int]:
        response = api.get(f"{URL}?{query}")
        assert response.status_code == 200, response.json()
        return sorted(r["id"] for r in response.json()["results"])

    assert ids(f"year={YEAR}") == sorted([a.pk, b.pk, c.pk])
    assert ids("year=2001") == []
    assert ids("measure=signed") == sorted([a.pk, c.pk])
    assert ids("period=m01&period=m02") == sorted([a.pk, b.pk])
    assert ids(f"user={org.rep1b.pk}") == [b.pk]
    assert ids(f"department={org.east1.pk}") == sorted([a.pk, b.pk, c.pk])
    assert ids("subject=department") == [c.pk]
    assert ids("subject=user") == sorted([a.pk, b.pk])


def test_the_grid_endpoint_saves_a_year_of_people_all_or_nothing(org):
    api = _api(org.manager1)
    url = f"{URL}grid/"
    months = {f"m{m:02d}": "10000" for m in range(1, 13)}
    body = {
        "measure": "signed",
        "year": YEAR,
        "department": org.east1.pk,
        "cells": {f"u{org.rep1.pk}": months, f"u{org.rep1b.pk}": {"m01": "5000"}},
    }
    saved = api.put(url, body, format="json")
    assert saved.status_code == 200, saved.json()
    assert saved.json() == {"created": 13, "updated": 0, "deleted": 0}
    again = api.put(url, {**body, "cells": {f"u{org.rep1b.pk}": {"m01": "6000", "m02": ""}}}, format="json")
    assert again.json() == {"created": 0, "updated": 1, "deleted": 0}
    before = snapshot(Target)
    bad = api.put(url, {**body, "cells": {f"u{org.rep1.pk}": {"m01": "abc", "m02": "1"}}}, format="json")
    assert bad.status_code == 400 and f"cells.u{org.rep1.pk}:m01" in bad.json()["errors"]
    stranger = api.put(url, {**body, "cells": {f"u{org.rep2.pk}": {"m01": "1"}}}, format="json")
    assert stranger.status_code == 400 and f"cells.u{org.rep2.pk}" in stranger.json()["errors"]
    outside = api.put(url, {**body, "department": org.east2.pk}, format="json")
    assert outside.status_code == 403
    assert "outside the departments you manage" in outside.json()["detail"]
    assert _api(org.rep1).put(url, body, format="json").status_code == 403
    assert snapshot(Target) == before
