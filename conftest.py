"""Repository-wide pytest set-up: shared fixtures and the browser used by Playwright tests."""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run there
# (SynchronousOnlyOperation) unless this is set. Browser tests use live_server + the ORM together.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["guanxi.framework.testing.fixtures", "guanxi.framework.testing.concurrency"]

# Playwright already passes most of these; listing them keeps the launch explicit and stable.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium (`playwright install` cannot download a browser on these machines).

    Mark browser tests with ``@pytest.mark.browser``; set CHROMIUM to use another executable.
    """
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }


def _live_server(*args, connections_override=None, **kwargs):
    """The live server of the browser tests: one request at a time on SQLite's in-memory test
    database, several at once on PostgreSQL.

    An in-memory SQLite database lives in one connection, which the live server shares with the
    test (``connections_override``). Django's threaded server would answer a page's simultaneous
    requests (two htmx panels refreshed by one event) in threads that use that one connection at
    once — one request's queries then run inside the other's transaction, and a record read
    between them can come back missing (a 404 for a page that exists). Served one by one, the
    requests use the connection in turn, as each would use its own connection in production
    (file-based SQLite, PostgreSQL). PostgreSQL gives each thread its own connection, so its
    server stays threaded and the tests keep exercising concurrent requests there.
    """
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIServer

    if connections_override:
        return WSGIServer(*args, **kwargs)  # answers "Connection: close": no keep-alive to wait on
    return ThreadedWSGIServer(*args, connections_override=connections_override, **kwargs)


def _serve_sqlite_one_request_at_a_time() -> None:
    from django.test.testcases import LiveServerThread

    LiveServerThread.server_class = staticmethod(_live_server)  # type: ignore[assignment]


_serve_sqlite_one_request_at_a_time()


class _LiveRequests:
    """The requests the live server is still answering, so a browser test's database is flushed
    only after the last of them has finished.

    Closing the page stops the browser, not the server: a request it sent just before (an htmx
    panel loading after the test's last check) may still be running in the server's thread when
    the transactional test's teardown empties the tables. On PostgreSQL that TRUNCATE and the
    request's own locks then deadlock, failing the teardown (and the next test's set-up). Counted
    with Django's request signals, for the live server's handler only (the test client's requests
    finish before it returns)."""

    def __init__(self) -> None:
        import threading

        self.count = 0
        self.changed = threading.Condition()

    def started(self, **kwargs: object) -> None:
        with self.changed:
            self.count += 1

    def finished(self, **kwargs: object) -> None:
        with self.changed:
            self.count -= 1
            self.changed.notify_all()

    def wait_until_idle(self, timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.count <= 0, timeout=timeout)


LIVE_REQUESTS = _LiveRequests()


@pytest.fixture(autouse=True)
def _live_requests_finish_before_the_flush(request: pytest.FixtureRequest):
    """For browser tests: after the page is closed and before the database is emptied, wait for
    the requests the live server is still answering (see ``_LiveRequests``). Autouse, so it is set
    up before ``page`` and torn down after it; it asks for the database, so it is torn down before
    the database's flush."""
    if request.node.get_closest_marker("browser") is None:
        yield
        return
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started

    request_started.connect(LIVE_REQUESTS.started, sender=WSGIHandler, dispatch_uid="guanxi_live_started")
    request_finished.connect(LIVE_REQUESTS.finished, sender=WSGIHandler, dispatch_uid="guanxi_live_finished")
    request.getfixturevalue("transactional_db")
    yield
    assert LIVE_REQUESTS.wait_until_idle(timeout=60), "a live-server request was still running after 60 s"
