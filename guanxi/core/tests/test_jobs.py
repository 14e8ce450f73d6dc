"""Background jobs: enqueue on commit, success, failure, progress, idempotency, the DB worker."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from guanxi.core.models import Job, Notification, ObjectChange, SearchEntry, Tag, WorkerHeartbeat
from guanxi.core.tasks import reindex_search
from guanxi.framework.context import Source, actor_context
from guanxi.framework.jobs import JobHandle, job_task, run_job, start_job

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "schedules"]}}
pytestmark = pytest.mark.django_db

ran: list = []
seen_progress: list[tuple[int, str]] = []


@job_task
def add_numbers(job: JobHandle, *, a: int, b: int) -> dict:
    ran.append({"job": job.id, "a": a, "b": b})
    job.progress(40, "Adding")
    row = Job.objects.get(pk=job.id)
    seen_progress.append((row.progress, row.message))
    return {"sum": a + b}


@job_task
def explode(job: JobHandle) -> None:
    job.progress(10, "About to fail")
    raise ValueError("boom")


@job_task
def make_tag(job: JobHandle, *, name: str) -> dict:
    tag = Tag.objects.create(name=name, slug=name.lower())
    return {"tag": tag.pk}


def not_a_job() -> None:
    """A plain function: start_job must refuse it."""


@pytest.fixture(autouse=True)
def _reset_calls():
    ran.clear()
    seen_progress.clear()


@pytest.fixture
def alice(django_user_model):
    with actor_context(None, source=Source.TEST):
        return django_user_model.objects.create_user("alice", password="x-long-password", language="en")


def test_start_job_enqueues_only_after_commit(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = start_job("Add", add_numbers, user=alice, params={"a": 2, "b": 3})
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert (job.status, job.progress, job.task_path, job.params) == (
        Job.Status.PENDING,
        0,
        "guanxi.core.tests.test_jobs.add_numbers",
        {"a": 2, "b": 3},
    )
    assert ran == []

    callbacks[0]()
    job.refresh_from_db()
    assert ran == [{"job": job.pk, "a": 2, "b": 3}]
    assert seen_progress == [(40, "Adding")]
    assert (job.status, job.progress, job.result, job.error) == (Job.Status.COMPLETED, 100, {"sum": 5}, "")
    assert job.started_at is not None and job.finished_at >= job.started_at
    note = Notification.objects.get(recipient=alice)
    assert (note.title, note.level, note.url) == ("Finished: Add", "success", f"/jobs/{job.pk}/")


def test_rolled_back_transaction_enqueues_nothing(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                start_job("Add", add_numbers, user=alice, params={"a": 1, "b": 1})
                raise RuntimeError("request failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert Job.objects.count() == 0
    assert ran == []


def test_failed_job_records_error_and_notifies(alice, django_capture_on_commit_callbacks, caplog):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job("Explode", explode, user=alice, params={})
    job.refresh_from_db()
    assert (job.status, job.progress, job.message, job.error, job.result) == (
        Job.Status.FAILED,
        10,
        "About to fail",
        "ValueError: boom",
        None,
    )
    assert job.finished_at is not None
    assert "Traceback" in caplog.text and 'raise ValueError("boom")' in caplog.text
    note = Notification.objects.get(recipient=alice)
    assert (note.title, note.level, note.body) == ("Failed: Explode", "error", "ValueError: boom")


def test_completed_job_is_not_run_again(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job("Add", add_numbers, user=alice, params={"a": 1, "b": 2})
    outcome = run_job(job.pk, lambda handle, **params: ran.append("ran again"))
    assert outcome == {"job": job.pk, "status": "completed", "skipped": True}
    add_numbers.enqueue(job.pk)  # a duplicate enqueue of the real task
    assert len(ran) == 1
    assert Notification.objects.filter(recipient=alice).count() == 1


def test_missing_job_is_a_no_op():
    assert add_numbers.call(987654) == {"job": 987654, "status": "missing"}


def test_progress_is_clamped(alice):
    job = Job.objects.create(name="x", task_path="x", user=alice)
    handle = JobHandle(job)
    handle.progress(150, "over")
    assert Job.objects.values_list("progress", "message").get(pk=job.pk) == (100, "over")
    handle.progress(-5)
    assert Job.objects.values_list("progress", "message").get(pk=job.pk) == (0, "")


def test_job_writes_are_logged_as_the_starter_with_task_source(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job("Tag", make_tag, user=alice, params={"name": "VIP"})
    job.refresh_from_db()
    tag = Tag.objects.get(name="VIP")
    assert job.result == {"tag": tag.pk}
    change = ObjectChange.objects.get(
        changed_object_type=ContentType.objects.get_for_model(Tag), changed_object_id=tag.pk
    )
    assert (change.user_id, change.source, change.action) == (alice.pk, "task", "create")


def test_start_job_refuses_a_plain_function(alice):
    with pytest.raises(TypeError):
        start_job("Nope", not_a_job, user=alice, params={})
    assert Job.objects.count() == 0


def test_reindex_search_rebuilds_every_registered_model(alice, django_capture_on_commit_callbacks):
    with actor_context(alice, source=Source.TEST):
        Tag.objects.create(name="重要客户", slug="vip")
        Tag.objects.create(name="Partner", slug="partner")
    tag_ct = ContentType.objects.get_for_model(Tag)
    before = sorted(SearchEntry.objects.filter(content_type=tag_ct).values_list("value", flat=True))
    SearchEntry.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        job = start_job("Rebuild search index", reindex_search, user=alice, params={})
    job.refresh_from_db()
    assert job.status == Job.Status.COMPLETED, job.error
    assert job.result["models"]["core.tag"] == 2
    assert job.result["rows"] == sum(job.result["models"].values())
    after = sorted(SearchEntry.objects.filter(content_type=tag_ct).values_list("value", flat=True))
    assert after == before
    assert "zhongyaokehu" in after and "zykh" in after


def test_reindex_search_limited_to_one_model(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job("Reindex tags", reindex_search, user=alice, params={"models": ["core.Tag"]})
    job.refresh_from_db()
    assert job.result == {"models": {"core.tag": 0}, "rows": 0}


@pytest.mark.django_db(transaction=True)
def test_database_backend_worker_runs_the_job_after_commit(alice):
    with override_settings(TASKS=DB_TASKS):
        from django_tasks_db.models import DBTaskResult

        with transaction.atomic():
            job = start_job("Add", add_numbers, user=alice, params={"a": 20, "b": 22})
            assert DBTaskResult.objects.count() == 0  # not before commit
        queued = DBTaskResult.objects.get()
        assert (queued.status, queued.task_path, queued.args_kwargs) == (
            "READY",
            "guanxi.core.tests.test_jobs.add_numbers",
            {"args": [job.pk], "kwargs": {}},
        )

        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

        job.refresh_from_db()
        queued.refresh_from_db()
        assert (job.status, job.result) == (Job.Status.COMPLETED, {"sum": 42})
        assert queued.status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_guanxi_worker_batch_runs_jobs_and_cleans_up_its_heartbeat(alice):
    with override_settings(TASKS=DB_TASKS):
        job = start_job("Add", add_numbers, user=alice, params={"a": 1, "b": 1})  # autocommit: enqueued now
        call_command("worker", "--batch", "--no-startup-delay", "--no-schedules", verbosity=0)
        job.refresh_from_db()
        assert job.status == Job.Status.COMPLETED
        assert WorkerHeartbeat.objects.count() == 0  # removed on a clean stop


def test_worker_refuses_the_immediate_backend():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="tasks run inline"):
        call_command("worker", "--batch")


def test_job_detail_url_name():
    assert reverse("job_detail", args=[7]) == "/jobs/7/"


@pytest.fixture
def bob(django_user_model):
    with actor_context(None, source=Source.TEST):
        return django_user_model.objects.create_user("bob", language="en")


def make_job(user, name="Import", **fields) -> Job:
    return Job.objects.create(name=name, task_path="x.y", user=user, **fields)


def test_job_list_shows_only_my_jobs(client, alice, bob):
    make_job(alice, "Alice import")
    make_job(bob, "Bob export")
    client.force_login(alice)
    response = client.get(reverse("job_list"))
    assert response.status_code == 200
    assert [j.name for j in response.context["page"].object_list] == ["Alice import"]
    assert "Bob export" not in response.content.decode()


def test_superuser_sees_every_job(client, alice, bob):
    make_job(alice, "Alice import")
    make_job(bob, "Bob export")
    with actor_context(None, source=Source.TEST):
        bob.is_superuser = True
        bob.save()
    client.force_login(bob)
    response = client.get(reverse("job_list"))
    assert sorted(j.name for j in response.context["page"].object_list) == ["Alice import", "Bob export"]


def test_job_list_query_count_does_not_grow_with_rows(client, alice, django_assert_max_num_queries):
    for i in range(30):
        make_job(alice, f"Job {i}", status=Job.Status.COMPLETED, progress=100)
    client.force_login(alice)
    # session, user, count, page, unread notifications (bell), two permission lookups and the
    # role grants (menu), and the user's record shares (menu: a shared customer opens Customers),
    # and the organisation version (read from its row: each test starts with an empty cache)
    # 11 since the menu's data-quality entry asks whether the user leads a team (cold snapshot)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("job_list"))
    assert len(response.context["page"].object_list) == 25


def test_running_job_progress_polls_every_second(client, alice):
    job = make_job(alice, status=Job.Status.RUNNING, progress=37, message="Row 370 of 1000")
    client.force_login(alice)
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert f'hx-get="/jobs/{job.pk}/progress/" hx-trigger="every 1s" hx-swap="outerHTML"' in page
    partial = client.get(reverse("job_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert partial["Cache-Control"] == "no-store"
    assert body.lstrip().startswith('<div id="job-progress"')
    assert 'hx-trigger="every 1s"' in body
    assert '<progress class="progress" max="100" value="37"' in body
    assert "Row 370 of 1000" in body
    assert "<html" not in body


def test_finished_job_progress_stops_polling(client, alice):
    job = make_job(alice, status=Job.Status.FAILED, progress=60, error="ValueError: bad row 61")
    client.force_login(alice)
    body = client.get(reverse("job_progress", args=[job.pk])).content.decode()
    assert "hx-trigger" not in body and "hx-get" not in body
    assert "ValueError: bad row 61" in body


def test_another_users_job_is_404(client, alice, bob):
    job = make_job(bob)
    client.force_login(alice)
    assert client.get(reverse("job_detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("job_progress", args=[job.pk])).status_code == 404


def test_completed_job_shows_its_result_and_parameters(client, alice):
    job = make_job(
        alice,
        status=Job.Status.COMPLETED,
        progress=100,
        params={"models": ["core.tag"]},
        result={"rows": 3, "models": {"core.tag": 3}},
    )
    client.force_login(alice)
    body = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert '<dt>rows</dt><dd class="mono text-sm">3</dd>' in body
    assert '<dt>models</dt><dd class="mono text-sm">{&quot;core.tag&quot;: 3}</dd>' in body
    assert '<dt>models</dt><dd class="mono text-sm">[&quot;core.tag&quot;]</dd>' in body
