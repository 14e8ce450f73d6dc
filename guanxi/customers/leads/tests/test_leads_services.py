"""Scenario tests of the lead services: assignment rules, claims, the duplicate check, conversion."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanxi.core.models import Notification, ObjectChange
from guanxi.customers.leads.services.assignment import assign_lead, assign_leads_to, claim_lead
from guanxi.customers.leads.services.leads import (
    _ACTIVITY_HOOKS,
    convert_lead,
    describe_duplicates,
    disqualify_leads,
    find_lead_duplicates,
    register_lead_activity_hook,
)
from guanxi.customers.models import AssignmentRule, Contact, Customer, CustomerContact, Lead
from guanxi.customers.services.conflicts import OwnershipConflict
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.scopes import give_role, rows_by_pk

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def team(db, django_user_model):
    """华东销售一部 with three reps (in pk order 张三, 李四, 王五) and its manager."""
    from guanxi.users.models import Department

    with as_system():
        east = Department.objects.create(name="华东销售一部")
        south = Department.objects.create(name="华南销售部")
        manager = django_user_model.objects.create_user("manager", name="一部经理", department=east)
        reps = [
            django_user_model.objects.create_user(key, name=name, department=east, manager=manager)
            for key, name in (("zhang", "张三"), ("li", "李四"), ("wang", "王五"))
        ]
        outsider = django_user_model.objects.create_user("chen", name="陈六", department=south)
    return {"east": east, "south": south, "manager": manager, "reps": reps, "outsider": outsider}


def new_lead(**fields):
    with as_system():
        return Lead.objects.create(**{"name": "客户联系人", **fields})


def make_rule(**fields):
    members = fields.pop("members", None)
    with as_system():
        rule = AssignmentRule.objects.create(**{"name": "规则", **fields})
        if members:
            rule.members.set(members)
    return rule


# --- assignment ----------------------------------------------------------------------------------
def test_round_robin_hands_leads_out_in_turn_and_wraps(team, django_capture_on_commit_callbacks):
    rule = make_rule(department=team["east"], max_open_leads=None)
    reps = team["reps"]
    owners = []
    with django_capture_on_commit_callbacks(execute=True), as_system():
        for n in range(4):
            owners.append(assign_lead(new_lead(name=f"线索{n}"), actor=None))
    # the manager is in the department too (first by pk), so the turn goes manager, 张三, 李四, 王五
    assert owners == [team["manager"], *reps]
    rule.refresh_from_db()
    assert rule.last_assigned == reps[2]
    lead = Lead.objects.get(name="线索1")
    assert (lead.owner, lead.department, lead.assigned_at is not None) == (reps[0], team["east"], True)
    assert Notification.objects.filter(recipient=reps[0]).count() == 1


def test_round_robin_skips_reps_at_the_cap(team):
    zhang, li, wang = team["reps"]
    make_rule(members=[zhang, li, wang], max_open_leads=1)
    new_lead(name="张三已有", owner=zhang)
    new_lead(name="王五已关闭", owner=wang, status=Lead.Status.CONVERTED)  # closed: not counted
    with as_system():
        first = assign_lead(new_lead(name="第一条"), actor=None)
        second = assign_lead(new_lead(name="第二条"), actor=None)
        third = assign_lead(new_lead(name="第三条"), actor=None)
    assert (first, second, third) == (li, wang, None)
    assert Lead.objects.get(name="第三条").owner is None  # everyone at the cap: waits in the pool


def test_least_open_method_picks_the_least_busy_rep(team):
    zhang, li, wang = team["reps"]
    make_rule(members=[zhang, li, wang], method=AssignmentRule.Method.LEAST_OPEN)
    for n in range(2):
        new_lead(name=f"张三{n}", owner=zhang)
    new_lead(name="王五0", owner=wang)
    with as_system():
        assert assign_lead(new_lead(), actor=None) == li


def test_rules_match_by_source_and_province_in_priority_order(team):
    zhang, li, wang = team["reps"]
    make_rule(name="展会线索", priority=1, members=[zhang], sources=["exhibition"])
    make_rule(name="上海线索", priority=2, members=[li], provinces=["上海市"])
    make_rule(name="兜底", priority=9, members=[wang])
    make_rule(name="停用", priority=0, members=[team["outsider"]], active=False)
    with as_system():
        assert assign_lead(new_lead(source="exhibition", province="上海市"), actor=None) == zhang
        assert assign_lead(new_lead(source="web_form", province="上海市"), actor=None) == li
        assert assign_lead(new_lead(source="web_form", province="江苏省"), actor=None) == wang


def test_no_matching_rule_leaves_the_lead_unassigned(team):
    make_rule(members=team["reps"], sources=["referral"])
    lead = new_lead(source="web_form")
    before = rows_by_pk(Lead)
    with as_system():
        assert assign_lead(lead, actor=None) is None
    assert rows_by_pk(Lead) == before


def test_manager_assigns_in_bulk_and_the_rep_is_told(team, django_capture_on_commit_callbacks):
    manager, (zhang, _li, _wang) = team["manager"], team["reps"]
    give_role(manager, Lead, "department_tree", ["view", "assign"])
    leads = [new_lead(name=f"池{n}", department=team["east"]) for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True), as_user(manager):
        assign_leads_to(leads, zhang, actor=manager)
    assert set(Lead.objects.values_list("owner", flat=True)) == {zhang.pk}
    note = Notification.objects.get(recipient=zhang)
    assert note.title == "有 3 条线索分配给你"  # in the rep's language (the site default here)
    change = ObjectChange.objects.filter(changed_object_id=leads[0].pk, action="update").get()
    assert change.user == manager and change.postchange_data["owner"] == zhang.pk


def test_assigning_a_lead_outside_the_managers_scope_changes_nothing(team):
    manager = team["manager"]
    give_role(manager, Lead, "department_tree", ["view", "assign"])
    inside = new_lead(name="一部", department=team["east"])
    outside = new_lead(name="华南", department=team["south"])
    before = rows_by_pk(Lead)
    with pytest.raises(PermissionDenied), as_user(manager):
        assign_leads_to([inside, outside], team["reps"][0], actor=manager)
    assert rows_by_pk(Lead) == before


def test_claim_respects_the_cap_with_a_clear_message(team):
    zhang = team["reps"][0]
    give_role(zhang, Lead, "own", ["view", "change", "claim"])
    make_rule(members=[zhang], max_open_leads=2)
    for n in range(2):
        new_lead(name=f"已有{n}", owner=zhang)
    pooled = new_lead(name="待领取", department=team["east"])
    before = rows_by_pk(Lead)
    with pytest.raises(ValidationError) as caught, as_user(zhang):
        claim_lead(pooled, actor=zhang)
    assert "2" in caught.value.messages[0]
    assert rows_by_pk(Lead) == before
    with as_system():
        Lead.objects.filter(name="已有0").update(status=Lead.Status.DISQUALIFIED)
    with as_user(zhang):
        claim_lead(pooled, actor=zhang)
    assert (pooled.owner, pooled.assigned_at is not None) == (zhang, True)


def test_claim_of_a_taken_lead_is_refused(team):
    zhang, li, _wang = team["reps"]
    for rep in (zhang, li):
        give_role(rep, Lead, "own", ["view", "claim"], name=f"claim-{rep.username}")
    pooled = new_lead(name="抢手线索", department=team["east"])
    with as_user(li):
        claim_lead(pooled, actor=li)
    with pytest.raises(PermissionDenied), as_user(zhang):  # no longer in the pool, so not visible
        claim_lead(pooled, actor=zhang)
    pooled.refresh_from_db()
    assert pooled.owner == li


# --- duplicate check -----------------------------------------------------------------------------
def test_duplicates_found_among_leads_customers_and_contacts(team):
    with as_system():
        old_lead = Lead.objects.create(name="赵敏", phone="+8613800138000")
        by_email = Lead.objects.create(name="孙丽", email="sun.li@example.com")
        by_company = Lead.objects.create(name="周杰", company="上海星河科技有限公司")
        customer = Customer.objects.create(name="上海星河科技股份有限公司", owner=team["reps"][1])
        contact = Contact.objects.create(name="钱伟", phone="+8613900139000")
    cases = {
        "phone": ({"phone": "138 0013 8000"}, old_lead, "phone"),
        "email": ({"email": "Sun.Li@Example.com"}, by_email, "email"),
        "contact": ({"phone": "13900139000"}, contact, "phone"),
    }
    for _label, (values, expected, field) in cases.items():
        matches = find_lead_duplicates(**values)
        assert [(m.obj, m.field) for m in matches] == [(expected, field)]
    matches = find_lead_duplicates(company="上海 星河科技(有限公司)")
    assert {(type(m.obj).__name__, m.obj.pk, m.field) for m in matches} == {
        ("Lead", by_company.pk, "name"),
        ("Customer", customer.pk, "name"),
    }
    assert find_lead_duplicates(phone="13700000000", company="北京全新公司") == []


def test_duplicate_rows_hide_links_to_records_the_user_may_not_see(team):
    zhang, li, _wang = team["reps"]
    give_role(zhang, Customer, "own", ["view", "change"])
    give_role(zhang, Lead, "own", ["view"], name="zhang-leads")
    with as_system():
        mine = Customer.objects.create(name="杭州云帆贸易有限公司", phone="+8613700137000", owner=zhang)
        theirs = Lead.objects.create(name="李四的线索", phone="+8613700137000", owner=li)
    rows = describe_duplicates(find_lead_duplicates(phone="+8613700137000"), zhang)
    by_kind = {row.kind: row for row in rows}
    assert by_kind["customer"].url == mine.get_absolute_url() and by_kind["customer"].linkable
    assert by_kind["lead"].url == "" and by_kind["lead"].name == str(theirs)
    assert by_kind["lead"].owner == "李四"


# --- conversion ----------------------------------------------------------------------------------
@pytest.fixture
def rep(team):
    zhang = team["reps"][0]
    give_role(zhang, Lead, "own", ["view", "change"], name="rep-leads")
    give_role(zhang, Customer, "own", ["view", "add", "change"], name="rep-customers")
    give_role(zhang, Contact, "own", ["view", "add", "change"], name="rep-contacts")
    return zhang


def test_convert_into_a_new_company_customer_with_primary_contact(rep, team):
    lead = new_lead(
        name="吴刚",
        company="宁波海曙精密机械有限公司",
        title="采购经理",
        phone="+8613812345678",
        email="wu@example.com",
        province="浙江省",
        city="宁波市",
        source="exhibition",
        owner=rep,
    )
    with as_user(rep):
        customer, contact = convert_lead(lead, actor=rep)
    assert (customer.kind, customer.name, customer.owner, customer.department) == (
        "company", "宁波海曙精密机械有限公司", rep, team["east"],
    )  # fmt: skip
    assert (customer.province, customer.city, customer.source) == ("浙江省", "宁波市", "exhibition")
    assert (contact.name, contact.title, contact.phone, contact.email) == (
        "吴刚", "采购经理", "+8613812345678", "wu@example.com",
    )  # fmt: skip
    link = CustomerContact.objects.get()
    assert (link.customer, link.contact, link.is_primary) == (customer, contact, True)
    lead.refresh_from_db()
    assert (lead.status, lead.converted_customer, lead.converted_contact, lead.converted_by) == (
        "converted", customer, contact, rep,
    )  # fmt: skip
    from guanxi.framework.timeline import timeline

    entries, _cursor = timeline(customer, rep)
    assert any(e.kind == "lead" and "吴刚" in e.title for e in entries)


def test_convert_without_company_makes_an_individual(rep):
    lead = new_lead(name="郑爽", phone="+8613811112222", wechat_id="zhengs", owner=rep)
    with as_user(rep):
        customer, _contact = convert_lead(lead, actor=rep)
    assert (customer.kind, customer.name, customer.phone, customer.wechat_id) == (
        "individual", "郑爽", "+8613811112222", "zhengs",
    )  # fmt: skip


def test_convert_into_an_existing_customer_keeps_its_primary_contact(rep):
    with as_system():
        customer = Customer.objects.create(name="苏州恒远机械有限公司", owner=rep)
        CustomerContact.objects.create(
            customer=customer, contact=Contact.objects.create(name="王强"), is_primary=True
        )
    lead = new_lead(name="冯雪", company="苏州恒远机械", owner=rep)
    calls = []
    hook = register_lead_activity_hook(lambda lead, customer: calls.append((lead.pk, customer.pk)))
    try:
        with as_user(rep):
            same, contact = convert_lead(lead, actor=rep, customer=customer)
    finally:
        _ACTIVITY_HOOKS.remove(hook)
    assert same == customer and Customer.objects.count() == 1
    assert CustomerContact.objects.get(contact=contact).is_primary is False
    assert calls == [(lead.pk, customer.pk)]  # the follow-ups hook ran inside the conversion


def test_conversion_conflicting_with_another_reps_customer_changes_nothing(rep, team):
    li = team["reps"][1]
    with as_system():
        Customer.objects.create(name="深圳前海数据有限公司", owner=li)
    lead = new_lead(name="何静", company="深圳前海数据有限公司", owner=rep)
    before = {model: rows_by_pk(model) for model in (Lead, Customer, Contact, CustomerContact)}
    with pytest.raises(OwnershipConflict) as caught, as_user(rep):
        convert_lead(lead, actor=rep)
    assert "李四" in caught.value.messages[0]
    assert {model: rows_by_pk(model) for model in before} == before


def test_converted_and_disqualified_leads_are_refused(rep):
    lead = new_lead(name="韩梅", company="成都天府软件有限公司", owner=rep)
    with as_user(rep):
        customer, _contact = convert_lead(lead, actor=rep)
    before = {model: rows_by_pk(model) for model in (Lead, Customer, Contact)}
    with pytest.raises(ValidationError) as caught, as_user(rep):
        convert_lead(lead, actor=rep)
    assert customer.name in caught.value.messages[0]
    dropped = new_lead(name="李雷", owner=rep)
    with as_user(rep):
        disqualify_leads([dropped], actor=rep, reason="空号")
    with pytest.raises(ValidationError), as_user(rep):
        convert_lead(dropped, actor=rep)
    assert rows_by_pk(Customer) == before[Customer] and rows_by_pk(Contact) == before[Contact]


def test_invalid_customer_fields_are_field_errors_and_nothing_is_saved(rep):
    lead = new_lead(name="林峰", company="广州天河贸易有限公司", owner=rep)
    before = rows_by_pk(Lead)
    with pytest.raises(ValidationError) as caught, as_user(rep):
        convert_lead(lead, actor=rep, customer_fields={"credit_code": "91310000MA1FL8XQ38"})
    assert "credit_code" in caught.value.message_dict
    assert rows_by_pk(Lead) == before and not Customer.objects.exists()


def test_converting_someone_elses_lead_is_refused(rep, team):
    lead = new_lead(name="别人的线索", owner=team["reps"][1])
    with pytest.raises(PermissionDenied), as_user(rep):
        convert_lead(lead, actor=rep)
    assert not Customer.objects.exists()


def test_disqualify_needs_a_reason(rep):
    lead = new_lead(name="无效线索", owner=rep)
    with pytest.raises(ValidationError) as caught, as_user(rep):
        disqualify_leads([lead], actor=rep, reason="  ")
    assert caught.value.message_dict == {"reason": ["Say why the lead is disqualified."]}
    lead.refresh_from_db()
    assert lead.status == "new"


def test_converting_without_the_right_to_create_customers_is_refused(team):
    zhang = team["reps"][0]
    give_role(zhang, Lead, "own", ["view", "change"], name="leads-only")
    lead = new_lead(name="只有线索权限", company="无锡新区电子有限公司", owner=zhang)
    before = rows_by_pk(Lead)
    with pytest.raises(PermissionDenied), as_user(zhang):
        convert_lead(lead, actor=zhang)
    assert rows_by_pk(Lead) == before and not Customer.objects.exists() and not Contact.objects.exists()
