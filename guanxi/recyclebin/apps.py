from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecycleBinConfig(AppConfig):
    """The recycle bin: every delete of a business record (a ``PrimaryModel``) through the write
    path keeps a snapshot of the rows it removes, for ``RECYCLE_BIN_DAYS`` days.

    The app installs itself as the write path's deleter (``guanxi.framework.write.register_deleter``),
    adds its page to the Settings menu and declares the nightly purge (``tasks.py``).
    """

    name = "guanxi.recyclebin"
    label = "recyclebin"
    verbose_name = _("Recycle bin")

    def ready(self) -> None:
        from guanxi.framework.write import register_deleter
        from guanxi.recyclebin import menu, services  # noqa: F401

        register_deleter(services.delete_rows, keeps=services.kept_days)
