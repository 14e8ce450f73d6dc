"""Date and time formats, one per language (``FORMAT_MODULE_PATH``).

Every page, table, history row, timeline and notification shows a date or a time in the one
format of the reader's language: the long and short names below are the same format, so a
template that asks for ``DATETIME_FORMAT`` and one that asks for ``SHORT_DATETIME_FORMAT`` agree.
Chinese keeps Django's (``2026年12月6日 14:05``); English spells the month (``Dec. 6, 2026,
2:05 p.m.``), since ``12/06/2026`` reads as June in much of the world.
"""
