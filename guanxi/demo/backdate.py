"""Back-dating demo rows: the bulk demo paths stamp every row "now", a real database has history.

``backdate_created(model, times)`` moves rows' ``created_at`` and the change-log "create" entries
written for them to the given moments, in bulk and without new history (nobody edited them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

BATCH = 500


def backdate_created(model: type[Any], times: dict[int, dt.datetime]) -> None:
    """Set ``created_at`` of ``model`` rows (by pk) and the time of their "create" entries."""
    from django.contrib.contenttypes.models import ContentType

    from guanxi.core.models import ObjectChange

    if not times:
        return
    rows = list(model.objects.filter(pk__in=list(times)).only("pk"))
    for row in rows:
        row.created_at = times[row.pk]
    model.objects.bulk_update(rows, ["created_at"], batch_size=BATCH)
    entries = list(
        ObjectChange.objects.filter(
            action="create",
            changed_object_type=ContentType.objects.get_for_model(model),
            changed_object_id__in=list(times),
        ).only("pk", "changed_object_id")
    )
    for entry in entries:
        entry.time = times[entry.changed_object_id]
    ObjectChange.objects.bulk_update(entries, ["time"], batch_size=BATCH)
