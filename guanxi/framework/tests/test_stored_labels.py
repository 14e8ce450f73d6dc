"""Stored labels (``object_repr``) read under the reader's field rules (``fieldaccess.stored_labels``).

The change log, the recycle bin, events and the home page keep the label a record had when the row
was written — ``str(obj)``, under no field rule. A lead's label holds its company: a reader for whom
the company is masked reads "王磊 · 星***司" everywhere, one for whom it is hidden "王磊"; a lead
that is gone, with nothing kept to build its label from, reads "Lead #<id>".
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.core.models import ObjectChange
from guanxi.customers.leads.models import Lead
from guanxi.framework import fieldaccess
from guanxi.framework.api.testing import token_client
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.scopes import give_role
from guanxi.framework.write import delete_object
from guanxi.users.models import FieldRule, User

pytestmark = pytest.mark.django_db

SHOWN = {"masked": ("王磊 · 星***司", "赵敏 · 月***司"), "hidden": ("王磊", "赵敏")}
CLEAR = ("星河科技有限公司", "月光传媒有限公司")


@pytest.fixture(params=["masked", "hidden"])
def world(request, make_user):
    """A reader whose role masks or hides a lead's company; a lead they changed (王磊 · 星河科技) and
    one they deleted (赵敏 · 月光传媒, in the recycle bin), all change-logged."""
    access = request.param
    reader = make_user("reader", language="en")
    role = give_role(reader, Lead, "own", ["view", "add", "change", "delete"], name="reader-leads")
    give_role(reader, ObjectChange, "all", ["view"], name="reader-change-log")
    with as_system():
        FieldRule.objects.create(
            role=role,
            content_type=ContentType.objects.get_for_model(Lead),
            field_name="company",
            access=access,
        )
    with as_user(reader):
        lead = Lead.objects.create(name="王磊", company="星河科技有限公司", owner=reader)
        lead.title = "采购经理"
        lead.save()
        gone = Lead.objects.create(name="赵敏", company="月光传媒有限公司", owner=reader)
        gone_pk = gone.pk
        delete_object(gone, actor=reader)
    shown, shown_gone = SHOWN[access]
    return SimpleNamespace(
        access=access,
        reader=User.objects.get(pk=reader.pk),  # fresh: the policy caches on the object
        lead=lead,
        gone_pk=gone_pk,
        shown=shown,
        shown_gone=shown_gone,
    )


def no_clear_company(text: str) -> bool:
    return not any(company in text for company in CLEAR)


def test_change_log_page_and_detail(client, world):
    stored = ObjectChange.objects.filter(changed_object_type__model="lead", changed_object_id=world.lead.pk)
    # the stored text stays as written (the audit record); what a reader sees of it follows the rules
    assert set(stored.values_list("object_repr", flat=True)) == {"王磊 · 星河科技有限公司"}
    client.force_login(world.reader)
    page = client.get("/settings/change-log/").content.decode()
    assert world.shown in page and world.shown_gone in page  # the delete's kept values label the gone lead
    assert no_clear_company(page)
    # the create of the gone lead, its delete not on the page: nothing kept, type and id only
    creates = client.get("/settings/change-log/", {"action": "create"}).content.decode()
    assert f"Lead #{world.gone_pk}" in creates and no_clear_company(creates)
    change = ObjectChange.objects.filter(changed_object_id=world.lead.pk, action="update").get()
    detail = client.get(f"/settings/change-log/{change.pk}/").content.decode()
    assert world.shown in detail and no_clear_company(detail)


def test_change_log_api(world):
    body = token_client(world.reader).get("/api/v1/core/changes/").json()
    labels = {row["object_repr"] for row in body["results"] if row["object_type"] == "customers.lead"}
    assert labels == {world.shown, world.shown_gone}
    assert no_clear_company(str(body))


def test_recycle_bin_page_and_api(client, world):
    client.force_login(world.reader)
    page = client.get("/settings/recycle-bin/").content.decode()
    assert f"<strong>{world.shown_gone}</strong>" in page and no_clear_company(page)
    body = token_client(world.reader).get("/api/v1/recyclebin/entries/").json()
    assert [row["object_repr"] for row in body["results"]] == [world.shown_gone]


def test_home_page_recent_changes(client, world):
    client.force_login(world.reader)
    page = client.get("/").content.decode()
    assert f"<strong>{world.shown}</strong>" in page and f"<strong>{world.shown_gone}</strong>" in page
    assert no_clear_company(page)


def test_events_api(world):
    body = token_client(world.reader).get("/api/v1/core/events/", {"entity": "customers.lead"}).json()
    ours = [row for row in body["results"] if row["object_id"] == world.lead.pk]
    assert ours and {row["object_repr"] for row in ours} == {world.shown}
    assert {row["payload"]["display"] for row in ours if "display" in row["payload"]} == {world.shown}
    assert no_clear_company(str(ours))


def test_list_pages_cost_one_query_per_type_whatever_the_page_size(client, world):
    """The labels of a page of stored rows load the records in one query per type: the change
    log, the recycle bin and the home page cost as many queries with 3 records as with 9."""

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def more(n: int) -> None:
        with as_user(world.reader):
            for i in range(n):
                lead = Lead.objects.create(name=f"客户{i}", company=f"公司{i}有限公司", owner=world.reader)
                delete_object(lead, actor=world.reader) if i % 2 else None

    client.force_login(world.reader)
    urls = ("/settings/change-log/", "/settings/recycle-bin/", "/", "/api/v1/core/changes/")
    more(2)
    [queries(url) for url in urls]  # the first request reads what is kept across requests
    before = [queries(url) for url in urls]
    more(6)
    assert [queries(url) for url in urls] == before


def test_a_reader_under_no_rule_reads_the_stored_text_without_a_query(world, make_user):
    other = make_user("other", language="en")
    give_role(other, Lead, "all", ["view"], name="other-leads")
    refs = list(
        ObjectChange.objects.filter(changed_object_type__model="lead").values_list(
            "changed_object_type_id", "changed_object_id", "object_repr"
        )
    )
    other = User.objects.get(pk=other.pk)
    fieldaccess.rules_for(other, Lead)  # the rules are read once a request
    with CaptureQueriesContext(connection) as captured:
        labels = fieldaccess.stored_labels(other, refs)
    assert labels == [text for _ct, _pk, text in refs] and len(captured) == 0
    assert set(fieldaccess.stored_labels(world.reader, refs)) == {world.shown, f"Lead #{world.gone_pk}"}


def test_the_change_log_search_does_not_match_a_hidden_or_masked_part(client, world):
    """A search of the change log for the company finds no change of the lead: the stored text is
    not searched on the rows of a type whose label the reader's rules mask or hide."""
    client.force_login(world.reader)
    page = client.get("/settings/change-log/", {"q": "星河科技"}).content.decode()
    assert world.shown not in page
    assert world.shown in client.get("/settings/change-log/", {"q": ""}).content.decode()
