"""An administrator builds a role in the roles editor (本部门 on gadgets, ``code`` masked), gives it
to a user, and that user then sees exactly their department's gadgets with masked codes — in both
languages."""

from __future__ import annotations

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.testapp.models import Gadget
from guanxi.users.models import Department, FieldRule, Role, RoleGrant, User
from tests.browser.conftest import LOCALE_EN, LOCALE_ZH, login, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def ours(language: str, text: str) -> str:
    with translation.override(language):
        return str(translation.gettext(text))


@pytest.mark.parametrize(("locale", "language"), [(LOCALE_ZH, "zh-hans"), (LOCALE_EN, "en")])
def test_department_role_with_a_masked_field(
    new_context, live_server, admin_user, make_user, locale, language
):
    with as_system():
        east = Department.objects.create(name="华东销售二部", name_en="East Sales 2")
        north = Department.objects.create(name="华北销售部", name_en="North Sales")
        colleague = User.objects.create_user(username="colleague", name="李雷", department=east)
        Gadget.objects.create(name="东区路由器", code="EA-1001", owner=colleague)
        Gadget.objects.create(name="东区交换机", code="EB-2002", owner=colleague)
        Gadget.objects.create(name="北区服务器", code="NC-3003", department=north)
    wang = make_user("wangfang", name="王芳", department=east)
    gadget_type = ContentType.objects.get_for_model(Gadget).pk

    admin = new_context(locale=locale).new_page()
    login(admin, live_server, "admin")

    # Organisation → Roles → New role
    admin.locator("#sidebar a.nav-link[href='/org/roles/']").click()
    admin.wait_for_url(f"{live_server.url}/org/roles/")
    admin.locator(".page-actions a.btn-primary[href='/org/roles/add/']").click()
    form = admin.locator("#role-form")
    form.locator("input[name=name]").fill("部门只读")
    form.locator("input[name=name_en]").fill("Department reader")
    form.locator("button[type=submit]").click()
    admin.wait_for_url(re.compile(r"/org/roles/\d+/$"))
    role = Role.objects.get(name="部门只读")

    # The roles editor: view on gadgets, scope 本部门, code masked.
    admin.locator(f"#role-grants a[href='/org/roles/{role.pk}/access/']").click()
    admin.wait_for_url(f"{live_server.url}/org/roles/{role.pk}/access/")
    matrix = admin.locator("#access-matrix")
    row = matrix.locator("tr[data-type='testapp.gadget']")
    row.locator(f"input[name=grant-{gadget_type}][value=view]").check()
    row.locator(f"select[name=scope-{gadget_type}]").select_option("department")
    admin.locator("#fields-testapp-gadget > summary").click()
    admin.locator(f"select[name=field-{gadget_type}-code]").select_option("masked")
    admin.locator("#role-access-form button[type=submit]").click()
    admin.wait_for_url(f"{live_server.url}/org/roles/{role.pk}/")
    settle(admin)
    assert list(RoleGrant.objects.filter(role=role).values_list("actions", "scope")) == [
        (["view"], "department")
    ]
    assert list(FieldRule.objects.filter(role=role).values_list("field_name", "access")) == [
        ("code", "masked")
    ]
    grants = admin.locator("#role-grants tbody tr")
    assert grants.count() == 1
    assert grants.locator("td").nth(2).inner_text().strip() == ours(language, "Own department (本部门)")

    # Give the role to 王芳 on her user page.
    admin.goto(f"{live_server.url}/org/users/{wang.pk}/edit/")
    admin.locator("#user-form select[name=roles]").select_option([str(role.pk)])
    admin.locator("#user-form button[type=submit]").click()
    admin.wait_for_url(f"{live_server.url}/org/users/{wang.pk}/")
    settle(admin)
    assert list(User.objects.get(pk=wang.pk).roles.all()) == [role]
    assert admin.locator("#user-roles .badge").inner_text() == (
        "Department reader" if language == "en" else "部门只读"
    )

    # 王芳 signs in: her department's two gadgets, codes masked; nothing from 华北.
    page = new_context(locale=locale).new_page()
    login(page, live_server, "wangfang")
    page.goto(f"{live_server.url}/test/gadgets/")
    headers = [h.strip().lower() for h in page.locator("#list-results thead th").all_inner_texts()]
    name_column, code_column = headers.index("name"), headers.index("code")
    rows = page.locator("#list-results tbody tr")
    assert rows.count() == 2
    seen = {
        rows.nth(i).locator("td").nth(name_column).inner_text().strip(): rows.nth(i)
        .locator("td")
        .nth(code_column)
        .inner_text()
        .strip()
        for i in range(2)
    }
    assert seen == {"东区交换机": "E***2", "东区路由器": "E***1"}
    body = page.locator("main").inner_text()
    assert "北区服务器" not in body and "EA-1001" not in body
    # Its page is not found for her either (asked outside the page: a 404 would log a console error).
    north_gadget = Gadget.objects.get(code="NC-3003")
    assert page.request.get(f"{live_server.url}/test/gadgets/{north_gadget.pk}/").status == 404
