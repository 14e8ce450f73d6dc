from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    """Follow-ups (跟进记录), tasks (待办), reminders and the "My day" home page."""

    name = "guanxi.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        # menu entries, search indexes, timeline sources, cards, bulk actions, followable models
        # forms: the pickers' "activities.colleagues" source
        from guanxi.activities import cards, forms, menu, registry, search, timeline  # noqa: F401

        registry.register_defaults()

        from django.utils.translation import gettext_lazy as _

        from guanxi.activities.models import Task
        from guanxi.framework.bulkactions import register_bulk_action

        register_bulk_action(
            Task, _("Mark done"), "activities:task_bulk_done", icon="square-check", weight=10
        )

        from django.db.models import Q

        from guanxi.activities.choices import TaskStatus
        from guanxi.framework.transfer import register_transferable

        # A leaving colleague's open tasks go with their records; done tasks stay theirs (history).
        register_transferable(Task, _("tasks"), open_filter=Q(status=TaskStatus.OPEN))

        from guanxi.activities.roles import GRANTS, MODELS
        from guanxi.users.default_roles import register_module_grants

        register_module_grants("activities", MODELS, GRANTS)  # restored with the roles after a flush
