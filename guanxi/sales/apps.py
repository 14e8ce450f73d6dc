from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    """Pipelines, stages and deals (商机): the sale from the first contact to won or lost."""

    name = "guanxi.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        # menu, search, cards, row access (deal teams), choice lists, demo step
        from guanxi.sales import access, cards, choices, demo_data, lead_conversion, menu, search  # noqa: F401
        from guanxi.sales.roles import GRANTS, MODELS, REFERENCE_GRANTS, REFERENCE_MODELS
        from guanxi.users.default_roles import register_module_grants

        register_module_grants("sales", MODELS, GRANTS)
        register_module_grants("sales", REFERENCE_MODELS, REFERENCE_GRANTS)

        from django.db.models.signals import post_migrate

        # Until the entity registry applies default grants after migrate: give the shipped roles
        # theirs once (no grant data migration: the registry replaces this).
        post_migrate.connect(_grant_defaults, sender=self, dispatch_uid="guanxi-sales-grants")


def _grant_defaults(sender: object, **kwargs: object) -> None:
    from django.apps import apps

    from guanxi.framework.context import Source, actor_context
    from guanxi.sales.roles import GRANTS, MODELS, REFERENCE_GRANTS, REFERENCE_MODELS
    from guanxi.users.default_roles import apply_module_grants

    RoleGrant = apps.get_model("users", "RoleGrant")
    if RoleGrant.objects.filter(content_type__app_label="sales").exists():
        return  # applied once; administrators' edits stand
    with actor_context(None, source=Source.SYSTEM):
        apply_module_grants(apps, "sales", GRANTS, MODELS)
        apply_module_grants(apps, "sales", REFERENCE_GRANTS, REFERENCE_MODELS)
