"""The state-machine machinery itself, on leads: concurrent transitions (one wins, the other gets
a conflict) and transitions that need an approval."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import close_old_connections, connection
from django.utils import translation

from guanxi.customers.models import Lead
from guanxi.framework.context import Source, actor_context
from guanxi.framework.statemachine import (
    ApprovalNotAvailable,
    Transition,
    TransitionConflict,
    TransitionContext,
    machines_for,
    set_approval_handler,
    transition,
)
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.scopes import give_role


@pytest.fixture
def rep(django_user_model):
    with as_system():
        user = django_user_model.objects.create_user("zhang", name="张三", language="en")
    give_role(user, Lead, "own", ["view", "add", "change"], name="rep-leads")
    return type(user).objects.get(pk=user.pk)


def new_lead(owner):
    with as_system():
        return Lead.objects.create(name="王磊", company="苏州启明软件有限公司", owner=owner)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_transitions_one_wins_the_other_gets_a_conflict(rep):
    """Thread A holds the row (its transition is half-way, inside its transaction) while thread B
    starts another from the same state. On PostgreSQL B waits on A's row lock, then sees the new
    state and gets the conflict; SQLite serialises every writer of the database, so B is shown the
    same conflict on the copy it read before A committed."""
    lead = new_lead(rep)
    machine = machines_for(Lead)[0]
    a_holds_the_row, b_is_waiting = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def hold(ctx: TransitionContext) -> None:
        a_holds_the_row.set()
        b_is_waiting.wait(timeout=5)
        if connection.vendor == "postgresql":
            threading.Event().wait(0.5)  # B is blocked on the row lock by now

    original = machine.transitions["disqualify"]
    machine.transitions["disqualify"] = Transition(
        name="disqualify",
        source=original.source,
        target=original.target,
        label=original.label,
        inputs=original.inputs,
        effects=[hold],
    )

    def run(key: str, name: str, **inputs: Any) -> None:
        try:
            with actor_context(rep, source=Source.TEST), translation.override("en"):
                copy = Lead.objects.get(pk=lead.pk)
                if key == "b":
                    a_holds_the_row.wait(timeout=5)
                    if connection.vendor != "postgresql":
                        copy = Lead.objects.get(pk=lead.pk)  # read while A is still uncommitted
                    b_is_waiting.set()
                    if connection.vendor != "postgresql":
                        done.wait(timeout=5)
                transition(copy, name, actor=rep, **inputs)
                outcome[key] = "applied"
        except TransitionConflict as conflict:
            outcome[key] = conflict.messages[0]
        finally:
            if key == "a":
                done.set()
            close_old_connections()
            connection.close()

    done = threading.Event()
    try:
        a = threading.Thread(target=run, args=("a", "disqualify"), kwargs={"reason": "空号"})
        b = threading.Thread(target=run, args=("b", "qualify"))
        a.start()
        b.start()
        a.join(timeout=15)
        b.join(timeout=15)
    finally:
        machine.transitions["disqualify"] = original
    assert outcome == {
        "a": "applied",
        "b": "Someone changed this record meanwhile: it is Disqualified now. Reload it and try again.",
    }
    lead.refresh_from_db()
    assert (lead.status, lead.disqualify_reason) == ("disqualified", "空号")


@pytest.fixture
def approval_transition():
    """A "fast-track" transition that needs an approval, declared for the test's duration."""
    from guanxi.framework import statemachine

    machine = machines_for(Lead)[0]
    machine.transitions["fast_track"] = Transition(
        name="fast_track", source=["new"], target="qualified", label="Fast-track", needs_approval=True
    )
    installed = statemachine._approval_handler  # the approval engine's, put back afterwards
    set_approval_handler(None)
    yield machine.transitions["fast_track"]
    del machine.transitions["fast_track"]
    set_approval_handler(installed)


@pytest.mark.django_db
def test_a_transition_needing_approval_is_refused_while_no_approval_engine_is_installed(
    rep, approval_transition
):
    lead = new_lead(rep)
    with pytest.raises(ApprovalNotAvailable) as caught, as_user(rep):
        transition(lead, "fast_track", actor=rep)
    assert caught.value.message_dict == {
        "transition": ["“Fast-track” needs an approval, which is not available yet."]
    }
    lead.refresh_from_db()
    assert lead.status == "new"


@pytest.mark.django_db
def test_the_approval_engine_receives_the_request_and_applies_the_decision(rep, approval_transition):
    lead = new_lead(rep)
    requests = []
    set_approval_handler(lambda obj, t, actor, inputs: requests.append((obj.pk, t.name, actor, inputs)))
    with as_user(rep):
        transition(lead, "fast_track", actor=rep)
    lead.refresh_from_db()
    assert lead.status == "new"  # waits for the decision
    assert requests == [(lead.pk, "fast_track", rep, {})]
    with as_user(rep):
        transition(lead, "fast_track", actor=rep, approved=True)
    assert lead.status == "qualified"
