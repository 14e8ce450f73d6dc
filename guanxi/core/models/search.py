from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models


class SearchEntry(models.Model):
    """One normalised search key of one row (text, pinyin, initials or digits); see framework.search."""

    # No database constraint and no index of its own: a key is written for every indexed value of
    # every row (five to fifteen per customer), and each constraint check at commit and each
    # insert into a second B-tree cost more than the key itself in bulk writes. Keys of a deleted
    # content type still go (Django's collector cascades, as before), and ``searchentry_object``
    # starts with this column (core migration 0015).
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    object_id = models.BigIntegerField()
    field = models.CharField(max_length=60)
    value = models.CharField(max_length=200, db_index=True)
    display = models.CharField(max_length=200)
    weight = models.PositiveSmallIntegerField(default=50)

    class Meta:
        indexes = [models.Index(fields=["content_type", "object_id"], name="searchentry_object")]

    def __str__(self) -> str:
        return self.value
