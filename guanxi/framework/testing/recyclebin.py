"""The recycle-bin suite every business entity (``PrimaryModel``) inherits; the conformance test
(``guanxi/framework/tests/test_conformance.py``) fails for an entity without one.

>>> class TestSupplierRecycleBin(RecycleBinSuite):
...     model = Supplier
...     url_prefix = "/suppliers/"
...
...     def make(self, n):
...         return Supplier.objects.create(name=f"供应商{n}")

Delete through the page → gone from the list, the detail page (404), the API (404) and search →
in the bin → restore → back with the same values, its related rows (``make_related``) and its
search keys; a refused restore or purge changes nothing; a purge removes the entry for good.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from django.contrib.contenttypes.models import ContentType

from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.suites import perm, snapshot


@pytest.mark.django_db
class RecycleBinSuite:
    """Delete into the recycle bin and restore, for one entity type."""

    model: ClassVar[Any]
    url_prefix: ClassVar[str]

    def make(self, n: int) -> Any:
        raise NotImplementedError

    def make_related(self, obj: Any) -> list[Any]:
        """Rows that hang from ``obj`` and go (or are unlinked) with it; they must come back."""
        return []

    # --- helpers ---------------------------------------------------------------------------
    def api_url(self, obj: Any) -> str:
        from guanxi.framework.entities import api_name, entity_for

        entity = entity_for(self.model)
        assert entity is not None
        return f"/api/v1/{entity.app_label}/{api_name(entity)}/{obj.pk}/"

    def keys(self, pk: Any) -> list[tuple[str, str]]:
        from guanxi.core.models import SearchEntry

        ct = ContentType.objects.get_for_model(self.model)
        return sorted(SearchEntry.objects.filter(content_type=ct, object_id=pk).values_list("field", "value"))

    def entry(self, pk: Any) -> Any:
        from guanxi.recyclebin.models import RecycleBinEntry

        ct = ContentType.objects.get_for_model(self.model)
        return RecycleBinEntry.objects.get(content_type=ct, object_id=pk)

    def deleted(self, client: Any) -> tuple[Any, list[Any], list[Any]]:
        """A row and its related rows, deleted through the page by ``client``; returns the row,
        the related rows and the table's snapshot before the delete."""
        with as_system():
            obj = self.make(0)
            related = self.make_related(obj)
        before = snapshot(self.model)
        assert client.post(f"{self.url_prefix}{obj.pk}/delete/").status_code == 302
        return obj, related, before

    # --- tests -----------------------------------------------------------------------------
    def test_delete_goes_to_the_bin_and_restore_brings_it_back(self, admin_client: Any) -> None:
        from guanxi.core.models import ObjectChange

        with as_system():
            obj = self.make(0)
            related = self.make_related(obj)
        before = snapshot(self.model)
        keys = self.keys(obj.pk)
        assert keys, "the entity indexes search keys"
        related_before = [(type(r), r.pk) for r in related]
        assert admin_client.get(self.api_url(obj)).status_code == 200

        assert admin_client.post(f"{self.url_prefix}{obj.pk}/delete/").status_code == 302
        assert admin_client.get(f"{self.url_prefix}{obj.pk}/").status_code == 404
        assert admin_client.get(self.api_url(obj)).status_code == 404
        assert not self.model._default_manager.filter(pk=obj.pk).exists()
        assert self.keys(obj.pk) == []
        entry = self.entry(obj.pk)
        page = admin_client.get("/settings/recycle-bin/").content.decode()
        assert f'id="recyclebin-entry-{entry.pk}"' in page

        response = admin_client.post(f"/settings/recycle-bin/{entry.pk}/restore/")
        assert response.status_code == 302
        assert snapshot(self.model) == before
        assert admin_client.get(f"{self.url_prefix}{obj.pk}/").status_code == 200
        assert admin_client.get(self.api_url(obj)).status_code == 200
        assert self.keys(obj.pk) == keys
        for model, pk in related_before:
            assert model._default_manager.filter(pk=pk).exists(), (model, pk)
        restored = ObjectChange.objects.get(
            changed_object_type=ContentType.objects.get_for_model(self.model),
            changed_object_id=obj.pk,
            action="create",
            source="restore",
        )
        assert restored.user is not None

    def test_api_delete_goes_to_the_bin(self, admin_client: Any) -> None:
        with as_system():
            obj = self.make(0)
        assert admin_client.delete(self.api_url(obj)).status_code == 204
        assert self.entry(obj.pk).object_repr == str(obj)[:200]

    def test_restore_refused_changes_nothing(self, admin_client: Any, client: Any, make_user: Any) -> None:
        from guanxi.recyclebin.models import RecycleBinEntry

        obj, _related, _before = self.deleted(admin_client)
        entry = self.entry(obj.pk)
        client.force_login(make_user("viewer", perms=[perm(self.model, "view")]))
        assert client.post(f"/settings/recycle-bin/{entry.pk}/restore/").status_code == 404
        assert client.post(f"/settings/recycle-bin/{entry.pk}/purge/").status_code == 403
        assert RecycleBinEntry.objects.filter(pk=entry.pk).exists()
        assert not self.model._default_manager.filter(pk=obj.pk).exists()
        assert (
            f'id="recyclebin-entry-{entry.pk}"' not in client.get("/settings/recycle-bin/").content.decode()
        )

    def test_purge_removes_it_for_good(self, admin_client: Any) -> None:
        from guanxi.recyclebin.models import RecycleBinEntry

        obj, _related, _before = self.deleted(admin_client)
        entry = self.entry(obj.pk)
        assert admin_client.post(f"/settings/recycle-bin/{entry.pk}/purge/").status_code == 302
        assert not RecycleBinEntry.objects.filter(pk=entry.pk).exists()
        assert admin_client.post(f"/settings/recycle-bin/{entry.pk}/restore/").status_code == 404
        assert not self.model._default_manager.filter(pk=obj.pk).exists()
        assert self.keys(obj.pk) == []
