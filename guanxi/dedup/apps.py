from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DedupConfig(AppConfig):
    """Duplicate detection (查重): match rules per entity type, a background scan with blocking
    keys, the candidates queue (Settings → Duplicates) and the entry-time check.

    Merging the pairs found is not here (``guanxi.framework.merging``); the queue links to it.
    """

    name = "guanxi.dedup"
    label = "dedup"
    verbose_name = _("Duplicates")

    def ready(self) -> None:
        from guanxi.dedup import hooks, menu  # noqa: F401
