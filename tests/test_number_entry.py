"""Reading a number a merchandiser typed: the locale's decimal mark and grouping, the explicit
rule for the other mark, and what is refused rather than guessed; and the trade ranges a
cost sheet's fields are checked against."""

from __future__ import annotations

from decimal import Decimal

import pytest

from workbench.costing.limits import FIELD_LIMITS, check_plausible
from workbench.numbers import ENGLISH, NumberError, NumberFormat, read_number

GERMAN = NumberFormat(decimal=",", group=".")
SWISS = NumberFormat(decimal=".", group="'")
FRENCH = NumberFormat(decimal=",", group="\u202f")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", "12"),
        ("12.5", "12.5"),
        ("-0.5", "-0.5"),
        ("1,200.5", "1200.5"),
        ("1,200,000", "1200000"),
        ("1,00,000", "100000"),
        (" 70 ", "70"),
        ("12,5", "12.5"),
        ("0,75", "0.75"),
        (".5", "0.5"),
    ],
)
def test_english_numbers(text: str, expected: str) -> None:
    assert read_number(text, ENGLISH) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12,5", "12.5"), ("1.200,5", "1200.5"), ("1.200.000", "1200000"), ("12.5", "12.5")],
)
def test_german_numbers(text: str, expected: str) -> None:
    assert read_number(text, GERMAN) == Decimal(expected)


def test_other_groupings() -> None:
    assert read_number("1'200.5", SWISS) == Decimal("1200.5")
    assert read_number("1\u202f200,5", FRENCH) == Decimal("1200.5")


def test_a_mark_that_could_be_either_is_refused_not_guessed() -> None:
    with pytest.raises(NumberError, match=r"'1,200' could be 1200 or 1\.2"):
        read_number("1,200", ENGLISH)
    with pytest.raises(NumberError, match=r"'1\.200' could be 1200 or 1,2"):
        read_number("1.200", GERMAN)


def test_in_a_whole_number_field_grouping_is_the_only_reading() -> None:
    assert read_number("1,200", ENGLISH, whole=True) == 1200
    with pytest.raises(NumberError, match="whole number"):
        read_number("12.5", ENGLISH, whole=True)


@pytest.mark.parametrize(
    "text", ["1e9", "abc", "1.2.3", "1.200,5", "12..5", "--1", "1,2,3", "", "nan", "inf", "1,20,0"]
)
def test_what_is_not_a_number_here(text: str) -> None:
    with pytest.raises(NumberError):
        read_number(text, ENGLISH)


def test_trade_ranges_in_the_fields_units() -> None:
    assert check_plausible("sam", Decimal(12)) is None
    refused = check_plausible("sam", Decimal(10) ** 9)
    assert refused is not None and refused.refused and "min" in refused.message
    odd = check_plausible("gsm", Decimal(900))
    assert odd is not None and not odd.refused and "g/m²" in odd.message
    zero = check_plausible("line_efficiency", Decimal(0))
    assert zero is not None and zero.refused and zero.message.endswith("%")
    minus = check_plausible("wastage", Decimal(-50))
    assert minus is not None and minus.refused and "-50 %" in minus.message
    assert {"sam", "gsm", "width_cm", "line_efficiency", "wastage"} <= set(FIELD_LIMITS)
