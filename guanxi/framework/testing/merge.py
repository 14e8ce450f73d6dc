"""The merge suite every entity declaring ``merge=Merge()`` inherits; the conformance test
(``guanxi/framework/tests/test_conformance.py``) fails for such an entity without one.

>>> class TestContactMerge(MergeSuite):
...     model = Contact
...     url_prefix = "/contacts/"
...
...     def make(self, n):
...         return Contact.objects.create(name=f"联系人{n}")
...
...     def make_related(self, obj):
...         return [FollowUp.objects.create(target=obj, content="电话")]

Merge through the API → the related rows (``make_related``) point at the survivor, the other is
in the recycle bin and restorable; through the page → the survivor's page; a denial (no
``delete``) and a stale version change nothing.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from django.contrib.contenttypes.models import ContentType

from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.suites import perm, snapshot


@pytest.mark.django_db
class MergeSuite:
    """Merge two records of one entity type (``guanxi.framework.merging``)."""

    model: ClassVar[Any]
    url_prefix: ClassVar[str]

    def make(self, n: int) -> Any:
        raise NotImplementedError

    def make_related(self, obj: Any) -> list[Any]:
        """Rows that belong to ``obj`` and must move to the survivor."""
        return []

    # --- helpers ---------------------------------------------------------------------------
    def api_url(self) -> str:
        from guanxi.framework.entities import api_name, entity_for

        entity = entity_for(self.model)
        assert entity is not None
        return f"/api/v1/{entity.app_label}/{api_name(entity)}/merge/"

    @staticmethod
    def points_at(row: Any, obj: Any) -> bool:
        """Whether ``row`` (re-read) refers to ``obj`` through any relation the engine moves."""
        from guanxi.framework.merging import relations

        fresh = type(row)._base_manager.get(pk=row.pk)
        ct = ContentType.objects.get_for_model(type(obj))
        for relation in relations(type(obj)):
            if relation.model is not type(row):
                continue
            attname = getattr(type(row)._meta.get_field(relation.field), "attname", relation.field)
            same_type = relation.kind != "generic" or getattr(fresh, f"{relation.ct_field}_id") == ct.pk
            if same_type and getattr(fresh, attname) == obj.pk:
                return True
        return False

    # --- tests -----------------------------------------------------------------------------
    def test_api_merge_moves_the_related_rows_and_bins_the_other(self, admin_client: Any) -> None:
        from guanxi.recyclebin.models import RecycleBinEntry

        with as_system():
            keep, other = self.make(0), self.make(1)
            related = self.make_related(other)
        other_pk = other.pk
        response = admin_client.post(
            self.api_url(), {"survivor": keep.pk, "others": [other_pk]}, content_type="application/json"
        )
        assert response.status_code == 200, response.content
        assert response.json()["merged"] == [{"id": other_pk, "display": str(other)}]
        assert sum(response.json()["moved"].values()) == len(related)
        for row in related:
            assert self.points_at(row, keep), (type(row), row.pk)
        assert not self.model._default_manager.filter(pk=other_pk).exists()
        ct = ContentType.objects.get_for_model(self.model)
        assert RecycleBinEntry.objects.filter(content_type=ct, object_id=other_pk).exists()

    def test_page_merge_opens_the_survivor(self, admin_client: Any) -> None:
        with as_system():
            keep, other = self.make(0), self.make(1)
        url = f"{self.url_prefix}merge/"
        assert admin_client.get(url, {"ids": [keep.pk, other.pk]}).status_code == 200
        response = admin_client.post(url, {"ids": [keep.pk, other.pk], "survivor": keep.pk, "_confirm": "1"})
        assert response.status_code == 302
        assert response["Location"] == keep.get_absolute_url()
        assert not self.model._default_manager.filter(pk=other.pk).exists()

    def test_a_denied_merge_changes_nothing(self, client: Any, make_user: Any) -> None:
        with as_system():
            keep, other = self.make(0), self.make(1)
            self.make_related(other)
        before = snapshot(self.model)
        user = make_user("merger", perms=[perm(self.model, "view"), perm(self.model, "change")])
        client.force_login(user)
        url = f"{self.url_prefix}merge/"
        assert client.get(url, {"ids": [keep.pk, other.pk]}).status_code == 403
        response = client.post(
            self.api_url(), {"survivor": keep.pk, "others": [other.pk]}, content_type="application/json"
        )
        assert response.status_code == 403
        assert snapshot(self.model) == before

    def test_a_stale_version_is_409(self, admin_client: Any) -> None:
        from guanxi.framework.context import actor_context
        from guanxi.framework.write import version_of

        with as_system():
            keep, other = self.make(0), self.make(1)
        seen = version_of(other)
        with actor_context(None):
            type(other)._default_manager.filter(pk=other.pk).update(
                updated_at=other.updated_at.replace(year=2030)
            )
        before = snapshot(self.model)
        response = admin_client.post(
            self.api_url(),
            {"survivor": keep.pk, "others": [other.pk], "versions": {str(other.pk): seen}},
            content_type="application/json",
        )
        assert response.status_code == 409
        assert snapshot(self.model) == before
