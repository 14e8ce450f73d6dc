"""Tests that race several connections against each other, on PostgreSQL and on SQLite.

SQLite's in-memory test database refuses a second writer at once ("database table is locked")
instead of making it wait, so a race run on it tests nothing but that refusal. The
``shared_database`` fixture points the threads' new connections at a database file instead,
where the project's SQLite settings apply (WAL, IMMEDIATE transactions, a busy timeout): writers
wait for the write lock as they do in production. On PostgreSQL it does nothing.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection


@pytest.fixture
def shared_database(tmp_path) -> Iterator[Callable[[], None]]:
    """Give ``publish()``, which copies what the test wrote so far into the file the threads'
    connections open (SQLite only; the main thread's connection stays on the in-memory database).
    Call it after the set-up writes and before ``run_together``."""
    if connection.vendor != "sqlite":
        yield lambda: None
        return
    path = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    settings_dict = connection.settings_dict  # the dict new connections are made from
    memory_name = settings_dict["NAME"]

    def publish() -> None:
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()

    settings_dict["NAME"] = str(path)
    try:
        yield publish
    finally:
        settings_dict["NAME"] = memory_name


def run_together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """``work(i)`` in ``count`` threads released at the same moment, each on its own connection;
    an exception is returned in its thread's place for the assertions to report."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def worker(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as exc:  # reported by the assertions
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def in_thread(work: Callable[[], Any]) -> Any:
    """Read what the threads wrote through a connection of the same kind as theirs."""
    return run_together(1, lambda _i: work())[0]
