"""Forecast, leaderboard and sales dashboard: numbers checked against a hand-computed fixture,
the viewer's scope, drill links, the Excel export and pinned query counts."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from guanxi.framework.testing.fixtures import as_system
from guanxi.sales.models import Deal, Stage
from guanxi.sales.tests.conftest import make_deal, make_pipeline
from guanxi.targets.tests.conftest import signed_contract, target

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year
DEC = datetime.date(YEAR, 12, 1)


def _closed(deal: Deal, kind: str, day: int) -> None:
    stage = Stage.objects.get(pipeline=deal.pipeline, kind=kind)
    with as_system():
        Deal.objects.filter(pk=deal.pk).update(
            stage=stage, closed_at=timezone.make_aware(datetime.datetime(YEAR, 12, day, 10))
        )


@pytest.fixture
def book(org):
    """王芳: 方案报价 ¥100,000 (best case), 谈判 ¥50,000 (commit), won ¥30,000 on 12-03; 李娜:
    初步接洽 ¥20,000 (pipeline), lost ¥10,000 on 12-02; 陈静 (not 张伟's): 谈判 ¥80,000."""
    pipeline = make_pipeline()
    stages = {s.name: s for s in Stage.objects.filter(pipeline=pipeline)}
    close = datetime.date(YEAR, 12, 20)

    def deal(owner, stage, amount, **fields):
        return make_deal(
            owner, org.customer, pipeline, stage=stages[stage], amount_amount=Decimal(amount),
            expected_close_date=fields.pop("close", close), **fields,
        )  # fmt: skip

    a = deal(org.rep1, "方案报价", "100000", name="A")
    b = deal(org.rep1, "谈判", "50000", name="B")
    c = deal(org.rep1b, "初步接洽", "20000", name="C")
    d = deal(org.rep1, "谈判", "30000", name="D")
    _closed(d, "won", 3)
    f = deal(org.rep1b, "初步接洽", "10000", name="F")
    _closed(f, "lost", 2)
    e = deal(org.rep2, "谈判", "80000", name="E")
    target(org.rep1, "won", "m12", "100000", year=YEAR)
    target(org.rep1, "signed", "m12", "50000", year=YEAR)
    signed_contract(org.rep1, org.customer, "30000", datetime.date(YEAR, 12, 1))
    signed_contract(org.rep2, org.customer, "70000", datetime.date(YEAR, 12, 1))
    return SimpleNamespace(a=a, b=b, c=c, d=d, e=e, f=f, pipeline=pipeline, stages=stages)


def linked(url: str, user) -> list[int]:
    """The deals a drill link's list shows ``user`` (its ``?where=`` tree after restrict())."""
    from guanxi.framework import conditions

    assert urlparse(url).path == "/sales/deals/"
    where = json.loads(parse_qs(urlparse(url).query)["where"][0])
    return sorted(conditions.matching(where, Deal, user).values_list("pk", flat=True))


def test_forecast_categories_default_from_the_stage(book):
    assert [Deal.objects.get(pk=x.pk).forecast_category for x in (book.a, book.b, book.c, book.e)] == [
        "best_case", "commit", "pipeline", "commit",
    ]  # fmt: skip


def test_forecast_numbers_for_the_manager(client, org, book):
    client.force_login(org.manager1)
    response = client.get(f"/forecast/?period=month&year={YEAR}&number=12")
    assert response.status_code == 200
    rows = {line.label: line for line in response.context["rows"]}
    assert set(rows) == {"王芳", "李娜"}  # 陈静 is outside 张伟's tree
    wang = rows["王芳"]
    assert wang.weighted == Decimal("100000.00")  # 100000 × 60 % + 50000 × 80 %
    assert wang.by_category == {
        "commit": (Decimal("50000.00"), wang.by_category["commit"][1]),
        "best_case": (Decimal("100000.00"), wang.by_category["best_case"][1]),
        "pipeline": (Decimal("0.00"), wang.by_category["pipeline"][1]),
    }
    assert (wang.won, wang.target, wang.completion, wang.projected) == (
        Decimal("30000.00"), Decimal("100000.00"), Decimal("30.0"), Decimal("80000.00"),
    )  # fmt: skip
    assert rows["李娜"].weighted == Decimal("2000.00")
    total = response.context["total"]
    assert total.weighted == Decimal("102000.00") and total.won == Decimal("30000.00")
    # the commit link opens exactly 王芳's committed deal
    assert linked(wang.by_category["commit"][1], org.manager1) == [book.b.pk]


def test_leaderboard_ranks_signed_with_completion(client, org, book):
    client.force_login(org.director)
    response = client.get(f"/leaderboard/?by=signed&period=month&year={YEAR}&number=12")
    assert response.status_code == 200
    people = [(p.rank, p.label, p.amount, p.completion) for p in response.context["people"]]
    assert people == [
        (1, "陈静", Decimal("70000.00"), None),
        (2, "王芳", Decimal("30000.00"), Decimal("60.0")),
    ]
    # the company currency's amounts as Money.format prints them on every other page: grouped by
    # thousands, with the currency (its code in English, its sign in Chinese)
    assert ">CNY 70,000.00</a>" in response.content.decode()
    type(org.director).objects.filter(pk=org.director.pk).update(language="zh-hans")
    chinese = client.get(f"/leaderboard/?by=signed&period=month&year={YEAR}&number=12")
    assert "排行榜" in chinese.content.decode() and ">¥70,000.00</a>" in chinese.content.decode()
    client.force_login(org.manager1)
    response = client.get(f"/leaderboard/?by=signed&period=month&year={YEAR}&number=12")
    assert [p.label for p in response.context["people"]] == ["王芳"]
    assert [key for key, _label in response.context["choices"]] == ["signed"]  # no 回款 without receivables


def _chart(response, key):
    return dict(response.context["charts"])[key]


def test_dashboard_numbers_against_the_fixture(client, org, book):
    client.force_login(org.manager1)
    response = client.get(f"/dashboards/sales/?period=year&year={YEAR}")
    assert response.status_code == 200
    funnel = _chart(response, "funnel")
    assert [(label, cells[0][0]) for label, cells in funnel.rows] == [
        ("Qualification", 4), ("Needs analysis", 3), ("Proposal", 3), ("Negotiation", 2), ("Won", 1),
    ]  # fmt: skip
    win = _chart(response, "win_rate")
    assert [(label, cells[0][0], cells[1][0], cells[2][0]) for label, cells in win.rows] == [
        ("李娜", Decimal("0"), 0, 1), ("王芳", Decimal("100.0"), 1, 0),
    ]  # fmt: skip
    lost = _chart(response, "lost_reasons")
    assert [(label, cells[0][0], cells[1][0]) for label, cells in lost.rows] == [
        ("No reason given", Decimal("10000.00"), 1)
    ]
    money = _chart(response, "signed_received_target")
    december = dict(money.rows)[f"{YEAR}-12"]
    assert [n for n, _url in december] == [Decimal("30000.00"), Decimal("50000.00")]  # signed, target
    top = _chart(response, "top_customers")
    assert [(label, cells[0][0]) for label, cells in top.rows] == [
        ("上海华康医疗器械有限公司", Decimal("30000.00"))
    ]
    # a bar's link lands on exactly the deals behind it: 谈判 and beyond = B and D
    assert linked(funnel.links[0][3], org.manager1) == sorted([book.b.pk, book.d.pk])
    assert client.get(funnel.links[0][3]).status_code == 200


def test_a_chart_shows_a_legend_only_for_the_series_it_draws(client, org, book):
    """A chart that draws one of its table's series (the win rate of win rate / won / lost /
    cycle) has no legend: it showed one for the series it no longer drew, laid over the axis
    labels."""
    client.force_login(org.manager1)
    response = client.get(f"/dashboards/sales/?period=year&year={YEAR}")
    for key in ("funnel", "win_rate", "time_in_stage", "lost_reasons", "new_deals"):
        chart = _chart(response, key)
        assert len(chart.option["series"]) == len(chart.links) == 1, key
        assert chart.option["legend"]["show"] is False, key
        assert chart.option["grid"]["top"] == 16, key
    assert len(_chart(response, "win_rate").columns) == 5  # the table keeps every series


def test_charts_of_counts_tick_in_whole_steps(client, org, book):
    """A funnel of four deals had its axis at 0, 0.2, 0.4 …: charts that count tick in whole
    steps; charts of amounts, days or rates keep ECharts' own steps."""
    client.force_login(org.manager1)
    response = client.get(f"/dashboards/sales/?period=year&year={YEAR}")
    for key in ("funnel", "new_deals"):
        assert _chart(response, key).option["yAxis"]["minInterval"] == 1, key
    for key in ("win_rate", "time_in_stage", "lost_reasons", "top_customers"):
        option = _chart(response, key).option
        assert "minInterval" not in option["yAxis"] and "minInterval" not in option["xAxis"], key


@pytest.mark.parametrize(
    ("language", "columns"), [("en", ["", "Amount", "Deals"]), ("zh-hans", ["", "金额", "商机"])]
)
def test_lost_reasons_draws_the_amounts_and_lists_the_counts(client, org, book, language, columns):
    """Counts (about ten) and amounts (about 100,000) shared one value axis: the counts were flat
    lines. The chart draws the amounts, biggest first; the table keeps both series."""
    pipeline = book.f.pipeline
    for name, amount, reason in (
        ("G", "90000", "price"),
        ("H", "5000", "price"),
        ("I", "3000", "competitor"),
    ):
        _closed(
            make_deal(
                org.rep1,
                org.customer,
                pipeline,
                name=name,
                amount_amount=Decimal(amount),
                close_reason=reason,
            ),
            "lost",
            4,
        )
    type(org.manager1).objects.filter(pk=org.manager1.pk).update(language=language)
    client.force_login(org.manager1)
    response = client.get(f"/dashboards/sales/?period=year&year={YEAR}")
    lost = _chart(response, "lost_reasons")
    assert [str(c) for c in lost.columns] == columns
    assert [(cells[0][0], cells[1][0]) for _label, cells in lost.rows] == [
        (Decimal("95000.00"), 2), (Decimal("10000.00"), 1), (Decimal("3000.00"), 1),
    ]  # fmt: skip
    (drawn,) = lost.option["series"]
    assert drawn["name"] == columns[1] and drawn["data"] == [95000.0, 10000.0, 3000.0]
    assert lost.links == [[link for (_n, link), _c in (cells for _l, cells in lost.rows)]]
    assert linked(lost.links[0][0], org.manager1) == sorted(
        Deal.objects.filter(name__in=["G", "H"]).values_list("pk", flat=True)
    )


def test_dashboard_chart_exports_to_excel(client, org, book):
    client.force_login(org.manager1)
    response = client.get(f"/dashboards/sales/funnel.xlsx?period=year&year={YEAR}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]][:2] == ["Qualification", 4]
    assert client.get("/dashboards/sales/nope.xlsx").status_code == 404


def test_a_rep_sees_only_their_own_numbers(client, org, book):
    client.force_login(org.rep1b)
    response = client.get(f"/dashboards/sales/?period=year&year={YEAR}")
    funnel = _chart(response, "funnel")
    assert [cells[0][0] for _label, cells in funnel.rows] == [1, 0, 0, 0, 0]


# +1 each since the receivables module draws its aging buckets here (one aggregate)
@pytest.mark.parametrize(("persona", "queries"), [("manager1", 15), ("director", 15), ("rep1", 14)])
def test_dashboard_query_count_is_pinned(client, org, book, django_assert_num_queries, persona, queries):
    client.force_login(getattr(org, persona))
    url = f"/dashboards/sales/?period=year&year={YEAR}"
    client.get(url)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


@pytest.fixture
def received():
    """A stand-in 回款 measure (the receivables module registers the real one): contracts by
    signing date, so the pages' 回款 path is exercised without that module."""
    from guanxi.contracts.models import Contract
    from guanxi.framework.measures import (
        Measure,
        is_registered,
        measure,
        register_measure,
        unregister_measure,
    )

    real = measure("received") if is_registered("received") else None
    register_measure(
        Measure(
            key="received", label="回款", model=Contract, date_field="signed_on", sum_field="amount_base",
            condition={"version": 1, "all": [{"field": "status", "op": "eq", "value": "active"}]},
            list_name="contracts:contract_list",
        )
    )  # fmt: skip
    yield
    if real is not None:
        register_measure(real)  # the receivables module's own, back in its place for later tests
    else:
        unregister_measure("received")


def test_received_lights_up_when_registered(client, org, book, received):
    target(org.rep1, "received", "m12", "60000", year=YEAR)
    client.force_login(org.manager1)
    response = client.get(f"/leaderboard/?period=month&year={YEAR}&number=12")
    assert response.context["by"] == "received"
    assert [key for key, _label in response.context["choices"]] == ["received", "signed"]
    assert [(p.label, p.amount, p.completion) for p in response.context["people"]] == [
        ("王芳", Decimal("30000.00"), Decimal("50.0"))
    ]
    response = client.get(f"/dashboards/sales/?period=year&year={YEAR}")
    money = _chart(response, "signed_received_target")
    assert [str(c) for c in money.columns] == ["", "Signed amount", "回款", "Target (signed)"]
    assert [n for n, _url in dict(money.rows)[f"{YEAR}-12"]] == [
        Decimal("30000.00"),
        Decimal("30000.00"),
        Decimal("50000.00"),
    ]
    assert str(_chart(response, "top_customers").title) == "Top customers by 回款"
    response = client.get(f"/targets/?year={YEAR}&measure=received&department={org.east1.pk}")
    assert response.status_code == 200 and "50.0%" in response.content.decode()


def test_a_chosen_category_stays_and_a_stage_move_derives_it_again(org, book):
    from guanxi.framework.statemachine import transition
    from guanxi.framework.testing.fixtures import as_user
    from guanxi.framework.write import save_object
    from guanxi.sales.models.deal import stage_transition_name

    deal = Deal.objects.get(pk=book.c.pk)  # 初步接洽 10 %: pipeline
    deal.forecast_category = "commit"
    with as_user(org.rep1b):
        save_object(deal, actor=org.rep1b, validate=True)
    deal = Deal.objects.get(pk=book.c.pk)
    assert deal.forecast_category == "commit"
    with as_user(org.rep1b):  # to 方案报价 (60 %), through the stage machine
        transition(deal, stage_transition_name(book.stages["方案报价"]), actor=org.rep1b)
    assert Deal.objects.get(pk=book.c.pk).forecast_category == "best_case"


def test_the_api_reads_and_writes_the_category(org, book):
    from guanxi.framework.api.testing import token_client

    api = token_client(org.rep1)
    url = f"/api/v1/sales/deals/{book.a.pk}/"
    assert api.get(url).json()["forecast_category"] == "best_case"
    response = api.patch(url, {"forecast_category": "omitted"}, format="json")
    assert response.status_code == 200, response.content
    assert Deal.objects.get(pk=book.a.pk).forecast_category == "omitted"
    response = api.patch(url, {"forecast_category": "maybe"}, format="json")
    assert response.status_code == 400 and "forecast_category" in response.json()["errors"]


@pytest.mark.parametrize(("page", "persona", "queries"), [
    ("forecast", "manager1", 8), ("forecast", "rep1", 7),
    ("leaderboard", "manager1", 7), ("leaderboard", "director", 7),
])  # fmt: skip
def test_forecast_and_leaderboard_query_counts_are_pinned(
    client, org, book, django_assert_num_queries, page, persona, queries
):
    client.force_login(getattr(org, persona))
    url = f"/{page}/?period=month&year={YEAR}&number=12"
    client.get(url)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_a_departments_place_on_the_leaderboard_sums_its_subtree(client, org, book):
    """销售中心 has no contract of its own: its actual is its two teams' (30,000 + 70,000), set
    against its own target, and its link lists both teams' contracts."""
    from guanxi.contracts.models import Contract
    from guanxi.framework import conditions

    target(org.sales, "signed", "m12", "200000")
    client.force_login(org.director)
    response = client.get(f"/leaderboard/?by=signed&period=month&year={YEAR}&number=12")
    assert response.status_code == 200
    teams = [(p.rank, p.label, p.amount, p.completion) for p in response.context["teams"]]
    assert teams == [
        (1, "销售中心", Decimal("100000.00"), Decimal("50.0")),
        (2, "华东销售二部", Decimal("70000.00"), None),
        (3, "华东销售一部", Decimal("30000.00"), None),
    ]
    where = json.loads(parse_qs(urlparse(response.context["teams"][0].url).query)["where"][0])
    listed = conditions.matching(where, Contract, org.director)
    assert sorted(listed.values_list("amount_amount", flat=True)) == [
        Decimal("30000.00"),
        Decimal("70000.00"),
    ]


def _table_texts(html: str, key: str) -> dict[str, list[str]]:
    """A dashboard chart's table as the page shows it: each row's label → its cells' text."""
    import re

    section = html.split(f'id="dash-{key}"', 1)[1].split("</section>", 1)[0]
    rows = {}
    for label, cells in re.findall(r'<tr><th scope="row"[^>]*>(.*?)</th>(.*?)</tr>', section):
        rows[label] = [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", cells)]
    return rows


@pytest.mark.parametrize(("language", "money"), [("en", "CNY 10,000.00"), ("zh-hans", "¥10,000.00")])
def test_a_chart_tables_column_reads_its_numbers_alike(client, org, book, language, money):
    """A column mixed "77" and "84.50" (``floatformat:"-2g"`` per cell): each column now has one
    format — counts whole, rates and days with their one decimal ("0.0", "100.0"), amounts as
    every amount reads (currency and two decimals), digits grouped."""
    type(org.manager1).objects.filter(pk=org.manager1.pk).update(language=language)
    client.force_login(org.manager1)
    html = client.get(f"/dashboards/sales/?period=year&year={YEAR}").content.decode()
    funnel = _table_texts(html, "funnel")
    assert list(funnel.values()) == [
        ["4", "75.0"], ["3", "100.0"], ["3", "66.7"], ["2", "50.0"], ["1", ""],
    ]  # fmt: skip
    win = _table_texts(html, "win_rate")
    assert [cells[:3] for cells in win.values()] == [["0.0", "0", "1"], ["100.0", "1", "0"]]
    assert win["李娜"][3] == ""  # no deal won: no cycle
    assert len(win["王芳"][3].rpartition(".")[2]) == 1  # days with one decimal
    assert list(_table_texts(html, "lost_reasons").values()) == [[money, "1"]]


def test_column_texts_format_a_column_alike():
    from guanxi.framework.dashboard import COUNT, MONEY, column_texts

    assert column_texts([77, Decimal("84.50")]) == ["77.00", "84.50"]
    assert column_texts([Decimal("12345.6"), Decimal(0), ""]) == ["12,345.6", "0.0", ""]
    assert column_texts([1234, 5]) == ["1,234", "5"]  # counts, inferred
    assert column_texts([Decimal("3.00")], COUNT) == ["3"]
    with translation.override("zh-hans"):
        assert column_texts([Decimal("1234.5"), 0], MONEY) == ["¥1,234.50", "¥0.00"]
    with translation.override("en"):
        assert column_texts([Decimal("1234.5")], MONEY) == ["CNY 1,234.50"]
