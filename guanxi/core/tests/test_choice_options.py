"""Configurable choice lists: the service's use cases, given / when / then, and denials."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from guanxi.core import choice_services as svc
from guanxi.core.choices import active_choices, choices, label
from guanxi.core.models import ChoiceOption, ObjectChange
from guanxi.customers.choices import LEVEL_LIST, STAGE_LIST
from guanxi.customers.models import Customer
from guanxi.framework.testing.fixtures import as_system, as_user

pytestmark = pytest.mark.django_db


def snapshot(list_name: str) -> list[tuple]:
    return list(
        ChoiceOption.objects.filter(list_name=list_name)
        .order_by("order", "pk")
        .values_list("value", "label_zh", "label_en", "order", "active")
    )


def test_shipped_lists_are_seeded():
    assert [v for v, _l in choices(LEVEL_LIST)] == ["A", "B", "C", "D"]
    with translation.override("zh-hans"):
        assert choices(STAGE_LIST) == [
            ("prospect", "潜在"),
            ("won", "成交"),
            ("repeat", "复购"),
            ("lost", "流失"),
        ]
    with translation.override("en"):
        assert label(STAGE_LIST, "repeat") == "Repeat customer"
    assert all(o.system for o in ChoiceOption.objects.filter(list_name=STAGE_LIST))
    assert not any(o.system for o in ChoiceOption.objects.filter(list_name=LEVEL_LIST))


def test_add_rename_reorder_and_change_log(admin_user):
    with as_user(admin_user):
        option = svc.add_choice_option(
            actor=admin_user,
            list_name=LEVEL_LIST,
            value="S",
            label_zh="S 级战略客户",
            label_en="S – strategic",
        )
        assert [v for v, _l in choices(LEVEL_LIST)] == ["A", "B", "C", "D", "S"]
        svc.move_choice_option(option, actor=admin_user, offset=-4)
        assert [v for v, _l in choices(LEVEL_LIST)] == ["S", "A", "B", "C", "D"]
        svc.update_choice_option(option, actor=admin_user, label_zh="S 级", label_en="S – key")
    with translation.override("zh-hans"):
        assert label(LEVEL_LIST, "S") == "S 级"
    with translation.override("en"):
        assert label(LEVEL_LIST, "S") == "S – key"
    changes = ObjectChange.objects.filter(
        changed_object_id=option.pk, changed_object_type__model="choiceoption"
    )
    assert {c.action for c in changes} >= {"create", "update"}
    assert all(c.user_id == admin_user.pk for c in changes)


def test_codes_are_unique_and_validated(admin_user):
    with as_user(admin_user), pytest.raises(ValidationError) as error:
        svc.add_choice_option(actor=admin_user, list_name=LEVEL_LIST, value="A", label_zh="重复")
    assert "value" in error.value.message_dict
    with as_user(admin_user), pytest.raises(ValidationError) as error:
        svc.add_choice_option(actor=admin_user, list_name=LEVEL_LIST, value="has space", label_zh="x")
    assert "value" in error.value.message_dict
    with as_user(admin_user), pytest.raises(ValidationError) as error:
        svc.add_choice_option(actor=admin_user, list_name=LEVEL_LIST, value="Z", label_zh=" ")
    assert "label_zh" in error.value.message_dict
    with as_user(admin_user), pytest.raises(ValidationError):
        svc.add_choice_option(actor=admin_user, list_name="nope.nope", value="Z", label_zh="z")
    assert [v for v, _l in choices(LEVEL_LIST)] == ["A", "B", "C", "D"]


def test_deactivate_keeps_records_but_stops_offering(admin_user):
    with as_system():
        customer = Customer.objects.create(name="甲公司", level="D")
    option = ChoiceOption.objects.get(list_name=LEVEL_LIST, value="D")
    with as_user(admin_user):
        svc.set_choice_option_active(option, actor=admin_user, active=False)
    assert [v for v, _l in active_choices(LEVEL_LIST)] == ["A", "B", "C"]
    assert [v for v, _l in active_choices(LEVEL_LIST, keep="D")] == ["A", "B", "C", "D"]
    customer.refresh_from_db()
    assert customer.get_level_display() == "D"
    customer.full_clean()  # a stored inactive value is still valid
    with as_user(admin_user):
        svc.set_choice_option_active(option, actor=admin_user, active=True)
    assert [v for v, _l in active_choices(LEVEL_LIST)] == ["A", "B", "C", "D"]


def test_delete_refused_while_used_then_allowed(admin_user):
    with as_system():
        Customer.objects.create(name="甲公司", level="C")
        Customer.objects.create(name="乙公司", level="C")
    option = ChoiceOption.objects.get(list_name=LEVEL_LIST, value="C")
    with translation.override("en"), as_user(admin_user), pytest.raises(ValidationError) as error:
        svc.delete_choice_option(option, actor=admin_user)
    assert "2 customers" in error.value.message_dict["value"][0]
    assert "Deactivate it instead" in error.value.message_dict["value"][0]
    assert ChoiceOption.objects.filter(pk=option.pk).exists()
    Customer.objects.filter(level="C").update(level="B")
    with as_user(admin_user):
        svc.delete_choice_option(option, actor=admin_user)
    assert [v for v, _l in choices(LEVEL_LIST)] == ["A", "B", "D"]


def test_system_options_cannot_be_deactivated_or_deleted(admin_user):
    won = ChoiceOption.objects.get(list_name=STAGE_LIST, value="won")
    before = snapshot(STAGE_LIST)
    with as_user(admin_user):
        with pytest.raises(ValidationError):
            svc.set_choice_option_active(won, actor=admin_user, active=False)
        with pytest.raises(ValidationError):
            svc.delete_choice_option(won, actor=admin_user)
    assert snapshot(STAGE_LIST) == before
    with as_user(admin_user):  # but they can be renamed and moved
        svc.update_choice_option(won, actor=admin_user, label_zh="已成交", label_en="Closed won")
        svc.move_choice_option(won, actor=admin_user, offset=1)
    assert [v for v, _l in choices(STAGE_LIST)] == ["prospect", "repeat", "won", "lost"]


def test_reorder_needs_every_code(admin_user):
    before = snapshot(LEVEL_LIST)
    with as_user(admin_user), pytest.raises(ValidationError):
        svc.reorder_choice_options(actor=admin_user, list_name=LEVEL_LIST, values=["D", "C"])
    assert snapshot(LEVEL_LIST) == before
    with as_user(admin_user):
        svc.reorder_choice_options(actor=admin_user, list_name=LEVEL_LIST, values=["D", "C", "B", "A"])
    assert [v for v, _l in choices(LEVEL_LIST)] == ["D", "C", "B", "A"]


def test_denial_changes_nothing(make_user):
    rep = make_user("rep", perms=["core.view_choiceoption"])
    option = ChoiceOption.objects.get(list_name=LEVEL_LIST, value="A")
    before = snapshot(LEVEL_LIST)
    with as_user(rep):
        for call in (
            lambda: svc.add_choice_option(actor=rep, list_name=LEVEL_LIST, value="S", label_zh="S"),
            lambda: svc.update_choice_option(option, actor=rep, label_zh="甲"),
            lambda: svc.move_choice_option(option, actor=rep, offset=1),
            lambda: svc.set_choice_option_active(option, actor=rep, active=False),
            lambda: svc.delete_choice_option(option, actor=rep),
        ):
            with pytest.raises(PermissionDenied):
                call()
    assert snapshot(LEVEL_LIST) == before
    assert not ObjectChange.objects.filter(changed_object_type__model="choiceoption").exists()


def test_flush_reseeds_but_never_touches_edited_lists(admin_user):
    from django.apps import apps

    from guanxi.core.choices import seed_defaults

    with as_user(admin_user):
        svc.update_choice_option(
            ChoiceOption.objects.get(list_name=LEVEL_LIST, value="A"), actor=admin_user, label_zh="A（重点）"
        )
    with as_system():
        ChoiceOption.objects.filter(list_name=STAGE_LIST).delete()
    seed_defaults(apps)
    assert ChoiceOption.objects.get(list_name=LEVEL_LIST, value="A").label_zh == "A（重点）"
    assert ChoiceOption.objects.filter(list_name=STAGE_LIST).count() == 4
