"""Duplicate detection's use cases: rules (``rules``), the scan (``scan``), the queue and its
dismissals (``queue``), and the entry-time check (``entry``)."""
