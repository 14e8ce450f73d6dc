"""The import wizard's pages: upload → mapping → check → import → summary → error file → undo."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from openpyxl import load_workbook

from guanxi.customers.models import Customer
from guanxi.imports.models import ImportBatch, SavedMapping
from guanxi.imports.tests.conftest import importer

pytestmark = pytest.mark.django_db
URL = "/customers/import/"
GBK = "客户名称,手机,级别\n飞海科技,13800138000,A类\n星河网络,12345,B\n".encode("gbk")


@pytest.fixture
def user(make_user):
    return importer(make_user, "wizard", language="en")


def upload(client, content=GBK, name="客户.csv", **extra):
    return client.post(URL, {"file": SimpleUploadedFile(name, content), **extra})


def form_of(batch, **extra):
    data = {f"map_{i}": f for i, f in batch.mapping.items()}
    return {"mode": "create", "policy": "skip", "match_key": "", "value_map": "", **data, **extra}


def test_the_whole_wizard(client, user, django_capture_on_commit_callbacks):
    client.force_login(user)
    response = upload(client)
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert response["Location"] == f"/imports/{batch.pk}/"
    assert batch.encoding == "gb18030" and batch.mapping == {"0": "name", "1": "phone", "2": "level"}
    page = client.get(response["Location"])
    assert page.status_code == 200 and "飞海科技" in page.content.decode()  # the preview
    url = f"/imports/{batch.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        checked = client.post(
            url, form_of(batch, action="check", value_map="level: A类 = A", save_as="CRM 导出")
        )
    assert checked.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "validated" and (batch.valid, batch.failed) == (1, 1), batch.error
    assert SavedMapping.objects.get().columns == {"客户名称": "name", "手机": "phone", "级别": "level"}
    page = client.get(url).content.decode()
    assert "Row 3 · 手机: Enter a valid phone number." in page and "Import 1 good row" in page
    assert not Customer.objects.exists()  # the check wrote nothing
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "import"})
    batch.refresh_from_db()
    assert batch.status == "completed" and batch.created == 1
    customer = Customer.objects.get()
    assert (customer.name, customer.level, customer.owner) == ("飞海科技", "A", user)
    page = client.get(url).content.decode()
    assert 'data-import-status="completed"' in page and customer.get_absolute_url() in page
    errors = client.get(f"/imports/{batch.pk}/errors.csv")
    text = b"".join(errors.streaming_content).decode("utf-8-sig")
    assert text.splitlines() == [
        "客户名称,手机,级别,Reason",
        "星河网络,12345,B,Row 3 · 手机: Enter a valid phone number.",
    ]
    client.post(f"/imports/{batch.pk}/undo/")
    assert not Customer.objects.exists()
    batch.refresh_from_db()
    assert batch.status == "undone"


def test_mapping_problems_are_explained(client, user):
    client.force_login(user)
    upload(client)
    batch = ImportBatch.objects.get()
    page = client.post(
        f"/imports/{batch.pk}/", {"map_0": "", "map_1": "phone", "map_2": "phone", "action": "check"}
    )
    assert page.status_code == 422
    text = page.content.decode()
    assert (
        "Each field can take one column only: Phone." in text
        and "These required fields have no column: Name." in text
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("c.csv", b"", "The file is empty."),
        ("c.csv", "名称,电话\n".encode(), "no data rows"),
        ("c.csv", bytes(range(256)) * 10, "not a text file"),
        ("c.xlsx", b"PK\x03\x04 broken", "damaged"),
        ("c.pdf", b"%PDF", "Upload a .csv"),
    ],
)
def test_bad_files_are_refused_with_a_message_and_nothing_kept(client, user, name, content, message):
    client.force_login(user)
    response = upload(client, content, name)
    assert response.status_code == 422 and message in response.content.decode()
    assert not ImportBatch.objects.exists()


@override_settings(IMPORT_MAX_MB=1)
def test_the_size_limit_is_checked_before_reading(client, user):
    client.force_login(user)
    response = upload(client, b"a" * (1024 * 1024 + 1))
    assert response.status_code == 422 and "larger than 1 MB" in response.content.decode()


def test_import_needs_the_verb_and_batches_are_private(client, user, make_user):
    viewer = importer(make_user, "viewer", actions=("view", "add"))
    client.force_login(viewer)
    assert client.get(URL).status_code == 403
    assert upload(client).status_code == 403
    client.force_login(user)
    upload(client)
    batch = ImportBatch.objects.get()
    client.force_login(viewer)
    assert client.get(f"/imports/{batch.pk}/").status_code == 404
    assert client.get(f"/imports/{batch.pk}/errors.csv").status_code == 404


@pytest.mark.parametrize(("language", "first"), [("zh-hans", "名称*"), ("en", "Name*")])
def test_templates_in_both_languages(client, user, language, first):
    client.force_login(user)
    response = client.get(URL, {"template": "xlsx", "lang": language})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert next(sheet.iter_rows(values_only=True))[0] == first
    csv_text = client.get(URL, {"template": "csv", "lang": language}).content.decode("utf-8-sig")
    assert csv_text.startswith(first)


def test_progress_partial_reads_the_batch_and_its_job_only(client, user, django_assert_num_queries):
    """The partial polled every second renders from the batch and its job (one query after the
    session and user), not from the page's context of mapping, preview and problem rows."""
    from guanxi.core.models import Job

    client.force_login(user)
    upload(client)
    batch = ImportBatch.objects.get()
    job = Job.objects.create(
        name="导入", task_path="guanxi.imports.tasks.run_import", user=user, status="running", progress=42
    )
    ImportBatch.objects.filter(pk=batch.pk).update(job=job)
    Job.objects.filter(pk=job.pk).update(message="Checked 2 of 4 rows")
    client.get(f"/imports/{batch.pk}/progress/")  # warm the session and caches
    with django_assert_num_queries(3):  # session, user, the batch with its job and user
        response = client.get(f"/imports/{batch.pk}/progress/")
    page = response.content.decode()
    assert response.status_code == 200 and 'value="42"' in page and "Checked 2 of 4 rows" in page


def test_a_superuser_sees_every_batch_and_others_see_their_own(client, user, make_user):
    """``ImportBatch.objects.visible_to``: the page, the error file and undo follow one rule."""
    from django.core.exceptions import PermissionDenied

    from guanxi.imports import engine

    client.force_login(user)
    upload(client)
    batch = ImportBatch.objects.get()
    admin = make_user("import_admin", is_superuser=True)
    other = importer(make_user, "other_importer", language="en")
    assert list(ImportBatch.objects.visible_to(admin)) == [batch]
    assert list(ImportBatch.objects.visible_to(user)) == [batch]
    assert not ImportBatch.objects.visible_to(other).exists()
    client.force_login(admin)
    assert client.get(f"/imports/{batch.pk}/").status_code == 200
    client.force_login(other)
    assert client.get(f"/imports/{batch.pk}/progress/").status_code == 404
    with pytest.raises(PermissionDenied):
        engine.undo(batch, other)
