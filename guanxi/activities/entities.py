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
from guanxi.activities.services import subject_from_customer
from guanxi.activities.views import FollowUpViews, TaskViews
from guanxi.framework.entities import EntityType, Grant, MenuEntry, Transfer, register_entity
from guanxi.framework.importing import CUSTOMER_HEADERS, OWNER_HEADERS, ImportSpec
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

FOLLOW_UP_IMPORTS = ImportSpec(
    order=70,
    synonyms={
        "customer": CUSTOMER_HEADERS,
        "owner": (*OWNER_HEADERS, "记录人"),
        "kind": ("跟进方式", "方式", "类型", "跟进类型", "type"),
        "occurred_at": ("跟进时间", "跟进日期", "时间", "日期", "date", "time"),
        "content": ("跟进内容", "内容", "沟通内容", "记录", "notes"),
        "outcome": ("结果", "跟进结果", "result"),
        "next_step": ("下一步", "下一步计划"),
        "next_follow_up_at": ("下次跟进时间", "下次跟进", "下次联系时间", "next follow-up"),
        "place": ("地点", "拜访地点"),
    },
    extra=("customer",),
    prepare=subject_from_customer,
)

register_entity(
    EntityType(
        model=FollowUp,
        imports=FOLLOW_UP_IMPORTS,
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
