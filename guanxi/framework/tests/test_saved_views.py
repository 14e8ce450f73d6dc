"""Saved list views: condition trees applied with ?view=, kept per user or shared with everyone,
roles or departments; a malformed, unknown, foreign or unshared view id is a 404, never a 500."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver

from guanxi.core.models import SavedView, Tag
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.views.lists import ObjectListView


@pytest.fixture
def tags(db):
    with as_system():
        return [
            Tag.objects.create(name="红色", slug="red-one", color="red"),
            Tag.objects.create(name="绿色", slug="green-one", color="green"),
        ]


def tag_view(owner, name="Mine", **fields):
    with as_system():
        return SavedView.objects.create(
            content_type=ContentType.objects.get_for_model(Tag),
            owner=owner,
            name=name,
            condition={"version": 1, "all": [{"field": "color", "op": "in", "value": ["red"]}]},
            **fields,
        )


def listed(client, url):
    page = client.get(url).content.decode()
    body = page.split("<tbody>")[1] if "<tbody>" in page else ""
    return {name for name in ("红色", "绿色") if name in body}


@pytest.mark.django_db
def test_save_and_apply_a_view(client, make_user, tags):
    user = make_user("rep", perms=["core.view_tag"])
    client.force_login(user)
    response = client.post(
        "/tags/views/", {"name": "Red only", "query": "color=red&q=&columns=name&sort=-name&per_page=25"}
    )
    saved = SavedView.objects.get(owner=user, name="Red only")
    assert response["Location"] == f"/tags/?view={saved.pk}"
    assert saved.condition == {"version": 1, "all": [{"field": "color", "op": "in", "value": ["red"]}]}
    assert (saved.columns, saved.ordering, saved.per_page, saved.needs_attention) == (
        ["name"],
        "-name",
        25,
        [],
    )
    assert saved.shared is False  # only staff may share
    page = client.get(f"/tags/?view={saved.pk}").content.decode()
    assert "红色" in page and "绿色" not in page.split("<tbody>")[1]
    # the filter panel shows the view's condition as the colour filter's value
    assert re.search(r'name="color" value="red"[^>]*checked', page)
    assert not re.search(r'name="color" value="green"[^>]*checked', page)


@pytest.mark.django_db
def test_editing_the_filters_of_a_view_replaces_its_conditions(client, make_user, tags):
    user = make_user("rep", perms=["core.view_tag"])
    view = tag_view(user)
    client.force_login(user)
    assert listed(client, f"/tags/?view={view.pk}") == {"红色"}
    # the filter form sent with another colour: the form's filters win over the view's
    assert listed(client, f"/tags/?view={view.pk}&q=&color=green") == {"绿色"}
    assert listed(client, f"/tags/?view={view.pk}&q=") == {"红色", "绿色"}
    # sorting or paging keeps the view's conditions
    assert listed(client, f"/tags/?view={view.pk}&sort=name") == {"红色"}


@pytest.mark.django_db
def test_a_renamed_filter_parameter_does_not_break_a_view(client, make_user, tags):
    """The tree names the catalogue field, not the query parameter: a view with a condition no
    panel filter shows (or whose parameter was renamed) still applies."""
    user = make_user("rep", perms=["core.view_tag"])
    with as_system():
        view = SavedView.objects.create(
            content_type=ContentType.objects.get_for_model(Tag),
            owner=user,
            name="slug",
            condition={"version": 1, "all": [{"field": "slug", "op": "startswith", "value": "green"}]},
        )
    client.force_login(user)
    assert listed(client, f"/tags/?view={view.pk}") == {"绿色"}
    assert listed(client, f"/tags/?view={view.pk}&q=") == {"绿色"}  # kept under an edited panel too


@pytest.mark.django_db
def test_private_views_stay_private(client, make_user, tags):
    owner = make_user("owner", perms=["core.view_tag"])
    other = make_user("other", perms=["core.view_tag"])
    private = tag_view(owner)
    client.force_login(other)
    response = client.get(f"/tags/?view={private.pk}")
    assert response.status_code == 404
    assert "此保存的视图不存在，或未共享给您。" in response.content.decode()  # says why, in zh
    assert client.post(f"/tags/views/{private.pk}/delete/").status_code == 404
    assert SavedView.objects.filter(pk=private.pk).exists()
    assert f"?view={private.pk}" not in client.get("/tags/").content.decode()


@pytest.mark.django_db
def test_views_shared_with_roles_and_departments(client, make_user, tags):
    from guanxi.users.models import Department, Role

    owner = make_user("owner", perms=["core.view_tag"])
    with as_system():
        sales = Department.objects.create(name="销售部")
        east = Department.objects.create(name="华东", parent=sales)
        other_dept = Department.objects.create(name="财务部")
        role = Role.objects.create(name="销售")
    in_role = make_user("in_role", perms=["core.view_tag"])
    in_east = make_user("in_east", perms=["core.view_tag"], department=east)
    in_finance = make_user("in_finance", perms=["core.view_tag"], department=other_dept)
    with as_system():
        role.users.add(in_role)
    by_role = tag_view(owner, "by role")
    by_dept = tag_view(owner, "by department")
    with as_system():
        by_role.shared_roles.add(role)
        by_dept.shared_departments.add(sales)  # and its sub-departments
    everyone = tag_view(owner, "everyone", shared=True)
    seen = {
        user.username: {v.name for v in SavedView.visible_to(user, Tag)}
        for user in (owner, in_role, in_east, in_finance)
    }
    assert seen == {
        "owner": {"by role", "by department", "everyone"},
        "in_role": {"by role", "everyone"},
        "in_east": {"by department", "everyone"},
        "in_finance": {"everyone"},
    }
    client.force_login(in_finance)
    assert client.get(f"/tags/?view={by_dept.pk}").status_code == 404
    assert client.get(f"/tags/?view={everyone.pk}").status_code == 200
    client.force_login(in_east)
    assert listed(client, f"/tags/?view={by_dept.pk}") == {"红色"}


@pytest.mark.django_db
def test_staff_share_a_view_when_saving(client, make_user, tags):
    from guanxi.users.models import Role

    with as_system():
        role = Role.objects.create(name="销售")
    staff = make_user("boss", perms=["core.view_tag"], is_staff=True)
    rep = make_user("rep", perms=["core.view_tag"])
    client.force_login(staff)
    client.post("/tags/views/", {"name": "Red", "query": "color=red", "shared_roles": [str(role.pk), "x"]})
    saved = SavedView.objects.get(name="Red")
    assert list(saved.shared_roles.all()) == [role]
    page = client.get(f"/tags/?view={saved.pk}").content.decode()
    assert f'<option value="{role.pk}" selected>销售</option>' in page
    client.force_login(rep)
    client.post("/tags/views/", {"name": "Mine", "query": "color=red", "shared_roles": [str(role.pk)]})
    assert not SavedView.objects.get(name="Mine").shared_roles.exists()  # only staff share


@pytest.mark.django_db
def test_a_view_naming_a_field_the_user_may_not_read_shows_nothing(client, make_user, tags):
    """A shared view filtering on a field hidden from this user is refused, not applied."""
    from guanxi.users.models import FieldRule, Role, RoleGrant

    ct = ContentType.objects.get_for_model(Tag)
    owner = make_user("owner", perms=["core.view_tag"])
    user = make_user("user")
    with as_system():
        role = Role.objects.create(name="看标签")
        RoleGrant.objects.create(role=role, content_type=ct, actions=["view"], scope="all")
        FieldRule.objects.create(role=role, content_type=ct, field_name="color", access="hidden")
        role.users.add(user)
    view = tag_view(owner, shared=True)
    client.force_login(user)
    response = client.get(f"/tags/?view={view.pk}")
    assert response.status_code == 200
    assert listed(client, f"/tags/?view={view.pk}") == set()
    assert "不是可以筛选的字段" in response.content.decode()  # the user's language


def _list_urls(resolver=None, prefix="", namespace=""):
    """(url, name) of every generic entity list page (views built on ObjectListView)."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            if str(pattern.pattern).startswith("api/"):
                continue
            yield from _list_urls(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            view_class = getattr(pattern.callback, "view_class", None)
            route = prefix + str(pattern.pattern)
            if view_class and issubclass(view_class, ObjectListView) and "<" not in route:
                yield "/" + route.lstrip("^").rstrip("$"), f"{namespace}:{pattern.name}"


LIST_URLS = sorted(set(_list_urls()))


def test_every_entity_list_is_walked():
    names = {name for _url, name in LIST_URLS}
    assert {"customers:customer_list", "activities:task_list", "core:tag_list", "users:user_list"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "name"), LIST_URLS, ids=[name for _url, name in LIST_URLS])
def test_malformed_or_foreign_view_ids_are_404_on_every_list(admin_client, admin_user, url, name, tags):
    tag_view_pk = tag_view(admin_user).pk
    for bad in ("abc", "0", "-1", "999999", "1.5", ""):
        response = admin_client.get(f"{url}?view={bad}")
        assert response.status_code == 404, (url, bad)
    assert admin_client.get(f"{url}?view=%00").status_code == 400  # NUL: refused before any view
    if url != "/tags/":  # a view of another list
        assert admin_client.get(f"{url}?view={tag_view_pk}").status_code == 404
    assert admin_client.get(f"{url}?view=abc&export=csv").status_code == 404


@pytest.mark.django_db
def test_filters_that_cannot_be_converted_are_kept_and_shown(client, make_user, tags):
    user = make_user("rep", perms=["core.view_tag"])
    client.force_login(user)
    client.post("/tags/views/", {"name": "Old", "query": "color=red&colour_renamed=blue"})
    saved = SavedView.objects.get(owner=user, name="Old")
    assert saved.condition["all"] == [{"field": "color", "op": "in", "value": ["red"]}]
    assert saved.needs_attention == [
        {"param": "colour_renamed", "values": ["blue"], "reason": "unknown_filter", "detail": ""}
    ]
    page = client.get(f"/tags/?view={saved.pk}").content.decode()
    assert "此保存视图的部分筛选无法转换" in page
    assert "<code>colour_renamed=blue</code> — 列表上已没有这个筛选条件。" in page  # in the reader's language
