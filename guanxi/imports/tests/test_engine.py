"""The engine end to end: mapping, validation, modes and policies, resume, idempotence, undo."""

from __future__ import annotations

import gc

import pytest
from django.core.exceptions import PermissionDenied

from guanxi.core.models import ObjectChange, SearchEntry
from guanxi.customers.models import Contact, Customer
from guanxi.framework.testing.fixtures import as_user
from guanxi.imports import engine
from guanxi.imports.fields import guess_mapping, importable_fields
from guanxi.imports.models import ImportBatch, ImportRow
from guanxi.imports.tests.conftest import importer, xlsx_bytes
from guanxi.products.models import Product

pytestmark = pytest.mark.django_db
R = ImportRow.Status

CSV = (
    "客户名称,手机,邮箱,客户级别,负责人,备注\n"
    "飞海科技有限公司,13800138000,a@feihai.cn,A级,王芳,一\n"
    "星河网络,139 0013 9001,B@XINGHE.CN,B,,二\n"
    "坏电话公司,12345,c@x.cn,A,,三\n"
    "无名氏,13700137000,d@x.cn,Z级,李雷,四\n"
)


def load(
    user,
    write,
    text=CSV,
    *,
    model=Customer,
    encoding="utf-8",
    name="c.csv",
    run=True,
    dry_run=False,
    **options,
):
    path = write(name, text, encoding)
    batch = engine.create_batch(user, model, str(path), name, **options)
    if run:
        engine.run(batch, dry_run=dry_run)
        batch.refresh_from_db()
    return batch


def messages(batch):
    return {r.number: [m for _c, m in r.messages] for r in batch.rows.exclude(messages=[])}


def test_headers_in_either_language_whatever_the_users_language(rep):
    fields = importable_fields(Customer, rep)
    header = ["公司名称", "Phone", "电子邮箱", "level", "负责人", "不存在的列", "客户名称"]
    assert guess_mapping(header, fields) == {
        "0": "name",
        "1": "phone",
        "2": "email",
        "3": "level",
        "4": "owner",
    }


def test_create_validates_every_row_and_imports_the_good_ones(rep, write, django_capture_on_commit_callbacks):
    batch = load(rep, write)
    assert batch.status == ImportBatch.Status.COMPLETED
    assert (batch.created, batch.failed, batch.total) == (2, 2, 4)
    feihai = Customer.objects.get(name="飞海科技有限公司")
    assert (feihai.phone, feihai.level, feihai.owner, feihai.email) == (
        "+8613800138000",
        "A",
        rep,
        "a@feihai.cn",
    )
    xinghe = Customer.objects.get(name="星河网络")
    assert xinghe.owner == rep and xinghe.email == "b@xinghe.cn" and xinghe.department_id == rep.department_id
    errors = messages(batch)
    assert set(errors) == {4, 5}
    assert any("no such user: 李雷" in m for m in errors[5]) and any("Z级" in m for m in errors[5])
    # the write path's bookkeeping: change log as the importer, search keys
    change = ObjectChange.objects.get(
        changed_object_id=feihai.pk, action="create", changed_object_type__model="customer"
    )
    assert change.user == rep and change.request_id == batch.request_id
    assert SearchEntry.objects.filter(object_id=feihai.pk).exists()


def test_dry_run_writes_nothing(rep, write):
    batch = load(rep, write, dry_run=True)
    assert batch.status == ImportBatch.Status.VALIDATED and (batch.valid, batch.failed) == (2, 2)
    assert not Customer.objects.exists()


def test_all_or_nothing_writes_nothing_when_a_row_fails(rep, write):
    batch = load(rep, write, all_or_nothing=True)
    assert batch.status == ImportBatch.Status.FAILED and "nothing was written" in batch.error
    assert not Customer.objects.exists()


def test_rerun_with_the_same_match_key_is_idempotent(rep, write):
    first = load(rep, write, mode="upsert", match_key="phone")
    assert first.created == 2
    again = load(rep, write, mode="upsert", match_key="phone")
    assert (again.created, again.updated, again.skipped) == (0, 0, 2)
    assert Customer.objects.count() == 2


def test_update_mode_changes_matched_records_and_logs_before_values(rep, write):
    load(rep, write)
    changed = CSV.replace("一", "改过的备注").replace("A级", "B")
    batch = load(rep, write, changed, mode="update", match_key="phone")
    assert batch.updated == 1 and batch.skipped == 1
    feihai = Customer.objects.get(name="飞海科技有限公司")
    assert feihai.notes == "改过的备注" and feihai.level == "B"
    change = ObjectChange.objects.get(
        changed_object_id=feihai.pk, action="update", changed_object_type__model="customer"
    )
    assert change.prechange_data == {"notes": "一", "level": "A"} and change.request_id == batch.request_id
    # a phone nobody has: in update mode that row is an error
    missing = load(rep, write, "名称,手机\n新公司,13600136000\n", mode="update", match_key="phone")
    assert missing.failed == 1 and "No record has" in messages(missing)[2][0]


@pytest.mark.parametrize(
    ("policy", "created", "skipped", "review", "customers"),
    [("skip", 0, 2, 0, 2), ("create", 2, 0, 0, 4), ("review", 0, 0, 2, 2)],
)
def test_duplicate_policies_against_the_database(rep, write, policy, created, skipped, review, customers):
    load(rep, write)
    batch = load(rep, write, match_key="phone", policy=policy)
    assert (batch.created, batch.skipped, batch.review) == (created, skipped, review)
    assert Customer.objects.count() == customers


def test_duplicates_inside_the_file(rep, write):
    text = "名称,手机\n甲公司,13800138000\n乙公司,+86 138-0013-8000\n丙公司,13900139000\n"
    batch = load(rep, write, text, match_key="phone")
    assert (batch.created, batch.skipped) == (2, 1)
    assert "Same phone as row 2" in messages(batch)[3][0]


def test_ownership_conflict_with_another_reps_customer(rep, make_user, write):
    other = importer(make_user, "other_rep")
    with as_user(other):
        Customer.objects.create(name="星河网络", phone="+8613900139001", owner=other)
    batch = load(rep, write)
    assert "already exists, owned by" in " ".join(messages(batch)[3])
    assert Customer.objects.filter(name="星河网络").count() == 1


def test_resume_after_a_crash_and_no_half_chunk(rep, write, monkeypatch):
    monkeypatch.setattr(engine, "CHUNK", 3)
    monkeypatch.setattr(engine, "CHUNK_POSTGRESQL", 3)
    text = "名称,手机\n" + "".join(f"公司{i},1380013{i:04d}\n" for i in range(10))
    batch = load(rep, write, text, run=False, match_key="phone")
    engine.validate(batch)
    with pytest.raises(RuntimeError, match="simulated crash") as crashed:
        engine.commit(batch, crash_after=2)
    # the garbage collector paused for each chunk runs again, the traceback still held
    assert crashed.value.__traceback__ is not None and gc.isenabled()
    assert Customer.objects.count() == 6  # two whole chunks
    assert batch.rows.filter(status=R.CREATED).count() == 6 and batch.rows.filter(status=R.VALID).count() == 4
    batch.refresh_from_db()
    engine.commit(batch)
    batch.refresh_from_db()
    assert Customer.objects.count() == 10 and batch.created == 10 and batch.status == "completed"


def test_undo_removes_created_and_reverts_updated_unless_touched_since(rep, write):
    load(rep, write, "名称,手机,备注\n甲公司,13800138000,旧\n")
    batch = load(
        rep,
        write,
        "名称,手机,备注\n甲公司,13800138000,新\n乙公司,13900139000,\n丙公司,13700137000,\n",
        mode="upsert",
        match_key="phone",
    )
    assert (batch.created, batch.updated) == (2, 1)
    with as_user(rep):
        touched = Customer.objects.get(name="丙公司")
        touched.notes = "someone edited it"
        touched.save()
    counts = engine.undo(batch, rep)
    assert counts == {"removed": 1, "reverted": 1, "refused": 1}
    assert Customer.objects.get(name="甲公司").notes == "旧"
    assert not Customer.objects.filter(name="乙公司").exists()
    assert Customer.objects.filter(name="丙公司").exists()


def test_import_needs_the_import_verb(make_user, write):
    no_import = importer(make_user, "no_import", actions=("view", "add", "change"))
    with pytest.raises(PermissionDenied):
        load(no_import, write)
    assert not ImportBatch.objects.exists()


def test_owner_outside_the_importers_scope_is_refused(make_user, write):
    own_only = importer(make_user, "own_only", scope="own", name="张三", language="en")
    importer(make_user, "li", name="李雷")
    batch = load(own_only, write, "名称,负责人\n甲公司,李雷\n乙公司,张三\n")
    assert batch.created == 1 and "You may not give this record to" in messages(batch)[2][0]


def test_value_mapping_and_error_file(rep, write, tmp_path):
    batch = load(rep, write, '名称,级别,备注\n甲公司,A类,=HYPERLINK("x")\n乙公司,A类,\n', run=False)
    batch.value_map = {"level": {"A类": "A"}}
    batch.save()
    engine.run(batch)
    batch.refresh_from_db()
    assert batch.created == 1 and Customer.objects.get().level == "A"
    out = tmp_path / "errors.csv"
    with out.open("w", encoding="utf-8", newline="") as handle:
        assert engine.write_error_file(batch, handle) == 1
    text = out.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "名称,级别,备注,Reason"
    assert "'=HYPERLINK" in text and "Formulas are not imported" in text


def test_error_file_neutralises_what_the_export_engine_does(rep, write, tmp_path):
    """Header cells and a signed cell that hides a formula ("-1+…") are neutralised too: the
    error file uses the export engine's rule, not a weaker copy of it."""
    batch = load(rep, write, '名称,=cmd|x,备注\n=A1,,"-1+HYPERLINK(""x"")"\n')
    rows = list(engine.error_rows(batch))
    assert rows[0][:3] == ["名称", "'=cmd|x", "备注"]
    assert [cell for cell in rows[1] if str(cell).startswith("'-1+HYPERLINK")]


def test_gbk_dates_and_full_width_numbers_for_products(make_user, write):
    user = importer(make_user, "products_in", model=Product, language="en")
    text = (
        '产品编码,产品名称,单价,税率\nSKU-1,笔记本,"１，２３４.５０",13\nSKU-1,重复,1,13\nSKU-2,鼠标,abc,13\n'
    )
    batch = load(user, write, text, model=Product, encoding="gbk")
    assert batch.created == 1 and batch.failed == 2
    product = Product.objects.get()
    assert str(product.list_price_amount) == "1234.50"
    assert "Same value as row 2" in messages(batch)[3][0]


def test_header_only_and_broken_files_write_nothing(rep, write):
    with pytest.raises(engine.ImportFileError, match="no data rows"):
        load(rep, write, "客户名称,手机\n")
    with pytest.raises(engine.ImportFileError, match="damaged"):
        load(rep, write, b"PK\x03\x04broken", name="c.xlsx")
    assert not ImportRow.objects.exists() and not Customer.objects.exists()


def test_xlsx_with_excel_dates_and_numbers(make_user, write):
    user = importer(make_user, "contacts_in", model=Contact)
    data = xlsx_bytes(
        [["联系人", "手机", "生日"], ["王小明", 13800138000, 45355], ["李四", "13900139000", "2024年3月4日"]]
    )
    batch = load(user, write, data, model=Contact, name="c.xlsx")
    assert batch.created == 2
    assert {str(c.birthday) for c in Contact.objects.all()} == {"2024-03-04"}
    assert Contact.objects.get(name="王小明").phone == "+8613800138000"


def test_cancel_between_chunks(rep, write, monkeypatch):
    monkeypatch.setattr(engine, "CHUNK", 2)
    monkeypatch.setattr(engine, "CHUNK_POSTGRESQL", 2)
    text = "名称\n" + "".join(f"公司{i}\n" for i in range(6))
    batch = load(rep, write, text, run=False)
    engine.validate(batch)
    ImportBatch.objects.filter(pk=batch.pk).update(cancel_requested=True)
    with pytest.raises(engine.ImportCancelled):
        engine.commit(batch)
    batch.refresh_from_db()
    assert batch.status == "cancelled" and Customer.objects.count() == 0


def test_the_same_file_uploaded_twice_at_once_creates_each_record_once(rep, write):
    """Both batches are checked before either writes; the second commit re-checks its keys under
    the entity's import lock and skips what the first one created meanwhile."""
    text = "名称,手机\n甲公司,13800138000\n乙公司,13900139000\n"
    first = load(rep, write, text, run=False, match_key="phone")
    second = load(rep, write, text, run=False, match_key="phone")
    engine.validate(first)
    engine.validate(second)
    engine.commit(first)
    engine.commit(second)
    second.refresh_from_db()
    assert (second.created, second.skipped) == (0, 2)
    assert Customer.objects.count() == 2
    assert "was created meanwhile" in messages(second)[2][0]


def test_leads_import_through_the_engine_without_their_state_field(make_user, write):
    from guanxi.customers.models import Lead

    user = importer(make_user, "leads_in", model=Lead, language="en")
    assert "status" not in {f.name for f in importable_fields(Lead, user)}  # only transition() moves it
    batch = load(user, write, "姓名,公司名称,手机,状态\n王小明,飞海科技,13800138000,已转化\n", model=Lead)
    assert batch.created == 1
    lead = Lead.objects.get()
    # the write path's owner rule of leads (unassigned until the assignment rules or a claim)
    assert (lead.company, lead.status) == ("飞海科技", Lead.Status.NEW)
    assert lead.owner == (user if Lead.owner_defaults_to_writer else None)


def test_progress_reports_rows_per_second_and_time_left(rep, write):
    from guanxi.imports.tasks import ProgressReporter

    class Handle:
        def __init__(self):
            self.calls = []

        def progress(self, percent, message):
            self.calls.append((percent, message))

    handle = Handle()
    batch = load(rep, write, run=False)
    reporter = ProgressReporter(handle, batch)
    reporter("validate", 0, 4)
    reporter("validate", 4, 4)
    percent, message = handle.calls[-1]
    assert percent == 50 and "Checked 4 of 4 rows" in message and "rows/s" in message and "s left" in message


def test_chunks_are_larger_on_postgresql():
    from django.db import connection

    expected = engine.CHUNK_POSTGRESQL if connection.vendor == "postgresql" else engine.CHUNK
    assert engine.chunk_size() == expected
    assert engine.CHUNK_POSTGRESQL >= engine.CHUNK


def test_save_outcome_writes_only_the_phase_columns(rep, write):
    """The write-back of a phase touches its columns only, by id: the file's cells stay as staged,
    NULLs and JSON round-trip, and rows outside the list are not touched."""
    import datetime

    from django.utils import timezone

    batch = load(rep, write, "名称,手机\n甲公司,13800138000\n乙公司,13800138001\n丙公司,x\n", run=False)
    rows = engine.load_rows(batch.rows.order_by("number"), ("id", "number", "raw", *engine.COMMITTED))
    first, second, third = rows
    stamp = timezone.now().replace(microsecond=0) - datetime.timedelta(days=1)
    first.status, first.object_id, first.written_at, first.messages = R.CREATED, 7, stamp, []
    second.status, second.object_id, second.written_at = R.ERROR, None, None
    second.messages = [["手机", "“x” 不是有效号码"]]
    first.raw = second.raw = ["changed in memory only"]
    engine.save_outcome([first, second], engine.COMMITTED)
    stored = {r.number: r for r in batch.rows.all()}
    assert (stored[2].status, stored[2].object_id, stored[2].written_at, stored[2].messages) == (
        R.CREATED,
        7,
        stamp,
        [],
    )
    assert (stored[3].status, stored[3].object_id, stored[3].written_at) == (R.ERROR, None, None)
    assert stored[3].messages == [["手机", "“x” 不是有效号码"]]
    assert stored[2].raw == ["甲公司", "13800138000"] and stored[3].raw == ["乙公司", "13800138001"]
    assert stored[4].status == third.status == R.PENDING  # not in the list: untouched
    third.values, third.status = {"name": "丙公司", "n": [1, None]}, R.VALID
    engine.save_outcome([third], ("values", "status"))
    assert batch.rows.get(number=4).values == {"name": "丙公司", "n": [1, None]}
