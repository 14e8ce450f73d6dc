"""Repository-wide pytest set-up: shared fixtures and the browser used by Playwright tests."""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run there
# (SynchronousOnlyOperation) unless this is set. Browser tests use live_server + the ORM together.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["guanxi.framework.testing.fixtures"]

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
