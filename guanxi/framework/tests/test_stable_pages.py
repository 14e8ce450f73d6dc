"""Paging through a list ordered by a non-unique key returns every row exactly once (issue 8:
``?ordering=level`` returned 1,573 of 2,000 ids). The pagers add the primary key as the last sort
key (``guanxi.framework.paginators.stable_order``)."""

import re

import pytest
from django.db.models import F

from guanxi.framework.api.testing import token_client
from guanxi.framework.paginators import stable_order
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.testapp.models import Gadget

ROWS = 2_050


@pytest.fixture
def gadgets(db):
    """2,050 gadgets sharing two statuses, two prices and forty names: every sort key has ties."""
    with as_system():
        Gadget.objects.bulk_create(
            [
                Gadget(
                    name=f"设备{i % 40:02d}",
                    code=f"S-{i:05d}",
                    status="retired" if i % 3 == 0 else "active",
                    price=i % 2,
                )
                for i in range(ROWS)
            ],
            batch_size=500,
        )
    return set(Gadget.objects.values_list("pk", flat=True))


def test_stable_order_adds_the_primary_key_in_the_direction_of_the_last_key():
    def terms(qs):
        return list(qs.query.order_by)

    assert terms(stable_order(Gadget.objects.all())) == ["name", "pk"]  # Meta.ordering
    assert terms(stable_order(Gadget.objects.order_by("status"))) == ["status", "pk"]
    assert terms(stable_order(Gadget.objects.order_by("status", "-created_at"))) == [
        "status",
        "-created_at",
        "-pk",
    ]
    ordered = stable_order(Gadget.objects.order_by(F("price").desc()))
    assert ordered.query.order_by[-1] == "-pk"
    assert terms(stable_order(Gadget.objects.order_by("-id"))) == ["-id"]  # already total
    assert terms(stable_order(Gadget.objects.order_by("status", "pk"))) == ["status", "pk"]
    assert terms(stable_order(Gadget.objects.order_by("?"))) == ["?"]  # random stays random
    unordered = Gadget.objects.all()
    unordered.query.default_ordering = False
    assert terms(stable_order(unordered)) == ["pk"]


@pytest.mark.parametrize("ordering", ["status", "-status", "price", "-price,status", "name"])
def test_api_pages_return_every_row_once(admin_user, gadgets, ordering):
    api = token_client(admin_user)
    seen: list[int] = []
    url = f"/api/v1/testapp/gadgets/?ordering={ordering}&page_size=200"
    while url:
        body = api.get(url).json()
        seen.extend(row["id"] for row in body["results"])
        url = body["next"]
    assert len(seen) == ROWS and set(seen) == gadgets


def test_api_pages_without_count_return_every_row_once(admin_user, gadgets):
    api = token_client(admin_user)
    seen: list[int] = []
    for page in range(1, ROWS // 500 + 2):
        body = api.get(
            f"/api/v1/testapp/gadgets/?ordering=status&page_size=500&count=false&page={page}"
        ).json()
        seen.extend(row["id"] for row in body["results"])
    assert len(seen) == ROWS and set(seen) == gadgets


@pytest.mark.parametrize("sort", ["status", "-price", ""])
def test_list_pages_return_every_row_once(admin_client, gadgets, sort):
    seen: list[int] = []
    for page in range(1, ROWS // 200 + 2):
        html = admin_client.get(f"/test/gadgets/?sort={sort}&per_page=200&page={page}&columns=name").content
        seen.extend(int(pk) for pk in re.findall(r'name="pk" value="(\d+)"', html.decode()))
    assert len(seen) == ROWS and set(seen) == gadgets
