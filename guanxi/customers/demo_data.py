"""Demo step: ~2,000 customers of 星河科技's sales teams, each with one to three contacts.

Idempotent: nothing is created when customers exist. Rows are built in memory and written with
``bulk_create`` (customers, contacts, links), then their change-log entries in bulk
(``log_bulk_create``; search keys: ``load_demo`` rebuilds every index in bulk after the steps) —
what ``save()`` and its signals would write one row at a time, in seconds instead of a minute.
The derived columns
``save()`` keeps (name key, owned since, region names, department) are set here explicitly.
Seeded: the same data on every run.
"""

from __future__ import annotations

from typing import Any

from guanxi.customers.validators import ALPHABET, credit_code_check_char, id_number_check_char
from guanxi.demo.generator import DemoContext, register_demo_step
from guanxi.framework.customfields import normalize_phone

CUSTOMER_COUNT = 2000
INDIVIDUAL_SHARE = 0.15
OWNER_TITLES = ("销售代表", "销售经理")

# District codes (GB/T 2260) of the bundled list; names come from it (guanxi.customers.regions).
PLACES = ["310115", "310104", "320506", "320106", "330106", "330212", "440305", "440106", "110108", "510107"]
MOBILE_PREFIXES = ("139", "138", "137", "136", "135", "150", "151", "158", "159", "186", "187", "188", "189")
CONTACT_TITLES = ("总经理", "采购经理", "财务总监", "IT 主管", "行政经理", "技术负责人", "运营专员")
CONTACT_ROLES = {"总经理": "decision_maker", "财务总监": "finance", "采购经理": "decision_maker"}


def unique_company_name(name: str, city: str, district: str, taken: set[str]) -> str:
    """Faker's zh_CN companies repeat (about 80 brands × 4 trades), so a repeat gets its city as
    real names do ("上海七喜信息有限公司"), then its district ("…（浦东新区）"), then a number.
    Uses no randomness: the data of later steps does not change with the names."""
    city = city.removesuffix("市")
    candidates = [name, f"{city}{name}", f"{city}{name}（{district}）"]
    candidates += [f"{city}{name}（{district}{n}部）" for n in range(2, 100)]
    return next((c for c in candidates if c not in taken), candidates[-1])


def credit_code(ctx: DemoContext, region: str) -> str:
    """A valid 统一社会信用代码 for a company (registered with 工商, kind 企业) in ``region``."""
    org_code = "".join(ctx.rng.choice(ALPHABET) for _ in range(9))
    body = f"91{region}{org_code}"
    return body + credit_code_check_char(body)


def mobile(ctx: DemoContext) -> str:
    return normalize_phone(ctx.rng.choice(MOBILE_PREFIXES) + f"{ctx.rng.randrange(10**8):08d}")


def _owners(ctx: DemoContext) -> list[Any]:
    return [u for u in ctx.users.values() if u.is_active and u.job_title in OWNER_TITLES]


def id_number(ctx: DemoContext, region: str, birthday: Any, female: bool) -> str:
    """A valid 居民身份证号码 (GB 11643-1999) for a person born in ``region`` on ``birthday``."""
    sequence = ctx.rng.randrange(0, 50) * 2 + (0 if female else 1)  # odd for men, even for women
    body = f"{region}{birthday:%Y%m%d}{ctx.rng.randrange(10):01d}{sequence:02d}"
    return body + id_number_check_char(body)


def _weights(values: list[str], shipped: tuple[int, ...]) -> tuple[int, ...] | None:
    """The demo's weights when the list is still the shipped four values, else even odds."""
    return shipped if len(values) == len(shipped) else None


def _stage_order(values: set[str]) -> list[str]:
    shipped = ["prospect", "won", "repeat", "lost"]
    return [v for v in shipped if v in values] + sorted(values - set(shipped))


def load_customers(ctx: DemoContext) -> int:
    """``CUSTOMER_COUNT`` customers with contacts; returns the rows created (customers, contacts, links)."""
    from django.utils import timezone

    from guanxi.core.choices import active_values
    from guanxi.customers.choices import LEVEL_LIST, STAGE_LIST
    from guanxi.customers.default_views import ensure_default_views
    from guanxi.customers.matching import company_name_key
    from guanxi.customers.models import Contact, Customer, CustomerContact
    from guanxi.customers.regions import place
    from guanxi.framework.changes import log_bulk_create

    if Customer.objects.exists():
        return 0
    owners = _owners(ctx)
    zh = ctx.faker["zh_CN"]
    rng = ctx.rng
    now = timezone.now()
    names: set[str] = set()
    # the configured levels and stages (the shipped A–D and 潜在/成交/复购/流失 on a fresh install)
    levels, stages = sorted(active_values(LEVEL_LIST)), _stage_order(active_values(STAGE_LIST))
    customers: list[Any] = []
    contact_specs: list[list[tuple[str, str]]] = []
    for n in range(CUSTOMER_COUNT):
        owner = rng.choice(owners) if owners else None
        region = rng.choice(PLACES)
        names_of = place(region)
        individual = rng.random() < INDIVIDUAL_SHARE
        name = zh.name() if individual else zh.company()
        if not individual:
            name = unique_company_name(name, names_of.city, names_of.district, names)
        while name in names:
            name = zh.name()
        names.add(name)
        gender = rng.choice(Customer.Gender.values) if individual else ""
        birthday = zh.date_of_birth(minimum_age=22, maximum_age=65) if individual else None
        customers.append(
            Customer(
                kind=Customer.Kind.INDIVIDUAL if individual else Customer.Kind.COMPANY,
                name=name,
                name_key=company_name_key(name),
                short_name="" if individual else zh.company_prefix(),
                credit_code="" if individual else credit_code(ctx, region),
                industry="" if individual else rng.choice(Customer.Industry.values),
                scale="" if individual else rng.choice(Customer.Scale.values),
                region_code=region,
                province=names_of.province,
                city=names_of.city,
                district=names_of.district,
                address=zh.street_address(),
                phone=mobile(ctx),
                email=f"info{n}@{zh.domain_word()}.example.cn".lower(),
                source=rng.choice(Customer.Source.values),
                level=rng.choices(levels, weights=_weights(levels, (1, 3, 4, 2)))[0],
                stage=rng.choices(stages, weights=_weights(stages, (5, 3, 1, 1)))[0],
                status=Customer.Status.ACTIVE if rng.random() < 0.9 else Customer.Status.INACTIVE,
                gender=gender,
                birthday=birthday,
                id_number=id_number(ctx, region, birthday, gender == "female")
                if individual and rng.random() < 0.6
                else "",
                wechat_id=f"wx_{rng.randrange(10**6, 10**7)}" if individual else "",
                owner=owner,
                department_id=owner.department_id if owner else None,
                owned_since=now if owner else None,
            )
        )
        contact_specs.append([(zh.name(), rng.choice(CONTACT_TITLES)) for _i in range(rng.randint(1, 3))])
    Customer.objects.bulk_create(customers, batch_size=500)
    contacts: list[Any] = []
    links: list[Any] = []
    for n, (customer, specs) in enumerate(zip(customers, contact_specs, strict=True)):
        for i, (contact_name, title) in enumerate(specs):
            contact = Contact(
                name=contact_name,
                title=title,
                phone=mobile(ctx),
                mobile=mobile(ctx) if rng.random() < 0.2 else "",
                email=f"c{n}x{i}@{zh.domain_word()}.example.cn".lower(),
                owner=customer.owner,
                department_id=customer.department_id,
            )
            contacts.append(contact)
            links.append(
                CustomerContact(
                    customer=customer,
                    contact=contact,
                    role=CONTACT_ROLES.get(title, rng.choice(("user", "other"))),
                    is_primary=i == 0,
                )
            )
    Contact.objects.bulk_create(contacts, batch_size=500)
    for link in links:
        link.contact_id = link.contact.pk  # the contact had no pk when the link was built
    CustomerContact.objects.bulk_create(links, batch_size=500)
    for rows in (customers, contacts, links):
        log_bulk_create(rows)
    admin = ctx.users.get("admin")
    created_views = ensure_default_views(owner=admin) if admin is not None else 0
    # Search keys: ``load_demo`` rebuilds every index in bulk once all steps ran (reindex_all),
    # so writing them here too (``index_many``) would only do the same 40,000 inserts twice.
    return len(customers) + len(contacts) + len(links) + created_views


register_demo_step("customers", load_customers, order=30)
from guanxi.customers.leads import demo as lead_demo  # noqa: E402, F401  (the leads demo step)
from guanxi.customers.pools import demo as pool_demo  # noqa: E402, F401  (public pools step, order 36)
