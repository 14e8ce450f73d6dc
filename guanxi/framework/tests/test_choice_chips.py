"""The list filter's checkbox chips render exactly what Django's checkbox widget renders."""

from __future__ import annotations

import re

from django import forms

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
    from guanxi.framework.testing.fixtures import as_system

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
