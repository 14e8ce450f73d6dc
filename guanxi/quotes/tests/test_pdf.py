"""The quote PDF: Chinese text and the exact total as pdftotext reads them, big quotes and long
terms render, and the page downloads it (for whoever may view the quote, and nobody else)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile

from django.utils import translation

from guanxi.quotes.models import Quote
from guanxi.quotes.pdf import render_quote_pdf
from guanxi.quotes.services import LineInput
from guanxi.quotes.tests.conftest import new_quote, with_lines


def pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        pdftotext = shutil.which("pdftotext")  # poppler-utils, installed by scripts/setup.sh
        assert pdftotext, "pdftotext is missing: run make setup"
        return subprocess.run(  # noqa: S603  (fixed command on our own temporary file)
            [pdftotext, "-layout", handle.name, "-"], check=True, capture_output=True, text=True
        ).stdout


def _quote(q) -> Quote:
    return with_lines(
        new_quote(q.rep1, q.deal, terms="付款方式：合同签订后五个工作日内支付全款。"),
        q.rep1,
        [
            LineInput(product=q.crm, quantity="2", discount_percent="5"),
            LineInput(product=q.training, quantity="3"),
            LineInput(description="上门服务费", quantity="1", unit_price="1234.56", tax_rate="6"),
        ],
    )


def test_chinese_pdf_holds_the_customer_name_products_and_exact_total(q, settings):
    settings.COMPANY_NAME = "关系科技有限公司"
    quote = _quote(q)
    with translation.override("zh-hans"):
        text = pdf_text(render_quote_pdf(quote))
    assert "上海华康医疗器械有限公司" in text
    assert "关系科技有限公司" in text
    assert "关系云专业版" in text and "付款方式" in text
    assert "¥46,918.23" in text  # the grand total, to the cent
    assert "报价单" in text


def test_english_pdf_writes_the_currency_code(q):
    quote = _quote(q)
    with translation.override("en"):
        text = pdf_text(render_quote_pdf(quote))
    assert "Quotation" in text and "上海华康医疗器械有限公司" in text
    assert "CNY 46,918.23" in text
    assert "Guanxi Cloud Pro" in text


def test_a_500_line_quote_and_10000_character_terms_render(q):
    quote = new_quote(
        q.rep1, q.deal, terms="本报价有效期内价格不变。" * 833 + "完成。！"
    )  # 10,000 characters
    assert len(quote.terms) == 10_000
    quote = with_lines(
        quote,
        q.rep1,
        [LineInput(description=f"配件{n:03d}", quantity="1", unit_price="10.01") for n in range(500)],
    )
    with translation.override("zh-hans"):
        text = pdf_text(render_quote_pdf(quote))
    assert "配件499" in text
    assert "¥5,005.00" in text  # 500 × ¥10.01, no tax


def test_the_pdf_downloads_for_the_owner_and_is_404_for_another_rep(q, client):
    quote = _quote(q)
    client.force_login(q.rep1)
    response = client.get(f"/quotes/{quote.pk}/pdf/?lang=zh-hans")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"{quote.number}-v1.pdf" in response["Content-Disposition"]
    assert "上海华康医疗器械有限公司" in pdf_text(response.content)
    client.force_login(q.rep2)
    assert client.get(f"/quotes/{quote.pk}/pdf/").status_code == 404
    assert client.get(f"/quotes/{quote.pk}/print/").status_code == 404


def test_the_printable_page_shows_the_quote(q, client):
    quote = _quote(q)
    client.force_login(q.rep1)
    body = client.get(f"/quotes/{quote.pk}/print/?lang=en").content.decode()
    assert "上海华康医疗器械有限公司" in body and "CNY 46,918.23" in body


def test_attaching_the_pdf_to_the_deal(q, client):
    from guanxi.core.models import Attachment

    quote = _quote(q)
    client.force_login(q.rep1)
    assert client.post(f"/quotes/{quote.pk}/attach-pdf/").status_code == 302
    files = list(Attachment.objects.filter(object_id=q.deal.pk, content_type__model="deal"))
    assert [f.name for f in files] == [f"{quote.number}-v1.pdf"]
    client.force_login(q.rep2)
    assert client.post(f"/quotes/{quote.pk}/attach-pdf/").status_code == 404
    assert Attachment.objects.count() == 1
