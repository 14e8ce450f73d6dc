"""Importing leads from a spreadsheet (CSV or Excel): every row valid, or nothing is created.

Columns are matched by header, in English field names or the Chinese labels people use
(``姓名``, ``公司``, ``手机``…); unknown columns are ignored. Each row is validated like a lead
entered by hand (E.164 phones, lower-case emails); errors are reported per row and field, and a
file with any bad row creates nothing. Imported leads get source *Import* (unless a ``source``
column says otherwise), are flagged ``possible_duplicate`` when they match existing records
(an import never blocks on duplicates), and go to the importing user or through the assignment
rules (unassigned ones wait in the importer's department pool).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanxi.customers.models import Lead

MAX_ROWS = 5000
HEADERS = {
    "name": ("name", "full name", "姓名", "联系人", "名字"),
    "company": ("company", "公司", "公司名称", "企业", "单位"),
    "title": ("title", "job title", "职位", "职务"),
    "phone": ("phone", "mobile", "电话", "手机", "手机号", "联系电话"),
    "email": ("email", "e-mail", "邮箱", "电子邮箱"),
    "wechat_id": ("wechat_id", "wechat", "微信", "微信号"),
    "province": ("province", "省份", "省"),
    "city": ("city", "城市", "市"),
    "source": ("source", "来源"),
    "notes": ("notes", "备注"),
    "utm_source": ("utm_source",),
    "utm_medium": ("utm_medium",),
    "utm_campaign": ("utm_campaign",),
}
_BY_HEADER = {alias.lower(): name for name, aliases in HEADERS.items() for alias in aliases}


@dataclass
class ImportResult:
    """What an import did: the leads created and how many were flagged or assigned."""

    leads: list[Lead] = field(default_factory=list)
    duplicates: int = 0
    assigned: int = 0


class ImportErrors(ValidationError):
    """Row number (1 = first data row) → field → messages; nothing was created."""

    def __init__(self, rows: dict[int, dict[str, list[str]]]) -> None:
        super().__init__(_("The file has errors; no lead was imported."), code="import_errors")
        self.rows = rows


def read_rows(upload: Any) -> list[dict[str, str]]:
    """The data rows of a CSV (UTF-8, with or without BOM; or GB18030) or Excel file as dicts.

    Reading is the import engine's (``guanxi.imports.reading``: encodings, limits, broken files);
    this maps the lead columns."""
    import tempfile
    from pathlib import Path

    from guanxi.imports.reading import ImportFileError, check_upload, open_table
    from guanxi.imports.values import text

    name = Path(getattr(upload, "name", "") or "").name
    try:
        check_upload(name, getattr(upload, "size", 0) or 0)
        with tempfile.NamedTemporaryFile(suffix=Path(name).suffix.lower()) as stored:
            for chunk in upload.chunks():
                stored.write(chunk)
            stored.flush()
            with open_table(stored.name, name) as opened:
                table = [opened.header, *([text(cell) for cell in row] for _n, row in opened.rows)]
    except ImportFileError as problem:
        raise ValidationError({"file": str(problem)}) from None
    columns = [_BY_HEADER.get(h.strip().lower()) for h in table[0]]
    if "name" not in columns:
        raise ValidationError(
            {"file": _("The first row must name the columns, including a name column (姓名).")}
        )
    rows = []
    for raw in table[1:]:
        if not any(raw):
            continue
        rows.append({col: value for col, value in zip(columns, raw, strict=False) if col})
    if not rows:
        raise ValidationError({"file": _("The file has no data rows.")})
    if len(rows) > MAX_ROWS:
        raise ValidationError({"file": _("At most %(n)d rows per file.") % {"n": MAX_ROWS}})
    return rows


def import_leads(rows: list[dict[str, str]], *, actor: Any, assign_to_me: bool) -> ImportResult:
    """Create a lead per row (all or nothing); see the module docstring for the rules."""
    from guanxi.customers.leads.services.assignment import assign_lead
    from guanxi.customers.leads.services.leads import find_lead_duplicates

    source_labels: dict[str, str] = {}
    for language in ("zh-hans", "en"):  # a sheet may say 展会 or Exhibition, whoever uploads it
        with translation.override(language):
            source_labels.update({str(label).lower(): value for value, label in Lead.Source.choices})
    leads: list[Lead] = []
    errors: dict[int, dict[str, list[str]]] = {}
    for number, row in enumerate(rows, start=1):
        values = dict(row)
        source = (values.pop("source", "") or "").strip()
        source = source_labels.get(source.lower(), source.lower()) or Lead.Source.IMPORT
        lead = Lead(**values, source=source)
        try:
            lead.full_clean(exclude=["owner", "department", "capture_form"])
        except ValidationError as exc:
            errors[number] = exc.message_dict
        leads.append(lead)
    if errors:
        raise ImportErrors(errors)
    result = ImportResult()
    now = timezone.now()
    with transaction.atomic():
        for lead in leads:
            lead.department_id = getattr(actor, "department_id", None)
            if assign_to_me and actor is not None:
                lead.owner, lead.assigned_at = actor, now
            lead.possible_duplicate = bool(
                find_lead_duplicates(phone=lead.phone, email=lead.email, company=lead.company, name=lead.name)
            )
            lead.save()
            result.duplicates += lead.possible_duplicate
            if not assign_to_me and assign_lead(lead, actor=actor) is not None:
                result.assigned += 1
            result.leads.append(lead)
    return result
