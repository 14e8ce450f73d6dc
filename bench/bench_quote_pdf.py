"""Quotes: building a 50-line quote (lines priced from the price list, exact totals stored) and
rendering its PDF with WeasyPrint (Chinese fonts from fonts-noto-cjk). Target: < 1 s together.

Baseline: WeasyPrint rendering a bare 50-row HTML table in the same font — the renderer's own
floor, with no database, no template, no arithmetic. The ratio says what the quote adds on top.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import translation

from bench.common import Result, median_ms, pick
from guanxi.framework.context import Source, actor_context

LINES = 50


def _fixtures():
    from guanxi.customers.models import Customer
    from guanxi.products.models import PriceList, PriceListItem, Product
    from guanxi.sales.models import Deal, Pipeline, Stage

    with actor_context(None, source=Source.COMMAND):
        customer = Customer.objects.create(name="上海华康医疗器械有限公司", level="A")
        pipeline = Pipeline.objects.create(name="基准流程", name_en="Bench", is_default=False)
        stage = Stage.objects.create(
            pipeline=pipeline, name="方案报价", name_en="Proposal", order=0, kind="open"
        )
        deal = Deal.objects.create(name="基准商机", customer=customer, pipeline=pipeline, stage=stage)
        price_list = PriceList.objects.create(name="基准A级价", currency="CNY", customer_level="A")
        products = []
        for n in range(LINES):
            product = Product.objects.create(
                sku=f"BENCH-{n:03d}",
                name=f"基准产品{n:03d}",
                list_price_amount=Decimal("1000") + n,
                tax_rate=13,
            )
            PriceListItem.objects.create(
                price_list=price_list, product=product, price_amount=Decimal("900") + n
            )
            products.append(product)
    return deal, products


def run(scale: str) -> list[Result]:
    import weasyprint

    from guanxi.quotes.models import Quote
    from guanxi.quotes.pdf import STYLESHEET, render_quote_pdf
    from guanxi.quotes.services import LineInput, create_quote, save_quote_lines

    repeat = pick(scale, 5, 9)
    deal, products = _fixtures()
    sizes: list[int] = []

    def build_and_render() -> None:
        with actor_context(None, source=Source.COMMAND), transaction.atomic():
            quote = create_quote(
                actor=None,
                quote=Quote(deal=deal, quote_date=datetime.date(2026, 12, 6), terms="款到发货。" * 200),
            )
            rows = [
                LineInput(product=p, quantity=str(1 + n % 7), discount_percent=str(n % 3 * 5))
                for n, p in enumerate(products)
            ]
            save_quote_lines(quote, rows, actor=None)
            quote.refresh_from_db()
            with translation.override("zh-hans"):
                sizes.append(len(render_quote_pdf(quote)))

    rows_html = "".join(
        f"<tr><td>{n}</td><td>基准产品{n:03d}</td><td>{n % 7 + 1}</td><td>¥{900 + n}.00</td></tr>"
        for n in range(LINES)
    )
    table = f'<table class="lines">{rows_html}</table>'
    bare = f'<html><body class="quote-print"><h1>报价单</h1>{table}</body></html>'
    sheet = weasyprint.CSS(filename=str(STYLESHEET))

    def bare_pdf() -> None:
        weasyprint.HTML(string=bare).write_pdf(stylesheets=[sheet])

    measured = median_ms(build_and_render, repeat=repeat)
    baseline = median_ms(bare_pdf, repeat=repeat)
    return [
        Result(
            name=f"build a {LINES}-line quote (price list, exact totals stored) and render its PDF",
            baseline=f"WeasyPrint on a bare {LINES}-row HTML table, same font",
            median_ms=measured,
            baseline_median_ms=baseline,
            rows=LINES,
            notes=f"target < 1000 ms; PDF {sizes[-1] // 1024} KiB (HarfBuzz font subsetting)",
        )
    ]
