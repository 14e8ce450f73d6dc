"""English date and time formats: one for dates, one for date and time (see ``guanxi.formats``)."""

DATE_FORMAT = "N j, Y"
SHORT_DATE_FORMAT = DATE_FORMAT
DATETIME_FORMAT = "N j, Y, P"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "P"
MONTH_DAY_FORMAT = "F j"
