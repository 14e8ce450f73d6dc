"""Every importable entity of issue 12 end to end: a small CSV with the column titles a Chinese
user writes (客户名称, 负责人 as a person's name, 金额, 预计成交日期 …), staged, validated and
committed by the engine; the records hold the right values and owners, the change log and the
search keys are written."""

from __future__ import annotations

import datetime
import decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from guanxi.activities.models import FollowUp
from guanxi.contracts.models import Order, OrderLine
from guanxi.core.models import ObjectChange, SearchEntry
from guanxi.customers.models import Contact, Customer, Lead
from guanxi.framework.context import Source, actor_context
from guanxi.framework.testing.scopes import give_role
from guanxi.framework.write import delete_objects, save_object
from guanxi.imports import engine
from guanxi.imports.models import ImportBatch, ImportRow
from guanxi.imports.tests.conftest import importer
from guanxi.products.models import Product
from guanxi.sales.models import Deal
from guanxi.targets.models import Target
from guanxi.users.models import Department, User

pytestmark = pytest.mark.django_db
R = ImportRow.Status
D = decimal.Decimal


@pytest.fixture
def team(make_user):
    """王芳 imports (every verb on the entity under test, viewing customers and products); 李雷 is
    the colleague she gives records to."""
    with actor_context(None, source=Source.TEST):
        department = Department.objects.create(name="华东销售部")

    def make(model):
        user = importer(make_user, "wangfang", model, name="王芳", language="en", department=department)
        give_role(user, Customer, "all", ["view"], name="see-customers")
        give_role(user, User, "all", ["view"], name="see-colleagues")
        give_role(user, Product, "all", ["view"], name="see-products")
        make_user("lilei", name="李雷", department=department)
        return type(user).objects.get(pk=user.pk)

    return make


def run(user, model, write, text, **options):
    path = write("import.csv", text)
    batch = engine.create_batch(user, model, str(path), "import.csv", **options)
    engine.run(batch)
    batch.refresh_from_db()
    return batch


def problems(batch):
    return {r.number: [m for _c, m in r.messages] for r in batch.rows.filter(status__in=[R.ERROR, R.REVIEW])}


def bookkept(obj, batch):
    """The write path's bookkeeping of an imported record: its change log and search keys."""
    change = ObjectChange.objects.get(
        changed_object_type=ContentType.objects.get_for_model(type(obj)),
        changed_object_id=obj.pk,
        action="create",
    )
    assert change.request_id == batch.request_id and change.user_id == batch.user_id
    return SearchEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
    ).exists()


def customers(*names, owner=None):
    with actor_context(None, source=Source.TEST):
        return [Customer.objects.create(name=n, owner=owner) for n in names]


def test_customers(team, write):
    user = team(Customer)
    batch = run(
        user,
        Customer,
        write,
        "客户名称,手机号码,客户级别,负责人,所属行业\n飞海科技有限公司,13800138000,A级,李雷,\n星河网络,13900139001,B类,,\n",
    )
    assert (batch.status, batch.created, batch.failed) == ("completed", 2, 0), problems(batch)
    feihai = Customer.objects.get(name="飞海科技有限公司")
    assert (feihai.phone, feihai.level, feihai.owner.name) == ("+8613800138000", "A", "李雷")
    assert Customer.objects.get(name="星河网络").owner == user
    assert bookkept(feihai, batch)


def test_contacts(team, write):
    user = team(Contact)
    batch = run(
        user, Contact, write, "姓名,职务,手机,邮箱,负责人\n张伟,采购经理,13800138000,ZW@feihai.cn,李雷\n"
    )
    assert (batch.created, batch.failed) == (1, 0), problems(batch)
    contact = Contact.objects.get(name="张伟")
    assert (contact.title, contact.email, contact.owner.name) == ("采购经理", "zw@feihai.cn", "李雷")
    assert bookkept(contact, batch)


def test_leads(team, write):
    user = team(Lead)
    batch = run(user, Lead, write, "姓名,公司名称,手机,线索来源,负责人\n刘洋,云帆物流,13700137000,,王芳\n")
    assert (batch.created, batch.failed) == (1, 0), problems(batch)
    lead = Lead.objects.get(name="刘洋")
    assert (lead.company, lead.phone, lead.owner) == ("云帆物流", "+8613700137000", user)
    assert bookkept(lead, batch)


def test_products_match_on_sku(team, write):
    user = team(Product)
    text = '产品编码,产品名称,单价,单位\nP-001,服务器,"¥12,800.00",台\nP-002,交换机,3500,台\n'
    batch = run(user, Product, write, text)
    assert (batch.created, batch.failed) == (2, 0), problems(batch)
    server = Product.objects.get(sku="P-001")
    assert (server.name, server.list_price_amount, server.unit) == ("服务器", D("12800.00"), "台")
    assert bookkept(server, batch)
    again = run(user, Product, write, "产品编码,单价\nP-001,13000\n", mode="upsert", match_key="sku")
    assert (again.updated, again.created) == (1, 0), problems(again)
    assert Product.objects.get(sku="P-001").list_price_amount == D("13000")


def test_deals(team, write):
    from guanxi.sales.tests.conftest import make_pipeline

    user = team(Deal)
    make_pipeline()  # an installation's default pipeline: a deal starts at its first stage
    customers("飞海科技")
    text = '商机名称,客户名称,金额,预计成交日期,负责人\n服务器扩容,飞海科技,"128,000",2027年3月31日,李雷\n'
    batch = run(user, Deal, write, text)
    assert (batch.created, batch.failed) == (1, 0), problems(batch)
    deal = Deal.objects.get(name="服务器扩容")
    assert (deal.customer.name, deal.amount_amount, deal.expected_close_date, deal.owner.name) == (
        "飞海科技",
        D("128000"),
        datetime.date(2027, 3, 31),
        "李雷",
    )
    assert deal.stage_id is not None
    assert bookkept(deal, batch)


def test_follow_ups_land_on_the_customers_timeline(team, write):
    user = team(FollowUp)
    (feihai,) = customers("飞海科技")
    text = "客户名称,跟进方式,跟进时间,跟进内容,下一步\n飞海科技,拜访,2026-11-02 14:30,谈了扩容方案,发报价\n"
    batch = run(user, FollowUp, write, text)
    assert (batch.created, batch.failed) == (1, 0), problems(batch)
    follow_up = FollowUp.objects.get()
    assert (follow_up.kind, follow_up.content, follow_up.owner) == ("visit", "谈了扩容方案", user)
    assert follow_up.target == feihai and follow_up.customer == feihai
    assert follow_up.occurred_at.date() == datetime.date(2026, 11, 2)
    assert bookkept(follow_up, batch) in (True, False)  # long texts are not search keys


def test_targets_one_row_per_rep_period_and_measure(team, write):
    user = team(Target)
    text = (
        "销售,指标,年份,期间,目标\n"
        "李雷,签约金额,2027,1月,50000\n"
        "李雷,signed,2027,全年,600000\n"
        "王芳,签约金额,2027,第二季度,90000\n"
    )
    batch = run(user, Target, write, text)
    assert (batch.created, batch.failed) == (3, 0), problems(batch)
    january = Target.objects.get(user__name="李雷", period="m01")
    assert (january.measure, january.year, january.amount) == ("signed", 2027, D("50000"))
    assert january.department_id == user.department_id
    assert Target.objects.filter(user=user, period="q2", amount=D("90000")).exists()
    assert bookkept(january, batch) in (True, False)


# -- orders with their lines ----------------------------------------------------------------------
ORDERS = (
    "订单编号,客户名称,订单日期,负责人,产品编码,数量,单价,折扣\n"
    "SO-1001,飞海科技,2026-11-02,李雷,P-001,2,12800,10\n"
    "SO-1001,,,,P-002,3,,\n"
    "SO-1002,星河网络,2026/11/05,,交换机,1,3400,0\n"
    "SO-1003,星河网络,2026-11-06,,P-001,-1,100,\n"
    "SO-1003,星河网络,2026-11-06,,不存在的产品,1,100,\n"
    "SO-1003,星河网络,2026-11-06,,P-002,1,100,\n"
)


@pytest.fixture
def catalogue():
    with actor_context(None, source=Source.TEST):
        Product.objects.create(sku="P-001", name="服务器", list_price_amount=D("13000"))
        Product.objects.create(sku="P-002", name="交换机", list_price_amount=D("3500"))


def test_orders_with_their_lines(team, write, catalogue):
    user = team(Order)
    customers("飞海科技", "星河网络")
    batch = run(user, Order, write, ORDERS)
    assert batch.status == ImportBatch.Status.COMPLETED
    assert (batch.created, batch.failed) == (2, 3), problems(batch)
    first = Order.objects.get(number="SO-1001")
    assert (first.customer.name, first.order_date, first.owner.name) == (
        "飞海科技",
        datetime.date(2026, 11, 2),
        "李雷",
    )
    lines = list(OrderLine.objects.filter(order=first).order_by("position"))
    assert [
        (line.product.sku, line.quantity, line.unit_price_amount, line.discount_percent) for line in lines
    ] == [
        ("P-001", D("2"), D("12800"), D("10")),
        ("P-002", D("3"), D("3500"), D("0")),  # no price: the product's list price
    ]
    # 2 × 12,800 − 10 % + 3 × 3,500: computed by the order's service, never read from the file
    assert first.total_amount == D("33540.00")
    second = Order.objects.get(number="SO-1002")
    assert (second.total_amount, second.lines.get().product.sku) == (D("3400.00"), "P-002")
    # a bad line fails its whole order, and every row of it says which rows are wrong
    assert not Order.objects.filter(number="SO-1003").exists()
    errors = problems(batch)
    assert set(errors) == {5, 6, 7}
    assert all(any("5, 6" in m for m in messages) for messages in errors.values())
    assert any("negative" in m for m in errors[5]) and any("不存在的产品" in m for m in errors[6])
    error_file = list(engine.error_rows(batch))
    assert [line[0] for line in error_file[1:]] == ["SO-1003"] * 3
    assert bookkept(first, batch)
    assert (
        ObjectChange.objects.filter(
            changed_object_type__model="orderline", request_id=batch.request_id
        ).count()
        == 3
    )


def test_orders_upsert_by_number_replaces_the_lines(team, write, catalogue):
    user = team(Order)
    customers("飞海科技")
    run(
        user,
        Order,
        write,
        "订单编号,客户名称,产品编码,数量,单价\nSO-1,飞海科技,P-001,1,100\nSO-1,,P-002,1,50\n",
    )
    order = Order.objects.get(number="SO-1")
    assert (order.lines.count(), order.total_amount) == (2, D("150.00"))
    again = run(
        user,
        Order,
        write,
        "订单编号,客户名称,备注,产品编码,数量,单价\nSO-1,飞海科技,改了,P-002,4,50\n",
        mode="upsert",
        match_key="number",
    )
    assert (again.updated, again.created, again.failed) == (1, 0, 0), problems(again)
    order.refresh_from_db()
    assert (order.notes, order.total_amount) == ("改了", D("200.00"))
    assert [(line.product.sku, line.quantity) for line in order.lines.all()] == [("P-002", D("4"))]
    # a confirmed order's lines stay as they are
    Order.objects.filter(pk=order.pk).update(status="confirmed")
    refused = run(
        user, Order, write, "订单编号,产品编码,数量\nSO-1,P-001,9\n", mode="upsert", match_key="number"
    )
    assert refused.failed == 1 and any("draft" in m for m in problems(refused)[2])


def test_orders_need_the_order_number_column(team, write, catalogue):
    user = team(Order)
    customers("飞海科技")
    path = write("o.csv", "客户名称,产品编码,数量\n飞海科技,P-001,1\n")
    batch = engine.create_batch(user, Order, str(path), "o.csv")
    with pytest.raises(Exception, match="number"):
        engine.run(batch)


def test_order_import_undo_removes_the_order_once(team, write, catalogue):
    user = team(Order)
    customers("飞海科技")
    batch = run(user, Order, write, "订单编号,客户名称,产品编码,数量\nSO-9,飞海科技,P-001,1\nSO-9,,P-002,2\n")
    assert batch.created == 1
    counts = engine.undo(batch, user)
    assert counts == {"removed": 1, "reverted": 0, "refused": 0}
    assert not Order.objects.filter(number="SO-9").exists()


def test_order_import_undo_counts_an_order_once_across_chunks(team, write, catalogue, monkeypatch):
    """The rows of one order may fall into two of undo's chunks: the order is undone (or refused)
    once, and every one of its rows says so."""
    user = team(Order)
    customers("飞海科技")
    text = "订单编号,客户名称,产品编码,数量\nSO-9,飞海科技,P-001,1\nSO-9,,P-002,2\nSO-8,飞海科技,P-001,1\n"
    batch = run(user, Order, write, text)
    monkeypatch.setattr(engine, "CHUNK", 1)
    counts = engine.undo(batch, user)
    assert counts == {"removed": 2, "reverted": 0, "refused": 0}
    assert set(batch.rows.values_list("status", flat=True)) == {R.UNDONE}


# -- the import page: choose what to import, templates in both languages ----------------------------
def test_the_import_page_lists_what_the_user_may_import(team, client, make_user):
    user = team(Order)
    client.force_login(user)
    page = client.get("/imports/")
    assert page.status_code == 200
    listed = page.context["entities"]
    assert [e["label"] for e in listed] == ["contracts.order"]
    links = dict(listed[0]["templates"])
    assert set(links) == {"Excel 中文", "CSV 中文", "Excel English", "CSV English"}
    zh = client.get(links["CSV 中文"])
    header = zh.content.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:2] == ["编号*", "客户*"] and "明细：产品" in header and "总计" not in header
    en = client.get(links["CSV English"]).content.decode("utf-8-sig").splitlines()[0].split(",")
    assert "Line: quantity" in en and "Number*" in en
    xlsx = client.get(links["Excel 中文"])
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")
    # a type the user may not import: no page, no template
    assert client.get("/imports/template/customers.customer/?format=csv").status_code == 404
    nobody = make_user("nobody", language="en")
    client.force_login(nobody)
    assert client.get("/imports/").context["entities"] == []


def test_the_import_page_lists_types_in_the_order_people_move_their_data_in(client, make_user):
    """``ImportSpec.order`` (declared by each entity in its app's ``entities.py``) orders the page:
    customers first, then contacts, products, deals, orders, follow-ups and targets (leads have
    their own upload page, not the generic one); types without a declaration follow in registry
    order. The names' alphabetical order (the page's old order) would put contacts first."""
    from guanxi.framework.entities import entity_types
    from guanxi.imports.declarations import spec_for

    client.force_login(make_user("root", is_superuser=True, language="en"))
    listed = [e["label"] for e in client.get("/imports/").context["entities"]]
    assert listed[:7] == [
        "customers.customer",
        "customers.contact",
        "products.product",
        "sales.deal",
        "contracts.order",
        "activities.followup",
        "targets.target",
    ]
    undeclared = [e.label for e in entity_types() if e.imports is None]
    assert listed[7:] == [label for label in undeclared if label in listed[7:]]
    # the order lives in the declarations: leads between contacts and products
    orders = {e.label: spec_for(e.model).order for e in entity_types() if e.imports is not None}
    assert sorted(orders, key=orders.__getitem__) == [
        "customers.customer",
        "customers.contact",
        "customers.lead",
        "products.product",
        "sales.deal",
        "contracts.order",
        "activities.followup",
        "targets.target",
    ]


# -- undoing an import that replaced an order's lines ------------------------------------------------
FIRST = (
    "订单编号,客户名称,产品编码,描述,数量,单价,折扣\n"
    "SO-1,飞海科技,P-001,机架式,1,100,5\n"
    "SO-1,,P-002,,2,50,\n"
    "SO-2,飞海科技,P-002,,1,50,\n"
)
SECOND = (
    "订单编号,客户名称,备注,产品编码,数量,单价\nSO-1,飞海科技,改了,P-002,4,60\nSO-2,飞海科技,,P-002,3,50\n"
)


def line_values(order):
    """Everything an order line says (its key aside), in order."""
    return [
        (
            line.position,
            line.product.sku if line.product else None,
            line.description,
            line.quantity,
            line.unit_price_amount,
            line.unit_price_currency,
            line.discount_percent,
            line.total_amount,
        )
        for line in OrderLine.objects.filter(order=order).order_by("position", "pk")
    ]


@pytest.fixture
def replaced(team, write, catalogue):
    """SO-1 and SO-2 imported with their lines, then both updated by a second import that replaced
    their lines: (user, the second batch, {number: (order fields, lines, line keys) before the
    second})."""
    user = team(Order)
    customers("飞海科技")
    run(user, Order, write, FIRST)
    before = {
        o.number: (
            (o.notes, o.total_amount, o.updated_at),
            line_values(o),
            list(OrderLine.objects.filter(order=o).order_by("position", "pk").values_list("pk", flat=True)),
        )
        for o in Order.objects.filter(number__in=["SO-1", "SO-2"])
    }
    assert before["SO-1"][0][1] == D("195.00") and len(before["SO-1"][1]) == 2
    batch = run(user, Order, write, SECOND, mode="upsert", match_key="number")
    assert (batch.updated, batch.failed) == (2, 0), problems(batch)
    assert line_values(Order.objects.get(number="SO-1"))[0][1:4] == ("P-002", "", D("4"))
    return user, batch, before


def test_undoing_an_order_import_restores_the_replaced_lines(replaced):
    user, batch, before = replaced
    imported = set(OrderLine.objects.values_list("pk", flat=True))
    counts = engine.undo(batch, user)
    assert counts == {"removed": 0, "reverted": 2, "refused": 0}
    for number in ("SO-1", "SO-2"):
        order = Order.objects.get(number=number)
        assert (order.notes, order.total_amount) == before[number][0][:2]
        assert line_values(order) == before[number][1]
        # put back under their own keys: a line's history (and whatever names it) still holds
        restored = OrderLine.objects.filter(order=order).order_by("position", "pk")
        assert list(restored.values_list("pk", flat=True)) == before[number][2]
    # the lines the import wrote are gone, and the ones put back went through the write path
    assert not OrderLine.objects.filter(pk__in=imported).exists()
    assert (
        ObjectChange.objects.filter(changed_object_type__model="orderline", action="create", user=user)
        .exclude(request_id=batch.request_id)
        .count()
        == 3 + 3
    )
    # each old line's change log reads on: created, deleted by the second import, created by the undo
    for pk in before["SO-1"][2] + before["SO-2"][2]:
        history = ObjectChange.objects.filter(changed_object_type__model="orderline", changed_object_id=pk)
        assert list(history.order_by("pk").values_list("action", flat=True)) == ["create", "delete", "create"]


def test_undone_lines_keep_who_created_them_and_when(team, write, catalogue, make_user):
    """王芳 imported the orders; 赵敏's import replaced their lines and she undoes it: the lines
    put back still say 王芳 added them, when she did (from the change log), in the table and in
    their change log; the undo is their last update."""
    user = team(Order)
    zhao = importer(make_user, "zhaomin", Order, name="赵敏", language="en")
    give_role(zhao, Customer, "all", ["view"], name="赵-customers")
    give_role(zhao, Product, "all", ["view"], name="赵-products")
    customers("飞海科技")
    run(user, Order, write, FIRST)
    stamps = {pk: (at, by) for pk, at, by in OrderLine.objects.values_list("pk", "created_at", "created_by")}
    assert len(stamps) == 3 and {by for _at, by in stamps.values()} == {user.pk}
    batch = run(zhao, Order, write, SECOND, mode="upsert", match_key="number")
    assert (batch.updated, batch.failed) == (2, 0), problems(batch)
    assert engine.undo(batch, zhao) == {"removed": 0, "reverted": 2, "refused": 0}
    lines = OrderLine.objects.values_list("pk", "created_at", "created_by", "updated_by")
    assert {pk: (at, by) for pk, at, by, _updated_by in lines} == stamps
    assert {updated_by for *_stamps, updated_by in lines} == {zhao.pk}
    recreated = ObjectChange.objects.filter(
        changed_object_type__model="orderline", action="create", user=zhao
    )
    logged = {c.changed_object_id: c.postchange_data for c in recreated.exclude(request_id=batch.request_id)}
    assert {int(pk): (data["created_at"], data["created_by"]) for pk, data in logged.items()} == {
        pk: (at.isoformat(), by) for pk, (at, by) in stamps.items()
    }


def test_undo_refuses_an_order_whose_lines_were_touched_since(replaced):
    user, batch, _before = replaced
    one = Order.objects.get(number="SO-1")
    with actor_context(user, source=Source.TEST):
        line = one.lines.get()
        line.description = "有人改过"  # the order itself is not saved again
        save_object(line, actor=user)
        two = Order.objects.get(number="SO-2")
        save_object(
            OrderLine(order=two, position=2, description="后加的", quantity=1, unit_price_amount=D("0")),
            actor=user,
            check_visible=False,
        )
    assert Order.objects.get(number="SO-1").updated_at == one.updated_at
    counts = engine.undo(batch, user)
    assert counts == {"removed": 0, "reverted": 0, "refused": 2}
    # nothing was reverted: the orders keep the second import's values and today's lines
    assert Order.objects.get(number="SO-1").notes == "改了"
    assert [v[2] for v in line_values(one)] == ["有人改过"]
    assert len(line_values(Order.objects.get(number="SO-2"))) == 2
    messages = {r.number: [m for _c, m in r.messages] for r in batch.rows.all()}
    assert all("lines were changed" in m[0] for m in messages.values())


def test_undo_refuses_an_order_whose_former_lines_name_a_product_deleted_since(replaced):
    user, batch, before = replaced
    # after the second import only SO-1's former lines named P-001: it could be deleted
    with actor_context(None, source=Source.TEST):
        delete_objects(list(Product.objects.filter(sku="P-001")), actor=None)
    counts = engine.undo(batch, user)
    assert counts == {"removed": 0, "reverted": 1, "refused": 1}
    one, two = Order.objects.get(number="SO-1"), Order.objects.get(number="SO-2")
    assert (one.notes, [v[1:4] for v in line_values(one)]) == ("改了", [("P-002", "", D("4"))])
    assert line_values(two) == before["SO-2"][1]
    assert any("product" in m for _c, m in batch.rows.get(number=2).messages)
