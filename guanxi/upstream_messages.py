"""Messages that Django renders in our pages but its own zh_Hans catalog does not translate yet
(or translates wrongly).

Django 6.1 is newer than its Simplified Chinese translation. Our catalog (LOCALE_PATHS) is looked up
before Django's, so translating a message there fills the gap. This module is never imported: it
exists so that `makemessages` extracts these msgids into our catalog (makemessages skips files
inside locale/ folders, hence this place). tests/test_translations.py checks that each one is
still a message Django itself uses.
"""

from django.utils.translation import gettext_noop

UPSTREAM_MESSAGES = (
    gettext_noop("- Select an option -"),  # django.db.models.fields.BLANK_CHOICE_LABEL: every <select>
    # ProhibitNullCharactersValidator (form and API character fields, NUL refusals): Django's
    # zh_Hans says "empty strings are not allowed", which sends the reader looking for a blank.
    gettext_noop("Null characters are not allowed."),
)
