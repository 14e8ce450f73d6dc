"""The record team's API actions (``guanxi.framework.api.team``) exist exactly on the entities
whose records have a team (the Team card's rule, ``users.services.access.shareable``), and the
OpenAPI schema describes them. What they do is tested for every shareable entity by the
data-scope suite (``ScopeSuite.test_api_team_*``) and in scenarios on customers
(``guanxi/customers/tests/test_team_api.py``)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from guanxi.core.models import Tag
from guanxi.framework.api.team import TEAM_ROUTES
from guanxi.framework.entities import default_viewset, entity_types
from guanxi.framework.testing.fixtures import as_system
from guanxi.users.services.access import shareable

pytestmark = pytest.mark.django_db


def test_every_shareable_entity_routes_the_team_actions_and_no_other_entity_does():
    routed, shareables = set(), set()
    for entity in entity_types():
        if entity.serializer is None and entity.viewset is None:
            continue  # no API
        names = {extra.__name__ for extra in default_viewset(entity).get_extra_actions()}
        if names & set(TEAM_ROUTES):
            assert set(TEAM_ROUTES) <= names, entity.label
            routed.add(entity.label)
        if shareable(entity.model):
            shareables.add(entity.label)
    assert routed == shareables
    assert {"customers.customer", "customers.contact", "sales.deal", "customers.lead"} <= routed
    assert not {"sales.pipeline", "core.tag", "users.user", "targets.target"} & routed


def test_an_entity_without_a_team_has_no_team_routes(admin_user):
    from guanxi.framework.api.testing import token_client

    with as_system():
        tag = Tag.objects.create(name="VIP", slug="vip")
    api = token_client(admin_user)
    assert api.get(f"/api/v1/core/tags/{tag.pk}/").status_code == 200
    assert api.get(f"/api/v1/core/tags/{tag.pk}/team/").status_code == 404
    assert (
        api.post(f"/api/v1/core/tags/{tag.pk}/team/", {"user": admin_user.pk}, format="json").status_code
        == 404
    )
    assert api.delete(f"/api/v1/core/tags/{tag.pk}/team/{admin_user.pk}/").status_code == 404


def test_the_schema_describes_the_team_of_every_shareable_entity_only():
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    for prefix in ("/api/v1/customers/customers", "/api/v1/sales/deals"):
        team = paths[f"{prefix}/{{id}}/team/"]
        assert set(team) == {"get", "post"}
        listing = team["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert listing == {"type": "array", "items": {"$ref": "#/components/schemas/TeamMember"}}
        assert team["post"]["requestBody"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/TeamMemberInputRequest"
        }
        removal = paths[f"{prefix}/{{id}}/team/{{user_id}}/"]
        assert set(removal) == {"delete"}
        assert "200" in removal["delete"]["responses"]  # it answers the record, not a 204
    record = paths["/api/v1/customers/customers/{id}/team/{user_id}/"]["delete"]["responses"]["200"]
    assert record["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Customer"}
    assert set(schema["components"]["schemas"]["TeamMember"]["properties"]) == {
        "user",
        "access",
        "added_by",
        "added_at",
    }
    assert not [path for path in paths if path.startswith("/api/v1/core/tags/") and "team" in path]
    assert not [path for path in paths if path.startswith("/api/v1/sales/pipelines/") and "team" in path]
