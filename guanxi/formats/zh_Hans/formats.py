"""Chinese date and time formats: one for dates, one for date and time (see ``guanxi.formats``)."""

DATE_FORMAT = "Y年n月j日"
SHORT_DATE_FORMAT = DATE_FORMAT
DATETIME_FORMAT = "Y年n月j日 H:i"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "n月j日"
# Amounts read like the money on every other page (Money.format: ¥3,820,000.01): grouped by
# thousands with a comma, as Chinese finance software prints them. Django's zh_Hans default is
# no separator, which left the leaderboard and forecast at 3820000.01 beside ¥3,820,000.01.
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
