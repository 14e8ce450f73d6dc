"""The bundled region list: codes validated, names derived, cascading selects, list filters."""

from __future__ import annotations

import pytest

from guanxi.customers import regions
from guanxi.customers.models import Customer
from guanxi.framework.api.testing import token_client
from guanxi.framework.testing.fixtures import as_system

pytestmark = pytest.mark.django_db


def test_tree_shape():
    assert len(regions.provinces()) == 34
    assert [r.name for r in regions.children_of("320000")][:2] == ["南京市", "无锡市"]
    assert regions.place("320506") == regions.Place("江苏省", "苏州市", "吴中区")
    # municipalities get one city level named after them; 省直辖 county-level cities stand at city level
    assert regions.place("310115") == regions.Place("上海市", "上海市", "浦东新区")
    assert regions.place("419001") == regions.Place("河南省", "济源市", "")
    assert regions.get("999999") is None


def test_saving_a_code_derives_the_names(team):
    with as_system():
        customer = Customer.objects.create(name="成都锦城软件有限公司", region_code="510107", province="x")
    assert (customer.province, customer.city, customer.district) == ("四川省", "成都市", "武侯区")
    with as_system():
        customer.region_code = "440305"
        customer.save(update_fields=["region_code"])
    customer.refresh_from_db()
    assert (customer.province, customer.city, customer.district) == ("广东省", "深圳市", "南山区")


def test_form_cascade_sets_the_code(client, team):
    client.force_login(team.rep1)
    data = {
        "kind": "company",
        "name": "杭州西溪科技有限公司",
        "stage": "prospect",
        "status": "active",
        "region_province": "330000",
        "region_city": "330100",
        "region_district": "330106",
    }
    assert client.post("/customers/add/", data).status_code == 302
    customer = Customer.objects.get()
    assert (customer.region_code, customer.province, customer.city, customer.district) == (
        "330106",
        "浙江省",
        "杭州市",
        "西湖区",
    )
    page = client.get(f"/customers/{customer.pk}/edit/").content.decode()
    assert '<option value="330106" selected>西湖区</option>' in page


def test_form_refuses_a_district_outside_the_city(client, team):
    client.force_login(team.rep1)
    data = {
        "kind": "company",
        "name": "错位公司",
        "stage": "prospect",
        "status": "active",
        "region_province": "330000",
        "region_city": "330100",
        "region_district": "440305",
    }
    response = client.post("/customers/add/", data)
    assert response.status_code == 200
    assert "region_district" in response.context["form"].errors
    assert not Customer.objects.exists()


def test_without_javascript_a_province_alone_is_enough(client, team):
    client.force_login(team.rep1)
    page = client.get("/customers/add/").content.decode()
    assert '<option value="110000">北京市</option>' in page
    data = {
        "kind": "company",
        "name": "北京公司",
        "stage": "prospect",
        "status": "active",
        "region_province": "110000",
    }
    assert client.post("/customers/add/", data).status_code == 302
    assert Customer.objects.get().province == "北京市"


def test_cascading_endpoint(client, team):
    client.force_login(team.rep1)
    cities = client.get("/customers/regions/", {"region_province": "320000"}).content.decode()
    assert '<option value="320500">苏州市</option>' in cities
    assert 'id="id_region_district" hx-swap-oob="innerHTML"' in cities  # the district list empties
    districts = client.get("/customers/regions/", {"parent": "320500"}).content.decode()
    assert '<option value="320506">吴中区</option>' in districts and "hx-swap-oob" not in districts
    assert client.get("/customers/regions/", {"parent": "123456"}).status_code == 404
    client.logout()
    assert client.get("/customers/regions/", {"parent": "320500"}).status_code == 302


@pytest.mark.parametrize(
    ("code", "en", "zh"),
    [
        ("12345", "A region code has six digits (GB/T 2260).", "地区代码为 6 位数字（GB/T 2260）。"),
        ("999999", "999999 is not a region code", "999999 不是"),
    ],
)
def test_api_bad_region_codes_get_field_messages(team, code, en, zh):
    for language, text in (("en", en), ("zh-hans", zh)):
        with as_system():
            team.rep1.language = language
            team.rep1.save()
        api = token_client(team.rep1, language=language)
        response = api.post(
            "/api/v1/customers/customers/", {"name": "某公司", "region_code": code}, format="json"
        )
        assert response.status_code == 400
        assert text in response.json()["errors"]["region_code"][0]
    assert not Customer.objects.exists()


def test_api_accepts_a_code_and_returns_the_names(team):
    api = token_client(team.rep1)
    body = {
        "name": "深圳湾科技有限公司",
        "region_code": "440305",
        "owner": team.rep1.pk,
        "province": "ignored",
    }
    response = api.post("/api/v1/customers/customers/", body, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["province"], response.json()["city"], response.json()["district"]) == (
        "广东省",
        "深圳市",
        "南山区",
    )


def test_list_filters_by_province_and_city(client, team):
    with as_system():
        for name, code in (("苏州甲", "320506"), ("南京乙", "320106"), ("杭州丙", "330106")):
            Customer.objects.create(name=name, region_code=code, owner=team.rep1)
    client.force_login(team.rep1)

    def listed(**params):
        page = client.get("/customers/", params).content.decode()
        return {n for n in ("苏州甲", "南京乙", "杭州丙") if n in page}

    assert listed(province="江苏省") == {"苏州甲", "南京乙"}
    assert listed(city="苏州市") == {"苏州甲"}
    assert listed(region="3201") == {"南京乙"}


def test_migration_helper_finds_codes_for_free_text_places():
    assert regions.find_code("上海市", "上海市", "浦东新区") == "310115"
    assert regions.find_code("江苏省", "苏州市", "工业园区") == "320500"  # not a GB/T 2260 district
    assert regions.find_code("火星省", "", "") == ""


def test_editing_an_old_row_without_a_code_keeps_its_free_text_place(client, team):
    with as_system():
        old = Customer.objects.create(
            name="老客户", province="江苏省", city="苏州市", district="工业园区", owner=team.rep1
        )
    client.force_login(team.rep1)
    data = {
        "kind": "company",
        "name": "老客户",
        "stage": "prospect",
        "status": "active",
        "owner": team.rep1.pk,
    }
    assert client.post(f"/customers/{old.pk}/edit/", data).status_code == 302
    old.refresh_from_db()
    assert (old.region_code, old.province, old.district) == ("", "江苏省", "工业园区")
