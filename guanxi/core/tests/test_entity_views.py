"""The platform's own entities pass the generic view suite."""

import datetime
import decimal

from django.contrib.contenttypes.models import ContentType

from guanxi.core.models import CustomField, ExchangeRate, Tag
from guanxi.framework.testing.suites import EntityViewSuite


class TestTagViews(EntityViewSuite):
    model = Tag
    url_prefix = "/tags/"
    form_data = {"name": "VIP", "slug": "vip", "color": "red", "description": "top accounts"}
    edit_data = {"name": "VIP 客户", "slug": "vip", "color": "green", "description": "top accounts"}
    bulk_edit_data = {"color": "purple"}

    def make(self, n):
        return Tag.objects.create(name=f"标签{n}", slug=f"tag-{n}")


class TestCustomFieldViews(EntityViewSuite):
    model = CustomField
    url_prefix = "/settings/custom-fields/"
    bulk_edit_data = {"group_name": "Extra"}

    @property
    def form_data(self):
        return {
            "content_type": ContentType.objects.get_for_model(Tag).pk,
            "name": "tier",
            "label": "等级",
            "label_en": "Tier",
            "type": "select",
            "choices_text": "gold | 金牌 | Gold\nsilver | 银牌 | Silver",
            "weight": 10,
            "filterable": "on",
        }

    @property
    def edit_data(self):
        return {
            "label": "客户等级",
            "label_en": "Tier",
            "choices_text": "gold | 金牌 | Gold",
            "weight": 20,
            "filterable": "on",
        }

    def make(self, n):
        return CustomField.objects.create(
            content_type=ContentType.objects.get_for_model(Tag),
            name=f"field_{n}",
            label=f"字段{n}",
            type="text",
        )


class TestExchangeRateViews(EntityViewSuite):
    model = ExchangeRate
    url_prefix = "/settings/exchange-rates/"
    form_data = {"currency": "USD", "rate": "7.1234", "valid_from": "2026-01-01", "note": "中国银行中间价"}
    edit_data = {"currency": "USD", "rate": "7.2000", "valid_from": "2026-01-01", "note": "更正"}
    bulk_edit_data = {"note": "季度"}

    def make(self, n):
        return ExchangeRate.objects.create(
            currency="USD",
            rate=decimal.Decimal("7"),
            valid_from=datetime.date(2020, 1, 1) + datetime.timedelta(days=n),
        )
