"""Saved views: their stored query strings become condition trees.

Each view's ``params["filters"]`` (list filter parameters) is converted through its list's
FilterSet (``guanxi.framework.conditions.filters.params_to_tree``); a parameter that cannot be
converted is kept in ``needs_attention`` with the reason, shown on the list — never dropped.
The converter reads the current code's FilterSets and field catalogue: that is the mapping the
stored parameters were written against. A separate migration drops ``params`` afterwards (on
PostgreSQL a table cannot be altered in the transaction that updated its rows).
"""

from django.db import migrations

PER_PAGE = (25, 50, 100, 200)


def forwards(apps, schema_editor):
    from django.apps import apps as global_apps

    from guanxi.framework.conditions.filters import params_to_tree

    SavedView = apps.get_model("core", "SavedView")
    ContentType = apps.get_model("contenttypes", "ContentType")
    models_by_ct = {}
    for ct in ContentType.objects.all():
        try:
            models_by_ct[ct.pk] = global_apps.get_model(ct.app_label, ct.model)
        except LookupError:
            models_by_ct[ct.pk] = None
    for view in SavedView.objects.all():
        params = view.params or {}
        filters = dict(params.get("filters") or {})
        model = models_by_ct.get(view.content_type_id)
        search = filters.pop("q", [""])
        view.search = (search[0] if isinstance(search, list) and search else str(search or ""))[:200]
        if model is None:
            tree = {"version": 1, "all": []}
            attention = [
                {"param": k, "values": v if isinstance(v, list) else [v], "reason": "unknown_list", "detail": ""}
                for k, v in filters.items()
            ]
        else:
            tree, attention = params_to_tree(model, filters)
        view.condition = tree
        view.needs_attention = attention
        view.columns = [c for c in params.get("columns") or [] if isinstance(c, str)]
        view.ordering = str(params.get("sort") or "")[:100]
        per_page = params.get("per_page")
        view.per_page = per_page if per_page in PER_PAGE else None
        view.save(update_fields=["condition", "needs_attention", "columns", "ordering", "per_page", "search"])


def backwards(apps, schema_editor):
    """Back to query parameters for what maps one to one (the tree's plain leaves)."""
    SavedView = apps.get_model("core", "SavedView")
    for view in SavedView.objects.all():
        filters = {}
        for node in (view.condition or {}).get("all", []):
            if isinstance(node, dict) and "field" in node and "." not in node["field"]:
                value = node.get("value")
                filters[node["field"]] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        for item in view.needs_attention or []:
            filters[item["param"]] = item["values"]
        if view.search:
            filters["q"] = [view.search]
        view.params = {"filters": filters, "columns": view.columns, "sort": view.ordering, "per_page": view.per_page}
        view.save(update_fields=["params"])


class Migration(migrations.Migration):
    dependencies = [("core", "0008_savedview_conditions")]

    operations = [migrations.RunPython(forwards, backwards)]
