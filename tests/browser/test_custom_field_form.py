"""The custom-field definition form in both languages: only the chosen type's options show, the
label inputs say which language they hold, and a key left empty is made from the label."""

from __future__ import annotations

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from playwright.sync_api import expect

from guanxi.core.models import CustomField, Tag
from guanxi.framework.testing.fixtures import as_system
from tests.browser.conftest import LOCALE_EN, LOCALE_ZH, login, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "zh-hans": {
        "label": "中文显示名称",
        "label_en": "英文显示名称",
        "label_help": "在中文界面中显示。",
        "choices": "选项",
        "minimum": "最小值",
    },
    "en": {
        "label": "Chinese label",
        "label_en": "English label",
        "label_help": "Shown in the Chinese interface.",
        "choices": "Choices",
        "minimum": "Minimum",
    },
}


def row(form, name):
    return form.locator(f".form-row:has([name={name}])")


@pytest.mark.parametrize(
    ("locale", "language", "label", "label_en", "key"),
    [
        (LOCALE_ZH, "zh-hans", "客户等级", "", "ke_hu_deng_ji"),
        (LOCALE_EN, "en", "客户等级", "Customer tier", "customer_tier"),
    ],
)
def test_the_form_follows_the_chosen_type(
    new_context, live_server, django_user_model, locale, language, label, label_en, key
):
    with as_system():
        django_user_model.objects.create_superuser(
            "cfadmin", "cf@example.com", "guanxi-test", language=language
        )
    texts = TEXTS[language]
    page = new_context(locale=locale).new_page()
    login(page, live_server, "cfadmin", "guanxi-test")
    page.goto(f"{live_server.url}/settings/custom-fields/add/")
    form = page.locator("#customfield-form")
    # which language each label holds
    expect(form.locator("label[for=id_label]")).to_contain_text(texts["label"])
    expect(form.locator("label[for=id_label_en]")).to_contain_text(texts["label_en"])
    expect(row(form, "label").locator(".help")).to_have_text(texts["label_help"])
    assert form.locator("input[name=label]").get_attribute("lang") == "zh-Hans"
    assert form.locator("input[name=label_en]").get_attribute("lang") == "en"

    # text (the default type): a pattern, no choices, no bounds, no referenced type
    expect(row(form, "validation_regex")).to_be_visible()
    for hidden in ("choices_text", "validation_min", "validation_max", "related_object_type"):
        expect(row(form, hidden)).to_be_hidden()
    form.locator("select[name=type]").select_option("integer")
    expect(row(form, "validation_min")).to_be_visible()
    expect(row(form, "validation_min").locator("label")).to_contain_text(texts["minimum"])
    expect(row(form, "validation_regex")).to_be_hidden()
    form.locator("select[name=type]").select_option("object")
    expect(row(form, "related_object_type")).to_be_visible()
    expect(row(form, "validation_min")).to_be_hidden()
    form.locator("select[name=type]").select_option("select")
    expect(row(form, "choices_text")).to_be_visible()
    expect(row(form, "choices_text").locator("label")).to_contain_text(texts["choices"])
    for hidden in ("validation_min", "validation_max", "validation_regex", "related_object_type"):
        expect(row(form, hidden)).to_be_hidden()

    # the key is left empty: it is made from the label
    tag_type = ContentType.objects.get_for_model(Tag)
    form.locator("select[name=content_type]").select_option(str(tag_type.pk))
    form.locator("input[name=label]").fill(label)
    form.locator("input[name=label_en]").fill(label_en)
    form.locator("textarea[name=choices_text]").fill("gold | 金牌 | Gold\nsilver | 银牌 | Silver")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/settings/custom-fields/\d+/$"))
    settle(page)
    cf = CustomField.objects.get()
    assert (cf.name, cf.label, cf.label_en, cf.type) == (key, label, label_en, "select")
    assert [c["value"] for c in cf.choices] == ["gold", "silver"]
