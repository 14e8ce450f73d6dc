"""Models of leads: the lead itself, web forms (capture) and assignment rules."""

from guanxi.customers.leads.models.capture import AssignmentRule, LeadCaptureForm
from guanxi.customers.leads.models.lead import Lead

__all__ = ["AssignmentRule", "Lead", "LeadCaptureForm"]
