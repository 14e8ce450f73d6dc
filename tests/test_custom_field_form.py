"""The custom-field definition form: the key made from the labels, options of other types dropped."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType

from guanxi.core.forms import key_from_label
from guanxi.core.models import CustomField, Tag


@pytest.mark.parametrize(
    ("label", "label_en", "key"),
    [
        ("客户等级", "", "ke_hu_deng_ji"),
        ("客户等级", "Customer level", "customer_level"),
        ("2024 年预算", "", "nian_yu_suan"),
        ("Budget (CNY)", "", "budget_cny"),
        ("！！", "", "field"),
    ],
)
def test_key_from_label(label: str, label_en: str, key: str) -> None:
    assert key_from_label(label, label_en) == key


@pytest.mark.django_db
def test_an_empty_key_is_made_from_the_label_and_kept_unique(admin_client: Any) -> None:
    tag_type = ContentType.objects.get_for_model(Tag)
    data = {"content_type": tag_type.pk, "label": "客户等级", "type": "integer", "weight": 100,
            "validation_min": "1", "validation_regex": "^x$", "choices_text": "a | A"}  # fmt: skip
    assert admin_client.post("/settings/custom-fields/add/", data).status_code == 302
    assert admin_client.post("/settings/custom-fields/add/", data).status_code == 302
    rows = list(
        CustomField.objects.order_by("pk").values_list(
            "name", "validation_min", "validation_regex", "choices"
        )
    )
    # the pattern and the choices belong to other types: dropped, not refused
    assert rows == [("ke_hu_deng_ji", 1, "", []), ("ke_hu_deng_ji_2", 1, "", [])]


@pytest.mark.django_db
def test_a_typed_key_is_kept_and_checked(admin_client: Any) -> None:
    tag_type = ContentType.objects.get_for_model(Tag)
    data = {"content_type": tag_type.pk, "label": "等级", "name": "Bad Key", "type": "text", "weight": 100}
    response = admin_client.post("/settings/custom-fields/add/", data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 422 or response.status_code == 200
    assert "只能使用小写字母、数字和下划线，且以字母开头。" in response.content.decode()
    assert not CustomField.objects.exists()
