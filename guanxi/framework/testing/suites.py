"""Generic test suites every entity inherits (test by inheritance, as in NetBox).

>>> class TestTagViews(EntityViewSuite):
...     model = Tag
...     url_prefix = "/tags/"
...     form_data = {"name": "VIP", "slug": "vip", "color": "red"}
...     edit_data = {"name": "VIP+", "slug": "vip", "color": "green"}
...
...     def make(self, n):
...         return Tag.objects.create(name=f"Tag {n}", slug=f"tag-{n}")

Every test checks the permission outcome for a persona *and* that nothing changed on a denial,
and that allowed writes are in the change log with the right actor and source. List pages have
their query count pinned: it must not grow with the number of rows.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from django.contrib.contenttypes.models import ContentType

from guanxi.framework.testing.fixtures import as_system


def perm(model: Any, action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def table_of(model: Any) -> Any:
    """The list table of ``model``'s registered pages (None when it has none)."""
    from guanxi.framework.entities import entity_for

    entity = entity_for(model)
    return getattr(entity.views, "table", None) if entity is not None and entity.views is not None else None


def row_label(model: Any, obj: Any) -> tuple[str, ...]:
    """What identifies ``obj``'s row in its list and export: the table's ``Meta.list_label``
    (``guanxi.framework.tables.list_label``), by default ``str(obj)``."""
    from guanxi.framework.tables import list_label

    return list_label(table_of(model), obj)


def page_shows(html: str, parts: tuple[str, ...]) -> bool:
    """Whether one ``<tr>`` of a list page (or the page, when it has no table rows) holds every part."""
    from django.utils.html import escape

    return any(all(part in row or escape(part) in row for part in parts) for row in html.split("<tr"))


def csv_shows(body: str, parts: tuple[str, ...]) -> bool:
    """Whether one line of a CSV export holds every part, each inside one cell."""
    import csv
    import io

    return any(
        all(any(part in cell for cell in row) for part in parts) for row in csv.reader(io.StringIO(body))
    )


def snapshot(model: Any) -> list[tuple[Any, ...]]:
    """Every row of ``model`` as a tuple of its concrete field values, for "nothing changed" checks."""
    names = [f.attname for f in model._meta.concrete_fields]
    return list(model._default_manager.order_by("pk").values_list(*names))


@pytest.mark.django_db
class EntityViewSuite:
    """List, detail, create, edit, delete, bulk edit/delete, export and history through the UI."""

    # Further permissions the create/edit tests' editor needs: viewing the records the form
    # refers to (pickers offer only what the user may view), e.g. ("products.view_product",).
    editor_perms: ClassVar[tuple[str, ...]] = ()

    model: ClassVar[Any]
    url_prefix: ClassVar[str]
    form_data: ClassVar[dict[str, Any]] = {}
    edit_data: ClassVar[dict[str, Any]] = {}
    bulk_edit_data: ClassVar[dict[str, Any]] = {}
    list_query_budget: ClassVar[int] = 14

    def make(self, n: int) -> Any:
        raise NotImplementedError

    def create_rows(self, count: int) -> list[Any]:
        with as_system():
            return [self.make(n) for n in range(count)]

    def changes(self, obj: Any, action: str) -> Any:
        from guanxi.core.models import ObjectChange

        return ObjectChange.objects.filter(
            changed_object_type=ContentType.objects.get_for_model(self.model),
            changed_object_id=obj.pk,
            action=action,
        )

    # --- reading ---------------------------------------------------------------------------

    def test_anonymous_is_sent_to_login(self, client: Any) -> None:
        obj = self.create_rows(1)[0]
        for url in (self.url_prefix, f"{self.url_prefix}{obj.pk}/", f"{self.url_prefix}add/"):
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith("/login/")

    def test_inactive_user_is_treated_as_anonymous(self, client: Any, inactive_user: Any) -> None:
        client.force_login(inactive_user)
        assert client.get(self.url_prefix).status_code == 302

    def test_list_needs_view_permission(self, client: Any, make_user: Any) -> None:
        client.force_login(make_user("nobody"))
        assert client.get(self.url_prefix).status_code == 403

    def test_list_and_detail_for_viewer(self, client: Any, make_user: Any) -> None:
        rows = self.create_rows(3)
        client.force_login(make_user("viewer", perms=[perm(self.model, "view")]))
        page = client.get(self.url_prefix).content.decode()
        for row in rows:  # each row's label (``Meta.list_label``) in one row of the list
            assert page_shows(page, row_label(self.model, row)), row_label(self.model, row)
        detail = client.get(f"{self.url_prefix}{rows[0].pk}/")
        assert detail.status_code == 200
        assert str(rows[0]) in detail.content.decode()
        # a viewer is offered neither edit nor delete
        assert f"{self.url_prefix}{rows[0].pk}/edit/" not in detail.content.decode()

    def test_list_query_count_does_not_grow_with_rows(
        self, client: Any, admin_user: Any, django_assert_max_num_queries: Any
    ) -> None:
        self.create_rows(3)
        client.force_login(admin_user)
        client.get(self.url_prefix)  # warm caches (content types, custom field definitions)
        with django_assert_max_num_queries(self.list_query_budget):
            assert client.get(self.url_prefix).status_code == 200
        self.create_rows_more(30)
        with django_assert_max_num_queries(self.list_query_budget):
            assert client.get(self.url_prefix).status_code == 200

    def create_rows_more(self, count: int) -> None:
        with as_system():
            for n in range(100, 100 + count):
                self.make(n)

    def test_missing_row_is_404(self, admin_client: Any) -> None:
        assert admin_client.get(f"{self.url_prefix}999999/").status_code == 404

    def test_htmx_list_returns_the_results_partial(self, admin_client: Any) -> None:
        self.create_rows(2)
        response = admin_client.get(
            self.url_prefix, headers={"HX-Request": "true", "HX-Target": "list-results"}
        )
        body = response.content.decode()
        assert response.status_code == 200
        assert body.lstrip().startswith('<div id="list-results"')
        assert "<html" not in body

    # --- writing ---------------------------------------------------------------------------

    def test_create_writes_row_and_change_log(self, client: Any, make_user: Any) -> None:
        user = make_user(
            "editor", perms=[*(perm(self.model, a) for a in ("view", "add")), *self.editor_perms]
        )
        client.force_login(user)
        response = client.post(f"{self.url_prefix}add/", self.form_data)
        assert response.status_code == 302, response.content.decode()[:2000]
        obj = self.model.objects.latest("pk")
        change = self.changes(obj, "create").get()
        assert change.user == user
        assert change.source == "web"
        assert obj.created_by == user

    def test_create_denied_without_add_permission(self, client: Any, make_user: Any) -> None:
        before = snapshot(self.model)
        client.force_login(make_user("viewer", perms=[perm(self.model, "view")]))
        assert client.post(f"{self.url_prefix}add/", self.form_data).status_code == 403
        assert snapshot(self.model) == before

    def test_edit_writes_diff(self, client: Any, make_user: Any) -> None:
        obj = self.create_rows(1)[0]
        user = make_user(
            "editor", perms=[*(perm(self.model, a) for a in ("view", "change")), *self.editor_perms]
        )
        client.force_login(user)
        response = client.post(f"{self.url_prefix}{obj.pk}/edit/", self.edit_data)
        assert response.status_code == 302, response.content.decode()[:2000]
        updates = list(self.changes(obj, "update"))
        assert updates and all(c.user == user and c.source == "web" for c in updates)
        for change in updates:  # only changed fields are stored, before and after
            assert change.postchange_data
            assert set(change.postchange_data) == set(change.prechange_data)

    def test_edit_denied_changes_nothing(self, client: Any, make_user: Any) -> None:
        obj = self.create_rows(1)[0]
        before = snapshot(self.model)
        client.force_login(make_user("viewer", perms=[perm(self.model, "view")]))
        assert client.post(f"{self.url_prefix}{obj.pk}/edit/", self.edit_data).status_code == 403
        assert snapshot(self.model) == before

    def test_invalid_form_shows_errors_and_saves_nothing(self, admin_client: Any) -> None:
        before = snapshot(self.model)
        response = admin_client.post(f"{self.url_prefix}add/", {})
        assert response.status_code == 200
        assert "field-error" in response.content.decode()
        assert snapshot(self.model) == before

    def test_delete_then_history_is_kept(self, client: Any, make_user: Any) -> None:
        obj = self.create_rows(1)[0]
        client.force_login(make_user("deleter", perms=[perm(self.model, a) for a in ("view", "delete")]))
        assert client.get(f"{self.url_prefix}{obj.pk}/delete/").status_code == 200
        assert client.post(f"{self.url_prefix}{obj.pk}/delete/").status_code == 302
        assert not self.model.objects.filter(pk=obj.pk).exists()
        assert self.changes(obj, "delete").count() == 1

    def test_delete_denied_changes_nothing(self, client: Any, make_user: Any) -> None:
        obj = self.create_rows(1)[0]
        before = snapshot(self.model)
        client.force_login(make_user("viewer", perms=[perm(self.model, "view")]))
        assert client.post(f"{self.url_prefix}{obj.pk}/delete/").status_code == 403
        assert snapshot(self.model) == before

    def test_bulk_edit_is_atomic_and_logged(self, admin_client: Any) -> None:
        assert self.bulk_edit_data, "declare bulk_edit_data: one bulk-editable field and its new value"
        rows = self.create_rows(3)
        data = {"pk": [r.pk for r in rows], "_apply": "1", **self.bulk_edit_data}
        assert admin_client.post(f"{self.url_prefix}bulk-edit/", data).status_code == 302
        for row in rows:
            row.refresh_from_db()
            for field, value in self.bulk_edit_data.items():
                assert str(getattr(row, field)) == str(value)
            assert self.changes(row, "update").count() == 1

    def test_bulk_delete_needs_confirmation(self, admin_client: Any) -> None:
        rows = self.create_rows(2)
        pks = [r.pk for r in rows]
        response = admin_client.post(f"{self.url_prefix}bulk-delete/", {"pk": pks})
        assert response.status_code == 200  # the confirmation page
        assert self.model.objects.filter(pk__in=pks).count() == 2
        admin_client.post(f"{self.url_prefix}bulk-delete/", {"pk": pks, "_confirm": "1"})
        assert self.model.objects.filter(pk__in=pks).count() == 0

    def test_export_csv_is_audited(self, admin_client: Any) -> None:
        from guanxi.core.models import AuditEvent

        rows = self.create_rows(2)
        response = admin_client.get(f"{self.url_prefix}?export=csv")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        body = response.getvalue().decode("utf-8-sig")
        assert csv_shows(body, row_label(self.model, rows[0])), row_label(self.model, rows[0])
        assert "<a " not in body and "<span" not in body
        event = AuditEvent.objects.get(event="export")
        assert event.detail["rows"] == 2

    def test_history_tab_lists_the_change(self, admin_client: Any) -> None:
        obj = self.create_rows(1)[0]
        page = admin_client.get(f"{self.url_prefix}{obj.pk}/history/")
        assert page.status_code == 200
        assert "history-entry" in page.content.decode()
        partial = admin_client.get(f"{self.url_prefix}{obj.pk}/timeline/", headers={"HX-Request": "true"})
        assert partial.status_code == 200
        assert "timeline-entry" in partial.content.decode()
