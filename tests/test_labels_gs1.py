"""GS1 Digital Link URIs and the workspace ID scheme (workbench.labels.gs1)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.labels.gs1 import (
    CHARSET_82,
    DigitalLink,
    LabelError,
    gtin_check_digit,
    measure_attribute,
    measure_from_attributes,
    normalize_gtin,
    parse_digital_link,
)

RESOLVER = "id.example-mill.com"


# --- GTIN ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("0950600013435", "2"),  # GTIN-14 09506000134352 (GS1's own example)
        ("400638133393", "1"),  # GTIN-13 4006381333931
        ("03600029145", "2"),  # GTIN-12 (UPC-A) 036000291452
        ("9638507", "4"),  # GTIN-8 96385074
        ("0000000000000", "0"),
    ],
)
def test_check_digit(body: str, check: str) -> None:
    assert gtin_check_digit(body) == check


@pytest.mark.parametrize(
    ("gtin", "expected"),
    [
        ("09506000134352", "09506000134352"),
        ("4006381333931", "04006381333931"),
        ("036000291452", "00036000291452"),
        ("96385074", "00000096385074"),
        (" 4006381 333931 ", "04006381333931"),
    ],
)
def test_valid_gtins_are_padded_to_14_digits(gtin: str, expected: str) -> None:
    assert normalize_gtin(gtin) == expected


def test_wrong_check_digit_names_value_and_expected_digit() -> None:
    with pytest.raises(LabelError, match=r"'4006381333932' has check digit 2; expected 1"):
        normalize_gtin("4006381333932")
    with pytest.raises(LabelError, match=r"'09506000134353' has check digit 3; expected 2"):
        normalize_gtin("09506000134353")


@pytest.mark.parametrize(
    ("gtin", "message"),
    [
        ("12345", "5 digits"),
        ("123456789012345", "15 digits"),
        ("40063813339A1", "digits only"),
        ("", "digits only"),
    ],
)
def test_malformed_gtins_are_rejected(gtin: str, message: str) -> None:
    with pytest.raises(LabelError, match=message):
        normalize_gtin(gtin)


# --- key qualifiers -----------------------------------------------------------------------


def test_qualifiers_come_in_the_order_22_10_21() -> None:
    link = DigitalLink(RESOLVER, gtin="09506000134352", serial="S9", lot="L1", variant="02")
    assert link.uri == f"https://{RESOLVER}/01/09506000134352/22/02/10/L1/21/S9"


def test_only_given_qualifiers_are_written() -> None:
    link = DigitalLink(RESOLVER, gtin="4006381333931", serial="0001")
    assert link.uri == f"https://{RESOLVER}/01/04006381333931/21/0001"


def test_slash_in_a_lot_is_percent_encoded() -> None:
    link = DigitalLink(RESOLVER, gtin="09506000134352", lot="A/B12")
    assert link.uri.endswith("/10/A%2FB12")
    assert parse_digital_link(link.uri).lot == "A/B12"


def test_every_character_of_set_82_survives_the_round_trip() -> None:
    specials = "!\"%&'()*+,-./:;<=>?_"
    link = DigitalLink(RESOLVER, gtin="09506000134352", lot=specials[:20], serial="aZ09")
    # reserved characters become %XX; '-', '.' and '_' are unreserved and stay
    assert "/10/%21%22%25%26%27%28%29%2A%2B%2C-.%2F%3A%3B%3C%3D%3E%3F_/21/aZ09" in link.uri
    assert parse_digital_link(link.uri) == link


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("lot", "A/B 12", r"lot 'A/B 12' \(GS1 AI 10\): ' ' not allowed"),
        ("lot", "L#42", r"lot 'L#42' \(GS1 AI 10\): '#' not allowed"),
        ("lot", "L" * 21, r"lot 'L{21}' \(GS1 AI 10\) has 21 characters; at most 20"),
        ("serial", "Sé1", r"serial 'Sé1' \(GS1 AI 21\): 'é' not allowed"),
        ("serial", "S~1", r"serial 'S~1' \(GS1 AI 21\): '~' not allowed"),
        ("variant", "V" * 21, r"variant 'V{21}' \(GS1 AI 22\) has 21 characters"),
        ("variant", "a[b]", r"'\[', '\]' not allowed"),
        ("lot", "", r"lot \(GS1 AI 10\) is empty"),
    ],
)
def test_qualifier_values_outside_set_82_or_too_long_are_rejected(
    field: str, value: str, message: str
) -> None:
    with pytest.raises(LabelError, match=message):
        DigitalLink(RESOLVER, gtin="09506000134352", **{field: value})


def test_twenty_characters_are_allowed() -> None:
    link = DigitalLink(RESOLVER, gtin="09506000134352", lot="L" * 20, serial="9" * 20)
    assert parse_digital_link(link.uri).serial == "9" * 20


# --- data attributes ----------------------------------------------------------------------


def test_attributes_go_in_the_query_sorted_by_ai() -> None:
    link = DigitalLink(
        RESOLVER, gtin="09506000134352", lot="L1", attributes={"17": "271231", "11": "261124"}
    )
    assert link.uri == f"https://{RESOLVER}/01/09506000134352/10/L1?11=261124&17=271231"


@pytest.mark.parametrize("value", ["261124", "280229", "261100", "000101", "991231"])
def test_valid_dates(value: str) -> None:
    # 2028 is a leap year; day 00 means "day not given" in AIs 11-17
    DigitalLink(RESOLVER, gtin="09506000134352", attributes={"11": value, "17": value})


@pytest.mark.parametrize(
    ("ai", "value", "message"),
    [
        ("11", "261324", r"production date '261324' \(GS1 AI 11\): month 13 does not exist"),
        ("11", "260230", r"production date '260230' \(GS1 AI 11\): 2026-02 has no day 30"),
        ("17", "270229", r"expiry date '270229' \(GS1 AI 17\): 2027-02 has no day 29"),
        ("17", "261131", r"2026-11 has no day 31"),
        ("11", "26112", r"production date '26112' \(GS1 AI 11\): write it as YYMMDD"),
        ("11", "2611AA", r"write it as YYMMDD"),
        ("11", "20261124", r"write it as YYMMDD"),
        ("11", "260013", r"month 00 does not exist"),
    ],
)
def test_bad_dates_are_rejected(ai: str, value: str, message: str) -> None:
    with pytest.raises(LabelError, match=message):
        DigitalLink(RESOLVER, gtin="09506000134352", attributes={ai: value})


def test_unknown_and_malformed_attributes_are_rejected() -> None:
    with pytest.raises(LabelError, match=r"GS1 AI 99 is not one we print"):
        DigitalLink(RESOLVER, gtin="09506000134352", attributes={"99": "x"})
    with pytest.raises(LabelError, match=r"net weight '12.5' \(GS1 AI 3101\): six digits"):
        DigitalLink(RESOLVER, gtin="09506000134352", attributes={"3101": "12.5"})
    with pytest.raises(LabelError, match=r"count '123456789' \(GS1 AI 30\)"):
        DigitalLink(RESOLVER, gtin="09506000134352", attributes={"30": "123456789"})


@pytest.mark.parametrize(
    ("quantity", "unit", "expected"),
    [
        ("125.5", "kg", ("3101", "001255")),
        ("125.50", "kg", ("3101", "001255")),
        ("1200", "m", ("3110", "001200")),
        ("0.125", "m2", ("3143", "000125")),
        ("999999", "kg", ("3100", "999999")),
        ("40", "pc", ("30", "40")),
    ],
)
def test_net_quantity_attribute(quantity: str, unit: str, expected: tuple[str, str]) -> None:
    assert measure_attribute(Decimal(quantity), unit) == expected
    link = DigitalLink(RESOLVER, gtin="09506000134352", attributes=dict([expected]))
    parsed = parse_digital_link(link.uri)
    assert measure_from_attributes(parsed.attributes) == (
        Decimal(quantity),
        "m2" if unit == "m2" else unit,
    )


def test_quantities_are_never_rounded() -> None:
    with pytest.raises(LabelError, match=r"quantity 12.3456789 kg does not fit GS1 AI 310n"):
        measure_attribute(Decimal("12.3456789"), "kg")
    with pytest.raises(LabelError, match=r"quantity 1000000 kg does not fit"):
        measure_attribute(Decimal("1000000"), "kg")
    with pytest.raises(LabelError, match=r"a count is a whole number"):
        measure_attribute(Decimal("2.5"), "pc")
    assert measure_attribute(Decimal("3"), "cones") is None


# --- the workspace ID scheme --------------------------------------------------------------


def test_workspace_id_uri() -> None:
    link = DigitalLink(
        RESOLVER, workspace="acme-mills", kind="material", code="YRN 30/1 CO", lot="L7"
    )
    assert link.uri == f"https://{RESOLVER}/id/acme-mills/material/YRN%2030%2F1%20CO/10/L7"
    assert not link.is_gs1
    assert parse_digital_link(link.uri) == link


def test_workspace_code_never_leaves_zpl_command_characters_in_the_uri() -> None:
    link = DigitalLink(RESOLVER, workspace="acme", kind="bundle", code="B^7~x é")
    assert "^" not in link.uri and "~" not in link.uri and link.uri.isascii()
    assert "B%5E7%7Ex%20%C3%A9" in link.uri
    assert parse_digital_link(link.uri).code == "B^7~x é"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"workspace": "acme", "kind": "gtin", "code": "X"}, r"kind 'gtin'"),
        ({"workspace": "acme", "kind": "01", "code": "X"}, r"kind '01'"),
        ({"workspace": "acme", "kind": "Material", "code": "X"}, r"kind 'Material'"),
        ({"workspace": "my mill", "kind": "material", "code": "X"}, r"workspace 'my mill'"),
        ({"workspace": "acme", "kind": "material", "code": " X"}, r"code ' X': empty or"),
        ({"workspace": "acme", "kind": "material", "code": "X" * 41}, r"41 characters"),
        ({"workspace": "acme", "kind": "material", "code": "A\tB"}, r"control character"),
        ({"workspace": "acme", "kind": "material"}, r"needs a GTIN, or a workspace"),
        (
            {"gtin": "09506000134352", "workspace": "acme", "kind": "material", "code": "X"},
            r"not both",
        ),
    ],
)
def test_workspace_id_rules(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(LabelError, match=message):
        DigitalLink(RESOLVER, **kwargs)


@pytest.mark.parametrize(
    ("resolver", "message"),
    [
        ("https://id.example.com", "no 'https://'"),
        ("id.example.com/", "no trailing"),
        ("id.example.com/01", "segment '01'"),
        ("id.example.com/labels/id", "segment 'id'"),
    ],
)
def test_resolver_rules(resolver: str, message: str) -> None:
    with pytest.raises(LabelError, match=message):
        DigitalLink(resolver, gtin="09506000134352")


# --- parsing ------------------------------------------------------------------------------


def test_parse_reads_every_field() -> None:
    uri = "https://id.example-mill.com/01/09506000134352/22/2/10/L%2F7/21/S1?11=261124&3101=001255"
    link = parse_digital_link(uri)
    assert (link.resolver, link.gtin, link.variant, link.lot, link.serial) == (
        "id.example-mill.com",
        "09506000134352",
        "2",
        "L/7",
        "S1",
    )
    assert link.attributes == {"11": "261124", "3101": "001255"}
    assert link.uri == uri


def test_parse_normalises_short_gtins_and_keeps_a_resolver_path() -> None:
    link = parse_digital_link("http://example.com:8443/dl/01/4006381333931/10/L1?utm_source=x")
    assert link.gtin == "04006381333931"
    assert link.resolver == "example.com:8443/dl"
    assert link.attributes == {}  # non-AI parameters pass through the standard, not into us
    assert link.uri == "https://example.com:8443/dl/01/04006381333931/10/L1"


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        (f"https://{RESOLVER}/01/09506000134352/21/S1/10/L1", r"qualifier 10 comes after 21"),
        (f"https://{RESOLVER}/01/09506000134352/10/L1/22/V", r"qualifier 22 comes after 10"),
        (f"https://{RESOLVER}/01/09506000134352/10/L1/10/L2", r"qualifier 10 comes after 10"),
        (f"https://{RESOLVER}/01/09506000134352/99/x", r"'99' is not a key qualifier"),
        (f"https://{RESOLVER}/01/09506000134352/10", r"no value after it"),
        (f"https://{RESOLVER}/01/09506000134353", r"expected 2"),
        (f"https://{RESOLVER}/01/09506000134352/10/A%20B", r"' ' not allowed"),
        (f"https://{RESOLVER}/01/09506000134352?11=261399", r"month 13"),
        (f"https://{RESOLVER}/01/09506000134352?11=261124&11=261125", r"given twice"),
        (f"https://{RESOLVER}/products/123", r"neither a GTIN"),
        (f"https://{RESOLVER}/id/acme/material", r"/id/<workspace>/<kind>/<code>"),
        (f"https://{RESOLVER}/id/acme/material/%FF", r"not valid UTF-8"),
        ("ftp://example.com/01/09506000134352", r"not a web address"),
    ],
)
def test_parse_rejects(uri: str, message: str) -> None:
    with pytest.raises(LabelError, match=message):
        parse_digital_link(uri)


_SET_82 = st.text(alphabet=sorted(CHARSET_82), min_size=1, max_size=20)


@given(
    lot=st.none() | _SET_82,
    serial=st.none() | _SET_82,
    variant=st.none() | _SET_82,
    code=st.none() | st.text(min_size=1, max_size=40).map(str.strip).filter(bool),
)
def test_round_trip_build_parse(
    lot: str | None, serial: str | None, variant: str | None, code: str | None
) -> None:
    if code is not None and any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in code):
        code = "C-1"
    identity = (
        {"gtin": "09506000134352"}
        if code is None
        else {"workspace": "acme", "kind": "bundle", "code": code}
    )
    link = DigitalLink(
        RESOLVER, lot=lot, serial=serial, variant=variant, attributes={"11": "261124"}, **identity
    )
    assert parse_digital_link(link.uri) == link
