"""A test subscriber: one notification per ``gadget.pinged`` event (so tests can count deliveries).

With ``GUANXI_TEST_EVENT_GATE`` set to a directory, an event whose ``block-<id>`` file exists
there makes the subscriber write ``reached-<id>`` and wait until a ``release`` file appears: the
kill -9 test uses it to stop a real worker in the middle of a delivery, on a condition rather
than on a timer.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from guanxi.framework.events.dispatch import subscribe


@subscribe("testapp.gadget", kinds=["gadget.pinged"])
def notify_ping(event: Any) -> None:
    from guanxi.framework.notify import notify

    gate = os.environ.get("GUANXI_TEST_EVENT_GATE")
    if gate and Path(gate, f"block-{event.pk}").exists():
        Path(gate, f"reached-{event.pk}").touch()
        while not Path(gate, "release").exists():
            time.sleep(0.05)  # polling a condition: only a file appearing (or SIGKILL) ends it
    notify(event.actor, f"ping {event.pk}")
