"""Feature models shared by every entity type, keyed by content type."""

from guanxi.core.models.attachments import Attachment
from guanxi.core.models.audit import AuditEvent, ObjectChange
from guanxi.core.models.choices import ChoiceOption
from guanxi.core.models.customfields import CustomField
from guanxi.core.models.events import Event, EventDelivery
from guanxi.core.models.jobs import Job, ScheduleState, WorkerHeartbeat
from guanxi.core.models.money import ExchangeRate
from guanxi.core.models.notifications import Notification
from guanxi.core.models.numbering import NumberSequence
from guanxi.core.models.search import SearchEntry
from guanxi.core.models.shares import RecordShare
from guanxi.core.models.tags import Tag, TaggedItem
from guanxi.core.models.transfers import OwnershipTransfer, OwnershipTransferItem
from guanxi.core.models.views import SavedView

__all__ = [
    "Attachment",
    "AuditEvent",
    "ChoiceOption",
    "CustomField",
    "Event",
    "EventDelivery",
    "ExchangeRate",
    "Job",
    "Notification",
    "NumberSequence",
    "ObjectChange",
    "OwnershipTransfer",
    "OwnershipTransferItem",
    "RecordShare",
    "SavedView",
    "ScheduleState",
    "SearchEntry",
    "Tag",
    "TaggedItem",
    "WorkerHeartbeat",
]
