from guanxi.approvals.models.flows import ApprovalFlow, ApproverKind, StepMode
from guanxi.approvals.models.requests import (
    ActionKind,
    ApprovalAction,
    ApprovalRequest,
    ApprovalStep,
    RequestStatus,
    StepStatus,
)

__all__ = [
    "ActionKind",
    "ApprovalAction",
    "ApprovalFlow",
    "ApprovalRequest",
    "ApprovalStep",
    "ApproverKind",
    "RequestStatus",
    "StepMode",
    "StepStatus",
]
