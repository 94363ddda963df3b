"""Numbers as German and English exports write them: the decimal mark is decided from evidence
in the file, never from how many digits follow the mark, and a number that stays ambiguous is
rejected rather than guessed."""

from __future__ import annotations

import contextlib
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.ingest import load_mapping, read_table, validate
from workbench.ingest.values import (
    AmbiguousNumber,
    NumberError,
    parse_decimal,
    parse_int,
    read_column,
)

HEADER = "MATNR;MAKTX;MTART;MATKL;MEINS;STPRS\r\n"


def _price_file(tmp_path: Path, prices: list[str]) -> Path:
    path = tmp_path / "mara.csv"
    lines = [f"{i:018d};Material {i};ZFAB;jersey;KG;{p}\r\n" for i, p in enumerate(prices, 1)]
    path.write_bytes((HEADER + "".join(lines)).encode("cp1252"))
    return path


def test_a_comma_before_three_digits_after_a_zero_is_a_decimal_mark(tmp_path: Path) -> None:
    """0,180 is never 180: no thousands grouping starts with a zero."""
    table = validate(read_table(_price_file(tmp_path, ["0,180"])), load_mapping("materials"))
    assert table.problems == []
    assert table.rows[0][1]["price"] == "0.180"


def test_three_decimals_are_read_by_the_files_other_numbers(tmp_path: Path) -> None:
    table = validate(
        read_table(_price_file(tmp_path, ["1,180", "2,5", "1.234,567"])), load_mapping("materials")
    )
    assert table.problems == []
    assert [v["price"] for _, v in table.rows] == ["1.180", "2.5", "1234.567"]


def test_a_column_that_stays_ambiguous_is_rejected(tmp_path: Path) -> None:
    table = validate(read_table(_price_file(tmp_path, ["1,180", "12"])), load_mapping("materials"))
    [problem] = table.problems
    assert (problem.row, problem.column, problem.value) == (2, "STPRS", "1,180")
    assert problem.message.startswith("ambiguous: ")
    assert "1.180" in problem.message and "1180" in problem.message
    assert [v["price"] for _, v in table.rows] == ["12"]


def test_the_files_decimal_mark_can_be_given(tmp_path: Path) -> None:
    mapping = load_mapping("materials")
    table = validate(read_table(_price_file(tmp_path, ["1,180"])), mapping, decimal_mark=",")
    assert table.rows[0][1]["price"] == "1.180"
    table = validate(read_table(_price_file(tmp_path, ["1,180"])), mapping, decimal_mark=".")
    assert table.rows[0][1]["price"] == "1180"


def test_a_trailing_minus_is_a_negative_sign() -> None:
    assert parse_decimal("0,120-") == Decimal("-0.120")
    assert parse_decimal("1.234,5-") == Decimal("-1234.5")
    with pytest.raises(NumberError, match="not a number"):
        parse_decimal("-1,5-")


def test_a_negative_where_none_is_allowed_is_rejected_as_negative(tmp_path: Path) -> None:
    table = validate(
        read_table(_price_file(tmp_path, ["0,120-", "3,5"])), load_mapping("materials")
    )
    [problem] = table.problems
    assert (problem.value, problem.message.split(":")[0]) == ("0,120-", "negative")


@pytest.mark.parametrize(
    ("text", "mark", "expected"),
    [
        ("1.234,56", None, "1234.56"),
        ("1,234.56", None, "1234.56"),
        ("123-", None, "-123"),
        ("1 234,5", None, "1234.5"),
        ("0,75", None, "0.75"),
        ("1.234.567", None, "1234567"),
        ("12.345,6-", None, "-12345.6"),
        ("1,234", ",", "1.234"),
        ("1,234", ".", "1234"),
        ("12,34,567.50", None, "1234567.50"),
        ("1'234.5", None, "1234.5"),
        ("0.125", None, "0.125"),
        ("1234,567", None, "1234.567"),
        (",5", None, "0.5"),
    ],
)
def test_numbers_as_exports_write_them(text: str, mark: str | None, expected: str) -> None:
    assert parse_decimal(text, mark) == Decimal(expected)


@pytest.mark.parametrize("text", ["1,234", "1.234", "-12.000", "999,999-"])
def test_a_lone_mark_before_three_digits_is_ambiguous(text: str) -> None:
    with pytest.raises(AmbiguousNumber):
        parse_decimal(text)


@pytest.mark.parametrize("text", ["twelve", "1.23.4", "1,2,3", "1.234,56.7", "--1", "1e5", ""])
def test_what_is_not_a_number(text: str) -> None:
    with pytest.raises(NumberError):
        parse_decimal(text, ",")


def test_whole_numbers() -> None:
    assert parse_int("1.500", ",") == 1500 and parse_int("12.000", ".") == 12
    assert parse_int("1.250.000") == 1250000
    with pytest.raises(NumberError, match="not a whole number"):
        parse_int("12,5")
    with pytest.raises(AmbiguousNumber):
        parse_int("12.000")  # twelve with SAP's three decimals, or twelve thousand


def test_a_comma_in_a_point_column_is_refused_when_the_mark_is_given() -> None:
    with pytest.raises(NumberError, match="decimal mark"):
        parse_decimal("2,5", ".", strict=True)
    assert parse_decimal("2,5", ".") == Decimal("2.5")  # told by its own digits


# -- properties ------------------------------------------------------------------------------

amounts = st.decimals(
    min_value=Decimal("-99999999.999"),
    max_value=Decimal("99999999.999"),
    places=3,
    allow_nan=False,
    allow_infinity=False,
)
FORMATS = [(",", "."), (",", ""), (",", " "), (".", ","), (".", ""), (".", "'")]


def write_number(
    value: Decimal, places: int, mark: str, grouping: str, trailing_minus: bool
) -> str:
    """``value`` as a locale writes it: ``mark`` before the decimals, ``grouping`` between
    thousands, the minus first or (SAP) last."""
    text = f"{abs(value):,.{places}f}" if places else f"{abs(value):,.0f}"
    whole, _, fraction = text.partition(".")
    text = whole.replace(",", grouping) + (mark + fraction if places else "")
    if value < 0:
        text = text + "-" if trailing_minus else "-" + text
    return text


@given(amounts, st.integers(0, 4), st.sampled_from(FORMATS), st.booleans())
def test_any_number_reads_back_when_its_mark_is_known(
    value: Decimal, places: int, fmt: tuple[str, str], trailing: bool
) -> None:
    value = round(value, places)
    text = write_number(value, places, fmt[0], fmt[1], trailing)
    assert parse_decimal(text, fmt[0]) == value


@given(amounts, st.integers(0, 4), st.sampled_from(FORMATS), st.booleans())
def test_a_number_alone_is_read_right_or_called_ambiguous(
    value: Decimal, places: int, fmt: tuple[str, str], trailing: bool
) -> None:
    value = round(value, places)
    text = write_number(value, places, fmt[0], fmt[1], trailing)
    with contextlib.suppress(AmbiguousNumber):
        assert parse_decimal(text) == value


@given(st.lists(amounts, min_size=1, max_size=30), st.integers(0, 4), st.sampled_from(FORMATS))
def test_a_column_reads_back_exactly_or_rejects_as_ambiguous(
    values: list[Decimal], places: int, fmt: tuple[str, str]
) -> None:
    values = [round(v, places) for v in values]
    texts = [write_number(v, places, fmt[0], fmt[1], True) for v in values]
    read = read_column(texts)
    for value, got in zip(values, read, strict=True):
        assert got == value or isinstance(got, AmbiguousNumber)


@given(st.lists(amounts, min_size=1, max_size=30), st.integers(0, 4), st.sampled_from(FORMATS))
def test_a_column_with_a_telling_number_reads_back_exactly(
    values: list[Decimal], places: int, fmt: tuple[str, str]
) -> None:
    """A number with other than three decimals tells the mark, and so reads the whole column
    (including its 1,234-like numbers, whichever way they were meant)."""
    values = [round(v, places) for v in values] + [Decimal("0.5")]
    texts = [write_number(v, places, fmt[0], fmt[1], False) for v in values[:-1]]
    texts.append(f"0{fmt[0]}5")
    assert read_column(texts) == values


@given(st.lists(st.integers(1, 999), min_size=1, max_size=20), st.integers(0, 999))
def test_a_column_of_only_ambiguous_numbers_is_rejected(heads: list[int], tail: int) -> None:
    texts = [f"{h},{tail:03d}" for h in heads]
    assert all(isinstance(r, AmbiguousNumber) for r in read_column(texts))
