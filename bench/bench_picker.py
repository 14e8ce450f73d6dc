"""Pickers: the owner picker of a customer answers a pinyin query among 10,000 users.

10,000 active users (Chinese names from 60 surnames × 120 given names, so 张伟 has namesakes)
in 1 + 8 + 48 departments, their search keys written as the write path writes them (text,
pinyin, initials). Two ordinary users ask ``/pick/customers.customer.owner/`` through the full
Django stack (session, middleware, ``restrict()``, the platform search, JSON): a 全部 reader, who
may give a customer to any of the 10,000, and a 本部门及下属部门 manager of one region (about a
sixth of them). Queries: full pinyin (``zhangwei``), initials (``zw``), a Chinese prefix (``王``).
Each is checked first: status 200, and the same rows as a brute-force scan of the candidates'
keys (every row returned matches; the page is full or holds every match). Target: < 200 ms
median. Baseline: the owner ``<select>`` the picker replaces — every one of the user's 10,000
choices rendered as an ``<option>`` (a form field's own rendering), in the same process.
"""

from __future__ import annotations

import random

from django.test import Client

from bench.common import Result, median_ms, pick
from guanxi.framework.context import Source, actor_context

TARGET_MS = 200
HOST = {"HTTP_HOST": "127.0.0.1"}
UNUSABLE_PASSWORD = "!"  # noqa: S105  (bench users never sign in with a password)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
    "彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金"
    "石廖贾"
)
GIVEN_NAMES = (  # space-separated, split by _given()
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 霞 平 刚 桂英 华 建华 玉兰 萍 红 鹏 辉 玲 "
    "建国 建军 志强 志明 海燕 婷 雪 欣 宇 浩 凯 健 俊 帆 斌 宁 博 晨 阳 亮 琳 颖 倩 慧 佳 鑫 晶 楠 蕾 "
    "文 峰 波 飞 云 龙 斌斌 子涵 梓萱 浩然 一诺 欣怡 宇轩 思远 雨桐 诗涵 俊杰 晓东 晓红 晓燕 春梅 "
    "秋菊 冬梅 丽华 丽娟 桂兰 淑珍 淑英 凤英 玉梅 志刚 国庆 国强 国华 红梅 建平 建新 海波 海涛 晓明 "
    "晓峰 伟东 伟华 立新 立军 永刚 永强 文杰 文静 少华 德明 德华 振华 振宇 家豪"
)


def _given() -> list[str]:
    return GIVEN_NAMES.split()


def _org(n_users: int) -> tuple[object, object, object]:
    """Departments and users (keys written like the write path's); returns (admin, manager, region)."""
    from django.contrib.contenttypes.models import ContentType

    from guanxi.customers.models import Customer
    from guanxi.framework import search
    from guanxi.users.models import Department, Role, RoleGrant, User

    rng = random.Random(7)
    given = _given()
    with actor_context(None, source=Source.COMMAND):
        root = Department.objects.create(name="总部")
        regions, teams = [], []
        for r in range(8):
            region = Department.objects.create(name=f"大区{r + 1}", parent=root)
            regions.append(region)
            teams += [
                Department.objects.create(name=f"销售组{r + 1}-{t + 1}", parent=region) for t in range(6)
            ]
        users = User.objects.bulk_create(
            [
                User(
                    username=f"u{i:05d}",
                    password=UNUSABLE_PASSWORD,
                    name=rng.choice(SURNAMES) + rng.choice(given),
                    department=teams[i % len(teams)],
                )
                for i in range(n_users)
            ],
            batch_size=2000,
        )
        search.index_batch([(user, True) for user in users])
        admin = User.objects.create_user(username="bench-all", name="全部读者", department=root)
        manager = User.objects.create_user(username="bench-tree", name="大区经理", department=regions[0])
        for who, scope in ((admin, "all"), (manager, "department_tree")):
            role = Role.objects.create(name=f"bench-picker-{scope}")
            for model, actions in ((Customer, ["view", "add", "change"]), (User, ["view"])):
                RoleGrant.objects.create(
                    role=role,
                    content_type=ContentType.objects.get_for_model(model),
                    actions=actions,
                    scope=scope,
                )
            role.users.add(who)
    return admin, manager, regions[0]


def _brute_force(candidates: list[tuple[int, str]], query: str) -> set[int]:
    """Ids of the candidates with a key starting with ``query`` (the picker's first tier)."""
    from guanxi.framework.search import keys_for

    return {pk for pk, name in candidates if any(key.startswith(query) for key in keys_for(name))}


def run(scale: str) -> list[Result]:
    from django import forms

    from guanxi.customers.models import Customer
    from guanxi.framework.write import owner_choices
    from guanxi.users.models import User

    n = pick(scale, 10_000, 10_000)
    repeat = pick(scale, 9, 21)
    admin, manager, _region = _org(n)
    url = "/pick/customers.customer.owner/"
    results: list[Result] = []
    for who, label in ((admin, "全部"), (manager, "本部门及下属部门")):
        client = Client(**HOST)
        client.force_login(who)
        fresh = User.objects.get(pk=who.pk)
        candidates = list(owner_choices(fresh, Customer).values_list("pk", "name"))

        def select(user_pk: int = who.pk, choices: int = len(candidates)) -> None:
            """The owner <select> the picker replaces: each choice rendered as an <option>."""
            user = User.objects.get(pk=user_pk)
            field = forms.ModelChoiceField(queryset=owner_choices(user, Customer))
            html = field.widget.render("owner", None)
            assert html.count("<option") == choices + 1

        for query in ("zhangwei", "zw", "王"):
            response = client.get(url, {"q": query})
            assert response.status_code == 200, response.status_code
            found = [row["id"] for row in response.json()["results"]]
            expected = _brute_force(candidates, query)
            assert set(found) <= expected, f"{query}: rows outside the matches"
            assert len(found) == min(20, len(expected)), f"{query}: {len(found)} of {len(expected)}"

            def ask(q: str = query, c: Client = client) -> None:
                assert c.get(url, {"q": q}).status_code == 200

            measured = median_ms(ask, repeat=repeat, warmup=2)
            baseline = median_ms(select, repeat=max(3, repeat // 3), warmup=1)
            verdict = "PASS" if measured < TARGET_MS else "FAIL"
            results.append(
                Result(
                    f"owner picker ?q={query}, {label} reader ({len(candidates):,} choices)",
                    f"<select> of all {len(candidates):,} choices",
                    measured,
                    baseline,
                    len(found),
                    f"{len(expected):,} match; target < {TARGET_MS} ms: {verdict}",
                )
            )
    return results
