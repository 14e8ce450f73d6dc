"""Reading import files as a stream of rows: CSV in any common encoding and delimiter, XLSX, XLS.

Nothing here holds the whole file in memory: CSV is decoded and split as it is read, XLSX goes
through openpyxl's read-only mode (rows streamed from the zipped XML). XLS is read by
python-calamine, already a dependency (it also reads ODS): the old binary format caps a sheet
at 65,536 rows, so loading one sheet is bounded, and it spares us xlrd, which is unmaintained for
anything but ``.xls`` and would be one more dependency for the same job.

The encoding of a CSV is detected from its first 64 KB, unless the user names it:

* a byte-order mark says UTF-8 or UTF-16 (LE/BE);
* NUL bytes on every other position with no BOM is UTF-16 without a BOM (Excel's "Unicode text"
  opened and re-saved by some tools) — read as such, never as GB18030 mojibake;
* other NUL bytes, or many control characters once decoded: not a text file;
* strict UTF-8 if it decodes, else GB18030 (a superset of GBK/GB2312, what Chinese Windows Excel
  writes for "CSV").

charset-normalizer is not a dependency here and is not needed for these few cases; a file in
another encoding fails with a message naming the row, and the user picks the encoding.

Every problem is an ``ImportFileError`` with a message for the user; the caller writes nothing.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

SAMPLE_BYTES = 64 * 1024
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
OTHER_SHEET_SUFFIXES = (".xls", ".ods")
SUFFIXES = (*CSV_SUFFIXES, *XLSX_SUFFIXES, *OTHER_SHEET_SUFFIXES)
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be", "big5")


class ImportFileError(ValueError):
    """The file cannot be read as a table; the message says why, in the user's language."""


@dataclass
class Table:
    """An open file: its header, a stream of ``(row number, cells)`` and how it was read."""

    header: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    encoding: str = ""
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)


def max_bytes() -> int:
    return int(settings.IMPORT_MAX_MB) * 1024 * 1024


def check_upload(name: str, size: int) -> None:
    """Refuse a file by its name and size before anything reads it."""
    if Path(name).suffix.lower() not in SUFFIXES:
        raise ImportFileError(_("Upload a .csv, .xlsx or .xls file."))
    if size == 0:
        raise ImportFileError(_("The file is empty."))
    if size > max_bytes():
        raise ImportFileError(
            _("The file is larger than %(mb)s MB; split it into smaller files.")
            % {"mb": settings.IMPORT_MAX_MB}
        )


@contextmanager
def open_table(path: str | Path, name: str, *, encoding: str = "", sheet: str = "") -> Iterator[Table]:
    """Open a stored file as a ``Table`` (``with open_table(...) as table: for n, cells in table.rows``)."""
    path = Path(path)
    check_upload(name, path.stat().st_size)
    suffix = Path(name).suffix.lower()
    if suffix in CSV_SUFFIXES:
        with path.open("rb") as raw:
            yield _csv_table(raw, encoding)
    elif suffix in XLSX_SUFFIXES:
        with _xlsx_table(path, sheet) as table:
            yield table
    else:
        yield _calamine_table(path, sheet)


# -- CSV -------------------------------------------------------------------------------------------
def detect_encoding(sample: bytes) -> str:
    """The encoding of a CSV file from its first bytes (see the module docstring)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        half = max(len(sample) // 2, 1)
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > half * 0.2 and even < half * 0.02:
            return "utf-16-le"
        if even > half * 0.2 and odd < half * 0.02:
            return "utf-16-be"
        raise ImportFileError(_("This is not a text file: save it as CSV or Excel and upload it again."))
    for candidate in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(candidate)()
        try:
            decoder.decode(sample, final=len(sample) < SAMPLE_BYTES)  # a cut character at the end is fine
        except UnicodeDecodeError:
            continue
        return candidate
    raise ImportFileError(
        _("The file is not in a known text encoding (UTF-8, GBK/GB18030, UTF-16); save it as CSV UTF-8.")
    )


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n")
    return controls > max(len(text) // 100, 0) if text else False


def _csv_table(raw: IO[bytes], encoding: str) -> Table:
    sample = raw.read(SAMPLE_BYTES)
    raw.seek(0)
    if encoding and encoding not in ENCODINGS:
        raise ImportFileError(_("Unknown encoding: %(name)s.") % {"name": encoding})
    encoding = encoding or detect_encoding(sample)
    text_sample = sample.decode(encoding, errors="ignore")
    if _looks_binary(text_sample):
        raise ImportFileError(_("This is not a text file: save it as CSV or Excel and upload it again."))
    try:
        dialect: Any = csv.Sniffer().sniff(text_sample.split("\n", 20)[0][:20_000], delimiters=",\t;|，")
    except csv.Error:
        dialect = csv.excel
    line = [0]  # the physical line being read (a quoted cell may span lines)

    def lines() -> Iterator[str]:
        if encoding.startswith("utf-16"):  # two bytes a character: let the codec split the lines
            for text in io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline=""):
                line[0] += 1
                yield text
            return
        # UTF-8 and GB18030 never use byte 0x0A inside a character: split first, decode each line,
        # so a line in another encoding is named exactly
        for number, data in enumerate(raw, start=1):
            line[0] = number
            yield data.decode(encoding if number == 1 else encoding.removesuffix("-sig"))

    reader = csv.reader(lines(), dialect)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        number = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                raise ImportFileError(
                    _(
                        "Line %(row)s is not in the file's encoding (%(encoding)s): the file mixes "
                        "encodings. Save it again as CSV UTF-8, or choose its encoding."
                    )
                    % {"row": line[0], "encoding": encoding}
                ) from None
            except csv.Error as error:
                if "field larger than field limit" in str(error):
                    raise _cell_too_long(number + 1) from None
                raise ImportFileError(
                    _("Row %(row)s cannot be read: %(error)s") % {"row": number + 1, "error": error}
                ) from None
            number += 1
            yield number, cells

    stream_rows = rows()
    header_row = _first_row(stream_rows)
    return Table(header=header_row, rows=_checked(stream_rows, len(header_row)), encoding=encoding)


# -- spreadsheets ----------------------------------------------------------------------------------
@contextmanager
def _xlsx_table(path: Path, sheet: str) -> Iterator[Table]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise _broken_sheet(error) from None
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise _broken_sheet(error) from None
    try:
        names = list(book.sheetnames)
        if sheet and sheet not in names:
            raise ImportFileError(_("The file has no sheet named “%(name)s”.") % {"name": sheet})
        worksheet = book[sheet or names[0]]

        def rows() -> Iterator[tuple[int, list[Any]]]:
            try:
                for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                    yield number, list(values)
            except ImportFileError:
                raise
            except Exception as error:  # a damaged part found while streaming
                raise _broken_sheet(error) from None

        stream_rows = rows()
        header_row = _first_row(stream_rows)
        yield Table(
            header=header_row,
            rows=_checked(stream_rows, len(header_row)),
            sheet=worksheet.title,
            sheets=names,
        )
    finally:
        book.close()


def _calamine_table(path: Path, sheet: str) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
        if sheet and sheet not in names:
            raise ImportFileError(_("The file has no sheet named “%(name)s”.") % {"name": sheet})
        worksheet = book.get_sheet_by_name(sheet or names[0])
        source = worksheet.iter_rows()
    except ImportFileError:
        raise
    except Exception as error:  # calamine raises its own error types for broken files
        raise _broken_sheet(error) from None

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for number, values in enumerate(source, start=1):
            yield number, list(values)

    stream_rows = rows()
    header_row = _first_row(stream_rows)
    return Table(
        header=header_row, rows=_checked(stream_rows, len(header_row)), sheet=worksheet.name, sheets=names
    )


def _broken_sheet(error: Exception) -> ImportFileError:
    return ImportFileError(
        _("The spreadsheet is damaged or not an Excel file (%(error)s); open it in Excel and save it again.")
        % {"error": type(error).__name__}
    )


# -- shared ----------------------------------------------------------------------------------------
def _blank(cells: list[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _cell_too_long(row: int) -> ImportFileError:
    return ImportFileError(
        _("Row %(row)s has a cell longer than %(max)s characters; nothing was imported.")
        % {"row": row, "max": settings.IMPORT_MAX_CELL_CHARS}
    )


def _first_row(rows: Iterator[tuple[int, list[Any]]]) -> list[str]:
    """The header: the first row that is not blank, checked for width and cell size."""
    for _number, cells in rows:
        if _blank(cells):
            continue
        while cells and (cells[-1] is None or str(cells[-1]).strip() == ""):
            cells.pop()
        if len(cells) > settings.IMPORT_MAX_COLUMNS:
            raise ImportFileError(
                _("The file has %(count)s columns; an import file may have at most %(max)s.")
                % {"count": len(cells), "max": settings.IMPORT_MAX_COLUMNS}
            )
        header = [_header_text(cell) for cell in cells]
        if any(len(title) > 200 for title in header):
            raise ImportFileError(
                _("A column title is longer than 200 characters: is the first row the header?")
            )
        return header
    raise ImportFileError(_("The file is empty."))


def _header_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime.date):
        return cell.isoformat()
    return str(cell).replace("\ufeff", "").strip()


def _checked(rows: Iterator[tuple[int, list[Any]]], width: int) -> Iterator[tuple[int, list[Any]]]:
    """Data rows without blank ones, cut to the header's width (extra cells must be empty)."""
    limit = settings.IMPORT_MAX_CELL_CHARS
    for number, cells in rows:
        if _blank(cells):
            continue
        if len(cells) > width:
            extra = cells[width:]
            if not _blank(extra) and len(cells) > settings.IMPORT_MAX_COLUMNS:
                raise ImportFileError(
                    _("Row %(row)s has %(count)s cells; an import file may have at most %(max)s columns.")
                    % {"row": number, "count": len(cells), "max": settings.IMPORT_MAX_COLUMNS}
                )
            cells = cells[:width] if _blank(extra) else cells
        for cell in cells:
            if isinstance(cell, str) and len(cell) > limit:
                raise _cell_too_long(number)
        yield number, cells
