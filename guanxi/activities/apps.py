from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    """Follow-ups (跟进记录), tasks (待办), reminders and the "My day" home page."""

    name = "guanxi.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        # the menu group, timeline sources, cards, bulk actions (the entities: entities.py)
        from guanxi.activities import cards, menu, registry, timeline  # noqa: F401

        registry.register_defaults()

        from django.utils.translation import gettext_lazy as _

        from guanxi.activities.models import Task
        from guanxi.framework.bulkactions import register_bulk_action

        register_bulk_action(
            Task, _("Mark done"), "activities:task_bulk_done", icon="square-check", weight=10
        )
