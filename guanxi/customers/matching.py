"""Finding the customer a new record may be a twin of: same phone, email, credit code or name.

Used by the ownership-conflict check (撞单) when a customer is created or claimed, and by the
duplicate check when a lead is entered. Company names are compared by their *key*: the name in
NFKC (full-width letters and digits become half-width), lower case, without spaces, punctuation
and the legal-form suffixes people add or leave out (有限公司, 股份有限公司, Co., Ltd.…), so
"上海 星河科技有限公司" and "上海星河科技(有限公司)" match. The key is stored on every customer
(``Customer.name_key``, indexed), so an exact-key match is one index lookup at a million rows;
near-identical names (one character apart) are found among the rows sharing the key's first
characters and scored with rapidfuzz.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz

# Longest first, so 股份有限公司 is stripped before 有限公司 can leave 股份 behind.
LEGAL_SUFFIXES = sorted(
    [
        "股份有限公司", "有限责任公司", "有限公司", "集团有限公司", "集团公司", "集团", "公司",
        "分公司", "co.,ltd.", "co.,ltd", "co.ltd", "coltd", "co.", "ltd.", "ltd", "inc.", "inc",
        "limited", "corporation", "corp.", "corp", "llc", "gmbh",
    ],
    key=len,
    reverse=True,
)  # fmt: skip
_PUNCTUATION = re.compile(r"[\s\-_.,，。·、()（）\[\]【】{}<>《》'\"“”‘’&/\\|:：;；!！?？@#]+")
# The suffixes as they appear in a key (punctuation gone), longest first: computed once, not per name.
_BARE_SUFFIXES = tuple(b for b in (_PUNCTUATION.sub("", s) for s in LEGAL_SUFFIXES) if b)
NEAR_IDENTICAL = 90  # rapidfuzz ratio (0–100) from which two company names count as the same
CANDIDATE_PREFIX = 2  # near-identical candidates share this many leading key characters
MAX_CANDIDATES = 200


def company_name_key(name: str) -> str:
    """The comparable core of a company name: ``"上海 星河科技(有限公司)"`` → ``"上海星河科技"``."""
    text = unicodedata.normalize("NFKC", name or "").lower().strip()
    compact = _PUNCTUATION.sub("", text)
    changed = True
    while changed:  # "星河科技集团有限公司" loses both suffixes
        changed = False
        for bare in _BARE_SUFFIXES:
            if compact.endswith(bare) and len(compact) > len(bare):
                compact = compact[: -len(bare)]
                changed = True
                break
    return compact[:200]


@dataclass(frozen=True)
class Match:
    """One existing record that looks like the new one, and why (the field that matched)."""

    obj: Any
    field: str
    value: str

    @property
    def reason(self) -> str:
        labels = {
            "phone": _("same phone"),
            "email": _("same email"),
            "credit_code": _("same unified social credit code"),
            "name": _("near-identical name"),
        }
        return str(labels.get(self.field, self.field))


def near_identical(a: str, b: str) -> bool:
    """Whether two name keys are the same name give or take a character or two."""
    if not a or not b:
        return False
    return a == b or fuzz.ratio(a, b) >= NEAR_IDENTICAL


def find_customer_matches(
    *,
    phone: str = "",
    email: str = "",
    credit_code: str = "",
    name: str = "",
    exclude_pk: int | None = None,
    queryset: Any = None,
) -> list[Match]:
    """Customers sharing a normalised phone, email or credit code, or with a near-identical name.

    Values must already be normalised (E.164 phone, lower-case email, upper-case credit code), as
    ``Customer.clean()`` leaves them. Searches ``queryset`` (default: every customer — a conflict
    exists whether or not the user may see the other row; callers decide what to reveal of it).
    One row appears once, under the first field that matched.
    """
    from guanxi.customers.models import Customer

    rows = queryset if queryset is not None else Customer.objects.all()
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    exact = Q()
    for field, value in (("credit_code", credit_code), ("phone", phone), ("email", email)):
        if value:
            exact |= Q(**{field: value})
    key = company_name_key(name)
    matches: list[Match] = []
    seen: set[int] = set()
    if exact:
        for row in rows.filter(exact).select_related("owner")[:MAX_CANDIDATES]:
            for field in ("credit_code", "phone", "email"):
                value = {"credit_code": credit_code, "phone": phone, "email": email}[field]
                if value and getattr(row, field) == value and row.pk not in seen:
                    matches.append(Match(row, field, value))
                    seen.add(row.pk)
    if len(key) >= CANDIDATE_PREFIX:
        candidates = rows.filter(name_key__startswith=key[:CANDIDATE_PREFIX]).select_related("owner")
        for row in candidates.order_by("pk")[:MAX_CANDIDATES]:
            if row.pk not in seen and near_identical(key, row.name_key):
                matches.append(Match(row, "name", row.name))
                seen.add(row.pk)
    return matches
