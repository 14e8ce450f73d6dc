"""Demo step: customers of 星河科技's sales teams, each with one to three contacts.

Idempotent: nothing is created when customers exist. Rows are saved one by one (not
``bulk_create``) so the change log and the search keys are written as for real data.
"""

from __future__ import annotations

from typing import Any

from guanxi.customers.validators import ALPHABET, credit_code_check_char
from guanxi.demo.generator import DemoContext, register_demo_step
from guanxi.framework.customfields import normalize_phone

CUSTOMER_COUNT = 300  # the full demo of issue 4 wants ~2,000; kept small so `make demo` stays fast
INDIVIDUAL_SHARE = 0.15
OWNER_TITLES = ("销售代表", "销售经理")

# province, city, district, region code (GB/T 2260)
PLACES = [
    ("上海市", "上海市", "浦东新区", "310115"),
    ("上海市", "上海市", "徐汇区", "310104"),
    ("江苏省", "苏州市", "工业园区", "320571"),
    ("江苏省", "南京市", "鼓楼区", "320106"),
    ("浙江省", "杭州市", "西湖区", "330106"),
    ("浙江省", "宁波市", "鄞州区", "330212"),
    ("广东省", "深圳市", "南山区", "440305"),
    ("广东省", "广州市", "天河区", "440106"),
    ("北京市", "北京市", "海淀区", "110108"),
    ("四川省", "成都市", "武侯区", "510107"),
]
MOBILE_PREFIXES = ("139", "138", "137", "136", "135", "150", "151", "158", "159", "186", "187", "188", "189")
CONTACT_TITLES = ("总经理", "采购经理", "财务总监", "IT 主管", "行政经理", "技术负责人", "运营专员")
CONTACT_ROLES = {"总经理": "decision_maker", "财务总监": "finance", "采购经理": "decision_maker"}


def credit_code(ctx: DemoContext, region: str) -> str:
    """A valid 统一社会信用代码 for a company (registered with 工商, kind 企业) in ``region``."""
    org_code = "".join(ctx.rng.choice(ALPHABET) for _ in range(9))
    body = f"91{region}{org_code}"
    return body + credit_code_check_char(body)


def mobile(ctx: DemoContext) -> str:
    return normalize_phone(ctx.rng.choice(MOBILE_PREFIXES) + f"{ctx.rng.randrange(10**8):08d}")


def _owners(ctx: DemoContext) -> list[Any]:
    return [u for u in ctx.users.values() if u.is_active and u.job_title in OWNER_TITLES]


def load_customers(ctx: DemoContext) -> int:
    """``CUSTOMER_COUNT`` customers with contacts; returns the rows created (customers, contacts, links)."""
    from guanxi.customers.models import Contact, Customer, CustomerContact

    if Customer.objects.exists():
        return 0
    owners = _owners(ctx)
    zh = ctx.faker["zh_CN"]
    rng = ctx.rng
    names: set[str] = set()
    created = 0
    for n in range(CUSTOMER_COUNT):
        owner = rng.choice(owners) if owners else None
        province, city, district, region = rng.choice(PLACES)
        individual = rng.random() < INDIVIDUAL_SHARE
        name = zh.name() if individual else zh.company()
        while name in names:
            name = f"{name}（{city}）" if not individual else zh.name()
        names.add(name)
        customer = Customer(
            kind=Customer.Kind.INDIVIDUAL if individual else Customer.Kind.COMPANY,
            name=name,
            short_name="" if individual else zh.company_prefix(),
            credit_code="" if individual else credit_code(ctx, region),
            industry="" if individual else rng.choice(Customer.Industry.values),
            scale="" if individual else rng.choice(Customer.Scale.values),
            province=province,
            city=city,
            district=district,
            address=zh.street_address(),
            phone=mobile(ctx),
            email=f"info{n}@{zh.domain_word()}.example.cn".lower(),
            source=rng.choice(Customer.Source.values),
            level=rng.choices(Customer.Level.values, weights=(1, 3, 4, 2))[0],
            stage=rng.choices(Customer.Stage.values, weights=(5, 3, 1, 1))[0],
            status=Customer.Status.ACTIVE if rng.random() < 0.9 else Customer.Status.INACTIVE,
            gender=rng.choice(Customer.Gender.values) if individual else "",
            birthday=zh.date_of_birth(minimum_age=22, maximum_age=65) if individual else None,
            wechat_id=f"wx_{rng.randrange(10**6, 10**7)}" if individual else "",
            owner=owner,
        )
        customer.save()
        created += 1
        for i in range(rng.randint(1, 3)):
            title = rng.choice(CONTACT_TITLES)
            contact = Contact(
                name=zh.name(),
                title=title,
                phone=mobile(ctx),
                email=f"c{n}x{i}@{zh.domain_word()}.example.cn".lower(),
                owner=owner,
            )
            contact.save()
            CustomerContact(
                customer=customer,
                contact=contact,
                role=CONTACT_ROLES.get(title, rng.choice(("user", "other"))),
                is_primary=i == 0,
            ).save()
            created += 2
    return created


register_demo_step("customers", load_customers, order=30)
from guanxi.customers import demo_pools  # noqa: E402, F401  (public pools step, order 36)
