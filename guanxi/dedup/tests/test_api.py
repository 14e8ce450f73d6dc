"""``/api/v1/dedup/``: candidates (the caller's pairs, masked reasons), dismissal (all or none),
the entry-time check; refusals are 400/403 and change nothing."""

from __future__ import annotations

import pytest

from guanxi.dedup.models import DismissedPair, DuplicateCandidate
from guanxi.dedup.services.scan import scan_entity
from guanxi.framework.api.testing import token_client
from guanxi.framework.testing.fixtures import as_system
from guanxi.users.models import FieldRule

pytestmark = pytest.mark.django_db
URL = "/api/v1/dedup/"


@pytest.fixture
def scanned(world):
    scan_entity("customers.customer")
    return world


def test_list(scanned):
    c = scanned.c
    body = token_client(scanned.zhang).get(f"{URL}candidates/", {"type": "customers.customer"}).json()
    assert body["count"] == 3
    first = body["results"][0]
    assert (first["left"]["id"], first["right"]["id"], first["score"]) == (c.a.pk, c.b.pk, 1.0)
    assert sorted(first["reasons"]) == ["name similarity 1.00", "same phone 138 0013 8000"]
    assert first["left"]["url"] == f"/customers/{c.a.pk}/"
    body = token_client(scanned.admin).get(f"{URL}candidates/", {"reason": "email"}).json()
    assert [(r["left"]["id"], r["right"]["id"]) for r in body["results"]] == [(c.d.pk, c.e.pk)]


def test_reasons_leave_out_a_field_hidden_from_the_caller(scanned):
    """No name-similarity reason, in the queue or the check, for a caller the name is hidden from;
    the check does not compare a typed name with names the caller may not read."""
    c = scanned.c
    role = scanned.zhang.roles.get(name="张-dedup")
    with as_system():
        FieldRule.objects.create(role=role, content_type=scanned.ct, field_name="name", access="hidden")
    api = token_client(scanned.zhang)
    body = api.get(f"{URL}candidates/", {"type": "customers.customer"}).json()
    assert [
        r["reasons"] for r in body["results"] if r["left"]["id"] == c.a.pk and r["right"]["id"] == c.b.pk
    ] == [["same phone 138 0013 8000"]]
    assert not any("similarity" in reason for r in body["results"] for reason in r["reasons"])
    found = api.post(
        f"{URL}check/",
        {"type": "customers.customer", "values": {"name": "星河科技有限公司", "phone": "13800138000"}},
        format="json",
    ).json()
    assert sorted((hit["record"]["id"], tuple(hit["reasons"])) for hit in found) == [
        (c.a.pk, ("same phone 138 0013 8000",)),
        (c.b.pk, ("same phone 138 0013 8000",)),
    ]


def test_bad_input_and_refusals(scanned):
    api = token_client(scanned.zhang)
    assert api.get(f"{URL}candidates/", {"type": "nope.nope"}).status_code == 400
    assert api.get(f"{URL}candidates/", {"min_score": "x"}).status_code == 400
    assert token_client(scanned.li).get(f"{URL}candidates/").status_code == 403
    theirs = DuplicateCandidate.objects.get(left_id=scanned.c.d.pk).pk
    response = api.post(
        f"{URL}candidates/dismiss/", {"type": "customers.customer", "ids": [theirs]}, format="json"
    )
    assert response.status_code == 400 and "ids" in response.json()["errors"]
    response = api.post(
        f"{URL}candidates/dismiss/", {"type": "customers.customer", "ids": ["x"]}, format="json"
    )
    assert response.status_code == 400
    assert DismissedPair.objects.count() == 0


def test_dismiss(scanned):
    mine = DuplicateCandidate.objects.get(left_id=scanned.c.a.pk, right_id=scanned.c.b.pk).pk
    api = token_client(scanned.zhang)
    response = api.post(
        f"{URL}candidates/dismiss/", {"type": "customers.customer", "ids": [mine]}, format="json"
    )
    assert response.status_code == 200 and response.json() == {"dismissed": 1}
    assert DismissedPair.objects.get().left_id == scanned.c.a.pk
    assert api.get(f"{URL}candidates/").json()["count"] == 2


def test_check(scanned):
    with as_system():  # a token user's saved language wins over Accept-Language, as a session's
        scanned.zhang.language = "zh-hans"
        scanned.zhang.save(update_fields=["language"])
    api = token_client(scanned.zhang, language="en")
    body = {"type": "customers.customer", "values": {"name": "星河科技", "phone": "+8613800138000"}}
    found = api.post(f"{URL}check/", body, format="json").json()
    assert [(f["record"]["id"], f["score"]) for f in found] == [
        (scanned.c.a.pk, 1.0),
        (scanned.c.b.pk, 1.0),
        (scanned.c.c.pk, 1.0),
    ]
    assert sorted(found[0]["reasons"]) == ["名称相似度 1.00", "相同电话 138 0013 8000"]
    assert api.post(f"{URL}check/", {"type": "customers.customer"}, format="json").status_code == 400


def test_reasons_mask_the_phone_as_the_caller_reads_it(scanned):
    role = scanned.zhang.roles.get(name="张-dedup")
    with as_system():
        FieldRule.objects.create(role=role, content_type=scanned.ct, field_name="phone", access="masked")
    api = token_client(scanned.zhang)
    listed = api.get(f"{URL}candidates/", {"type": "customers.customer"}).json()["results"]
    assert "same phone 138****8000" in listed[0]["reasons"]
    body = {"type": "customers.customer", "values": {"phone": "138 0013 8000"}}
    found = api.post(f"{URL}check/", body, format="json").json()
    assert [f["reasons"] for f in found] == [["same phone 138****8000"]] * 2
    everything = str(listed) + str(found)
    assert "13800138000" not in everything and "138 0013 8000" not in everything
