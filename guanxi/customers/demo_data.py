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


# Trades a brand is combined with (Faker's zh_CN companies are ~80 brands × 4 trades: 2,000
# customers repeat them, and a repeat under a city prefix — 深圳维旺明传媒 / 杭州维旺明传媒 — is the
# same company to the duplicate engine, which strips region names on purpose).
TRADES = (
    "科技", "网络", "信息", "传媒", "电子", "软件", "物流", "贸易", "建材", "医药", "食品", "机械",
    "化工", "服饰", "文化", "教育", "咨询", "环保", "能源", "汽配", "家居", "印务", "包装", "纺织",
    "光电", "生物", "农业", "酒店", "餐饮", "广告", "设计", "置业", "电器", "仪器", "材料", "实业",
    "数据", "智能", "照明", "五金",
)  # fmt: skip
# Deliberate duplicates are seeded from this many companies on (the demo's 1,700): a small run
# (the tests' three customers) gets none, so its row counts stay what they are.
TWINS_FROM = 100
FAKER_SUFFIXES = ("科技有限公司", "网络有限公司", "信息有限公司", "传媒有限公司")


def unique_company_name(name: str, cores: set[str], taken: set[str]) -> str:
    """A company name whose comparison key (``dedup.normalize.company_compare_key``: the core
    without regions and legal forms) no other demo company has: Faker's name if its core is
    free, else the same brand in the next free trade (维旺明传媒 → 维旺明电子…), else a numbered
    branch of the brand. Uses no randomness: the data of later steps does not change with it."""
    from guanxi.dedup.normalize import company_compare_key

    brand = next((name.removesuffix(s) for s in FAKER_SUFFIXES if name.endswith(s)), name)
    start = len(cores) % len(TRADES)  # spread the trades instead of filling 科技 first
    candidates = [name] + [f"{brand}{TRADES[(start + i) % len(TRADES)]}有限公司" for i in range(len(TRADES))]
    candidates += [f"{brand}{n}号{TRADES[n % len(TRADES)]}有限公司" for n in range(2, 1000)]
    for candidate in candidates:
        core = company_compare_key(candidate)
        if core not in cores and candidate not in taken:
            cores.add(core)
            return candidate
    return candidates[-1]


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


def _copy(original: Any, index: int, **changes: Any) -> Any:
    """A new customer like ``original`` (its region, trade, owner…) with its own phone, email and
    credit code unless ``changes`` says otherwise. Deterministic: no randomness is drawn."""
    from guanxi.customers.matching import company_name_key
    from guanxi.customers.models import Customer

    values = {
        f.attname: getattr(original, f.attname) for f in Customer._meta.concrete_fields if not f.primary_key
    }
    body = f"91{original.region_code}DUP{index:06d}"
    values.update(
        phone=f"+861700{index:07d}",
        email=f"dup{index}@duplicate.example.cn",
        credit_code=body + credit_code_check_char(body),
    )
    values.update(changes)
    values["name_key"] = company_name_key(values["name"])
    return Customer(**values)


def deliberate_duplicates(
    companies: list[Any], cores: set[str]
) -> tuple[list[Any], list[tuple[Any, Any, str]]]:
    """A handful of customers entered twice, one of each kind the duplicates queue tells apart
    (Settings → Duplicates shows every reason on the demo): the same mobile under another name
    form, 有限责任公司 for 有限公司, traditional characters, a "（上海）" prefix, a doubled
    character, a renamed company keeping its credit code, a branch with the head office's email,
    股份有限公司, one core in two cities (the queue notes the regions), a "（杭州）" suffix with
    the same phone, and a traditional "（北京）" one. ``companies``: the generated ones, not saved
    yet (one is renamed to carry its city). Returns the copies, and (original, copy, field) for
    the contacts entered twice (``duplicate_contacts``)."""
    import opencc

    from guanxi.customers.matching import company_name_key
    from guanxi.dedup.normalize import company_compare_key

    if len(companies) < TWINS_FROM:
        return [], []
    traditional = opencc.OpenCC("s2t").convert
    pick = [companies[(i * 97) % len(companies)] for i in range(12)]  # spread over the list
    cores_of = [company_compare_key(c.name) for c in pick]
    renamed = next((t for t in TRADES if company_compare_key(f"{cores_of[5]}{t}") not in cores), "新")
    cores.add(company_compare_key(f"{cores_of[5]}{renamed}"))
    # a core of five characters or more: one doubled character still scores 0.9 (10 of 11)
    long_one = next((c for c in companies if len(company_compare_key(c.name)) >= 5), pick[4])
    long_core = company_compare_key(long_one.name)
    other_owner = pick[1].owner_id if pick[1].owner_id != pick[0].owner_id else None
    # one core in two cities: the original gets its own city in front, the copy another city
    city = (pick[9].city or "深圳").removesuffix("市")
    elsewhere = "杭州" if city != "杭州" else "深圳"
    pick[9].name = f"{city}{pick[9].name}"
    pick[9].name_key = company_name_key(pick[9].name)
    made = [
        _copy(pick[0], 1, name=cores_of[0][:-2] or cores_of[0], phone=pick[0].phone),  # its brand only
        _copy(pick[1], 2, name=pick[1].name.replace("有限公司", "有限责任公司"), owner_id=other_owner),
        _copy(pick[2], 3, name=traditional(pick[2].name)),
        _copy(pick[3], 4, name=f"（上海）{pick[3].name}"),
        _copy(long_one, 5, name=f"{long_core[:3]}{long_core[2:]}有限公司"),
        _copy(pick[5], 6, name=f"{cores_of[5]}{renamed}有限公司", credit_code=pick[5].credit_code),
        _copy(pick[6], 7, name=f"{pick[6].name}北京分公司", email=pick[6].email),
        _copy(pick[7], 8, name=f"{cores_of[7]}股份有限公司", owner_id=other_owner),
        _copy(pick[9], 9, name=pick[9].name.replace(city, elsewhere, 1)),
        _copy(pick[10], 10, name=f"{pick[10].name}（杭州）", phone=pick[10].phone),
        _copy(pick[11], 11, name=traditional(f"（北京）{pick[11].name}")),
    ]
    return made, [(pick[1], made[1], "email"), (pick[3], made[3], "mobile")]


def duplicate_contacts(twins: list[tuple[Any, Any, str]], contacts: dict[int, list[Any]]) -> list[Any]:
    """Contacts entered twice: an original customer's first contact again at its copy, under the
    traditional spelling of the name, with the same email (or the same mobile). ``contacts``: the
    unsaved contacts by ``id()`` of their customer. Returns the new contacts' links."""
    import opencc

    from guanxi.customers.models import Contact, CustomerContact

    links = []
    for original, twin, same in twins:
        first = next(iter(contacts.get(id(original), [])), None)
        if first is None:
            continue
        values = {
            f.attname: getattr(first, f.attname) for f in Contact._meta.concrete_fields if not f.primary_key
        }
        values.update(name=opencc.OpenCC("s2t").convert(first.name), phone="", mobile="", email="")
        if same == "email":
            values["email"] = first.email
        else:
            first.mobile = first.mobile or first.phone
            values["mobile"] = first.mobile
        values["owner_id"], values["department_id"] = twin.owner_id, twin.department_id
        links.append(CustomerContact(customer=twin, contact=Contact(**values), role="other", is_primary=True))
    return links


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
    cores: set[str] = set()  # comparison keys of the companies: one company per core
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
            name = unique_company_name(name, cores, names)
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
    # after the generated ones: their randomness, and so every later row, stays as it was
    twins, twin_contacts = deliberate_duplicates(
        [c for c in customers if c.kind == Customer.Kind.COMPANY], cores
    )
    Customer.objects.bulk_create([*customers, *twins], batch_size=500)
    contacts: list[Any] = []
    links: list[Any] = []
    contacts_of: dict[int, list[Any]] = {}
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
            contacts_of.setdefault(id(customer), []).append(contact)
            links.append(
                CustomerContact(
                    customer=customer,
                    contact=contact,
                    role=CONTACT_ROLES.get(title, rng.choice(("user", "other"))),
                    is_primary=i == 0,
                )
            )
    twin_links = duplicate_contacts(twin_contacts, contacts_of)
    contacts += [link.contact for link in twin_links]
    links += twin_links
    Contact.objects.bulk_create(contacts, batch_size=500)
    for link in links:
        link.contact_id = link.contact.pk  # the contact had no pk when the link was built
    CustomerContact.objects.bulk_create(links, batch_size=500)
    customers += twins
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
