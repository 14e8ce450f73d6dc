"""A lead's status moves only through its transitions: contact, qualify, disqualify, reopen, convert.

Scenarios through the service, the API (``…/transition/``, ``…/transitions/``, the PATCH that used
to slip through with 200), the pages (the buttons and their view, the read-only form field) and
bulk edit. Every refusal leaves the rows and the change log as they were.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from guanxi.core.models import ObjectChange
from guanxi.customers.leads.services.leads import record_lead_contact
from guanxi.customers.leads.views import LeadForm
from guanxi.customers.models import Customer, Lead
from guanxi.framework.api.testing import token_client
from guanxi.framework.forms import BulkEditForm
from guanxi.framework.statemachine import (
    StateWriteRefused,
    TransitionConflict,
    allowed_transitions,
    transition,
)
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.scopes import give_role, rows_by_pk

pytestmark = pytest.mark.django_db
URL = "/api/v1/customers/leads/"


@pytest.fixture
def rep(django_user_model):
    from guanxi.users.models import Department

    with as_system():
        east = Department.objects.create(name="华东销售一部")
        user = django_user_model.objects.create_user("zhang", name="张三", department=east, language="en")
    give_role(user, Lead, "own", ["view", "add", "change"], name="rep-leads")
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def viewer(django_user_model):
    """May see every lead, change none."""
    with as_system():
        user = django_user_model.objects.create_user("guan", name="关羽", language="en")
    give_role(user, Lead, "all", ["view"], name="lead-viewer")
    return type(user).objects.get(pk=user.pk)


def new_lead(**fields):
    with as_system():
        return Lead.objects.create(**{"name": "王磊", "company": "苏州启明软件有限公司", **fields})


def history(lead):
    return list(
        ObjectChange.objects.filter(
            changed_object_type__model="lead", changed_object_id=lead.pk, action="update"
        )
        .order_by("pk")
        .values_list("prechange_data", "postchange_data", "message")
    )


# --- the service ---------------------------------------------------------------------------------------
def test_contact_qualify_disqualify_reopen_each_move_the_status_and_say_so_in_the_history(rep):
    lead = new_lead(owner=rep)
    with as_user(rep):
        transition(lead, "contact", actor=rep)
        assert lead.status == "contacted"
        transition(lead, "qualify", actor=rep)
        assert lead.status == "qualified"
        transition(lead, "disqualify", actor=rep, reason="  空号  ")
        assert (lead.status, lead.disqualify_reason) == ("disqualified", "空号")
        transition(lead, "reopen", actor=rep)
    lead.refresh_from_db()
    assert (lead.status, lead.disqualify_reason) == ("new", "")
    assert history(lead) == [
        ({"status": "new"}, {"status": "contacted"}, "Mark contacted (New → Contacted)"),
        ({"status": "contacted"}, {"status": "qualified"}, "Qualify (Contacted → Qualified)"),
        (
            {"status": "qualified", "disqualify_reason": ""},
            {"status": "disqualified", "disqualify_reason": "空号"},
            "Disqualify: 空号 (Qualified → Disqualified)",
        ),
        (
            {"status": "disqualified", "disqualify_reason": "空号"},
            {"status": "new", "disqualify_reason": ""},
            "Reopen (Disqualified → New)",
        ),
    ]
    assert ObjectChange.objects.filter(action="update").first().user == rep


def test_disqualify_without_a_reason_is_a_field_error_and_changes_nothing(rep):
    lead = new_lead(owner=rep)
    before = rows_by_pk(Lead)
    with pytest.raises(ValidationError) as caught, as_user(rep):
        transition(lead, "disqualify", actor=rep, reason="   ")
    assert caught.value.message_dict == {"reason": ["Say why the lead is disqualified."]}
    assert rows_by_pk(Lead) == before and history(lead) == []


def test_a_transition_from_the_wrong_state_is_refused_and_changes_nothing(rep):
    lead = new_lead(owner=rep)
    with pytest.raises(ValidationError) as caught, as_user(rep):
        transition(lead, "reopen", actor=rep)
    assert caught.value.message_dict == {"transition": ["“Reopen” is not possible while the record is New."]}
    with pytest.raises(ValidationError) as unknown, as_user(rep):
        transition(lead, "archive", actor=rep)
    assert unknown.value.message_dict == {"transition": ["There is no transition “archive”."]}
    lead.refresh_from_db()
    assert lead.status == "new" and history(lead) == []


def test_without_the_verb_on_the_row_the_transition_is_refused(rep, viewer):
    lead = new_lead(owner=rep)
    with pytest.raises(PermissionDenied), as_user(viewer):
        transition(lead, "qualify", actor=viewer)
    lead.refresh_from_db()
    assert lead.status == "new" and history(lead) == []


def test_a_stale_copy_gets_a_conflict_not_a_second_change(rep):
    lead = new_lead(owner=rep)
    stale = Lead.objects.get(pk=lead.pk)
    with as_user(rep):
        transition(lead, "disqualify", actor=rep, reason="重复")
        with pytest.raises(TransitionConflict) as caught:
            transition(stale, "qualify", actor=rep)
    assert caught.value.messages == [
        "Someone changed this record meanwhile: it is Disqualified now. Reload it and try again."
    ]
    lead.refresh_from_db()
    assert (lead.status, lead.disqualify_reason) == ("disqualified", "重复")


def test_a_plain_save_cannot_change_the_status(rep):
    lead = new_lead(owner=rep)
    lead.status = "qualified"
    with pytest.raises(StateWriteRefused), as_user(rep):
        lead.save()
    with as_user(rep):
        lead.refresh_from_db()
        lead.city = "苏州"
        lead.save()  # other fields save as before
    assert Lead.objects.get(pk=lead.pk).status == "new"


def test_a_logged_follow_up_marks_a_new_lead_contacted_once(rep):
    lead = new_lead(owner=rep)
    with as_user(rep):
        record_lead_contact(lead, actor=rep)
        record_lead_contact(lead, actor=rep)
    lead.refresh_from_db()
    assert lead.status == "contacted" and lead.last_contacted_at is not None
    assert [message for _b, _a, message in history(lead)] == ["Mark contacted (New → Contacted)"]


def test_allowed_transitions_follow_the_state_and_the_verb(rep, viewer):
    lead = new_lead(owner=rep)
    assert [t.name for t in allowed_transitions(lead, rep)] == ["contact", "qualify", "disqualify", "convert"]
    assert [t.name for t in allowed_transitions(lead, rep, direct_only=True)] == [
        "contact",
        "qualify",
        "disqualify",
    ]
    assert allowed_transitions(lead, viewer) == []
    with as_user(rep):
        transition(lead, "disqualify", actor=rep, reason="空号")
    assert [t.name for t in allowed_transitions(lead, rep)] == ["reopen"]


def test_conversion_runs_the_convert_transition(rep):
    give_role(rep, Customer, "own", ["view", "add", "change"], name="rep-customers")
    from guanxi.customers.leads.services.leads import convert_lead
    from guanxi.customers.models import Contact

    give_role(rep, Contact, "own", ["view", "add", "change"], name="rep-contacts")
    lead = new_lead(owner=rep)
    with as_user(rep):
        customer, contact = convert_lead(lead, actor=rep)
    assert (lead.status, lead.converted_customer, lead.converted_contact, lead.converted_by) == (
        "converted",
        customer,
        contact,
        rep,
    )
    assert history(lead)[-1][2] == "Convert (New → Converted)"
    assert allowed_transitions(lead, rep) == []


# --- the API --------------------------------------------------------------------------------------------
def test_patch_to_disqualified_is_400_and_names_the_transition_endpoint(rep):
    """Regression: PATCH status=disqualified with no reason answered 200."""
    lead = new_lead(owner=rep)
    api = token_client(rep)
    for body in ({"status": "disqualified"}, {"status": "disqualified", "disqualify_reason": "空号"}):
        response = api.patch(f"{URL}{lead.pk}/", body, format="json")
        assert response.status_code == 400
        assert response.json()["errors"]["status"] == [
            f"This field changes only through a transition: POST …/{lead.pk}/transition/."
        ]
    bulk = api.patch(URL, [{"id": lead.pk, "status": "qualified"}], format="json")
    assert bulk.status_code == 400 and "0.status" in bulk.json()["errors"]
    same = api.patch(f"{URL}{lead.pk}/", {"status": "new", "city": "苏州"}, format="json")
    assert same.status_code == 200, same.json()  # sending the current value is harmless
    lead.refresh_from_db()
    assert (lead.status, lead.disqualify_reason, lead.city) == ("new", "", "苏州")


def test_transition_endpoint_disqualifies_with_a_reason(rep):
    lead = new_lead(owner=rep)
    api = token_client(rep)
    listed = api.get(f"{URL}{lead.pk}/transitions/")
    assert listed.status_code == 200
    assert [(t["name"], t["label"], t["target"]) for t in listed.json()] == [
        ("contact", "Mark contacted", "contacted"),
        ("qualify", "Qualify", "qualified"),
        ("disqualify", "Disqualify", "disqualified"),
    ]
    assert listed.json()[2]["inputs"] == [
        {"name": "reason", "label": "Disqualification reason", "required": True}
    ]

    missing = api.post(f"{URL}{lead.pk}/transition/", {"transition": "disqualify"}, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"reason": ["Say why the lead is disqualified."]}
    lead.refresh_from_db()
    assert lead.status == "new"

    done = api.post(
        f"{URL}{lead.pk}/transition/", {"transition": "disqualify", "reason": "空号"}, format="json"
    )
    assert done.status_code == 200, done.json()
    assert (done.json()["status"], done.json()["disqualify_reason"]) == ("disqualified", "空号")
    again = api.post(
        f"{URL}{lead.pk}/transition/", {"transition": "disqualify", "reason": "空号"}, format="json"
    )
    assert again.status_code == 400
    assert again.json()["errors"] == {
        "transition": ["“Disqualify” is not possible while the record is Disqualified."]
    }


def test_transition_endpoint_refusals(rep, viewer):
    lead = new_lead(owner=rep)
    api = token_client(rep)
    own_action = api.post(f"{URL}{lead.pk}/transition/", {"transition": "convert"}, format="json")
    assert own_action.status_code == 400
    assert own_action.json()["errors"] == {"transition": ["“Convert” has its own action."]}
    unknown = api.post(
        f"{URL}{lead.pk}/transition/", {"transition": "qualify", "colour": "red"}, format="json"
    )
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == {"colour": ["“Qualify” does not take this value."]}
    nameless = api.post(f"{URL}{lead.pk}/transition/", {}, format="json")
    assert nameless.json()["errors"] == {"transition": ["Name the transition to take."]}
    denied = token_client(viewer).post(
        f"{URL}{lead.pk}/transition/", {"transition": "qualify"}, format="json"
    )
    assert denied.status_code == 403
    assert token_client(viewer).get(f"{URL}{lead.pk}/transitions/").json() == []
    lead.refresh_from_db()
    assert lead.status == "new" and history(lead) == []


def test_a_new_lead_starts_in_an_open_status(rep):
    api = token_client(rep)
    refused = api.post(
        URL, {"name": "陈晨", "status": "disqualified", "allow_duplicate": True}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["errors"]["status"] == ["A new record starts as one of: New, Contacted, Qualified."]
    reason = api.post(
        URL, {"name": "陈晨", "disqualify_reason": "空号", "allow_duplicate": True}, format="json"
    )
    assert reason.json()["errors"]["disqualify_reason"] == ["This field is set by a transition."]
    assert not Lead.objects.exists()
    created = api.post(URL, {"name": "陈晨", "status": "contacted", "allow_duplicate": True}, format="json")
    assert created.status_code == 201, created.json()
    assert Lead.objects.get().status == "contacted"


def test_models_without_a_machine_have_no_transition_route(rep):
    give_role(rep, Customer, "own", ["view", "add", "change"], name="rep-customers")
    with as_system():
        customer = Customer.objects.create(name="杭州云帆贸易有限公司", owner=rep)
    response = token_client(rep).get(f"/api/v1/customers/customers/{customer.pk}/transitions/")
    assert response.status_code == 404


# --- the pages ------------------------------------------------------------------------------------------
def test_the_lead_page_offers_the_transitions_and_takes_them(client, rep):
    lead = new_lead(owner=rep)
    client.force_login(rep)
    page = client.get(lead.get_absolute_url()).content.decode()
    assert 'id="transition-qualify"' in page and 'id="transition-disqualify"' in page
    assert 'id="transition-reopen"' not in page
    url = reverse("customers:lead_transition", args=[lead.pk])

    refused = client.post(url, {"transition": "disqualify", "reason": ""}, follow=True)
    assert "Say why the lead is disqualified." in refused.content.decode()
    lead.refresh_from_db()
    assert lead.status == "new"

    response = client.post(url, {"transition": "disqualify", "reason": "不感兴趣"})
    assert response.status_code == 302 and response["Location"] == lead.get_absolute_url()
    lead.refresh_from_db()
    assert (lead.status, lead.disqualify_reason) == ("disqualified", "不感兴趣")
    page = client.get(lead.get_absolute_url()).content.decode()
    assert 'id="transition-reopen"' in page and 'id="transition-qualify"' not in page


def test_the_page_view_refuses_a_reader_without_the_verb(client, rep, viewer):
    lead = new_lead(owner=rep)
    client.force_login(viewer)
    assert 'id="transition-qualify"' not in client.get(lead.get_absolute_url()).content.decode()
    response = client.post(reverse("customers:lead_transition", args=[lead.pk]), {"transition": "qualify"})
    assert response.status_code == 403
    lead.refresh_from_db()
    assert lead.status == "new"


def test_the_edit_form_shows_the_status_read_only(client, rep):
    lead = new_lead(owner=rep)
    form = LeadForm(instance=lead, user=rep)
    assert form.fields["status"].disabled and form.fields["disqualify_reason"].disabled
    new_form = LeadForm(user=rep)
    assert [c[0] for c in new_form.fields["status"].choices] == ["new", "contacted", "qualified"]
    assert "disqualify_reason" not in new_form.fields
    client.force_login(rep)
    data = {"name": "王磊", "company": "苏州启明软件有限公司", "source": "manual", "status": "disqualified"}
    response = client.post(reverse("customers:lead_edit", args=[lead.pk]), data)
    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.status, lead.disqualify_reason) == ("new", "")


def test_bulk_edit_never_offers_a_state():
    form = BulkEditForm(Lead, ["source", "status", "disqualify_reason"], queryset=Lead.objects.none())
    assert "source" in form.fields
    assert "status" not in form.fields and "disqualify_reason" not in form.fields
