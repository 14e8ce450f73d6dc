"""The demo data command: idempotent, fixed personas with the right org chart, logged as 'demo'."""

from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import RequestFactory

from guanxi.core.models import ObjectChange, Tag
from guanxi.framework.search import search
from guanxi.users.models import Department, Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _few_customers(monkeypatch):
    """Three demo customers instead of hundreds: these tests run the demo many times."""
    monkeypatch.setattr("guanxi.customers.demo_data.CUSTOMER_COUNT", 3)
    monkeypatch.setattr("guanxi.customers.leads.demo.LEAD_COUNT", 5)  # + the web form and its rule
    monkeypatch.setattr("guanxi.sales.demo_data.DEAL_COUNT", 6)


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "departments": Department.objects.count(),
        "tags": Tag.objects.count(),
        "roles": Role.objects.count(),
        "changes": ObjectChange.objects.count(),
    }


def test_second_run_creates_nothing():
    first = run_demo()
    after_first = counts()
    second = run_demo()

    assert (
        "Demo data loaded: 1469 rows created (organisation 29, tags 5, pools 6, customers 17, leads 7,"
        " pool members 1, activities 6, deals 10, products 309, quotes 25, contracts 3, orders 19,"
        " receivables 12, targets 1020)." in first
    )
    assert "Demo data already loaded: nothing to create." in second
    assert counts() == after_first
    assert after_first["users"] == 21
    assert after_first["departments"] == 8
    assert after_first["tags"] == 5
    assert after_first["roles"] == 8  # the seven sales roles and 财务 (finance)
    assert "password for all: guanxi-demo" in second


def test_fixed_personas_sit_in_the_org_chart():
    run_demo("--quiet")
    users = {u.username: u for u in User.objects.select_related("department", "manager")}
    depts = {d.name: d for d in Department.objects.select_related("parent", "manager")}

    assert users["admin"].is_superuser is True
    assert users["director"].department == depts["销售中心"]
    assert depts["销售中心"].manager == users["director"]
    assert depts["华东销售一部"].manager == users["manager1"]
    assert users["manager1"].department == depts["华东销售一部"]
    assert users["manager1"].manager == users["director"]
    for rep in ("rep1", "rep1b"):
        assert users[rep].department == depts["华东销售一部"]
        assert users[rep].manager == users["manager1"]
    assert users["rep2"].department == depts["华东销售二部"]
    assert users["rep2"].manager == depts["华东销售二部"].manager
    assert users["rep2"].manager.department == depts["华东销售二部"]
    assert users["agent1"].department == depts["客户服务部"]
    assert users["marketer1"].department == depts["市场部"]
    assert list(users["viewer"].roles.values_list("name", flat=True)) == ["只读"]
    assert list(users["rep1"].roles.values_list("name", flat=True)) == ["销售代表"]

    assert depts["华东销售一部"].parent == depts["销售中心"]
    assert depts["销售中心"].parent == depts["总部"]
    assert sorted(d.name for d in depts["销售中心"].subtree()) == sorted(
        ["销售中心", "华东销售一部", "华东销售二部", "华南销售部"]
    )
    assert depts["华东销售一部"].name_en == "East China Sales I"
    # Everyone but the general manager reports to someone.
    assert sorted(u.username for u in users.values() if u.manager_id is None) == ["ceo"]


@pytest.mark.parametrize(
    "username", ["admin", "director", "manager1", "rep1", "rep1b", "rep2", "agent1", "marketer1", "viewer"]
)
def test_personas_log_in_with_the_demo_password(username):
    run_demo("--quiet")
    request = RequestFactory().post("/login/")
    user = authenticate(request, username=username, password=settings.DEMO_PASSWORD)

    assert user is not None
    assert user.username == username
    assert authenticate(request, username=username, password="wrong-password") is None


def test_permissions_follow_the_default_roles():
    from guanxi.framework.access import can

    run_demo("--quiet")
    viewer = User.objects.get(username="viewer")
    rep = User.objects.get(username="rep1")
    manager = User.objects.get(username="manager1")

    assert can(viewer, "view", Tag) is True
    assert can(viewer, "change", Tag) is False
    assert can(rep, "view", Tag) is True
    assert can(rep, "delete", Tag) is False
    assert Tag.objects.restrict(viewer, "view").count() == 5
    # 销售代表 sees colleagues of their own department; 销售经理 the department subtree.
    assert set(User.objects.restrict(rep, "view").values_list("username", flat=True)) == set(
        User.objects.filter(department=rep.department).values_list("username", flat=True)
    )
    assert "rep2" not in set(User.objects.restrict(manager, "view").values_list("username", flat=True))


def test_changes_are_recorded_as_demo():
    run_demo("--quiet")
    creates = ObjectChange.objects.filter(action="create")

    by_type = sorted(
        creates.values_list("changed_object_type__app_label", "changed_object_type__model")
        .annotate(n=Count("pk"))
        .values_list("changed_object_type__app_label", "changed_object_type__model", "n")
    )
    assert creates.count() == 1491, " ".join(f"{a}.{m}={n}" for a, m, n in by_type)
    assert set(ObjectChange.objects.values_list("source", flat=True)) == {"demo"}
    # only the quotes' and contracts' approval stories are played as their people (a rep submits)
    by_people = creates.exclude(user=None)
    assert set(by_people.values_list("changed_object_type__app_label", flat=True)) <= {
        "quotes",
        "contracts",
        "approvals",
    }


def test_search_finds_demo_rows_by_pinyin_initials():
    run_demo("--quiet")
    admin = User.objects.get(username="admin")

    assert [str(hit.object) for hit in search(admin, "zdkh")] == ["重点客户"]


def test_reset_requires_confirmation_outside_debug():
    run_demo("--quiet")
    with pytest.raises(CommandError, match="--reset deletes data"):
        run_demo("--reset", "--quiet")
    assert User.objects.count() == 21


def test_reset_removes_and_reloads_the_same_data():
    run_demo("--quiet")
    Tag.objects.filter(slug="vip").update(name="VIP 客户")  # an edit the reset must undo
    usernames = sorted(User.objects.values_list("username", flat=True))

    out = run_demo("--reset", "--yes")

    assert "Removed 1491 demo rows." in out
    assert sorted(User.objects.values_list("username", flat=True)) == usernames
    assert Tag.objects.get(slug="vip").name == "VIP"
    assert Department.objects.count() == 8
