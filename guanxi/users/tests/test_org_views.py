"""Organisation pages: the generic suite for departments, users and roles, then the roles editor,
(de)activation, the department move through the form and the access explanation page."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from guanxi.core.models import Tag
from guanxi.framework.testing.fixtures import PASSWORD, as_system
from guanxi.framework.testing.suites import EntityViewSuite, snapshot
from guanxi.framework.testing.testapp.models import Gadget
from guanxi.users.models import Department, FieldRule, Role, RoleGrant, User


class TestDepartmentViews(EntityViewSuite):
    model = Department
    url_prefix = "/org/departments/"
    form_data = {"name": "华东销售部", "name_en": "East sales", "order": 10}
    edit_data = {"name": "华东销售一部", "name_en": "East sales 1", "order": 20}
    bulk_edit_data = {"order": 5}

    def make(self, n):
        return Department.objects.create(name=f"部门{n}")


class TestUserViews(EntityViewSuite):
    model = User
    url_prefix = "/org/users/"
    form_data = {"username": "wangfang", "name": "王芳", "email": "wf@example.com", "password": PASSWORD}
    edit_data = {"username": "wangfang2", "name": "王芳芳", "email": "wf@example.com"}
    bulk_edit_data = {"job_title": "销售代表"}

    def make(self, n):
        return User.objects.create_user(username=f"user{n}", name=f"员工{n}")

    # The suite's "nothing changed" checks snapshot the whole table; here the table also holds the
    # persona doing the request (created, then stamped with last_login by signing in), so these
    # compare every other row.
    def _others(self, persona):
        return [row for row in snapshot(User) if row[0] != persona.pk]

    def test_create_denied_without_add_permission(self, client, make_user):
        viewer = make_user("viewer", perms=["users.view_user"])
        before = self._others(viewer)
        client.force_login(viewer)
        assert client.post(f"{self.url_prefix}add/", self.form_data).status_code == 403
        assert self._others(viewer) == before

    def test_edit_denied_changes_nothing(self, client, make_user):
        obj = self.create_rows(1)[0]
        viewer = make_user("viewer", perms=["users.view_user"])
        before = self._others(viewer)
        client.force_login(viewer)
        assert client.post(f"{self.url_prefix}{obj.pk}/edit/", self.edit_data).status_code == 403
        assert self._others(viewer) == before

    def test_export_csv_is_audited(self, admin_client):
        from guanxi.core.models import AuditEvent

        self.create_rows(2)
        body = admin_client.get(f"{self.url_prefix}?export=csv").getvalue().decode("utf-8-sig")
        lines = body.splitlines()
        assert lines[1:] == ["admin,admin,,,,,启用", "员工0,user0,,,,,启用", "员工1,user1,,,,,启用"]
        assert AuditEvent.objects.get(event="export").detail["rows"] == 3  # the admin is a row too

    def test_delete_denied_changes_nothing(self, client, make_user):
        obj = self.create_rows(1)[0]
        viewer = make_user("viewer", perms=["users.view_user"])
        before = self._others(viewer)
        client.force_login(viewer)
        assert client.post(f"{self.url_prefix}{obj.pk}/delete/").status_code == 403
        assert self._others(viewer) == before


class TestRoleViews(EntityViewSuite):
    model = Role
    url_prefix = "/org/roles/"
    form_data = {"name": "区域经理", "name_en": "Area manager", "description": "管一个区域"}
    edit_data = {"name": "大区经理", "name_en": "Area manager", "description": "管一个大区"}
    bulk_edit_data = {"description": "默认"}

    def make(self, n):
        return Role.objects.create(name=f"角色{n}")

    def test_export_csv_is_audited(self, admin_client):
        """The shipped default roles are rows of the export too."""
        from guanxi.core.models import AuditEvent

        self.create_rows(2)
        body = admin_client.get(f"{self.url_prefix}?export=csv").getvalue().decode("utf-8-sig")
        assert "角色0" in body and "角色1" in body and "<span" not in body
        assert AuditEvent.objects.get(event="export").detail["rows"] == Role.objects.count()


pytestmark = pytest.mark.django_db


def ct(model):
    return ContentType.objects.get_for_model(model)


def test_new_user_gets_password_and_roles(admin_client):
    with as_system():
        role = Role.objects.create(name="一线销售")
        dept = Department.objects.create(name="华东")
    response = admin_client.post(
        "/org/users/add/",
        {
            "username": "lilei",
            "name": "李雷",
            "department": dept.pk,
            "roles": [role.pk],
            "password": PASSWORD,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="lilei")
    assert (user.department, list(user.roles.all()), user.check_password(PASSWORD)) == (dept, [role], True)


def test_user_without_password_cannot_sign_in(admin_client):
    admin_client.post("/org/users/add/", {"username": "nopass", "name": "无密码"})
    assert User.objects.get(username="nopass").has_usable_password() is False


def test_manager_loop_is_refused(admin_client):
    with as_system():
        boss = User.objects.create_user(username="boss")
        rep = User.objects.create_user(username="rep", manager=boss)
    response = admin_client.post(
        f"/org/users/{boss.pk}/edit/", {"username": "boss", "manager": rep.pk}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "report to themselves" in response.content.decode()
    boss.refresh_from_db()
    assert boss.manager is None


def test_deactivate_and_reactivate_from_the_user_page(admin_client, admin_user):
    with as_system():
        rep = User.objects.create_user(username="rep", name="张三")
        Tag.objects.create(name="x", slug="x")
    page = admin_client.get(f"/org/users/{rep.pk}/").content.decode()
    assert f"/org/users/{rep.pk}/deactivate/" in page
    assert admin_client.post(f"/org/users/{rep.pk}/deactivate/").status_code == 302
    rep.refresh_from_db()
    assert rep.is_active is False
    assert f"/org/users/{rep.pk}/reactivate/" in admin_client.get(f"/org/users/{rep.pk}/").content.decode()
    admin_client.post(f"/org/users/{rep.pk}/reactivate/")
    rep.refresh_from_db()
    assert rep.is_active is True
    # a GET never changes anything
    assert admin_client.get(f"/org/users/{rep.pk}/deactivate/").status_code == 405


def test_deactivation_needs_change_permission(client, make_user):
    with as_system():
        rep = User.objects.create_user(username="rep")
    client.force_login(make_user("viewer", perms=["users.view_user"]))
    assert client.post(f"/org/users/{rep.pk}/deactivate/").status_code == 403
    rep.refresh_from_db()
    assert rep.is_active is True


def test_changing_the_parent_in_the_form_moves_the_subtree(admin_client):
    with as_system():
        hq = Department.objects.create(name="总部")
        sales = Department.objects.create(name="销售", parent=hq)
        east = Department.objects.create(name="华东", parent=sales)
        service = Department.objects.create(name="客服", parent=hq)
    data = {"name": "销售", "parent": service.pk, "order": 100}
    assert admin_client.post(f"/org/departments/{sales.pk}/edit/", data).status_code == 302
    east.refresh_from_db()
    assert east.path == f"{hq.pk:06d}.{service.pk:06d}.{sales.pk:06d}.{east.pk:06d}."
    assert east.depth == 3
    # and back under its own child: refused on the parent input
    response = admin_client.post(
        f"/org/departments/{sales.pk}/edit/", {**data, "parent": east.pk}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "sub-departments" in response.content.decode()
    sales.refresh_from_db()
    assert sales.parent == service


def test_shipped_role_cannot_be_deleted(admin_client):
    with as_system():
        role = Role.objects.create(name="只读访客")
        Role.objects.filter(pk=role.pk).update(is_system=True)
    assert admin_client.post(f"/org/roles/{role.pk}/delete/").status_code == 302
    assert Role.objects.filter(pk=role.pk).exists()


# --- the roles editor ---------------------------------------------------------------------------


def test_matrix_lists_entity_types_actions_scopes_and_fields(admin_client):
    with as_system():
        role = Role.objects.create(name="市场推广")
    page = admin_client.get(f"/org/roles/{role.pk}/access/").content.decode()
    gadget = ct(Gadget).pk
    assert f'name="grant-{gadget}" value="assign"' in page
    assert f'name="scope-{gadget}"' in page
    assert f'name="field-{gadget}-code"' in page
    assert 'value="department_tree"' in page
    assert "objectchange" not in page


def test_matrix_saves_grants_and_field_rules_in_one_go(admin_client):
    with as_system():
        role = Role.objects.create(name="一线销售")
    gadget, tag = ct(Gadget).pk, ct(Tag).pk
    data = {
        f"grant-{gadget}": ["view", "change", "export"],
        f"scope-{gadget}": "department",
        f"field-{gadget}-code": "masked",
        f"field-{gadget}-price": "readonly",
        f"grant-{tag}": ["view"],
        f"scope-{tag}": "all",
    }
    response = admin_client.post(f"/org/roles/{role.pk}/access/", data)
    assert response.status_code == 302
    assert sorted(
        RoleGrant.objects.filter(role=role).values_list("content_type__model", "actions", "scope")
    ) == [
        ("gadget", ["view", "change", "export"], "department"),
        ("tag", ["view"], "all"),
    ]
    assert dict(FieldRule.objects.filter(role=role).values_list("field_name", "access")) == {
        "code": "masked",
        "price": "readonly",
    }
    detail = admin_client.get(f"/org/roles/{role.pk}/").content.decode()
    assert "Own department (本部门)" in detail or "本部门" in detail


def test_matrix_error_rolls_back_everything(admin_client):
    with as_system():
        role = Role.objects.create(name="售后客服")
    gadget, tag = ct(Gadget).pk, ct(Tag).pk
    data = {
        f"grant-{tag}": ["view"],
        f"scope-{tag}": "all",
        f"grant-{gadget}": ["change"],  # without view
        f"scope-{gadget}": "own",
        f"field-{gadget}-code": "masked",
    }
    response = admin_client.post(f"/org/roles/{role.pk}/access/", data)
    assert response.status_code == 422
    assert "alert-error" in response.content.decode()
    assert not RoleGrant.objects.filter(role=role).exists()
    assert not FieldRule.objects.filter(role=role).exists()


def test_matrix_needs_change_on_roles(client, make_user):
    with as_system():
        role = Role.objects.create(name="售后客服")
    client.force_login(make_user("viewer", perms=["users.view_role"]))
    tag = ct(Tag).pk
    response = client.post(f"/org/roles/{role.pk}/access/", {f"grant-{tag}": ["view"], f"scope-{tag}": "all"})
    assert response.status_code == 403
    assert not RoleGrant.objects.filter(role=role).exists()


# --- the access explanation page ----------------------------------------------------------------


def test_explanation_names_role_scope_owner_and_department(admin_client):
    with as_system():
        east2 = Department.objects.create(name="华东销售二部")
        other = Department.objects.create(name="华北")
        manager = User.objects.create_user(username="mgr", name="李经理", department=east2)
        wang = User.objects.create_user(username="wang", name="王芳", department=east2)
        role = Role.objects.create(name="区域销售经理")
        RoleGrant.objects.create(
            role=role, content_type=ct(Gadget), actions=["view"], scope="department_tree"
        )
        FieldRule.objects.create(role=role, content_type=ct(Gadget), field_name="code", access="masked")
        role.users.add(manager)
        inside = Gadget.objects.create(name="A", code="A1", owner=wang)
        outside = Gadget.objects.create(name="B", code="B1", owner=wang, department=other)
    url = "/org/access/"
    with __import__("django.utils.translation", fromlist=["override"]).override("en"):
        page = admin_client.get(
            url,
            {"user": manager.pk, "entity_type": ct(Gadget).pk, "record": inside.pk},
            HTTP_ACCEPT_LANGUAGE="en",
        ).content.decode()
    assert "Role “区域销售经理” grants View" in page  # the action by its label, not its code
    assert "this record is inside it" in page
    assert "The record is owned by 王芳 in 华东销售二部." in page
    assert 'data-allowed="yes"' in page and 'data-allowed="no"' in page  # may view, may not edit
    assert "Masked" in page
    page = admin_client.get(
        url,
        {"user": manager.pk, "entity_type": ct(Gadget).pk, "record": outside.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "this record is outside it" in page
    assert 'data-allowed="yes"' not in page


def test_explanation_page_needs_view_on_roles(client, make_user):
    client.force_login(make_user("rep"))
    assert client.get("/org/access/").status_code == 403


def test_menu_shows_organisation_to_staff_with_permissions(client, make_user, admin_client):
    page = admin_client.get("/").content.decode()
    for url in ("/org/departments/", "/org/users/", "/org/roles/", "/org/access/"):
        assert f'href="{url}"' in page
    client.force_login(make_user("rep", is_staff=True, perms=["users.view_department"]))
    page = client.get("/").content.decode()
    assert 'href="/org/departments/"' in page
    assert 'href="/org/roles/"' not in page


def test_role_assignment_shows_in_the_user_history(admin_client):
    """A role change is logged on the user (many-to-many capture) and its history page renders it."""
    with as_system():
        role = Role.objects.create(name="一线销售")
        rep = User.objects.create_user(username="rep", name="张三")
    admin_client.post(f"/org/users/{rep.pk}/edit/", {"username": "rep", "name": "张三", "roles": [role.pk]})
    for tab in ("history", "timeline"):
        response = admin_client.get(f"/org/users/{rep.pk}/{tab}/")
        assert response.status_code == 200
        assert "一线销售" in response.content.decode()
