"""Declarative state machines on a model field, and ``transition()``: the only way to change a state.

A model declares its machine as a class attribute::

    class Lead(PrimaryModel):
        status_machine = StateMachine(
            field="status",
            initial=["new", "contacted", "qualified"],
            transitions=[
                Transition(
                    name="disqualify", source=["new", "contacted", "qualified"], target="disqualified",
                    verb="change", label=_("Disqualify"),
                    inputs={"reason": Input(field="disqualify_reason", message=_("Say why…"))},
                ),
                ...
            ],
        )

``transition(obj, "disqualify", actor=user, reason="空号")`` then, in one transaction:

1. locks the row (``select_for_update``) and compares its state with the caller's copy: when
   another writer moved it meanwhile the caller gets ``TransitionConflict`` (the API answers 409),
   so two concurrent transitions can never both apply;
2. checks the actor may do the transition's *verb* on this row (``restrict(actor, verb)``);
3. checks the transition leaves the current state, its guards pass and its inputs are valid
   (``ValidationError`` with one message per input, in the user's language);
4. routes ``needs_approval`` transitions to the approval hook (``set_approval_handler``);
5. sets the target state, writes the inputs to their fields, runs the effects, saves with
   ``update_fields`` (the change log captures the diff, with the transition as its message) and
   runs the ``after`` effects.

Data-driven machines: when the states are rows (a deal's stage is a foreign key to the stages of its
pipeline), the machine takes a ``provider`` (``TransitionProvider``) that lists the transitions of
one record (``provider.transitions(obj)``) and names its states; static transitions and provided
ones are looked up, checked and applied alike. The state of a foreign-key field is its id as text.

State fields are read-only elsewhere: the generic form disables them on edit (``protect_form``),
the serializer refuses a different value (``refuse_state_writes``), bulk edit skips them, and a
plain ``save()`` that changes a state outside ``transition()`` raises ``StateWriteRefused``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models.signals import pre_save
from django.utils import timezone
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from guanxi.framework.models import ChangeLoggedModel


class TransitionConflict(ValidationError):
    """The record's state changed since the caller read it (another user or request was faster)."""


class StateWriteRefused(ValidationError):
    """A state field was changed by a plain save instead of through ``transition()``."""


class ApprovalNotAvailable(ValidationError):
    """The transition needs an approval and no approval engine is installed yet."""


@dataclass(frozen=True)
class Input:
    """A value the transition asks for (a reason, the customer a lead became).

    ``field`` names the model field the value is written to (its validators and length apply);
    ``message`` is what a missing required value says. The record's page asks for it with the
    control its field calls for; an input without a field may name its own: ``control``
    ("checkbox": a yes/no, sent as "1") and ``choices`` (a callable giving the ``[(value, label)]``
    offered, e.g. a configurable list's active options).
    """

    field: str | None = None
    required: bool = True
    label: Any = ""
    message: Any = None
    control: str = ""
    choices: Callable[[], list[tuple[Any, Any]]] | None = None


#: The brief way to say "a required input that is not written to a field".
required = Input()


@dataclass
class TransitionContext:
    """What guards and effects see: the (locked) row, the actor, the transition, the inputs."""

    obj: Any
    actor: Any
    transition: Transition
    source: str
    inputs: dict[str, Any] = field(default_factory=dict)


Guard = Callable[[TransitionContext], "str | None"]  # a refusal message, or None to allow
Effect = Callable[[TransitionContext], None]


@dataclass(frozen=True)
class Transition:
    """One way out of one or more states.

    * ``verb``: the action the actor needs on the row (``restrict(actor, verb)``).
    * ``guard`` / ``guards``: conditions on the row and actor (return a refusal message or None);
      they run for ``allowed_transitions`` too, so a button is only offered when it would work.
    * ``inputs``: values asked of the caller (``Input``).
    * ``effects``: run before the save (set ``done_at`` …); ``after``: run after it, same transaction.
    * ``needs_approval``: the change waits for an approval (see ``set_approval_handler``).
    * ``direct``: offered by the generic endpoint and buttons; False for transitions that belong to
      a richer use case (a lead's conversion creates a customer first: its own page and action).
    * ``refusal``: a specific message when the transition is not possible from the current state.
    * ``confirm``: the record's page asks for it in a dialog (with its inputs) rather than with a
      button beside input boxes: for actions that are hard to undo (reversing a receipt).
    """

    name: str
    source: Iterable[str]
    target: str
    label: Any = ""
    verb: str = "change"
    guard: Guard | None = None
    guards: Iterable[Guard] = ()
    inputs: Mapping[str, Input] = field(default_factory=dict)
    effects: Iterable[Effect] = ()
    after: Iterable[Effect] = ()
    needs_approval: bool = False
    direct: bool = True
    refusal: Callable[[Any], str] | None = None
    confirm: bool = False
    event: str = ""  # the typed event's verb ("<model>.<event>"); default the transition's name

    def __post_init__(self) -> None:
        # Lists are accepted in declarations; frozen tuples are what the machine keeps.
        object.__setattr__(self, "source", tuple(self.source))
        object.__setattr__(self, "guards", (*((self.guard,) if self.guard else ()), *self.guards))
        object.__setattr__(self, "effects", tuple(self.effects))
        object.__setattr__(self, "after", tuple(self.after))
        object.__setattr__(self, "inputs", dict(self.inputs))

    def leaves(self, state: str) -> bool:
        return "*" in self.source or state in self.source


def then(name: str) -> Effect:
    """An ``after`` hook that asks for transition ``name`` next, as the same actor.

    The approval pattern of every document (quotes, contracts, receipts, invoice requests):
    *submit* moves a draft to pending approval, then asks for the ``needs_approval`` transition,
    which the approval engine turns into a request for the flow's approvers — or applies at once
    when no flow matches the document."""

    def ask(ctx: TransitionContext) -> None:
        transition(ctx.obj, name, actor=ctx.actor)

    ask.__name__ = ask.__qualname__ = f"then_{name}"
    return ask


class TransitionProvider:
    """The transitions of a machine whose states are data (stages of a pipeline).

    Subclass and override: ``transitions(obj)`` lists the ways out of ``obj``'s current state
    (names must be stable across requests: they travel in forms and the API), ``state_label``
    names a state, ``owned_fields`` are the fields the provided transitions write (read-only
    elsewhere), ``accepts_initial`` says whether a new record may start in a state.
    """

    owned_fields: frozenset[str] = frozenset()

    def transitions(self, obj: Any) -> Iterable[Transition]:
        return ()

    def state_label(self, state: str) -> str:
        return state

    def accepts_initial(self, value: Any) -> bool:
        return True


class StateMachine:
    """The states of one model field and the transitions between them (declare on the model)."""

    def __init__(
        self,
        *,
        field: str,
        transitions: Iterable[Transition] = (),
        initial: Iterable[str] | None = None,
        provider: TransitionProvider | None = None,
    ) -> None:
        self.field = field
        self.transitions = {t.name: t for t in transitions}
        self.initial = tuple(initial) if initial is not None else None
        self.provider = provider
        self.model: type[models.Model] | None = None
        self.attr = ""

    def transitions_for(self, obj: Any) -> dict[str, Transition]:
        """The declared transitions and, with a provider, those of this record."""
        if self.provider is None or obj is None:
            return self.transitions
        return {**self.transitions, **{t.name: t for t in self.provider.transitions(obj)}}

    def state_of(self, obj: Any) -> str:
        """The record's state as text (a foreign key's id as text)."""
        assert self.model is not None
        value = getattr(obj, self._model_field().attname)
        return "" if value is None else str(value)

    def set_state(self, obj: Any, state: str) -> None:
        assert self.model is not None
        model_field = self._model_field()
        setattr(obj, model_field.attname, model_field.to_python(state))

    def _model_field(self) -> models.Field:
        assert self.model is not None
        field = self.model._meta.get_field(self.field)
        assert isinstance(field, models.Field)  # a state is a concrete column (or a foreign key)
        return field

    def contribute_to_class(self, cls: type[models.Model], name: str) -> None:
        """Django calls this while building the model class: register and guard the field."""
        self.model, self.attr = cls, name
        setattr(cls, name, self)
        if cls._meta.abstract:
            return
        machines = {**getattr(cls, "_state_machines", {}), self.field: self}
        cls._state_machines = machines  # type: ignore[attr-defined]
        pre_save.connect(
            _refuse_plain_state_write,
            sender=cls,
            weak=False,
            dispatch_uid=f"guanxi-statemachine-{cls._meta.label_lower}-{self.field}",
        )

    @property
    def choices(self) -> dict[str, str]:
        assert self.model is not None
        model_field = self.model._meta.get_field(self.field)
        return {str(k): str(v) for k, v in getattr(model_field, "choices", None) or ()}

    def state_label(self, state: str) -> str:
        if self.provider is not None:
            return self.provider.state_label(state)
        return self.choices.get(state, state)

    @property
    def initial_states(self) -> tuple[str, ...]:
        """States a new record may start in (default: the field's default only)."""
        if self.initial is not None:
            return self.initial
        assert self.model is not None
        model_field = self.model._meta.get_field(self.field)
        assert isinstance(model_field, models.Field)  # a machine's field is a concrete field
        return (str(model_field.get_default()),)

    @property
    def owned_fields(self) -> set[str]:
        """The state field and the fields the transitions' inputs write: read-only elsewhere."""
        owned = {self.field} | set(self.provider.owned_fields if self.provider else ())
        for t in self.transitions.values():
            owned |= {i.field for i in t.inputs.values() if i.field}
        return owned


# --- lookups ------------------------------------------------------------------------------------------
def machines_for(model: type[models.Model] | models.Model) -> list[StateMachine]:
    """The state machines declared on a model (none for most)."""
    cls = model if isinstance(model, type) else type(model)
    return list(getattr(cls, "_state_machines", {}).values())


def owned_fields(model: type[models.Model]) -> set[str]:
    return set().union(*(m.owned_fields for m in machines_for(model)))


def get_transition(model: type[models.Model] | models.Model, name: Any) -> tuple[StateMachine, Transition]:
    """The machine and transition called ``name``; pass the record (not its class) to find the
    transitions a provider gives it too."""
    obj = None if isinstance(model, type) else model
    for machine in machines_for(model):
        transitions = machine.transitions_for(obj)
        if isinstance(name, str) and name in transitions:
            return machine, transitions[name]
    raise ValidationError({"transition": [_("There is no transition “%(name)s”.") % {"name": name}]})


# --- approvals ------------------------------------------------------------------------------------------
ApprovalHandler = Callable[[Any, Transition, Any, dict[str, Any]], Any]
_approval_handler: ApprovalHandler | None = None


def set_approval_handler(handler: ApprovalHandler | None) -> None:
    """Install the approval engine: ``handler(obj, transition, actor, inputs)`` files a request.

    ``transition()`` then calls it for ``needs_approval`` transitions instead of changing the
    state; once approved, the engine applies the change with ``transition(..., approved=True)``.
    """
    global _approval_handler
    _approval_handler = handler


# --- checks ---------------------------------------------------------------------------------------------
def _refuse_unavailable(obj: Any, machine: StateMachine, t: Transition, state: str) -> None:
    if t.leaves(state):
        return
    message = t.refusal(obj) if t.refusal is not None else None
    raise ValidationError(
        {
            "transition": [
                message
                or _("“%(transition)s” is not possible while the record is %(state)s.")
                % {"transition": t.label or t.name, "state": machine.state_label(state)}
            ]
        }
    )


def _may(actor: Any, obj: Any, verb: str) -> bool:
    if actor is None:  # the system itself (follow-up bookkeeping, approvals already decided)
        return True
    return type(obj)._default_manager.restrict(actor, verb).filter(pk=obj.pk).exists()


def _guard_refusals(ctx: TransitionContext) -> list[str]:
    return [message for guard in ctx.transition.guards if (message := guard(ctx))]


def _clean_inputs(obj: Any, t: Transition, given: dict[str, Any]) -> dict[str, Any]:
    """Validate the inputs against the declaration and their model fields; errors per input."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for name in given:
        if name not in t.inputs:
            errors[name] = [
                _("“%(transition)s” does not take this value.") % {"transition": t.label or t.name}
            ]
    for name, spec in t.inputs.items():
        value = given.get(name)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            if spec.required:
                errors[name] = [str(spec.message or _("This field is required."))]
            continue
        if spec.field:
            model_field = obj._meta.get_field(spec.field)
            if not model_field.is_relation:
                try:
                    value = model_field.clean(value, obj)
                except ValidationError as exc:
                    errors[name] = exc.messages
                    continue
                if isinstance(value, datetime.datetime) and timezone.is_naive(value):
                    # a date-and-time picker sends local time, as a form's field reads it
                    value = timezone.make_aware(value)
        cleaned[name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def check_transition(obj: Any, name: str, *, actor: Any) -> tuple[StateMachine, Transition]:
    """Would ``name`` be allowed now (state, verb, guards; not the inputs)? Raises if not."""
    machine, t = get_transition(obj, name)
    if not _may(actor, obj, t.verb):
        raise PermissionDenied(_("You may not do “%(transition)s” on this record.") % {"transition": t.label})
    state = machine.state_of(obj)
    _refuse_unavailable(obj, machine, t, state)
    refusals = _guard_refusals(TransitionContext(obj, actor, t, state))
    if refusals:
        raise ValidationError({"transition": refusals})
    return machine, t


def allowed_transitions(obj: Any, user: Any, *, direct_only: bool = False) -> list[Transition]:
    """The transitions ``user`` may take from the record's current state (guards included)."""
    return transition_outlook(obj, user, direct_only=direct_only)[0]


def transition_outlook(
    obj: Any, user: Any, *, direct_only: bool = False
) -> tuple[list[Transition], list[str]]:
    """(the transitions ``user`` may take now, why the others are held back): the second holds,
    once each, the first guard message refusing a transition that the state and ``user``'s verbs
    would allow (so a transition's guards go in order of weight) —
    a won deal held by its contract, a quote without lines — so a page can say why a button is
    missing instead of leaving the reader to guess. Transitions the reader's role does not grant
    explain nothing: they are not the reader's to take."""
    allowed: list[Transition] = []
    held: list[str] = []
    verbs: dict[str, bool] = {}  # one access query per verb
    for machine in machines_for(obj):
        state = machine.state_of(obj)
        for t in machine.transitions_for(obj).values():
            if not t.leaves(state) or (direct_only and not t.direct):
                continue
            if t.verb not in verbs:
                verbs[t.verb] = _may(user, obj, t.verb)
            if not verbs[t.verb]:
                continue
            refusals = _guard_refusals(TransitionContext(obj, user, t, state))
            if not refusals:
                allowed.append(t)
            elif str(refusals[0]) not in held:  # the first guard's reason: declared first, it weighs most
                held.append(str(refusals[0]))
    return allowed, held


def describe(t: Transition) -> dict[str, Any]:
    """A transition as the API lists it."""
    return {
        "name": t.name,
        "label": str(t.label or t.name),
        "target": t.target,
        "needs_approval": t.needs_approval,
        "inputs": [
            {"name": name, "label": str(spec.label or name), "required": spec.required}
            for name, spec in t.inputs.items()
        ],
    }


# --- the service ----------------------------------------------------------------------------------------
def transition(
    obj: Any,
    name: str,
    *,
    actor: Any,
    approved: bool = False,
    expected_version: str | None = None,
    **inputs: Any,
) -> Any:
    """Take transition ``name`` on ``obj`` as ``actor`` (None: the system); see the module docstring.

    Returns the saved row; ``obj`` is refreshed too. A ``needs_approval`` transition is handed to
    the approval engine (the state stays) unless ``approved`` (the engine applying its decision).
    ``expected_version`` (the version token the caller read: ``_version``, ``If-Match``) turns any
    save of the row since then into a ``TransitionConflict``, not only a change of its state.
    """
    from guanxi.framework.write import _matches, parse_version

    model = type(obj)
    machine, t = get_transition(obj, name)
    with transaction.atomic():
        row = model._default_manager.select_for_update().filter(pk=obj.pk).first()
        if row is None:
            raise TransitionConflict(_("This record no longer exists."))
        seen, state = machine.state_of(obj), machine.state_of(row)
        expected = parse_version(expected_version)
        if (
            seen == state
            and expected is not None
            and not _matches(expected, getattr(row, "updated_at", None))
        ):
            raise TransitionConflict(_("Someone changed this record meanwhile. Reload it and try again."))
        if seen != state:
            raise TransitionConflict(
                _("Someone changed this record meanwhile: it is %(state)s now. Reload it and try again.")
                % {"state": machine.state_label(state)}
            )
        if not _may(actor, row, t.verb):
            raise PermissionDenied(
                _("You may not do “%(transition)s” on this record.") % {"transition": t.label or t.name}
            )
        if not approved:
            # Write guards see transitions too (action "transition"): a record locked while an
            # approval is pending refuses every other move, and a second submission, here.
            from guanxi.framework.write import run_write_guards

            run_write_guards(row, actor, "transition")
        _refuse_unavailable(row, machine, t, state)
        cleaned = _clean_inputs(row, t, inputs)
        ctx = TransitionContext(row, actor, t, state, cleaned)
        refusals = _guard_refusals(ctx)
        if refusals:
            raise ValidationError({"transition": refusals})
        if t.needs_approval and not approved:
            if _approval_handler is None:
                raise ApprovalNotAvailable(
                    {
                        "transition": [
                            _("“%(transition)s” needs an approval, which is not available yet.")
                            % {"transition": t.label or t.name}
                        ]
                    }
                )
            _approval_handler(row, t, actor, cleaned)
            return row
        machine.set_state(row, t.target)
        for input_name, spec in t.inputs.items():
            if spec.field and input_name in cleaned:
                setattr(row, spec.field, cleaned[input_name])
        for effect in t.effects:
            effect(ctx)
        _emit_transition_event(row, machine, t, state, cleaned)
        concrete = {f.name for f in model._meta.concrete_fields}
        row._state_transition = t.name  # lets the save past _refuse_plain_state_write
        try:
            row.save(update_fields=(row.changed_fields() & concrete) | {machine.field})
        finally:
            del row._state_transition
        from guanxi.framework.events import emit

        # The typed event, beside the "updated" one of the save: "lead.disqualify", "task.complete".
        emit(
            f"{type(row)._meta.model_name}.{t.event or t.name}",
            row,
            changed=[machine.field],
            transition=t.name,
            source=state,
            target=t.target,
            inputs={k: v for k, v in cleaned.items() if isinstance(v, str | int | float | bool) or v is None},
        )
        for effect in t.after:
            effect(ctx)
    obj.refresh_from_db()
    return row


def _emit_transition_event(
    row: ChangeLoggedModel, machine: StateMachine, t: Transition, source: str, inputs: dict[str, Any]
) -> None:
    """Record the transition on the record's history: the change-log entry of the save that
    follows carries it as its message ("Disqualify: 空号 (New → Disqualified)").

    The typed event (``guanxi.framework.events.emit``) is emitted by ``transition()`` right after
    that save.
    """
    texts = [str(v) for k, v in inputs.items() if isinstance(v, str) and v]
    label = str(t.label or t.name)
    message = _("%(transition)s (%(source)s → %(target)s)") % {
        "transition": f"{label}: {'; '.join(texts)}" if texts else label,
        "source": machine.state_label(source),
        "target": machine.state_label(t.target),
    }
    row.__dict__["_change_message"] = message  # read (and cleared) by changes.capture_save


# --- read-only elsewhere --------------------------------------------------------------------------------
def _refuse_plain_state_write(sender: type, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """pre_save: a state changed by a plain save (not ``transition()``) is refused."""
    if raw or instance._state.adding or getattr(instance, "_state_transition", None):
        return
    loaded = getattr(instance, "_loaded_values", None)
    update_fields = kwargs.get("update_fields")
    for machine in machines_for(sender):
        if update_fields is not None and machine.field not in update_fields:
            continue
        attname = instance._meta.get_field(machine.field).attname
        if loaded is not None and attname in loaded and loaded[attname] != getattr(instance, attname):
            raise StateWriteRefused({machine.field: [_("This field changes only through its transitions.")]})


def refuse_state_writes(model: type[models.Model], instance: Any, attrs: Mapping[str, Any]) -> None:
    """For serializers: a new record starts in an initial state; afterwards the state (and the
    fields transitions write) change only through the transition endpoint. ``ValidationError``."""
    errors: dict[str, list[str]] = {}
    for machine in machines_for(model):
        for name in machine.owned_fields & set(attrs):
            value = attrs[name]
            if instance is None:
                if name == machine.field and machine.provider is not None:
                    if not machine.provider.accepts_initial(value):
                        errors[name] = [_("A new record cannot start in this state.")]
                elif name == machine.field and value not in machine.initial_states:
                    errors[name] = [
                        _("A new record starts as one of: %(states)s.")
                        % {"states": ", ".join(machine.state_label(s) for s in machine.initial_states)}
                    ]
                elif name != machine.field and value not in (None, ""):
                    errors[name] = [_("This field is set by a transition.")]
            elif _differs(instance, name, value):
                errors[name] = [
                    _("This field changes only through a transition: POST …/%(id)s/transition/.")
                    % {"id": instance.pk}
                ]
    if errors:
        raise ValidationError(errors)


def _differs(instance: Any, name: str, value: Any) -> bool:
    """Is ``value`` (a serializer's validated value) other than the row's? Related rows by id."""
    model_field = instance._meta.get_field(name)
    if model_field.is_relation:
        return getattr(value, "pk", value) != getattr(instance, model_field.attname)
    return bool(value != getattr(instance, name))


def protect_form(form: Any) -> None:
    """For model forms: on a new record the state offers the initial states only and the fields
    transitions write are left out; on an existing one both are shown disabled (Django then keeps
    the stored value whatever is posted)."""
    from django import forms

    model = form._meta.model
    for machine in machines_for(model):
        for name in machine.owned_fields & set(form.fields):
            if form.instance.pk is None:
                if name != machine.field:
                    del form.fields[name]
                    continue
                choice = form.fields[name]
                if machine.provider is not None:
                    continue  # the form limits a data-driven state (a pipeline's open stages) itself
                if isinstance(choice, forms.ChoiceField):
                    offered: Any = choice.choices
                    choice.choices = [c for c in offered if c[0] in machine.initial_states]
            else:
                form.fields[name].disabled = True
                form.fields[name].help_text = _("Changed with the buttons on the record's page.")


def bulk_editable(model: type[models.Model], names: Iterable[str]) -> list[str]:
    """``names`` without the fields state machines own (bulk edit never writes a state)."""
    owned = owned_fields(model)
    return [n for n in names if n not in owned]
