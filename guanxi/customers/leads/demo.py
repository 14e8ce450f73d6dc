"""Demo step: leads of 星河科技 — every status and source, some waiting unassigned, some converted.

Also the web form "官网咨询表单" with a round-robin rule over the reps of 华东销售一部 (cap 30
open leads each). Idempotent: nothing is created when leads exist. Runs after the customers step
(order 35) so converted leads can point at demo customers.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from guanxi.customers import regions
from guanxi.customers.demo_data import PLACES, mobile, unique_company_name
from guanxi.demo.generator import DemoContext, register_demo_step

LEAD_COUNT = 300
UNASSIGNED_SHARE = 0.15
CONVERTED_COUNT = 25
TITLES = ("总经理", "采购经理", "IT 主管", "行政经理", "技术负责人", "市场总监", "运营专员")
CAMPAIGNS = ("spring-expo", "baidu-sem", "wechat-article", "partner-webinar", "")
UTM = {
    "baidu-sem": ("baidu", "cpc"),
    "wechat-article": ("wechat", "social"),
    "partner-webinar": ("partner", "email"),
}
DISQUALIFY_REASONS = ("空号", "预算不足", "同行咨询", "重复线索", "无采购意向")


def _web_form(ctx: DemoContext) -> tuple[Any, list[Any]]:
    """The 官网咨询表单 and its rule; returns the form and the rule's reps."""
    from guanxi.customers.models import AssignmentRule, LeadCaptureForm

    east1 = ctx.departments.get("east1")
    reps = [
        u for u in ctx.users.values() if u.is_active and u.job_title == "销售代表" and u.department == east1
    ]
    rule = AssignmentRule(
        name="华东一部官网轮转", priority=10, sources=["web_form"], department=east1, max_open_leads=30
    )
    rule.save()
    rule.members.set(reps)
    form = LeadCaptureForm(
        name="官网咨询表单",
        title="预约产品演示",
        assignment_rule=rule,
        department=east1,
        thank_you_text="感谢您的咨询！我们的销售顾问会在一个工作日内与您联系。",
    )
    form.save()
    return form, reps


def _new_company(zh: Any, cores: set[str], names: set[str]) -> str:
    """A company name no customer nor earlier lead shares a comparison core with, by the customer
    demo's rule (``unique_company_name``): Faker repeats its ~80 brands, and the same brand under
    another city or as a "第2分公司" is the same company to the duplicate engine, which strips
    regions and branch suffixes on purpose (the demo's queue held 67 such lead pairs)."""
    name = unique_company_name(zh.company(), cores, names)
    names.add(name)
    return name


def load_leads(ctx: DemoContext) -> int:
    """``LEAD_COUNT`` leads; returns the rows created."""
    from guanxi.customers.leads.services.leads import convert_lead
    from guanxi.customers.models import Customer, Lead
    from guanxi.demo.backdate import backdate_created

    if Lead.objects.exists():
        return 0
    form, _reps = _web_form(ctx)
    owners = [u for u in ctx.users.values() if u.is_active and u.job_title in ("销售代表", "销售经理")]
    sales_departments = [
        d for key, d in ctx.departments.items() if key.startswith(("east", "north", "south"))
    ]
    zh, rng, now = ctx.faker["zh_CN"], ctx.rng, timezone.now()
    statuses = [s for s in Lead.Status.values if s != Lead.Status.CONVERTED]
    # New leads are mostly new companies: a lead at a company a colleague already owns is refused
    # on conversion (撞单), which is right for a few leads, not for four in five.
    from guanxi.dedup.normalize import company_compare_key

    names = set(Customer.objects.values_list("name", flat=True))
    cores = {company_compare_key(name) for name in names}
    taken_phones = set(Customer.objects.exclude(phone="").values_list("phone", flat=True))
    created = 2
    leads = []
    for n in range(LEAD_COUNT):
        source = rng.choices(Lead.Source.values, weights=(3, 5, 1, 2, 2, 2, 2, 1))[0]
        campaign = rng.choice(CAMPAIGNS) if source in ("web_form", "campaign") else ""
        utm_source, utm_medium = UTM.get(campaign, ("", ""))
        where = regions.place(rng.choice(PLACES))
        province, city = where.province, where.city
        unassigned = rng.random() < UNASSIGNED_SHARE
        owner = None if unassigned or not owners else rng.choice(owners)
        status = Lead.Status.NEW if unassigned else rng.choices(statuses, weights=(4, 3, 2, 1))[0]
        company = _new_company(zh, cores, names) if rng.random() < 0.85 else ""
        phone = mobile(ctx)
        while phone in taken_phones:
            phone = mobile(ctx)
        taken_phones.add(phone)
        lead = Lead(
            name=zh.name(),
            company=company,
            title=rng.choice(TITLES),
            phone=phone,
            email=f"lead{n}@{zh.domain_word()}.example.cn".lower() if rng.random() < 0.6 else "",
            province=province,
            city=city,
            source=source,
            utm_source=utm_source,
            utm_medium=utm_medium,
            utm_campaign=campaign,
            status=status,
            disqualify_reason=rng.choice(DISQUALIFY_REASONS) if status == Lead.Status.DISQUALIFIED else "",
            capture_form=form if source == "web_form" else None,
            owner=owner,
            department=None if owner else rng.choice(sales_departments or [None]),
            assigned_at=now - datetime.timedelta(hours=rng.randrange(1, 24 * 30)) if owner else None,
        )
        lead.save()
        leads.append(lead)
        created += 1
    # Leads came in over the last weeks, an hour to two days before a rep got them.
    backdate_created(
        Lead,
        {
            lead.pk: (lead.assigned_at or now) - datetime.timedelta(hours=rng.randrange(1, 48))
            if lead.assigned_at or rng.random() < 0.5
            else now - datetime.timedelta(hours=rng.randrange(1, 24 * 30))
            for lead in leads
        },
    )
    # Some open, owned leads turn out to be people at existing customers of the same owner.
    candidates = [lead for lead in leads if lead.owner_id and lead.is_open]
    rng.shuffle(candidates)
    converted = 0
    for lead in candidates:
        if converted >= CONVERTED_COUNT:
            break
        theirs = list(Customer.objects.filter(owner_id=lead.owner_id).order_by("pk")[:50])
        if not theirs:
            continue
        customer = rng.choice(theirs)  # seeded: the same demo every time
        link = customer.contact_links.select_related("contact").order_by("-is_primary", "pk").first()
        if link is None:
            continue
        # The lead was somebody already known at the customer: it becomes that contact.
        person = link.contact
        lead.name, lead.phone, lead.email, lead.title = person.name, person.phone, person.email, person.title
        lead.save(update_fields=["name", "phone", "email", "title"])
        convert_lead(lead, actor=None, customer=customer, create_contact=False)
        lead.converted_contact = person
        lead.save(update_fields=["converted_contact"])
        converted += 1
    return created


register_demo_step("leads", load_leads, order=35)
