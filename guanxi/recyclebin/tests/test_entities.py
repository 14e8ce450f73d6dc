"""The recycle-bin suite on every business entity (the conformance test checks each has one)."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django.utils import timezone

from guanxi.activities.models import FollowUp, Task
from guanxi.activities.tests.helpers import follow_up_on
from guanxi.contracts.models import Contract, Order, OrderLine
from guanxi.customers.models import Contact, Customer, CustomerContact, Lead
from guanxi.framework.testing.recyclebin import RecycleBinSuite
from guanxi.framework.testing.testapp.models import Gadget, Requisition
from guanxi.products.models import PriceList, PriceListItem, Product
from guanxi.quotes.models import Quote, QuoteLine
from guanxi.sales.models import Deal, DealContact


def _deal(n: int) -> Deal:
    from guanxi.quotes.tests.test_views import _deal as quote_deal

    return quote_deal(n=n)


class TestCustomerRecycleBin(RecycleBinSuite):
    model = Customer
    url_prefix = "/customers/"

    def make(self, n: int) -> Any:
        return Customer.objects.create(name=f"回收客户{n:03d}", phone=f"+86138{n:08d}")

    def make_related(self, obj: Any) -> list[Any]:
        contact = Contact.objects.create(name="回收联系人")
        link = CustomerContact.objects.create(customer=obj, contact=contact)
        return [link, follow_up_on(obj, content="拜访")]


class TestContactRecycleBin(RecycleBinSuite):
    model = Contact
    url_prefix = "/contacts/"

    def make(self, n: int) -> Any:
        return Contact.objects.create(name=f"回收联系人{n:03d}")

    def make_related(self, obj: Any) -> list[Any]:
        customer = Customer.objects.create(name="联系人所在客户")
        return [CustomerContact.objects.create(customer=customer, contact=obj)]


class TestLeadRecycleBin(RecycleBinSuite):
    model = Lead
    url_prefix = "/leads/"

    def make(self, n: int) -> Any:
        return Lead.objects.create(name=f"回收线索{n:03d}", phone=f"+86137{n:08d}")


class TestFollowUpRecycleBin(RecycleBinSuite):
    model = FollowUp
    url_prefix = "/follow-ups/"

    def make(self, n: int) -> Any:
        customer = Customer.objects.create(name=f"跟进客户{n:03d}")
        return follow_up_on(customer, content=f"回收跟进{n:03d}")

    def make_related(self, obj: Any) -> list[Any]:
        task = Task.objects.create(title="跟进后的待办", due_at=timezone.now(), follow_up=obj)
        return [task]


class TestTaskRecycleBin(RecycleBinSuite):
    model = Task
    url_prefix = "/tasks/"

    def make(self, n: int) -> Any:
        return Task.objects.create(
            title=f"回收待办{n:03d}", due_at=timezone.now() + datetime.timedelta(days=n)
        )


class TestDealRecycleBin(RecycleBinSuite):
    model = Deal
    url_prefix = "/sales/deals/"

    def make(self, n: int) -> Any:
        return _deal(n)

    def make_related(self, obj: Any) -> list[Any]:
        contact = Contact.objects.create(name="商机联系人")
        return [DealContact.objects.create(deal=obj, contact=contact)]


class TestProductRecycleBin(RecycleBinSuite):
    model = Product
    url_prefix = "/products/"

    def make(self, n: int) -> Any:
        return Product.objects.create(sku=f"RB-{n:04d}", name=f"回收产品{n:04d}", list_price_amount=100 + n)


class TestPriceListRecycleBin(RecycleBinSuite):
    model = PriceList
    url_prefix = "/price-lists/"

    def make(self, n: int) -> Any:
        return PriceList.objects.create(name=f"回收价目表{n:04d}", currency="CNY")

    def make_related(self, obj: Any) -> list[Any]:
        product = Product.objects.create(sku="RB-P", name="价目表产品", list_price_amount=10)
        return [
            PriceListItem.objects.create(price_list=obj, product=product, price_amount=decimal.Decimal(9))
        ]


class TestQuoteRecycleBin(RecycleBinSuite):
    model = Quote
    url_prefix = "/quotes/"

    def make(self, n: int) -> Any:
        return Quote.objects.create(
            deal=_deal(n), title=f"回收报价{n:04d}", valid_until="2027-01-01", number=f"Q-RB-{n:04d}"
        )

    def make_related(self, obj: Any) -> list[Any]:
        line = QuoteLine.objects.create(
            quote=obj,
            description="实施服务",
            quantity=decimal.Decimal(1),
            unit_price_amount=decimal.Decimal(100),
        )
        return [line]


class TestGadgetRecycleBin(RecycleBinSuite):
    model = Gadget
    url_prefix = "/test/gadgets/"

    def make(self, n: int) -> Any:
        return Gadget.objects.create(name=f"回收设备{n}", code=f"RB-{n}")


class TestRequisitionRecycleBin(RecycleBinSuite):
    model = Requisition
    url_prefix = "/test/requisitions/"

    def make(self, n: int) -> Any:
        return Requisition.objects.create(title=f"回收申请{n}", amount_amount=decimal.Decimal(n))


class TestContractRecycleBin(RecycleBinSuite):
    model = Contract
    url_prefix = "/contracts/"

    def make(self, n: int) -> Any:
        customer = Customer.objects.create(name=f"合同客户{n:03d}")
        return Contract.objects.create(
            customer=customer,
            title=f"回收合同{n:04d}",
            amount_amount=decimal.Decimal(1000 + n),
            number=f"HT-RB-{n:04d}",
        )


class TestOrderRecycleBin(RecycleBinSuite):
    model = Order
    url_prefix = "/orders/"

    def make(self, n: int) -> Any:
        customer = Customer.objects.create(name=f"订单客户{n:03d}")
        return Order.objects.create(customer=customer, number=f"SO-RB-{n:04d}")

    def make_related(self, obj: Any) -> list[Any]:
        line = OrderLine.objects.create(
            order=obj,
            description="实施服务",
            quantity=decimal.Decimal(1),
            unit_price_amount=decimal.Decimal(100),
        )
        return [line]
