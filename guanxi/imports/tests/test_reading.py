"""Reading files: encodings, delimiters, spreadsheets, limits and broken files (nothing staged)."""

from __future__ import annotations

import codecs
import datetime
import decimal

import pytest
from django.test import override_settings

from guanxi.imports import values
from guanxi.imports.reading import ImportFileError, detect_encoding, open_table
from guanxi.imports.tests.conftest import xlsx_bytes

TEXT = "客户名称,手机\n飞海科技,13800138000\n星河网络,13900139001\n"


def read(path, **kw):
    with open_table(path, path.name, **kw) as table:
        return table.header, [cells for _n, cells in table.rows], table


@pytest.mark.parametrize(
    ("encoding", "prefix", "expected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
        ("gbk", b"", "gb18030"),
        ("gb18030", b"", "gb18030"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
        ("utf-16-le", b"", "utf-16-le"),  # no BOM: never read as GB18030 mojibake
        ("utf-16-be", b"", "utf-16-be"),
    ],
)
def test_encodings_are_detected(write, encoding, prefix, expected):
    path = write("c.csv", prefix + TEXT.encode(encoding))
    header, rows, table = read(path)
    assert table.encoding == expected
    assert header == ["客户名称", "手机"]
    assert rows == [["飞海科技", "13800138000"], ["星河网络", "13900139001"]]


def test_encoding_can_be_chosen(write):
    path = write("c.csv", TEXT.encode("big5", errors="ignore") if False else TEXT.encode("gb18030"))
    header, _rows, table = read(path, encoding="gb18030")
    assert table.encoding == "gb18030" and header[0] == "客户名称"


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_any_delimiter(write, delimiter):
    path = write("c.csv", TEXT.replace(",", delimiter))
    header, rows, _ = read(path)
    assert header == ["客户名称", "手机"] and rows[1] == ["星河网络", "13900139001"]


def test_quoted_cells_with_commas_and_newlines(write):
    path = write("c.csv", '名称,备注\n"飞海, 科技","第一行\n第二行"\n')
    _h, rows, _ = read(path)
    assert rows == [["飞海, 科技", "第一行\n第二行"]]


def test_xlsx_first_or_chosen_sheet(write):
    path = write(
        "c.xlsx", xlsx_bytes([["名称", "成立日期"], ["飞海科技", datetime.date(2024, 3, 4)]], title="客户")
    )
    header, rows, table = read(path)
    assert table.sheet == "客户" and header == ["名称", "成立日期"]
    assert rows[0][0] == "飞海科技" and rows[0][1].date() == datetime.date(2024, 3, 4)
    with pytest.raises(ImportFileError, match="no sheet"):
        read(path, sheet="nope")


def test_blank_rows_are_dropped(write):
    path = write("c.csv", "名称\n\n飞海科技\n,\n星河\n")
    _h, rows, _ = read(path)
    assert rows == [["飞海科技"], ["星河"]]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "empty"),
        ("blank.csv", b"\n\n , \n", "empty"),
        ("binary.csv", bytes(range(256)) * 40, "not a text file"),
        ("zip.csv", b"PK\x03\x04" + b"\x00\x01\x02\x03" * 500, "not a text file"),
        ("broken.xlsx", b"PK\x03\x04 this is not a real workbook", "damaged"),
        ("notzip.xlsx", "名称\n飞海\n".encode(), "damaged"),
        ("broken.xls", b"\xd0\xcf\x11\xe0garbage" * 10, "damaged"),
        ("table.pdf", b"%PDF-1.4", ".csv"),
    ],
)
def test_bad_files_have_a_clear_message(write, name, content, message):
    path = write(name, content)
    with pytest.raises(ImportFileError, match=message):
        read(path)


def test_truncated_xlsx(write):
    data = xlsx_bytes([["名称"], ["飞海科技"]])
    path = write("cut.xlsx", data[: len(data) // 2])
    with pytest.raises(ImportFileError, match="damaged"):
        read(path)


def test_too_many_columns(write):
    path = write(
        "wide.csv", ",".join(f"c{i}" for i in range(10_000)) + "\n" + ",".join("1" for _ in range(10_000))
    )
    with pytest.raises(ImportFileError, match="10000 columns"):
        read(path)


@override_settings(IMPORT_MAX_CELL_CHARS=1000)
def test_cell_too_long(write):
    path = write("long.csv", "名称,备注\n飞海," + "长" * 5000 + "\n")
    with pytest.raises(ImportFileError, match="longer than 1000"):
        read(path)


def test_huge_cell_over_the_csv_limit(write):
    path = write("huge.csv", "名称,备注\n飞海," + "x" * 200_000 + "\n")
    with pytest.raises(ImportFileError, match="longer than"):
        read(path)


@override_settings(IMPORT_MAX_MB=1)
def test_size_limit_checked_before_reading(write):
    path = write("big.csv", "名称\n" + "飞海科技\n" * 200_000)
    with pytest.raises(ImportFileError, match="larger than 1 MB"):
        read(path)


def test_mixed_encodings_name_the_row(write):
    content = "名称\n".encode() + "飞海科技\n".encode() * 10_000 + "星河网络\n".encode("gbk")
    path = write("mixed.csv", content)  # UTF-8 for the first 64 KB, then a GBK row
    with pytest.raises(ImportFileError, match="Line 10002 is not in the file's encoding"):
        read(path)


def test_detect_encoding_of_cut_utf8_sample():
    sample = ("飞" * 30_000).encode()[: 64 * 1024]  # a character cut at the end of the sample
    assert detect_encoding(sample) == "utf-8"


# -- cell values ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "cell",
    [
        "2024-03-04",
        "2024/03/04",
        "2024/3/4",
        "2024.3.4",
        "2024年3月4日",
        "2024年03月04号",
        "20240304",
        "２０２４－０３－０４",
        45355,
        "45355",
        datetime.datetime(2024, 3, 4, 10, 0),
    ],
)
def test_dates_in_common_forms(cell):
    assert values.date(cell) == datetime.date(2024, 3, 4)


@pytest.mark.parametrize("cell", ["2024-13-01", "yesterday", "2024/02/30", ""])
def test_bad_dates(cell):
    with pytest.raises(ValueError, match="not a date"):
        values.date(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1,234.50", "1234.50"),
        ("１２３４", "1234"),
        ("１，２３４", "1234"),
        ("¥ 1,234", "1234"),
        ("-12.5", "-12.5"),
        (12.5, "12.5"),
        (3, "3"),
        ("12.5%", "12.5"),
    ],
)
def test_numbers_as_people_write_them(cell, expected):
    assert values.number(cell) == decimal.Decimal(expected)


@pytest.mark.parametrize("cell", ["12,34", "abc", "1.2.3", "NaN", "inf"])
def test_bad_numbers(cell):
    with pytest.raises(ValueError, match="not a number"):
        values.number(cell)


def test_booleans_and_formulas():
    assert values.boolean("是") is True and values.boolean("否") is False and values.boolean("Yes") is True
    with pytest.raises(ValueError):
        values.boolean("maybe")
    assert (
        values.is_formula("=SUM(A1:A3)")
        and not values.is_formula("+8613800138000")
        and not values.is_formula("=")
    )
    assert values.text(13800138000.0) == "13800138000"
