from django.apps import AppConfig


class FrameworkConfig(AppConfig):
    """The framework layer as an app: templates, template tags and management commands, no models."""

    name = "guanxi.framework"
    label = "framework"
    verbose_name = "Guanxi framework"

    def ready(self) -> None:
        from django.apps import apps
        from django.db.models.signals import post_migrate

        from guanxi.framework import changes, merging, signals  # noqa: F401  (change capture; merge timeline)
        from guanxi.framework.entities import autodiscover

        autodiscover()  # every app's entities.py: the entity registry

        from guanxi.framework import measures

        measures.autodiscover()  # every app's measures.py: the numbers dashboards read

        from guanxi.framework.search import backfill_keys

        # once per migrate (post_migrate comes after all migrations ran), for the keys' own app
        core = apps.get_app_config("core")
        post_migrate.connect(backfill_keys, sender=core, dispatch_uid="guanxi_search_backfill")
