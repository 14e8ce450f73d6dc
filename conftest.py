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
