from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    """The approval engine (审批): flows per document type and transition, requests, steps, actions.

    Modules only *declare* their flows (``guanxi.approvals.declare.declare_flow``); the engine
    installs itself as the state machines' approval handler, locks documents under approval through
    the write path's guard, opens them read-only to their approvers through the access layer and
    adds a card, a timeline source, lists, notifications and a deadline schedule.
    """

    name = "guanxi.approvals"
    label = "approvals"
    verbose_name = _("Approvals")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate
        from django.utils.module_loading import autodiscover_modules

        from guanxi.approvals import access, cards, declare, menu, services, timeline  # noqa: F401
        from guanxi.framework.statemachine import set_approval_handler

        set_approval_handler(services.submit_for_approval)
        access.install()
        autodiscover_modules("approvals")  # each app's approvals.py declares its flows
        post_migrate.connect(declare.install_declared_flows, dispatch_uid="guanxi-approvals-declared-flows")
