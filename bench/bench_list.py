"""Lists: a page of 50 rows out of N through restrict() and the generic list view.

The baseline is the raw SQL SELECT of the same page (ORDER BY name LIMIT 50). The ORM line
shows what the permission-aware queryset and model instances cost; the page line adds the
generic list view (filters, table, pagination, template) rendered through the full middleware.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse

from bench.common import Result, median_ms, pick
from guanxi.core.models import Tag
from guanxi.framework.context import Source, actor_context
from guanxi.users.models import User


def _users() -> tuple[User, User]:
    with actor_context(None, source=Source.COMMAND):
        admin = User.objects.create(username="bench-admin", is_superuser=True, is_staff=True)
        rep = User.objects.create(username="bench-rep")
    group = Group.objects.create(name="bench-viewers")
    group.permissions.add(Permission.objects.get(content_type__app_label="core", codename="view_tag"))
    rep.groups.add(group)
    return admin, User.objects.get(pk=rep.pk)


def run(scale: str) -> list[Result]:
    n = pick(scale, 5000, 100_000)
    repeat = pick(scale, 15, 21)
    with actor_context(None, source=Source.COMMAND):
        Tag.objects.bulk_create(
            [Tag(name=f"tag {i:07d}", slug=f"tag-{i:07d}", color="blue") for i in range(n)], batch_size=2000
        )
    admin, rep = _users()

    table = connection.ops.quote_name(Tag._meta.db_table)
    sql = f"SELECT id, name, slug, color, description FROM {table} ORDER BY name LIMIT 50"

    def raw_page() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            assert len(cursor.fetchall()) == 50

    def orm_page(user: User) -> None:
        assert len(list(Tag.objects.restrict(user, "view").order_by("name")[:50])) == 50

    raw = median_ms(raw_page, repeat=repeat)
    results = [
        Result(
            "restrict(admin, view) page of 50",
            "raw SQL SELECT … LIMIT 50",
            median_ms(lambda: orm_page(admin), repeat=repeat),
            raw,
            n,
            "superuser",
        ),
        Result(
            "restrict(rep, view) page of 50",
            "raw SQL SELECT … LIMIT 50",
            median_ms(lambda: orm_page(rep), repeat=repeat),
            raw,
            n,
            "model permission through a group",
        ),
    ]
    try:
        url = reverse("core:tag_list")
    except NoReverseMatch:
        return results
    client = Client()
    client.force_login(admin)

    def page() -> None:
        response = client.get(url, HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, response.status_code

    results.append(
        Result(
            "GET tag list page (HTML, 50 rows)",
            "raw SQL SELECT … LIMIT 50",
            median_ms(page, repeat=repeat),
            raw,
            n,
            "full middleware + template, logged in",
        )
    )
    return results
