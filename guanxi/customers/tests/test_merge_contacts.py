"""Merging contacts (the issue's list, for the second entity that declares a merge): the list's
bulk action opens the page, and what points at a contact moves — the signer of an active
contract (its guard lets the re-point through), deal roles (a twin role is absorbed), links,
follow-ups, converted leads — through the write path."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from guanxi.activities.models import FollowUp
from guanxi.contracts.models import ContractStatus
from guanxi.contracts.tests.conftest import c as contracts_fixture  # noqa: F401  (the base fixture)
from guanxi.core.models import ObjectChange
from guanxi.customers.models import Contact, CustomerContact, Lead
from guanxi.framework import merging
from guanxi.framework.testing.fixtures import as_user
from guanxi.receivables.tests.conftest import c as receivables_fixture  # noqa: F401
from guanxi.receivables.tests.conftest import signed_contract
from guanxi.sales.models import DealContact
from guanxi.sales.tests.conftest import make_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(receivables_fixture):  # noqa: F811
    return receivables_fixture


def test_the_contact_list_offers_merge(c, admin_user, client):
    with as_user(admin_user):
        keep, dup = Contact.objects.create(name="李雷"), Contact.objects.create(name="李雷 (华康)")
    url = reverse("customers:contact_merge")
    client.force_login(admin_user)
    listing = client.get(reverse("customers:contact_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'formaction="{url}"' in listing
    response = client.post(url, {"pk": [keep.pk, dup.pk]})
    assert response["Location"] == f"{url}?ids={keep.pk}&ids={dup.pk}"
    assert client.get(response["Location"]).status_code == 200


def test_what_points_at_a_contact_moves(c, admin_user):
    customer = c.customer
    with as_user(admin_user):
        keep, dup = Contact.objects.create(name="李雷"), Contact.objects.create(name="李雷 (华康)")
        CustomerContact.objects.create(customer=customer, contact=keep)
        CustomerContact.objects.create(customer=customer, contact=dup)  # a twin: absorbed
        link = CustomerContact.objects.create(customer=c.other, contact=dup)
        follow_up = FollowUp.objects.create(target=dup, customer=customer, content="电话")
        lead = Lead.objects.create(name="华康线索", converted_contact=dup)
    deal = make_deal(c.rep1, customer, c.pipeline, name="华康三期")
    other_deal = make_deal(c.rep1, customer, c.pipeline, name="华康四期")
    with as_user(admin_user):
        DealContact.objects.create(deal=deal, contact=keep)
        DealContact.objects.create(deal=deal, contact=dup)  # a twin: absorbed
        role = DealContact.objects.create(deal=other_deal, contact=dup)
    contract = signed_contract(c.rep1, customer, "8000.00", title="三期合同", customer_signer=dup)

    with as_user(admin_user):
        result = merging.merge(keep, [dup], actor=admin_user)

    assert result.moved == {
        "activities.followup": 1,
        "contracts.contract": 1,
        "customers.customercontact": 1,
        "customers.lead": 1,
        "sales.dealcontact": 1,
    }
    assert result.deduplicated == {"customers.customercontact": 1, "sales.dealcontact": 1}
    contract.refresh_from_db()
    assert (contract.customer_signer_id, contract.status) == (keep.pk, ContractStatus.ACTIVE)
    for row, column in [(link, "contact_id"), (follow_up, "target_id"), (lead, "converted_contact_id"),
                        (role, "contact_id")]:  # fmt: skip
        row.refresh_from_db()
        assert getattr(row, column) == keep.pk, (row, column)
    assert DealContact.objects.filter(deal=deal).count() == 1
    entry = ObjectChange.objects.filter(
        changed_object_type=ContentType.objects.get_for_model(type(contract)), changed_object_id=contract.pk
    ).latest("time")
    assert (entry.prechange_data, entry.postchange_data) == (
        {"customer_signer": dup.pk},
        {"customer_signer": keep.pk},
    )
    assert entry.message == "Merged into 李雷"
