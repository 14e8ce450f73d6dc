"""The generic machinery on a full PrimaryModel entity (owner, tags, custom fields)."""

import decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from guanxi.core.models import CustomField, ObjectChange, Tag
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.suites import EntityViewSuite
from guanxi.framework.testing.testapp.models import Gadget


class TestGadgetViews(EntityViewSuite):
    model = Gadget
    url_prefix = "/test/gadgets/"
    form_data = {
        "name": "扫码枪",
        "code": "G-1",
        "price": "199.00",
        "status": "active",
        "list_price_amount": "1999.00",
        "list_price_currency": "CNY",
    }
    edit_data = {
        "name": "扫码枪 Pro",
        "code": "G-1",
        "price": "299.50",
        "status": "active",
        "list_price_amount": "2999.50",
        "list_price_currency": "CNY",
    }
    bulk_edit_data = {"status": "retired"}
    list_query_budget = 16

    def make(self, n):
        gadget = Gadget.objects.create(
            name=f"设备{n}",
            code=f"C-{n}",
            price=decimal.Decimal("10.00"),
            list_price_amount=decimal.Decimal(n),
        )
        from guanxi.framework.tags import set_tags

        tag, _ = Tag.objects.get_or_create(name="VIP", slug="vip")
        set_tags(gadget, [tag])
        return gadget


def define(name, type_, **extra):
    with as_system():
        return CustomField.objects.create(
            content_type=ContentType.objects.get_for_model(Gadget),
            name=name,
            label=extra.pop("label", name),
            type=type_,
            **extra,
        )


@pytest.mark.django_db
class TestCustomFieldEndToEnd:
    """Define a field once; it appears in the form, list, filter, detail, history and search."""

    def test_field_flows_through_every_layer(self, admin_client):
        define(
            "level",
            "select",
            label="级别",
            label_en="Level",
            searchable=True,
            show_in_table=True,
            choices=[{"value": "a", "label": "A级", "label_en": "A"}, {"value": "b", "label": "B级"}],
        )
        define("budget", "decimal", label="预算", validation_min=decimal.Decimal("0"))
        form = admin_client.get("/test/gadgets/add/").content.decode()
        assert 'name="cf_level"' in form and 'name="cf_budget"' in form

        response = admin_client.post(
            "/test/gadgets/add/",
            {
                "name": "打印机",
                "code": "P-1",
                "price": "5",
                "status": "active",
                "cf_level": "a",
                "cf_budget": "12000.50",
            },
        )
        assert response.status_code == 302, response.content.decode()[:1500]
        printer = Gadget.objects.get(code="P-1")
        assert printer.custom_field_data == {"level": "a", "budget": "12000.50"}
        with as_system():
            Gadget.objects.create(name="扫描仪", code="S-1", custom_field_data={"level": "b", "budget": "10"})

        listing = admin_client.get("/test/gadgets/").content.decode()
        assert "A级" in listing  # show_in_table column, rendered with the choice label
        assert "打印机" in admin_client.get("/test/gadgets/?cf_level=a").content.decode()
        assert "扫描仪" not in admin_client.get("/test/gadgets/?cf_level=a").content.decode()
        ranged = admin_client.get("/test/gadgets/?cf_budget__gte=1000").content.decode()
        assert "打印机" in ranged and "扫描仪" not in ranged

        detail = admin_client.get(f"/test/gadgets/{printer.pk}/").content.decode()
        assert "级别" in detail and "A级" in detail and "12000.50" in detail

        admin_client.post(
            f"/test/gadgets/{printer.pk}/edit/",
            {
                "name": "打印机",
                "code": "P-1",
                "price": "5",
                "status": "active",
                "cf_level": "b",
                "cf_budget": "12000.50",
            },
        )
        history = admin_client.get(f"/test/gadgets/{printer.pk}/history/").content.decode()
        assert "A级" in history and "B级" in history  # readable before → after with labels

        from guanxi.framework.search import search

        admin = printer.created_by
        assert [h.object for h in search(admin, "dyj")] == [printer]  # pinyin initials of 打印机
        assert printer in [h.object for h in search(admin, "B级")]  # searchable custom field, by its label

    def test_invalid_custom_value_gets_a_field_message_and_saves_nothing(self, admin_client):
        define("budget", "decimal", label="预算", validation_min=decimal.Decimal("0"), required=True)
        response = admin_client.post(
            "/test/gadgets/add/",
            {"name": "x", "code": "X-1", "price": "1", "status": "active", "cf_budget": "-5"},
        )
        assert response.status_code == 200
        body = response.content.decode()
        assert "field-error" in body and "0" in body
        assert not Gadget.objects.filter(code="X-1").exists()
        assert not ObjectChange.objects.filter(object_repr="x").exists()

    def test_new_row_gets_owner_and_owner_department(self, client, make_user):
        from guanxi.users.models import Department

        with as_system():
            dept = Department.objects.create(name="华东销售一部")
        rep = make_user("rep", perms=["testapp.view_gadget", "testapp.add_gadget"], department=dept)
        client.force_login(rep)
        response = client.post(
            "/test/gadgets/add/", {"name": "对讲机", "code": "R-1", "price": "1", "status": "active"}
        )
        assert response.status_code == 302, response.content.decode()[-3000:]
        radio = Gadget.objects.get(code="R-1")
        assert radio.owner == rep
        assert radio.department == dept
