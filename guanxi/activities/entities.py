"""Follow-ups (跟进记录) and tasks (待办).

Reps see their own follow-ups and tasks; managers and directors their department tree. A record's
timeline shows every follow-up and task of the record to whoever may view the record — these
grants govern the list pages, the API and editing.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.activities.api.views import FollowUpViewSet, TaskViewSet
from guanxi.activities.choices import TaskStatus
from guanxi.activities.models import FollowUp, Task
from guanxi.activities.views import FollowUpViews, TaskViews
from guanxi.framework.entities import EntityType, Grant, MenuEntry, Transfer, register_entity
from guanxi.users.default_roles import ALL_ACTIONS

GRANTS = {
    "admin": Grant(ALL_ACTIONS, "all"),
    "sales_director": Grant(["view", "add", "change", "delete", "export", "assign"], "department_tree"),
    "sales_manager": Grant(["view", "add", "change", "export", "assign"], "department_tree"),
    "sales_rep": Grant(["view", "add", "change"], "own"),
    "service_agent": Grant(["view", "add", "change"], "own"),  # agents log service calls and their own to-dos
    "marketing": Grant(["view", "add", "change"], "own"),
    "read_only": Grant(["view", "export"], "all"),
}

register_entity(
    EntityType(
        model=FollowUp,
        views=FollowUpViews,
        viewset=FollowUpViewSet,
        api_name="follow-ups",
        search=(("content", 60), ("next_step", 40), ("place", 30)),
        menu=MenuEntry("activities", _("Follow-ups"), icon="message-2", weight=10),
        grants=GRANTS,
    )
)
register_entity(
    EntityType(
        model=Task,
        views=TaskViews,
        viewset=TaskViewSet,
        api_name="tasks",
        search=(("title", 80), ("description", 40)),
        menu=MenuEntry("activities", pgettext_lazy("activity", "Tasks"), icon="checkbox", weight=30),
        grants=GRANTS,
        # A leaving colleague's open tasks go with their records; done tasks stay theirs (history).
        transfer=Transfer(_("tasks"), open_filter=Q(status=TaskStatus.OPEN)),
    )
)
