"""GS1 Digital Link URIs for what a label identifies, and the workspace's own IDs for the rest.

A label's QR code holds a web address: any phone camera opens the traceability page behind
it, and a GS1-aware scanner reads the same GTIN, lot and serial it would read from a GS1-128
barcode. Both forms below live on the workspace's resolver host.

Trade items with a GTIN (GS1 Digital Link)::

    https://{resolver}/01/{GTIN-14}[/22/{variant}][/10/{lot}][/21/{serial}][?{AI}={value}&...]

- The GTIN is always written with 14 digits (GTIN-8, -12 and -13 are padded with zeros, as
  the standard asks), and its check digit is verified.
- Key qualifiers come in the one order the standard allows for a GTIN: 22 (consumer product
  variant), 10 (batch/lot), 21 (serial). Their values use GS1 character set 82 and at most
  20 characters.
- Data attributes go in the query string, sorted by AI: dates 11 (production), 13 (packed),
  15 (best before), 16 (sell by), 17 (expiry) as YYMMDD, net weight 310n (kg), length 311n
  (m), area 314n (m²) as six digits with n decimals, and count 30.
- Values are percent-encoded with ``urllib.parse.quote(value, safe="")``: every character of
  set 82 that is reserved in a URI (``! " % & ' ( ) * + , / : ; < = > ?``) becomes ``%XX``,
  which is what GS1 Digital Link requires, and letters, digits, ``-``, ``.``, ``_`` stay.

Items without a GTIN (the workspace ID scheme)::

    https://{resolver}/id/{workspace}/{kind}/{code}[/22/{variant}][/10/{lot}][/21/{serial}][?...]

Yarn lots, greige rolls, cut bundles and most materials a mill labels are never sold as trade
items, so they have no GTIN. We do not mint GTINs from a workspace's GS1 company prefix: a
GTIN is allocated once per trade item by the brand owner and must not be reused for years,
so deriving one from an internal code would hand out numbers nobody allocated (and hand the
same number out twice when a code is renamed). A workspace that owns a prefix records its
allocated GTINs on its materials; everything else gets a workspace ID. The shape is chosen so:

- one resolver and one traceability page handle both forms;
- no GS1 Digital Link parser can take a workspace ID for a GTIN: a primary key is a numeric
  AI or a GS1 short name (``gtin``, ``sscc``, ...), while ``kind`` is a lower-case word that
  may not be one of those names, so such a parser reports "not a Digital Link" rather than
  reading a wrong key;
- lot, serial and variant keep their AI numbers, character set and lengths, so an item that
  later gets a GTIN keeps printing the same lot and serial, and one set of checks applies;
- the workspace name keeps codes of two workspaces (two companies on one resolver) apart.

``workspace`` follows the workspace naming rule (letters, digits, ``.``, ``_``, ``-``);
``code`` may be any text of up to 40 characters (SAP material numbers, spaces included) and
is percent-encoded like AI values, ``~`` included, so that a URI never holds a ``^`` or
``~`` (ZPL's command prefixes) and travels to a Zebra printer unescaped.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from workbench.errors import WorkbenchError

__all__ = [
    "CHARSET_82",
    "QUALIFIERS",
    "DigitalLink",
    "LabelError",
    "gs1_date",
    "gtin_check_digit",
    "measure_attribute",
    "measure_from_attributes",
    "normalize_gtin",
    "parse_digital_link",
]


class LabelError(WorkbenchError, ValueError):
    """A label value the standard (or our scheme) does not allow; the message names the
    field and the value, so the person printing can correct it."""


#: GS1 AI encodable character set 82 (GS1 General Specifications, section 7.11).
CHARSET_82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)

#: The key qualifiers of a GTIN (and of a workspace ID), in the only order allowed.
QUALIFIERS: tuple[str, ...] = ("22", "10", "21")

_QUALIFIER_NAMES = {"22": "variant", "10": "lot", "21": "serial"}
_QUALIFIER_MAX = {"22": 20, "10": 20, "21": 20}
_DATE_AIS = {
    "11": "production date",
    "13": "packaging date",
    "15": "best before date",
    "16": "sell by date",
    "17": "expiry date",
}
_MEASURE_AIS = {"310": ("kg", "net weight"), "311": ("m", "length"), "314": ("m2", "area")}
_UNIT_AIS = {"kg": "310", "m": "311", "m2": "314", "m²": "314"}
_COUNT_UNITS = {"pc", "pcs"}

#: GS1 short names of primary keys; a workspace ID ``kind`` may not be one of these.
_GS1_KEY_NAMES = frozenset(
    {
        "gtin",
        "itip",
        "gmn",
        "cpid",
        "gln",
        "party",
        "sscc",
        "grai",
        "giai",
        "gsrn",
        "gsrnp",
        "gdti",
        "gcn",
        "ginc",
        "gsin",
        "upui",
    }
)
_RESOLVER = re.compile(
    r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?(?:/[A-Za-z0-9._-]+)*$"
)
_WORKSPACE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_KIND = re.compile(r"^[a-z][a-z-]{1,23}$")
_CODE_MAX = 40


def _encode(value: str) -> str:
    """Percent-encode one path segment or query value (``~`` too: see the module notes)."""
    return quote(value, safe="").replace("~", "%7E")


def gtin_check_digit(body: str) -> str:
    """The GS1 mod-10 check digit for ``body`` (a GTIN, GLN or SSCC without its last digit).

    From the right, digits are weighted 3, 1, 3, 1, ...; the check digit brings the sum up
    to a multiple of ten. Leading zeros do not change it, which is why padding a GTIN-13 to
    14 digits keeps it valid.
    """
    if not body.isascii() or not body.isdigit():
        raise LabelError(f"GTIN body {body!r}: a check digit is computed over digits only")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def normalize_gtin(value: str) -> str:
    """``value`` (GTIN-8, -12, -13 or -14, spaces allowed) as the 14 digits Digital Link uses.

    Raises :class:`LabelError` for a wrong length, a non-digit or a wrong check digit; the
    message names the value and the check digit it should have.
    """
    digits = "".join(str(value).split())
    if not digits.isascii() or not digits.isdigit():
        raise LabelError(f"GTIN {value!r}: a GTIN has digits only")
    if len(digits) not in (8, 12, 13, 14):
        raise LabelError(f"GTIN {value!r} has {len(digits)} digits; a GTIN has 8, 12, 13 or 14")
    expected = gtin_check_digit(digits[:-1])
    if digits[-1] != expected:
        raise LabelError(
            f"GTIN {value!r} has check digit {digits[-1]}; expected {expected} "
            f"(is a digit mistyped?)"
        )
    return digits.rjust(14, "0")


def gs1_date(value: date) -> str:
    """A date as GS1 writes it in AIs 11-17: ``YYMMDD``."""
    return value.strftime("%y%m%d")


def _gs1_year(yy: int, today: date) -> int:
    """The full year for ``YY`` by GS1's sliding window (General Specifications 7.12):
    up to 49 years back and 50 ahead of this year, so 2-digit years stay unambiguous."""
    year = today.year - today.year % 100 + yy
    if year - today.year >= 51:
        year -= 100
    elif today.year - year > 49:
        year += 100
    return year


def _check_date(ai: str, value: str) -> None:
    name = _DATE_AIS[ai]
    if len(value) != 6 or not value.isascii() or not value.isdigit():
        raise LabelError(f"{name} {value!r} (GS1 AI {ai}): write it as YYMMDD, six digits")
    yy, mm, dd = int(value[:2]), int(value[2:4]), int(value[4:])
    if not 1 <= mm <= 12:
        raise LabelError(f"{name} {value!r} (GS1 AI {ai}): month {mm:02d} does not exist")
    # DD 00 means "day not given" (allowed for AIs 11-17); otherwise the day must
    # exist in that month of that year (29 February only in leap years).
    year = _gs1_year(yy, date.today())
    if dd != 0 and dd > calendar.monthrange(year, mm)[1]:
        raise LabelError(f"{name} {value!r} (GS1 AI {ai}): {year}-{mm:02d} has no day {dd:02d}")


def _check_qualifier(ai: str, value: str) -> None:
    name = _QUALIFIER_NAMES[ai]
    if not value:
        raise LabelError(f"{name} (GS1 AI {ai}) is empty; leave it out instead")
    if len(value) > _QUALIFIER_MAX[ai]:
        raise LabelError(
            f"{name} {value!r} (GS1 AI {ai}) has {len(value)} characters; "
            f"at most {_QUALIFIER_MAX[ai]} are allowed"
        )
    bad = sorted({ch for ch in value if ch not in CHARSET_82})
    if bad:
        shown = ", ".join(repr(ch) for ch in bad)
        raise LabelError(
            f"{name} {value!r} (GS1 AI {ai}): {shown} not allowed; use letters A-Z a-z, "
            f"digits and !\"%&'()*+,-./:;<=>?_ (GS1 character set 82)"
        )


def _check_attribute(ai: str, value: str) -> None:
    if ai in _DATE_AIS:
        _check_date(ai, value)
    elif ai[:3] in _MEASURE_AIS and len(ai) == 4 and ai[3] in "012345":
        if len(value) != 6 or not value.isascii() or not value.isdigit():
            name = _MEASURE_AIS[ai[:3]][1]
            raise LabelError(
                f"{name} {value!r} (GS1 AI {ai}): six digits, the last {ai[3]} of them decimals"
            )
    elif ai == "30":
        if not 1 <= len(value) <= 8 or not value.isascii() or not value.isdigit():
            raise LabelError(f"count {value!r} (GS1 AI 30): one to eight digits")
    else:
        raise LabelError(
            f"data attribute {ai}={value!r}: GS1 AI {ai} is not one we print; use 11, 13, 15, "
            f"16, 17 (dates), 310n, 311n, 314n (measures) or 30 (count)"
        )


def measure_attribute(quantity: Decimal, unit: str) -> tuple[str, str] | None:
    """The GS1 data attribute for a net quantity, or None for a unit GS1 has no AI for.

    kg → 310n, m → 311n, m² → 314n: six digits with ``n`` decimals, the fewest decimals
    that write the quantity exactly; pieces → 30 (a whole count). Quantities are never
    rounded: a value that does not fit is an error, because a wrong weight in a code is
    worse than none.
    """
    unit_key = unit.strip().lower()
    if unit_key in _COUNT_UNITS:
        if quantity != quantity.to_integral_value() or not 0 <= quantity < 10**8:
            raise LabelError(f"quantity {quantity} {unit}: a count is a whole number below 10⁸")
        return "30", str(int(quantity))
    prefix = _UNIT_AIS.get(unit_key)
    if prefix is None:
        return None
    if quantity < 0:
        raise LabelError(f"quantity {quantity} {unit} is negative")
    for decimals in range(6):
        scaled = quantity * (Decimal(10) ** decimals)
        if scaled == scaled.to_integral_value() and scaled < 10**6:
            return f"{prefix}{decimals}", f"{int(scaled):06d}"
    raise LabelError(
        f"quantity {quantity} {unit} does not fit GS1 AI {prefix}n (six digits, up to five "
        f"decimals); round it or use a larger unit"
    )


def measure_from_attributes(attributes: Mapping[str, str]) -> tuple[Decimal, str] | None:
    """The net quantity and unit written by :func:`measure_attribute`, if any."""
    for ai, value in attributes.items():
        if ai == "30":
            return Decimal(value), "pc"
        if len(ai) == 4 and ai[:3] in _MEASURE_AIS:
            return Decimal(value).scaleb(-int(ai[3])), _MEASURE_AIS[ai[:3]][0]
    return None


@dataclass(frozen=True)
class DigitalLink:
    """What a label's URI says: a GTIN or a workspace ID, its qualifiers and attributes.

    Construction validates every field (so a link that exists is a link we can print);
    :attr:`uri` writes it, :func:`parse_digital_link` reads it back.
    """

    resolver: str
    gtin: str | None = None
    workspace: str | None = None
    kind: str | None = None
    code: str | None = None
    variant: str | None = None
    lot: str | None = None
    serial: str | None = None
    #: AI → value for the query string (dates, measures, count)
    attributes: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        self._check_resolver()
        workspace_parts = (self.workspace, self.kind, self.code)
        if self.gtin is not None:
            if any(p is not None for p in workspace_parts):
                raise LabelError(
                    f"GTIN {self.gtin!r} and workspace code {self.code!r}: a label carries "
                    f"one identifier; give the GTIN or the workspace code, not both"
                )
            object.__setattr__(self, "gtin", normalize_gtin(self.gtin))
        elif any(p is None for p in workspace_parts):
            raise LabelError(
                "a label needs a GTIN, or a workspace, kind and code for the workspace ID"
            )
        else:
            self._check_workspace_id()
        for ai in QUALIFIERS:
            value = self._qualifier(ai)
            if value is not None:
                _check_qualifier(ai, value)
        attributes = {}
        for ai, value in sorted(self.attributes.items()):
            _check_attribute(str(ai), str(value))
            attributes[str(ai)] = str(value)
        object.__setattr__(self, "attributes", attributes)

    def _check_resolver(self) -> None:
        resolver = self.resolver
        if not _RESOLVER.match(resolver):
            raise LabelError(
                f"resolver {resolver!r}: give a host name with an optional port and path, "
                f"such as 'id.example-mill.com' (no 'https://', no trailing '/')"
            )
        reserved = [seg for seg in resolver.split("/")[1:] if seg in ("01", "id")]
        if reserved:
            raise LabelError(
                f"resolver {resolver!r}: its path may not hold a segment {reserved[0]!r}, "
                f"which starts a GTIN or workspace ID"
            )

    def _check_workspace_id(self) -> None:
        assert self.workspace is not None and self.kind is not None and self.code is not None
        if not _WORKSPACE.match(self.workspace):
            raise LabelError(
                f"workspace {self.workspace!r}: letters, digits, '.', '_' and '-' only "
                f"(up to 64 characters)"
            )
        if not _KIND.match(self.kind) or self.kind in _GS1_KEY_NAMES:
            raise LabelError(
                f"kind {self.kind!r}: a lower-case word such as 'material', 'lot' or "
                f"'bundle' (2-24 letters, not a GS1 key name like 'gtin')"
            )
        code = self.code
        if not code or code != code.strip():
            raise LabelError(f"code {code!r}: empty or with spaces at its ends")
        if len(code) > _CODE_MAX:
            raise LabelError(
                f"code {code!r} has {len(code)} characters; at most {_CODE_MAX} are allowed"
            )
        if any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in code):
            raise LabelError(f"code {code!r} holds a control character")

    def _qualifier(self, ai: str) -> str | None:
        return {"22": self.variant, "10": self.lot, "21": self.serial}[ai]

    @property
    def is_gs1(self) -> bool:
        """True for a GTIN link a GS1 scanner understands; False for a workspace ID."""
        return self.gtin is not None

    @property
    def uri(self) -> str:
        """The link as printed in the QR code."""
        if self.gtin is not None:
            parts = ["https:/", self.resolver, "01", self.gtin]
        else:
            assert self.workspace is not None and self.kind is not None
            assert self.code is not None
            parts = [
                "https:/",
                self.resolver,
                "id",
                _encode(self.workspace),
                self.kind,
                _encode(self.code),
            ]
        for ai in QUALIFIERS:
            value = self._qualifier(ai)
            if value is not None:
                parts += [ai, _encode(value)]
        uri = "/".join(parts)
        if self.attributes:
            uri += "?" + "&".join(f"{ai}={_encode(v)}" for ai, v in self.attributes.items())
        return uri


def _decode(segment: str, what: str, uri: str) -> str:
    try:
        return unquote(segment, errors="strict")
    except UnicodeDecodeError:
        raise LabelError(f"{uri!r}: the {what} {segment!r} is not valid UTF-8") from None


def parse_digital_link(uri: str) -> DigitalLink:
    """Read a URI written by :attr:`DigitalLink.uri` (or any GS1 Digital Link for a GTIN).

    Accepts GTIN-8/12/13 in the path (normalised to 14 digits), ``http`` as well as
    ``https``, and ignores query parameters that are not AIs (the standard lets them pass
    through). Qualifiers out of order, repeated or unknown are errors, as are values the
    builder would refuse.
    """
    parts = urlsplit(uri.strip())
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise LabelError(f"{uri!r} is not a web address (https://...)")
    segments = parts.path.split("/")[1:]
    start = next((i for i, seg in enumerate(segments) if seg in ("01", "id")), None)
    if start is None:
        raise LabelError(f"{uri!r} holds neither a GTIN (/01/...) nor a workspace ID (/id/...)")
    resolver = "/".join([parts.netloc, *segments[:start]])
    key = segments[start:]
    fields: dict[str, str | None] = {}
    if key[0] == "01":
        if len(key) < 2:
            raise LabelError(f"{uri!r}: /01/ is not followed by a GTIN")
        fields["gtin"] = _decode(key[1], "GTIN", uri)
        rest = key[2:]
    else:
        if len(key) < 4:
            raise LabelError(f"{uri!r}: a workspace ID reads /id/<workspace>/<kind>/<code>")
        fields["workspace"] = _decode(key[1], "workspace", uri)
        fields["kind"] = _decode(key[2], "kind", uri)
        fields["code"] = _decode(key[3], "code", uri)
        rest = key[4:]
    if len(rest) % 2:
        raise LabelError(f"{uri!r}: the path ends with {rest[-1]!r} and no value after it")
    last = -1
    for ai, raw in zip(rest[::2], rest[1::2], strict=True):
        if ai not in QUALIFIERS:
            raise LabelError(
                f"{uri!r}: {ai!r} is not a key qualifier here; use 22, 10, 21 in that order"
            )
        position = QUALIFIERS.index(ai)
        if position <= last:
            raise LabelError(
                f"{uri!r}: qualifier {ai} comes after {QUALIFIERS[last]}; GS1 Digital Link "
                f"orders them 22 (variant), 10 (lot), 21 (serial), each at most once"
            )
        last = position
        fields[_QUALIFIER_NAMES[ai]] = _decode(raw, _QUALIFIER_NAMES[ai], uri)
    attributes: dict[str, str] = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if not (name.isascii() and name.isdigit()):
            continue
        if name in attributes:
            raise LabelError(f"{uri!r}: data attribute {name} is given twice")
        attributes[name] = value
    return DigitalLink(resolver=resolver, attributes=attributes, **fields)
