"""The list filter's checkbox chips render exactly what Django's checkbox widget renders."""

from __future__ import annotations

import re

import pytest
from django import forms

from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.views.lists import ChoiceChips

CHOICES = [("A", "A"), ("won", "已成交"), ("x<y", "<b>危险</b>")]


def squash(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


def test_same_markup_as_djangos_checkbox_widget():
    attrs = {"id": "id_level", "class": "checkbox"}
    ours = ChoiceChips(choices=CHOICES).render("level", ["won", "x<y"], attrs)
    django = forms.CheckboxSelectMultiple(choices=CHOICES).render("level", ["won", "x<y"], attrs)
    assert squash(ours) == squash(str(django))
    assert "&lt;b&gt;危险&lt;/b&gt;" in ours and 'value="x&lt;y"' in ours  # labels and values escaped
    assert ours.count(" checked") == 2


def test_same_markup_without_an_id_or_a_value():
    ours = ChoiceChips(choices=CHOICES).render("level", None)
    django = forms.CheckboxSelectMultiple(choices=CHOICES).render("level", None)
    assert squash(ours) == squash(str(django))


def test_same_markup_for_model_choices_as_a_filter_form_renders_them(db):
    from guanxi.core.models import Tag

    with as_system():
        tags = [Tag.objects.create(name=n, slug=s) for n, s in (("重点", "key"), ("A&B", "ab"))]
    ours_field = forms.ModelMultipleChoiceField(queryset=Tag.objects.order_by("slug"), widget=ChoiceChips)
    django_field = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.order_by("slug"), widget=forms.CheckboxSelectMultiple
    )
    for field in (ours_field, django_field):
        field.widget.attrs["class"] = "checkbox"  # what style_widgets sets; the id comes at render
    ours = ours_field.widget.render("tag", [tags[1].pk], {"id": "id_tag"})
    django = django_field.widget.render("tag", [tags[1].pk], {"id": "id_tag"})
    assert squash(ours) == squash(str(django))
    assert "A&amp;B" in ours and ours.count(" checked") == 1


def test_owner_and_department_options_read_from_columns_as_str_reads_them(db, django_assert_num_queries):
    """choice_pairs builds User / Department labels from values(): the same (value, label) pairs
    as iterating the filter's model choices, in both languages, with one query and no instances."""
    import django_filters
    from django.utils import translation

    from guanxi.framework.views.lists import choice_pairs
    from guanxi.users.models import Department, User

    with as_system():
        User.objects.create(username="wangfang", name="王芳")
        User.objects.create(username="jdoe", first_name="John", last_name="Doe")
        User.objects.create(username="li", first_name="", last_name="Lei")
        User.objects.create(username="<b>x</b>")
        Department.objects.create(name="华东大区", name_en="East China")
        Department.objects.create(name="销售部")
    for model in (User, Department):
        queryset = model.objects.order_by("pk")
        field = django_filters.ModelMultipleChoiceFilter(queryset=queryset).field
        for language in ("zh-hans", "en"):
            with translation.override(language):
                expected = [(str(value), str(label)) for value, label in iter(field.choices)]
                with django_assert_num_queries(1):
                    ours = [(str(value), label) for value, label in choice_pairs(field.choices)]
                assert ours == expected
    with translation.override("en"):
        departments = choice_pairs(
            django_filters.ModelMultipleChoiceFilter(queryset=Department.objects).field.choices
        )
    assert ("East China" in dict(departments).values()) and ("销售部" in dict(departments).values())


def test_a_field_with_its_own_labels_keeps_them(db):
    from guanxi.framework.views.lists import choice_pairs
    from guanxi.users.models import User

    class Labelled(forms.ModelMultipleChoiceField):
        def label_from_instance(self, obj):
            return f"@{obj.username}"

    with as_system():
        User.objects.create(username="wangfang", name="王芳")
    field = Labelled(queryset=User.objects.all())
    assert [label for _value, label in choice_pairs(field.choices)] == ["@wangfang"]


@pytest.mark.parametrize(
    "attrs",
    [
        {"class": "checkbox", "data-x": "<y>", "id": "id_a", "disabled": True, "title": "a&b"},
        {"id": "", "class": "checkbox"},
        {"data-hidden": False, "class": "checkbox"},
    ],
)
def test_same_markup_whatever_the_attributes(attrs):
    ours = ChoiceChips(choices=CHOICES).render("level", ["A"], attrs)
    django = forms.CheckboxSelectMultiple(choices=CHOICES).render("level", ["A"], attrs)
    assert squash(ours) == squash(str(django))
