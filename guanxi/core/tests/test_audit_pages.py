"""The global change log and the audit trail: administrators read them, nobody else does."""

import pytest

from guanxi.core.models import AuditEvent, ObjectChange, Tag
from guanxi.framework.testing.fixtures import as_system
from guanxi.users.models import Role

pytestmark = pytest.mark.django_db


def test_system_administrator_role_reads_the_change_log(client, make_user):
    with as_system():
        Tag.objects.create(name="VIP", slug="vip")
        it_admin = make_user("it")
        it_admin.roles.add(Role.objects.get(name="系统管理员"))
        AuditEvent.objects.create(username="rep1", event="login_failed", ip_address="10.0.0.8")
    client.force_login(it_admin)
    listing = client.get("/settings/change-log/?action=create", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "VIP" in listing
    change = ObjectChange.objects.get(object_repr="VIP")
    detail = client.get(f"/settings/change-log/{change.pk}/").content.decode()
    assert "VIP" in detail and "vip" in detail
    audit = client.get("/settings/audit/?event=login_failed").content.decode()
    assert "10.0.0.8" in audit
    home = client.get("/").content.decode()
    assert "/settings/change-log/" in home and "/settings/audit/" in home  # in the menu, via the role


def test_others_are_refused_and_see_no_menu_entry(client, make_user):
    with as_system():
        rep = make_user("rep")
        rep.roles.add(Role.objects.get(name="销售代表"))
    client.force_login(rep)
    assert client.get("/settings/change-log/").status_code == 403
    assert client.get("/settings/audit/").status_code == 403
    assert "/settings/change-log/" not in client.get("/").content.decode()
