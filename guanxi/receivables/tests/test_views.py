"""The generic page, scope and recycle-bin suites on receipts and invoice requests."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from guanxi.contracts.models import Contract
from guanxi.customers.models import Customer
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.recyclebin import RecycleBinSuite
from guanxi.framework.testing.scopes import ScopeSuite, give_role, record_name
from guanxi.framework.testing.suites import EntityViewSuite
from guanxi.receivables.models import InvoiceRequest, Receipt, ReceiptAllocation


def _contract(n: int, owner=None, department=None, amount: str = "1000000.00", kind: str = "R") -> Contract:
    """A signed contract; ``kind`` keeps the numbers of the receipt and invoice suites apart (the
    language-leak test prepares every suite in one database)."""
    customer = Customer.objects.create(
        name=f"回款客户{kind}{n:04d}", owner=owner, department=department, credit_code="91310000MA1FL4KX3N"
    )
    return Contract.objects.create(
        customer=customer,
        title=f"回款合同{n:04d}",
        number=f"HT-{kind}-{n:04d}",
        amount_amount=Decimal(amount),
        status="active",
        owner=owner,
        department=department,
    )


def _receipt(n: int, owner=None, department=None) -> Receipt:
    contract = _contract(n, owner, department)
    return Receipt.objects.create(
        contract=contract,
        customer=contract.customer,
        number=f"HK-T-{n:04d}",
        amount_amount=Decimal(100 + n),
        owner=owner,
        department=department,
        payer=record_name(n),
    )


def _invoice(n: int, owner=None, department=None) -> InvoiceRequest:
    contract = _contract(n, owner, department, kind="I")
    return InvoiceRequest.objects.create(
        contract=contract,
        customer=contract.customer,
        number=f"KP-T-{n:04d}",
        title=record_name(n),
        tax_id="91310000MA1FL4KX3N",
        amount_amount=Decimal(100 + n),
        owner=owner,
        department=department,
    )


class _SeesContracts:
    @pytest.fixture
    def make_user(self, make_user):
        """Whoever the suite gives rights on receipts or invoices may also see contracts."""

        def factory(username, perms=(), **fields):
            perms = [*perms, "contracts.view_contract", "customers.view_customer"] if perms else perms
            return make_user(username, perms=perms, **fields)

        return factory


class TestReceiptViews(_SeesContracts, EntityViewSuite):
    model = Receipt
    url_prefix = "/receipts/"
    bulk_edit_data = {"method": "cash"}
    list_query_budget = 15

    @pytest.fixture(autouse=True)
    def _contract_for_forms(self, db):
        with as_system():
            self.contract = _contract(9999)
        common = {
            "contract": self.contract.pk,
            "received_on": "2026-12-01",
            "amount_amount": "5000.00",
            "amount_currency": "CNY",
            "method": "bank_transfer",
        }
        self.form_data = {**common, "payer": "上海华康医疗器械有限公司"}
        self.edit_data = {**common, "payer": "上海华康医疗器械有限公司财务部"}

    def make(self, n):
        return _receipt(n)


class TestInvoiceRequestViews(_SeesContracts, EntityViewSuite):
    model = InvoiceRequest
    url_prefix = "/invoice-requests/"
    bulk_edit_data = {"requested_on": "2026-12-02"}
    list_query_budget = 15

    @pytest.fixture(autouse=True)
    def _contract_for_forms(self, db):
        from guanxi.receivables.models import ReceivableSettings

        with as_system():
            self.contract = _contract(9999, kind="I")
            ReceivableSettings.objects.update_or_create(pk=1, defaults={"allow_invoice_before_payment": True})
        common = {
            "contract": self.contract.pk,
            "kind": "normal",
            "amount_amount": "5000.00",
            "amount_currency": "CNY",
            "title": "上海华康医疗器械有限公司",
            "tax_id": "91310000MA1FL4KX3N",
            "requested_on": "2026-12-01",
        }
        self.form_data = common
        self.edit_data = {**common, "note": "请尽快开具"}

    def make(self, n):
        return _invoice(n)


class TestReceiptScopes(ScopeSuite):
    model = Receipt
    url_prefix = "/receipts/"
    api_url = "/api/v1/receivables/receipts/"
    api_edit = {"payer": "edited"}

    def make(self, owner, department, n):
        return _receipt(n, owner, department)

    def api_create_body(self, org, user):
        with as_system():
            contract = _contract(900, user, user.department)
        give_role(user, Contract, "own", ["view"], name=f"contract-view-{user.username}")
        return {"contract": contract.pk, "amount": {"amount": "100.00", "currency": "CNY"}}


class TestInvoiceRequestScopes(ScopeSuite):
    model = InvoiceRequest
    url_prefix = "/invoice-requests/"
    api_url = "/api/v1/receivables/invoice-requests/"
    api_edit = {"note": "edited"}

    def make(self, owner, department, n):
        return _invoice(n, owner, department)

    def api_create_body(self, org, user):
        from guanxi.receivables.models import ReceivableSettings

        with as_system():
            contract = _contract(900, user, user.department, kind="I")
            ReceivableSettings.objects.update_or_create(pk=1, defaults={"allow_invoice_before_payment": True})
        give_role(user, Contract, "own", ["view"], name=f"contract-view-{user.username}")
        give_role(user, Customer, "own", ["view"], name=f"customer-view-{user.username}")
        return {
            "contract": contract.pk,
            "title": "上海华康医疗器械有限公司",
            "tax_id": "91310000MA1FL4KX3N",
            "amount": {"amount": "100.00", "currency": "CNY"},
        }


class TestReceiptRecycleBin(RecycleBinSuite):
    model = Receipt
    url_prefix = "/receipts/"

    def make(self, n: int) -> Any:
        return _receipt(n)

    def make_related(self, obj: Any) -> list[Any]:
        from guanxi.receivables.models import Installment

        installment = Installment.objects.create(
            contract=obj.contract, due_on=datetime.date(2026, 12, 31), amount_amount=Decimal(1000), sequence=1
        )
        return [ReceiptAllocation.objects.create(receipt=obj, installment=installment, amount=Decimal(100))]


class TestInvoiceRequestRecycleBin(RecycleBinSuite):
    model = InvoiceRequest
    url_prefix = "/invoice-requests/"

    def make(self, n: int) -> Any:
        return _invoice(n)
