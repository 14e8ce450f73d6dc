from django.apps import AppConfig


class TestAppConfig(AppConfig):
    """A test-only app (installed under pytest) with one full PrimaryModel entity, ``Gadget``, so the
    framework's generic suites exercise owner, tags, attachments and custom fields before any
    business module exists. Like NetBox's dummy plugin; never installed in production."""

    name = "guanxi.framework.testing.testapp"
    label = "testapp"
