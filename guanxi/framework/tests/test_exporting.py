"""The export engine: rows as the list shows them, streamed in chunks; formula neutralisation;
XLSX typing; big exports as jobs with an owner-only download; the audit event."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tracemalloc

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.test import RequestFactory
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from guanxi.core.models import AuditEvent, CustomField, Job, Tag
from guanxi.framework.exporting import (
    csv_text,
    list_export,
    neutralize,
    offline_request,
    would_evaluate,
)
from guanxi.framework.tags import set_tags
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.testapp.models import Gadget
from guanxi.framework.views import entity_views_for

PHONE = "+8618919616767"


def rows_of(response) -> list[list[str]]:
    assert response.streaming  # CSV is streamed, never built in memory
    body = response.getvalue()  # (consumes the stream)
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8 Chinese
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


# --- neutralisation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        '=HYPERLINK("http://x")',
        "@SUM(A1)",
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "\t=1",
        "\r=1",
        "+A1",
        "-",
        "+",
    ],
)
def test_formulas_get_a_quote(text):
    assert neutralize(text) == "'" + text


@pytest.mark.parametrize(
    "text",
    [PHONE, "+86 189 1961 6767", "-5", "-12.50", "+1 (650) 253-0000", "189-1961-6767", "普通文本", "a=b", ""],
)
def test_numbers_phones_and_plain_text_are_left_alone(text):
    assert neutralize(text) == text


@given(st.text())
def test_neutralised_text_never_starts_a_formula(text):
    out = neutralize(text)
    assert not would_evaluate(out)
    assert out in (text, "'" + text)


@given(st.sampled_from("+-"), st.text(alphabet="0123456789 ().-", min_size=0, max_size=20), st.integers(0, 9))
def test_signed_numbers_and_phones_never_gain_a_quote(sign, body, digit):
    text = f"{sign}{digit}{body}"
    assert neutralize(text) == text


@given(st.sampled_from("=@\t\r"), st.text())
def test_text_starting_with_a_formula_character_always_gains_a_quote(first, rest):
    assert neutralize(first + rest).startswith("'")


def test_csv_values_are_iso_dates_and_neutralised_text():
    assert csv_text(dt.datetime(2026, 12, 6, 21, 20, 5)) == "2026-12-06 21:20:05"
    assert csv_text(dt.date(2026, 12, 6)) == "2026-12-06"
    assert csv_text("=1") == "'=1"
    assert csv_text(None) == ""


# --- the list export ---------------------------------------------------------------------------


@pytest.fixture
def gadgets(db, admin_user):
    ct = ContentType.objects.get_for_model(Gadget)
    with as_system():
        CustomField.objects.create(
            content_type=ct,
            name="formula",
            label='=HYPERLINK("http://evil")',
            type="text",
            show_in_table=True,
        )
        tag = Tag.objects.create(name="重点", slug="vip")
        rows = [
            Gadget.objects.create(name="=1+2", code="G-1", phone=PHONE, price="5", owner=admin_user),
            Gadget.objects.create(name="扫码枪", code="G-2", phone="", status="retired", owner=admin_user),
            Gadget.objects.create(name="打印机", code="G-3", phone="-5", owner=admin_user),
        ]
        set_tags(rows[1], [tag])
    return rows


def test_csv_export_neutralises_cells_and_headers_but_not_phones(admin_client, gadgets):
    response = admin_client.get(
        "/test/gadgets/?export=csv&sort=code&columns=name&columns=phone&columns=status&columns=cf_formula"
        "&columns=created_at&columns=tags"
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, *rows = rows_of(response)
    assert header[header.index("Name") + 3] == '\'=HYPERLINK("http://evil")'  # a custom-field label
    assert [row[:3] for row in rows] == [
        ["'=1+2", PHONE, "Active"],
        ["扫码枪", "", "Retired"],
        ["打印机", "-5", "Active"],
    ]
    created = timezone.localtime(gadgets[0].created_at).strftime("%Y-%m-%d %H:%M:%S")
    assert rows[0][4] == created
    assert rows[1][5] == "重点"


def test_export_is_audited_with_its_filters_and_row_count(admin_client, gadgets):
    admin_client.get("/test/gadgets/?export=csv&status=active").getvalue()
    event = AuditEvent.objects.get(event="export")
    assert event.detail["rows"] == 2
    assert event.detail["filters"] == {"status": ["active"]}
    assert (event.detail["format"], event.detail["source"], event.detail["model"]) == (
        "csv",
        "web",
        "testapp.Gadget",
    )


def test_rows_come_in_chunks_with_a_fixed_number_of_queries(admin_user, gadgets, django_assert_num_queries):
    with as_system():
        for n in range(4, 8):
            Gadget.objects.create(name=f"设备{n}", code=f"G-{n}", owner=admin_user)
    config = entity_views_for("testapp.gadget")
    export = list_export(config, offline_request(admin_user, "columns=name,tags,owner"))
    export.chunk_size = 3
    # The values fast path — 7 rows in chunks of 3: the row query, then per chunk (3) one query
    # for the owners and one for the tag names — however many rows or tags.
    with django_assert_num_queries(7):
        rows = list(export.rows())
    assert len(rows) == 7 == export.rows_written
    assert rows[0] == ["=1+2", None, "admin"] and ["扫码枪", "重点", "admin"] in rows
    # A money column needs the record (amount and currency): the model path, the owner joined
    # into the row query and one tag-names query per chunk.
    export = list_export(config, offline_request(admin_user, "columns=name,tags,owner,list_price"))
    export.chunk_size = 3
    with django_assert_num_queries(4):
        model_rows = list(export.rows())
    assert [row[:3] for row in model_rows] == rows


def test_streamed_memory_does_not_grow_with_the_rows(admin_user, db):
    with as_system():
        Gadget.objects.bulk_create(
            Gadget(name=f"设备{n:05d}", code=f"M-{n:05d}", phone=PHONE, owner=admin_user) for n in range(6000)
        )
    config = entity_views_for("testapp.gadget")

    def peak(limit: int) -> int:
        request = offline_request(admin_user, "columns=name,code,phone,owner")
        export = list_export(config, request)
        export.queryset = export.queryset[:limit]
        export.chunk_size = 500
        tracemalloc.start()
        size = sum(len(chunk) for chunk in export.csv_chunks())
        _now, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert size > limit * 20
        return top

    small, large = peak(1000), peak(6000)
    assert large < small * 2, (small, large)  # six times the rows, not six times the memory


def test_masked_and_hidden_fields_export_as_the_list_shows_them(client, make_user, admin_user, db):
    from guanxi.users.models import FieldRule, Role, RoleGrant

    ct = ContentType.objects.get_for_model(Gadget)
    with as_system():
        role = Role.objects.create(name="职员")
        RoleGrant.objects.create(role=role, content_type=ct, actions=["view", "export"], scope="all")
        FieldRule.objects.create(role=role, content_type=ct, field_name="phone", access="masked")
        FieldRule.objects.create(role=role, content_type=ct, field_name="price", access="hidden")
        clerk = make_user("clerk")
        clerk.roles.add(role)
        Gadget.objects.create(
            name="扫码枪", code="G-1", price="199.00", phone="+8613800138000", owner=admin_user
        )
    client.force_login(clerk)
    header, row = rows_of(client.get("/test/gadgets/?export=csv&columns=name&columns=phone&columns=price"))
    assert header == ["Name", "Phone"] and row == ["扫码枪", "138****8000"]
    from openpyxl import load_workbook

    book = load_workbook(
        io.BytesIO(client.get("/test/gadgets/?export=xlsx&columns=name,phone,price").getvalue())
    )
    assert list(book.active.iter_rows(values_only=True)) == [("Name", "Phone"), ("扫码枪", "138****8000")]


def test_xlsx_cells_are_typed_and_formulas_stay_text(admin_client, gadgets):
    from openpyxl import load_workbook

    response = admin_client.get("/test/gadgets/?export=xlsx&sort=code&columns=name,phone,price,created_at")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    header, first, *_rest = list(sheet.iter_rows())
    assert [c.value for c in header] == ["Name", "Phone", "Price", "创建时间"]  # the reader's language
    name, phone, price, created = first
    assert (name.value, name.data_type, name.quotePrefix) == ("=1+2", "s", True)  # text, never a formula
    assert (phone.value, phone.data_type) == (PHONE, "s")
    assert price.value == 5 and price.data_type == "n"
    assert isinstance(created.value, dt.datetime) and created.is_date


def test_no_export_verb_is_refused(client, make_user, db):
    from guanxi.users.models import Role, RoleGrant

    with as_system():
        role = Role.objects.create(name="只看")
        RoleGrant.objects.create(
            role=role, content_type=ContentType.objects.get_for_model(Gadget), actions=["view"], scope="all"
        )
        viewer = make_user("viewer")
        viewer.roles.add(role)
    client.force_login(viewer)
    assert client.get("/test/gadgets/?export=csv").status_code == 403
    assert client.get("/test/gadgets/?export=xlsx").status_code == 403
    assert not AuditEvent.objects.filter(event="export").exists()


# --- big exports run as jobs -------------------------------------------------------------------


@pytest.fixture
def small_limit(settings, tmp_path):
    settings.EXPORT_DIRECT_MAX_ROWS = 2
    settings.MEDIA_ROOT = tmp_path  # Django's test signals give default_storage the new root


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_big_export_runs_as_a_job_and_only_its_owner_downloads_it(
    fmt, admin_client, client, make_user, gadgets, small_limit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.get(f"/test/gadgets/?export={fmt}&sort=code&columns=name,phone")
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.status == Job.Status.COMPLETED, job.error
    assert job.result["rows"] == 3 and job.result["export"]
    page = admin_client.get(f"/jobs/{job.pk}/").content.decode()
    assert f"/jobs/{job.pk}/download/" in page
    download = admin_client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    if fmt == "csv":
        assert list(csv.reader(io.StringIO(body.decode("utf-8-sig")))) == [
            ["Name", "Phone"],
            ["'=1+2", PHONE],
            ["扫码枪", ""],
            ["打印机", "-5"],
        ]
    else:
        from openpyxl import load_workbook

        assert load_workbook(io.BytesIO(body)).active.max_row == 4
    event = AuditEvent.objects.get(event="export")
    assert (event.detail["rows"], event.detail["source"], event.detail["job"]) == (3, "job", job.pk)
    # Another user — even an administrator — does not get the file.
    other = make_user("other", is_superuser=True)
    client.force_login(other)
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404


def test_old_export_files_are_removed(admin_client, gadgets, small_limit, django_capture_on_commit_callbacks):
    from guanxi.framework.tasks import purge_export_files

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.get("/test/gadgets/?export=csv")
    job = Job.objects.get()
    path = job.result["file"]
    assert default_storage.exists(path)
    assert purge_export_files.call() == {"removed": 0}  # still fresh
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - dt.timedelta(days=8))
    assert purge_export_files.call() == {"removed": 1}
    assert not default_storage.exists(path)
    assert admin_client.get(f"/jobs/{job.pk}/download/").status_code == 404
    assert (
        "The file has been removed"
        in admin_client.get(f"/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


def test_offline_request_reports_bad_filters(admin_user, gadgets):
    config = entity_views_for("testapp.gadget")
    export = list_export(config, offline_request(admin_user, {"status": ["nope"]}))
    assert export.problems and "nope" in export.problems[0]


def test_request_factory_export_matches_the_page(admin_user, gadgets):
    """The engine sees the same rows whether the request comes from the page or is rebuilt."""
    request = RequestFactory().get("/test/gadgets/", {"q": "扫码"})
    request.user = admin_user
    request.htmx = None
    from django.contrib.messages.storage.cookie import CookieStorage

    request._messages = CookieStorage(request)
    export = list_export(entity_views_for("testapp.gadget"), request)
    assert [row[0] for row in export.rows()] == ["扫码枪"]
