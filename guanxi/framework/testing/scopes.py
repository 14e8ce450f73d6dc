"""A sample organisation and the generic data-scope suite every entity type inherits.

The organisation (``ORG_DEPARTMENTS``, ``ORG_PEOPLE``) is plain data, and the rows each persona
should see under each of the five data scopes are computed from that data alone
(``expected_keys``) — never by asking the access policy — so the suite checks the policy
against an independent statement of the rules::

    总部 ─┬─ 销售中心 (manager: director) ─┬─ 华东销售一部 (manager: manager1; rep1, rep1b, former)
          │                               └─ 华东销售二部 (rep2)
          └─ 客服部 (agent, the read-only user)

    director ← manager1 ← rep1, rep1b, former (inactive);  director ← rep2

>>> class TestGadgetScopes(ScopeSuite):
...     model = Gadget
...     url_prefix = "/test/gadgets/"
...     api_url = "/api/v1/testapp/gadgets/"
...
...     def make(self, owner, department, n):
...         return Gadget.objects.create(name=record_name(n), code=f"S{n:03d}", owner=owner,
...                                      department=department)

Besides the scopes, the suite checks shares (read and write) and the record team's API
(``guanxi.framework.api.team``: add, change, list and remove over ``…/{id}/team/``, the refusals
and bad input changing nothing, a team listed at the same cost whatever its size) — every owned
entity has both, so every one inherits them.

``make`` must give each row a display text containing ``record_name(n)`` (that is what the list
page, the export and search are checked for) and must not change the owner or department.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest

from guanxi.framework.testing.fixtures import as_system

SCOPES = ("own", "own_subordinates", "department", "department_tree", "all")
SUBJECTS = ("rep1", "manager1", "director")  # the personas that get each scope in turn
NAME_PREFIX = "scoperec"

# key: (name, parent key)
ORG_DEPARTMENTS: dict[str, tuple[str, str | None]] = {
    "hq": ("总部", None),
    "sales": ("销售中心", "hq"),
    "east1": ("华东销售一部", "sales"),
    "east2": ("华东销售二部", "sales"),
    "service": ("客服部", "hq"),
}
ORG_DEPARTMENT_MANAGERS = {"sales": "director", "east1": "manager1"}
# key: (display name, department key, manager key, extra fields); managers come before their reports
ORG_PEOPLE: dict[str, tuple[str, str, str | None, dict[str, Any]]] = {
    "admin": ("管理员", "hq", None, {"is_superuser": True, "is_staff": True}),
    "director": ("销售总监", "sales", None, {}),
    "manager1": ("一部经理", "east1", "director", {}),
    "rep1": ("张三", "east1", "manager1", {}),
    "rep1b": ("李四", "east1", "manager1", {}),
    "rep2": ("王五", "east2", "director", {}),
    "agent": ("客服小赵", "service", None, {}),  # the read-only user
    "former": ("离职员工", "east1", "manager1", {"is_active": False}),
}
# record key: (owner key or None, department key or None). Each person owns two rows in their own
# department; "moved" is owned by rep2 but filed under 华东销售一部 (owner and department scopes
# disagree about it); "pool" has no owner (a department's shared row); "orphan" has neither.
ORG_RECORDS: dict[str, tuple[str | None, str | None]] = {
    **{f"{p}-{i}": (p, ORG_PEOPLE[p][1]) for p in ORG_PEOPLE for i in (1, 2)},
    "moved": ("rep2", "east1"),
    "pool": (None, "sales"),
    "orphan": (None, None),
}


def record_name(n: int) -> str:
    """The unique display text of the n-th sample record (zero-padded: no name contains another)."""
    return f"{NAME_PREFIX}-{n:03d}"


def _subordinates(person: str) -> set[str]:
    reports: dict[str, list[str]] = {}
    for key, (_n, _d, manager, _x) in ORG_PEOPLE.items():
        if manager:
            reports.setdefault(manager, []).append(key)
    found: set[str] = set()
    frontier = [person]
    while frontier:
        frontier = [r for m in frontier for r in reports.get(m, ()) if r not in found]
        found.update(frontier)
    return found


def _subtree(department: str) -> set[str]:
    found = {department}
    grew = True
    while grew:
        more = {k for k, (_n, parent) in ORG_DEPARTMENTS.items() if parent in found} - found
        found |= more
        grew = bool(more)
    return found


def expected_keys(person: str, scope: str) -> set[str]:
    """Record keys ``person`` sees with one grant of ``scope`` — from the org data alone."""
    dept = ORG_PEOPLE[person][1]
    owners = {person} | (_subordinates(person) if scope == "own_subordinates" else set())
    depts = {dept} if scope == "department" else _subtree(dept) if scope == "department_tree" else set()
    return {
        key
        for key, (owner, department) in ORG_RECORDS.items()
        if scope == "all"
        or (scope in ("own", "own_subordinates") and owner in owners)
        or (department is not None and department in depts)
    }


@dataclass
class Org:
    """The sample organisation in the database: departments, users and records by key."""

    departments: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    records: dict[str, Any] = field(default_factory=dict)

    def pks(self, keys: set[str]) -> set[int]:
        return {self.records[k].pk for k in keys}

    def user(self, key: str) -> Any:
        """A fresh copy of the user (the policy caches its per-request facts on the object)."""
        return type(self.users[key]).objects.get(pk=self.users[key].pk)


def build_org(make: Any) -> Org:
    """Create the sample organisation; ``make(owner, department, n)`` creates one record."""
    from guanxi.users.models import Department, User

    org = Org()
    with as_system():
        for key, (name, parent) in ORG_DEPARTMENTS.items():
            org.departments[key] = Department.objects.create(
                name=name, parent=org.departments[parent] if parent else None
            )
        for key, (name, dept, manager, extra) in ORG_PEOPLE.items():
            org.users[key] = User.objects.create_user(
                username=key,
                password="pw-" + key * 3,
                name=name,
                department=org.departments[dept],
                manager=org.users[manager] if manager else None,
                **extra,
            )
        for dept, person in ORG_DEPARTMENT_MANAGERS.items():
            org.departments[dept].manager = org.users[person]
            org.departments[dept].save()
        for n, (key, (owner, record_dept)) in enumerate(ORG_RECORDS.items()):
            org.records[key] = make(
                org.users[owner] if owner else None,
                org.departments[record_dept] if record_dept else None,
                n,
            )
    return org


def give_role(user: Any, model: Any, scope: str, actions: list[str], name: str = "") -> Any:
    """A role granting ``actions`` on ``model`` with ``scope``, assigned to ``user`` (plain ORM)."""
    from django.contrib.contenttypes.models import ContentType

    from guanxi.users.models import Role, RoleGrant

    with as_system():
        role = Role.objects.create(name=name or f"{user.username}-{scope}")
        RoleGrant.objects.create(
            role=role, content_type=ContentType.objects.get_for_model(model), actions=actions, scope=scope
        )
        role.users.add(user)
    return role


def share(obj: Any, user: Any, access: str = "read") -> Any:
    from django.contrib.contenttypes.models import ContentType

    from guanxi.core.models import RecordShare

    with as_system():
        return RecordShare.objects.create(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, user=user, access=access
        )


def rows_by_pk(model: Any) -> dict[int, tuple[Any, ...]]:
    """Every row of ``model`` by pk, as a tuple of its concrete field values (a DB snapshot)."""
    names = [f.attname for f in model._meta.concrete_fields]
    return {row[0]: row for row in model._default_manager.order_by("pk").values_list("pk", *names)}


def api_client(user: Any) -> Any:
    from guanxi.framework.api.testing import token_client

    return token_client(user)


READ = ["view", "export"]
WRITE = ["view", "export", "change", "delete"]


@pytest.mark.django_db
class ScopeSuite:
    """Each data scope, for a rep, a manager and a director, through every way rows leave the system.

    The API must be mounted at ``api_url`` in the test module's URLconf (``pytest.mark.urls``).
    """

    model: ClassVar[Any]
    url_prefix: ClassVar[str]
    api_url: ClassVar[str]
    api_edit: ClassVar[dict[str, Any]] = {"name": "edited"}  # a PATCH that keeps rows in scope

    def make(self, owner: Any, department: Any, n: int) -> Any:
        raise NotImplementedError

    @pytest.fixture
    def org(self, db: Any) -> Org:
        return build_org(self.make)

    def scoped(self, org: Org, subject: str, scope: str, actions: list[str]) -> tuple[Any, set[int]]:
        give_role(org.users[subject], self.model, scope, actions)
        return org.user(subject), org.pks(expected_keys(subject, scope))

    def viewable(self, user: Any) -> set[int]:
        """The rows ``user`` may view (``restrict()``): a write refused on one of them is a 403."""
        return set(self.model._default_manager.restrict(user, "view").values_list("pk", flat=True))

    def names_in(self, org: Org, text: str, *, csv: bool = False) -> set[int]:
        """The records whose row label (``Meta.list_label``, by default ``str(obj)``) is in one row
        of a list page, or of a CSV export."""
        from guanxi.framework.testing.suites import csv_shows, page_shows, row_label

        shows = csv_shows if csv else page_shows
        return {obj.pk for obj in org.records.values() if shows(text, row_label(self.model, obj))}

    # --- reading -----------------------------------------------------------------------------
    @pytest.mark.parametrize("subject", SUBJECTS)
    @pytest.mark.parametrize("scope", SCOPES)
    def test_list_page_and_detail(self, client: Any, org: Org, scope: str, subject: str) -> None:
        user, expected = self.scoped(org, subject, scope, READ)
        client.force_login(user)
        response = client.get(self.url_prefix, {"per_page": 100})
        assert response.status_code == 200
        assert self.names_in(org, response.content.decode()) == expected
        statuses = {
            obj.pk: client.get(f"{self.url_prefix}{obj.pk}/").status_code for obj in org.records.values()
        }
        assert statuses == {pk: 200 if pk in expected else 404 for pk in statuses}

    @pytest.mark.parametrize("subject", SUBJECTS)
    @pytest.mark.parametrize("scope", SCOPES)
    def test_search_and_csv_export(self, client: Any, org: Org, scope: str, subject: str) -> None:
        from guanxi.framework.search import search

        user, expected = self.scoped(org, subject, scope, READ)
        hits = search(user, NAME_PREFIX, models_=[self.model], limit=100)
        assert {hit.object.pk for hit in hits} == expected
        client.force_login(user)
        response = client.get(self.url_prefix, {"export": "csv"})
        assert response.status_code == 200
        body = response.getvalue().decode("utf-8-sig")
        assert self.names_in(org, body, csv=True) == expected
        assert len(list(csv.reader(io.StringIO(body)))) == len(expected) + 1  # header + one line a row

    @pytest.mark.parametrize("subject", SUBJECTS)
    @pytest.mark.parametrize("scope", SCOPES)
    def test_api_list_and_detail(self, org: Org, scope: str, subject: str) -> None:
        user, expected = self.scoped(org, subject, scope, READ)
        api = api_client(user)
        response = api.get(self.api_url, {"page_size": 500})
        assert response.status_code == 200
        assert {item["id"] for item in response.json()["results"]} == expected
        assert response.json()["count"] == len(expected)
        statuses = {pk: api.get(f"{self.api_url}{pk}/").status_code for pk in org.pks(set(org.records))}
        assert statuses == {pk: 200 if pk in expected else 404 for pk in statuses}

    # --- writing -----------------------------------------------------------------------------
    @pytest.mark.parametrize("subject", SUBJECTS)
    @pytest.mark.parametrize("scope", SCOPES)
    def test_api_update_inside_scope_only(self, org: Org, scope: str, subject: str) -> None:
        user, expected = self.scoped(org, subject, scope, WRITE)
        api = api_client(user)
        before = rows_by_pk(self.model)
        viewable = self.viewable(user)
        statuses = {
            pk: api.patch(f"{self.api_url}{pk}/", self.api_edit, format="json").status_code for pk in before
        }
        # outside the scope: a 404, or a 403 on a row they may still view (a lead they may claim…)
        assert statuses == {pk: 200 if pk in expected else 403 if pk in viewable else 404 for pk in before}
        after = rows_by_pk(self.model)
        assert {pk: row for pk, row in after.items() if pk not in expected} == {
            pk: row for pk, row in before.items() if pk not in expected
        }
        for obj in self.model._default_manager.filter(pk__in=expected):
            for name, value in self.api_edit.items():
                assert getattr(obj, name) == value

    @pytest.mark.parametrize("subject", SUBJECTS)
    @pytest.mark.parametrize("scope", SCOPES)
    def test_api_delete_inside_scope_only(self, org: Org, scope: str, subject: str) -> None:
        user, expected = self.scoped(org, subject, scope, WRITE)
        api = api_client(user)
        before = rows_by_pk(self.model)
        viewable = self.viewable(user)
        statuses = {pk: api.delete(f"{self.api_url}{pk}/").status_code for pk in before}
        assert statuses == {pk: 204 if pk in expected else 403 if pk in viewable else 404 for pk in before}
        assert rows_by_pk(self.model) == {pk: row for pk, row in before.items() if pk not in expected}

    @pytest.mark.parametrize("scope", SCOPES)
    def test_pages_refuse_edits_outside_scope(self, client: Any, org: Org, scope: str) -> None:
        user, expected = self.scoped(org, "manager1", scope, WRITE)
        client.force_login(user)
        before = rows_by_pk(self.model)
        outside = set(before) - expected
        for pk in outside:
            assert client.get(f"{self.url_prefix}{pk}/edit/").status_code == 404
            assert client.post(f"{self.url_prefix}{pk}/delete/").status_code == 404
        assert rows_by_pk(self.model) == before
        inside = min(expected)
        assert client.get(f"{self.url_prefix}{inside}/edit/").status_code == 200
        assert client.post(f"{self.url_prefix}{inside}/delete/").status_code == 302
        assert set(rows_by_pk(self.model)) == set(before) - {inside}

    # --- creating, and the verbs beyond view/add/change/delete --------------------------------
    def api_create_body(self, org: Org, user: Any) -> dict[str, Any]:
        """The body of a POST that creates a row without naming its owner or department."""
        return {"name": f"{NAME_PREFIX}-new"}

    @pytest.mark.parametrize("subject", SUBJECTS)
    @pytest.mark.parametrize("scope", ("own", "department_tree"))
    def test_api_create_without_an_owner_belongs_to_its_writer(
        self, org: Org, scope: str, subject: str
    ) -> None:
        user, _expected = self.scoped(org, subject, scope, ["view", "add"])
        response = api_client(user).post(self.api_url, self.api_create_body(org, user), format="json")
        assert response.status_code == 201, response.json()
        row = self.model._default_manager.get(pk=response.json()["id"])
        # a model whose unowned rows wait somewhere (leads: the department's pool) keeps it unowned
        owner = user.pk if getattr(self.model, "owner_defaults_to_writer", True) else None
        assert (row.owner_id, row.department_id) == (owner, user.department_id)

    def test_export_and_import_need_their_verbs(self, client: Any, org: Org) -> None:
        from django.urls import Resolver404, resolve

        try:  # the generic import page, or the entity's own at the same address (leads)
            importable = bool(resolve(f"{self.url_prefix}import/"))
        except Resolver404:
            importable = False
        user, _expected = self.scoped(org, "rep1", "own", ["view", "add", "change"])
        client.force_login(user)
        export = client.get(self.url_prefix, {"export": "csv"})
        assert export.status_code == 403
        assert "export=csv" not in client.get(self.url_prefix).content.decode()
        assert client.get(f"{self.url_prefix}import/").status_code == (403 if importable else 404)
        give_role(org.users["rep1"], self.model, "own", ["view", "add", "export", "import"], name="io")
        client.force_login(org.user("rep1"))
        assert client.get(self.url_prefix, {"export": "csv"}).status_code == 200
        assert client.get(f"{self.url_prefix}import/").status_code == (200 if importable else 404)

    # --- shares, personas ----------------------------------------------------------------------
    def test_read_share_shows_but_does_not_open_for_editing(self, client: Any, org: Org) -> None:
        user, own = self.scoped(org, "rep1", "own", WRITE)
        target = org.records["rep2-1"]
        share(target, user, "read")
        visible = own | {target.pk}
        client.force_login(user)
        assert self.names_in(org, client.get(self.url_prefix, {"per_page": 100}).content.decode()) == visible
        assert client.get(f"{self.url_prefix}{target.pk}/").status_code == 200
        assert client.get(f"{self.url_prefix}{target.pk}/edit/").status_code == 404
        api = api_client(user)
        assert {i["id"] for i in api.get(self.api_url, {"page_size": 500}).json()["results"]} == visible
        assert api.get(f"{self.api_url}{target.pk}/").status_code == 200
        before = rows_by_pk(self.model)
        # they see it: a 403 saying they may only view it, not a 404 pretending it is not there
        refused = api.patch(f"{self.api_url}{target.pk}/", self.api_edit, format="json")
        assert refused.status_code == 403, refused.content
        assert "but not change it" in refused.json()["detail"]
        assert api.delete(f"{self.api_url}{target.pk}/").status_code == 403
        assert rows_by_pk(self.model) == before

    def test_write_share_allows_editing_but_not_deleting(self, org: Org) -> None:
        user, _own = self.scoped(org, "rep1", "own", WRITE)
        target = org.records["rep2-1"]
        share(target, user, "write")
        api = api_client(user)
        assert api.patch(f"{self.api_url}{target.pk}/", self.api_edit, format="json").status_code == 200
        target.refresh_from_db()
        for name, value in self.api_edit.items():
            assert getattr(target, name) == value
        before = rows_by_pk(self.model)
        assert api.delete(f"{self.api_url}{target.pk}/").status_code == 403  # shares never delete
        assert rows_by_pk(self.model) == before

    def test_share_without_any_role_opens_only_the_shared_row(self, client: Any, org: Org) -> None:
        user = org.user("rep1b")
        target = org.records["director-1"]
        share(target, user, "read")
        client.force_login(user)
        assert self.names_in(org, client.get(self.url_prefix).content.decode()) == {target.pk}
        assert client.get(f"{self.url_prefix}{org.records['rep1b-1'].pk}/").status_code == 404

    def test_read_only_user_sees_all_and_changes_nothing(self, client: Any, org: Org) -> None:
        user, expected = self.scoped(org, "agent", "all", READ)
        assert expected == set(rows_by_pk(self.model))
        client.force_login(user)
        assert self.names_in(org, client.get(self.url_prefix, {"per_page": 100}).content.decode()) == expected
        before = rows_by_pk(self.model)
        pk = org.records["rep1-1"].pk
        assert client.post(f"{self.url_prefix}{pk}/delete/").status_code == 403
        assert client.get(f"{self.url_prefix}{pk}/edit/").status_code == 403
        api = api_client(user)
        assert api.patch(f"{self.api_url}{pk}/", self.api_edit, format="json").status_code == 403
        assert api.delete(f"{self.api_url}{pk}/").status_code == 403
        assert rows_by_pk(self.model) == before

    def test_admin_sees_everything(self, client: Any, org: Org) -> None:
        client.force_login(org.user("admin"))
        page = client.get(self.url_prefix, {"per_page": 100}).content.decode()
        assert self.names_in(org, page) == set(rows_by_pk(self.model))

    def test_user_without_roles_is_refused(self, client: Any, org: Org) -> None:
        user = org.user("rep2")
        assert set(self.model._default_manager.restrict(user, "view").values_list("pk", flat=True)) == set()
        client.force_login(user)
        assert client.get(self.url_prefix).status_code == 403
        assert api_client(user).get(self.api_url).status_code == 403

    def test_inactive_user_sees_nothing(self, client: Any, org: Org) -> None:
        from guanxi.framework.search import search

        user, _expected = self.scoped(org, "former", "all", WRITE)
        assert list(self.model._default_manager.restrict(user, "view")) == []
        assert search(user, NAME_PREFIX, models_=[self.model], limit=100) == []
        client.force_login(user)
        response = client.get(self.url_prefix)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
        before = rows_by_pk(self.model)
        assert (
            api_client(user)
            .patch(f"{self.api_url}{org.records['former-1'].pk}/", self.api_edit, format="json")
            .status_code
            == 401
        )
        assert rows_by_pk(self.model) == before

    def test_anonymous_is_sent_to_sign_in(self, client: Any, org: Org) -> None:
        from rest_framework.test import APIClient

        pk = org.records["rep1-1"].pk
        for url in (self.url_prefix, f"{self.url_prefix}{pk}/", f"{self.url_prefix}?export=csv"):
            response = client.get(url)
            assert response.status_code == 302 and response["Location"].startswith("/login/")
        assert APIClient().get(self.api_url).status_code == 401
        assert APIClient().get(f"{self.api_url}{pk}/").status_code == 401

    # --- the record team over the API (guanxi.framework.api.team) -------------------------------
    def team_url(self, obj: Any) -> str:
        return f"{self.api_url}{obj.pk}/team/"

    def team_of(self, obj: Any) -> list[tuple[int, str]]:
        """The record's team in the database: (user id, access) pairs."""
        from django.contrib.contenttypes.models import ContentType

        from guanxi.core.models import RecordShare

        ct = ContentType.objects.get_for_model(obj)
        return sorted(
            RecordShare.objects.filter(content_type=ct, object_id=obj.pk).values_list("user_id", "access")
        )

    def test_api_team_is_added_to_changed_listed_and_left_by_its_owner(self, org: Org) -> None:
        owner, _own = self.scoped(org, "rep1", "own", WRITE)
        colleague, _theirs = self.scoped(org, "rep2", "own", READ)
        target = org.records["rep1-1"]
        url = self.team_url(target)
        api, theirs = api_client(owner), api_client(colleague)
        assert api.get(url).json() == []
        assert theirs.get(f"{self.api_url}{target.pk}/").status_code == 404

        added = api.post(url, {"user": colleague.pk, "access": "read"}, format="json")
        assert added.status_code == 200, added.content
        assert added.json()["id"] == target.pk  # the record, as its detail endpoint shows it
        members = api.get(url).json()
        assert [
            (m["user"]["id"], m["user"]["display"], m["access"], m["added_by"]["id"]) for m in members
        ] == [(colleague.pk, str(colleague), "read", owner.pk)]
        assert members[0]["added_at"]
        listed = theirs.get(self.api_url, {"page_size": 500}).json()["results"]
        assert target.pk in {item["id"] for item in listed}  # restrict(): the team counts
        assert theirs.get(url).status_code == 200  # a member reads the team too

        assert api.post(url, {"user": colleague.pk, "access": "write"}, format="json").status_code == 200
        assert self.team_of(target) == [(colleague.pk, "write")]
        changeable = self.model._default_manager.restrict(org.user("rep2"), "change")
        assert changeable.filter(pk=target.pk).exists()

        removed = api.delete(f"{url}{colleague.pk}/")
        assert removed.status_code == 200, removed.content
        assert removed.json()["id"] == target.pk
        assert self.team_of(target) == []
        assert api.delete(f"{url}{colleague.pk}/").status_code == 404  # no longer on the team
        assert theirs.get(f"{self.api_url}{target.pk}/").status_code == 404

    def test_api_team_refusals_change_nothing(self, org: Org) -> None:
        owner, _own = self.scoped(org, "rep1", "own", WRITE)
        member, _mine = self.scoped(org, "rep1b", "own", WRITE)
        outsider, _theirs = self.scoped(org, "rep2", "own", WRITE)
        target = org.records["rep1-1"]
        share(target, member, "write")  # may edit the record, not its team
        url = self.team_url(target)
        before = self.team_of(target)

        as_member = api_client(member)
        assert as_member.get(url).status_code == 200
        for response in (
            as_member.post(url, {"user": outsider.pk, "access": "read"}, format="json"),
            as_member.post(url, {"user": "nobody"}, format="json"),  # refused before the input
            as_member.delete(f"{url}{member.pk}/"),
            as_member.delete(f"{url}{outsider.pk}/"),  # not on the team: still a 403
        ):
            assert response.status_code == 403, response.content
        as_outsider = api_client(outsider)  # cannot see the record: it does not exist for them
        for response in (
            as_outsider.get(url),
            as_outsider.post(url, {"user": outsider.pk, "access": "read"}, format="json"),
            as_outsider.delete(f"{url}{member.pk}/"),
        ):
            assert response.status_code == 404, response.content

        api = api_client(owner)
        for body, blamed in (
            ({}, "user"),
            ({"user": "abc"}, "user"),
            ({"user": 10**9}, "user"),
            ({"user": 10**30}, "user"),
            ({"user": owner.pk}, "user"),  # owns it already
            ({"user": org.users["former"].pk}, "user"),  # deactivated
            ({"user": outsider.pk, "access": "owner"}, "access"),
            ({"user": outsider.pk, "access": ["write"]}, "access"),
        ):
            response = api.post(url, body, format="json")
            assert response.status_code == 400, (body, response.content)
            assert list(response.json()["errors"]) == [blamed], (body, response.json())
        assert api.delete(f"{url}{10**30}/").status_code == 404
        assert self.team_of(target) == before

        # the owner's manager may change the team, whatever else their role allows
        manager, _team = self.scoped(org, "manager1", "own_subordinates", READ)
        added = api_client(manager).post(url, {"user": outsider.pk}, format="json")
        assert added.status_code == 200, added.content
        assert self.team_of(target) == sorted([*before, (outsider.pk, "read")])

    def test_api_team_list_costs_the_same_for_one_member_or_four(self, org: Org) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        owner, _own = self.scoped(org, "rep1", "own", READ)
        small, large = org.records["rep1-1"], org.records["rep1-2"]
        share(small, org.users["rep2"])
        for person in ("rep2", "rep1b", "director", "agent"):
            share(large, org.users[person], "write")
        api = api_client(owner)
        assert len(api.get(self.team_url(large)).json()) == 4  # warm: the access snapshot is cached
        counts = []
        for obj in (small, large):
            with CaptureQueriesContext(connection) as queries:
                response = api.get(self.team_url(obj))
            assert response.status_code == 200
            counts.append(len(queries))
        assert counts[0] == counts[1], counts
