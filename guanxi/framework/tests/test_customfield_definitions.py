"""Custom-field definitions are validated on write, and a broken one never takes a module down."""

import decimal
import logging

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from guanxi.core.models import CustomField
from guanxi.framework.api.testing import token_client
from guanxi.framework.customfield_checks import definition_errors
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.testapp.models import Gadget

DEFINITIONS = "/api/v1/core/custom-fields/"
GOOD_CHOICES = [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]


def unsaved(type_, **extra):
    return CustomField(name=extra.pop("name", "f"), label="F", type=type_, **extra)


@pytest.mark.parametrize(
    ("definition", "key"),
    [
        (unsaved("select", choices=["a", "b"]), "choices"),
        (unsaved("select", choices=[{"label": "A"}]), "choices"),
        (unsaved("select", choices=[{"value": "a"}, {"value": "a"}]), "choices"),
        (unsaved("select", choices={"a": "A"}), "choices"),
        (unsaved("select", choices=[{"value": "a", "label": 3}]), "choices"),
        (unsaved("multiselect", choices=[]), "choices"),
        (unsaved("text", choices=GOOD_CHOICES), "choices"),
        (unsaved("text", validation_regex="([a-z"), "validation_regex"),
        (unsaved("integer", validation_regex="^a$"), "validation_regex"),
        (unsaved("text", validation_min=1), "validation_min"),
        (
            unsaved("integer", validation_min=decimal.Decimal(5), validation_max=decimal.Decimal(1)),
            "validation_max",
        ),
        (unsaved("integer", default="many"), "default"),
        (unsaved("integer", default=50, validation_max=decimal.Decimal(10)), "default"),
        (unsaved("select", choices=GOOD_CHOICES, default="c"), "default"),
        (unsaved("date", default="tomorrow"), "default"),
        (unsaved("object"), "related_object_type"),
        (unsaved("text", name="Bad Name"), "name"),
        (unsaved("colour"), "type"),
    ],
)
def test_bad_definitions_are_named_by_field(definition, key):
    assert key in definition_errors(definition)


def test_good_definitions_pass():
    assert definition_errors(unsaved("select", choices=GOOD_CHOICES, default="a")) == {}
    assert (
        definition_errors(
            unsaved(
                "integer", validation_min=decimal.Decimal(0), validation_max=decimal.Decimal(10), default=3
            )
        )
        == {}
    )
    assert definition_errors(unsaved("text", validation_regex=r"^\d+$", default="12")) == {}


@pytest.mark.django_db
def test_model_clean_refuses_with_field_messages():
    definition = unsaved("select", choices=["a", "b"])
    definition.content_type = ContentType.objects.get_for_model(Gadget)
    with pytest.raises(ValidationError) as caught:
        definition.full_clean()
    assert "choices" in caught.value.message_dict


@pytest.mark.django_db
def test_the_bad_post_is_a_400_with_a_field_message(admin_client, admin_user):
    api = token_client(admin_user)
    response = api.post(
        DEFINITIONS,
        {
            "content_type": "testapp.gadget",
            "name": "grade",
            "label": "等级",
            "type": "select",
            "choices": ["a", "b"],
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "choices" in response.json()["errors"]
    assert not CustomField.objects.exists()
    assert api.get("/api/v1/testapp/gadgets/").status_code == 200


@pytest.mark.django_db
def test_the_admin_form_refuses_too(admin_client):
    ct = ContentType.objects.get_for_model(Gadget)
    response = admin_client.post(
        "/settings/custom-fields/add/",
        {
            "content_type": ct.pk,
            "name": "grade",
            "label": "等级",
            "type": "text",
            "validation_regex": "([a-z",
        },
    )
    assert response.status_code == 200  # the form again, with the message
    assert "该正则表达式无效" in response.content.decode()  # "This pattern is not valid: …"
    assert not CustomField.objects.exists()


@pytest.fixture
def broken(db):
    """A gadget with a value for a definition that was broken afterwards by raw SQL-style writes
    (``update()`` skips clean(), as a pre-fix row or a manual fix-up would)."""
    ct = ContentType.objects.get_for_model(Gadget)
    with as_system():
        CustomField.objects.create(
            content_type=ct, name="colour", label="颜色", type="text", show_in_table=True
        )
        grade = CustomField.objects.create(
            content_type=ct,
            name="grade",
            label="等级",
            type="select",
            choices=GOOD_CHOICES,
            show_in_table=True,
        )
        gadget = Gadget.objects.create(
            name="扫码枪", code="G-1", custom_field_data={"grade": "a", "colour": "red"}
        )
    CustomField.objects.filter(pk=grade.pk).update(choices=["a", "b"], validation_regex="([a-z")
    from guanxi.framework.customfields import invalidate

    invalidate(ct.pk)
    return gadget


def test_a_broken_definition_leaves_every_reader_answering(admin_client, broken, caplog):
    with caplog.at_level(logging.WARNING, logger="guanxi.framework.customfields"):
        listing = admin_client.get("/test/gadgets/?cf_colour=red")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "扫码枪" in page and "red" in page  # the healthy field still works
    assert "自定义字段“等级”的定义有误" in page  # the warning; the column is gone
    assert any("grade" in record.getMessage() for record in caplog.records)

    assert admin_client.get(f"/test/gadgets/{broken.pk}/").status_code == 200
    form = admin_client.get(f"/test/gadgets/{broken.pk}/edit/")
    assert form.status_code == 200 and 'name="cf_grade"' not in form.content.decode()
    export = admin_client.get("/test/gadgets/?export=csv")
    assert export.status_code == 200 and "扫码枪" in export.getvalue().decode()

    api = admin_client.get("/api/v1/testapp/gadgets/")
    assert api.status_code == 200
    assert api.json()["results"][0]["custom_fields"]["grade"] == "a"
    assert admin_client.get(f"/api/v1/testapp/gadgets/{broken.pk}/").status_code == 200
    assert admin_client.get("/api/v1/testapp/gadgets/?cf_colour=red").json()["count"] == 1


def test_writes_keep_the_broken_fields_value(admin_client, admin_user, broken):
    """Editing the record through the form or the API neither fails on nor drops the skipped value."""
    response = token_client(admin_user).patch(
        f"/api/v1/testapp/gadgets/{broken.pk}/", {"custom_fields": {"colour": "blue"}}, format="json"
    )
    assert response.status_code == 200, response.content
    broken.refresh_from_db()
    assert broken.custom_field_data == {"grade": "a", "colour": "blue"}
    response = admin_client.post(
        f"/test/gadgets/{broken.pk}/edit/",
        {"name": "扫码枪 Pro", "code": "G-1", "price": "1", "status": "active", "cf_colour": "green"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    broken.refresh_from_db()
    assert broken.custom_field_data == {"grade": "a", "colour": "green"}


@pytest.mark.django_db
def test_the_admin_form_names_the_choices_box(admin_client):
    ct = ContentType.objects.get_for_model(Gadget)
    response = admin_client.post(
        "/settings/custom-fields/add/",
        {"content_type": ct.pk, "name": "grade", "label": "等级", "type": "select", "choices_text": ""},
    )
    assert response.status_code == 200
    assert "选项字段至少需要一个选项。" in response.content.decode()
    assert not CustomField.objects.exists()


def test_the_definitions_list_marks_the_broken_one(admin_client, broken):
    page = admin_client.get("/settings/custom-fields/").content.decode()
    assert page.count('class="badge badge-red"') == 1
    assert "choices:" in page


@pytest.mark.django_db
def test_a_broken_customer_field_leaves_the_customer_module_answering(admin_client, admin_user, caplog):
    """The issue's own case: a select field with plain-string choices on customers."""
    from guanxi.customers.models import Customer
    from guanxi.framework.customfields import invalidate

    ct = ContentType.objects.get_for_model(Customer)
    with as_system():
        grade = CustomField.objects.create(
            content_type=ct,
            name="grade",
            label="等级",
            type="select",
            choices=GOOD_CHOICES,
            show_in_table=True,
        )
    CustomField.objects.filter(pk=grade.pk).update(choices=["a", "b"])
    invalidate(ct.pk)
    for url in ("/customers/", "/customers/add/", "/customers/?export=csv"):
        assert admin_client.get(url).status_code == 200, url
    api = token_client(admin_user)
    assert api.get("/api/v1/customers/customers/").status_code == 200
    assert api.get("/api/v1/customers/customers/?cf_grade=a").status_code == 200


def test_readers_skip_only_what_they_cannot_read():
    """A write refuses an integer choice value; a reader copes with one, so does not hide the field."""
    from guanxi.framework.customfield_checks import reader_problems

    lenient = unsaved("select", choices=[{"value": 1, "label": "一"}])
    assert "choices" in definition_errors(lenient) and reader_problems(lenient) == {}
    assert "choices" in reader_problems(unsaved("select", choices=["a"]))
    assert "choices" in reader_problems(unsaved("select", choices=[{"label": "A"}]))
