"""The sync API's request and answer bodies, as typed structures (msgspec).

One definition serves twice: the handlers decode every JSON request body through these types
(`decode`), and the OpenAPI document (`openapi`) publishes their JSON Schemas, so the limits
the contract states (lengths, ranges, batch size) are the ones the server enforces, and
cannot drift apart.

Decoding refuses, as 400, what is no JSON a client may send: malformed text, a lone UTF-16
surrogate (``"\\ud800"``: no text any database can store), nesting too deep to read safely;
and, as 422 naming the field, what is JSON of the wrong shape. Rows (pushed and sent) are
plain objects here: one schema per table is plugged in by `openapi.table_row_schemas`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, TypeVar

import msgspec
from msgspec import Meta, Struct

from sync.server.errors import ApiError

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
#: at most this many mutations per push
MAX_BATCH = 500
#: sign-in fields (username, password, device name)
MAX_NAME = 500
#: ids and names in a mutation (UUIDs and table names are far shorter)
MAX_ID = 200

#: some text besides spaces, and no NUL character (which PostgreSQL cannot store)
SOME_TEXT = r"^[^\x00]*[^\s\x00][^\x00]*$"
NO_NUL = r"^[^\x00]*$"
Name = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=MAX_NAME,
        pattern=SOME_TEXT,
        description="some text besides spaces; no NUL character",
    ),
]
Id = Annotated[str, Meta(min_length=1, max_length=MAX_ID, pattern=NO_NUL)]
Seq = Annotated[int, Meta(ge=1, le=INT64_MAX)]
Version = Annotated[int, Meta(ge=0, le=INT64_MAX)]
#: a row or a cost sheet: a JSON object (its fields are the table's, `openapi` says which)
Object = dict[str, Any]


# -- requests ------------------------------------------------------------------------------------


class LoginRequest(Struct):
    """Sign in: the user's name and password, and what to call this device in the admin's
    list of devices."""

    username: Name
    password: Name
    device_name: Annotated[str, Meta(max_length=MAX_NAME, pattern=NO_NUL)] | None = None


class Mutation(Struct):
    """One change from a laptop's outbox: ``seq`` numbers a device's mutations, increasing."""

    seq: Seq
    mutation_id: Id
    table: Id
    op: Annotated[Id, Meta(description="upsert or delete; another is answered rejected")]
    row_id: Id
    base_version: Version | None = None
    base: Object | None = None
    row: Object | None = None


class PushRequest(Struct):
    mutations: Annotated[
        list[Mutation],
        Meta(max_length=MAX_BATCH, description="in increasing seq order (422 otherwise)"),
    ]


class WipeReport(Struct):
    """What a device ordered wiped reports once it deleted the workspace's data."""

    removed: Annotated[
        list[Annotated[str, Meta(max_length=MAX_NAME, pattern=NO_NUL)]],
        Meta(max_length=100, description="the files and folders it deleted"),
    ]
    unsent: Annotated[int, Meta(ge=0, le=1_000_000_000, description="edits it had not sent")]
    exported: Annotated[bool, Meta(description="whether its user exported them, encrypted")]


class Wiped(Struct):
    status: Literal["wiped"]


class QuoteRequest(Struct):
    """A cost sheet to price (`workbench.costing.sheet`), and the sheet's id on the laptop."""

    sheet: Object
    cost_sheet_id: Annotated[str, Meta(max_length=MAX_ID, pattern=NO_NUL)] | None = None


#: the most serials one request hands out (a pallet's run, or a station's offline block)
MAX_SERIAL_BLOCK = 10_000
#: what a series may be called: a GTIN, or a workspace code; no control characters
SERIES_PATTERN = r"^[^\x00-\x1f\x7f]+$"


class SerialRequest(Struct):
    """Serial numbers (GS1 AI 21) to hand out: how many, of which series, and for what."""

    series: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=100,
            pattern=SERIES_PATTERN,
            description="what the serials are unique within: the item's "
            "GTIN (14 digits), else its workspace kind and code",
        ),
    ]
    #: a whole number; 271.0 is one too (JSON Schema's "integer"), so it is read as a number
    #: and the handler refuses a fraction (the document says "integer": `openapi`)
    count: Annotated[float, Meta(ge=1, le=MAX_SERIAL_BLOCK)]
    purpose: Annotated[
        Literal["run", "reserve"],
        Meta(
            description="run: printed now; reserve: a block the station keeps for printing offline"
        ),
    ] = "run"


# -- answers -------------------------------------------------------------------------------------


class Error(Struct):
    """Every error's shape (`errors`)."""

    error: Annotated[str, Meta(description="a code for programs: update_required, ...")]
    message: Annotated[str, Meta(description="what went wrong, in the user's words")]
    field: Annotated[str | None, Meta(description="the request's field to blame")]
    request_id: Annotated[str, Meta(description="as in the X-Request-ID header")]


class Health(Struct):
    status: Literal["ok"]
    protocol: int
    schema: int


class Workspace(Struct):
    id: str
    name: str
    passphrase_allowed: Annotated[
        bool,
        Meta(
            description=(
                "whether a laptop without a keyring may derive its replica's key from a passphrase "
                "(WORKBENCH_PASSPHRASE); absent from older servers: no"
            )
        ),
    ] = False


class User(Struct):
    username: str
    role: Literal["merchandiser", "floor", "admin"]


class LoginAnswer(Struct):
    token: Annotated[str, Meta(description="the device token: send it as a Bearer token")]
    device_id: str
    workspace: Workspace
    user: User


class Me(Struct):
    device_id: str
    workspace: Workspace
    user: User


class Change(Struct):
    """A row as the server last wrote it (``deleted`` 1: a tombstone)."""

    table: str
    row: Object


class ChangesAnswer(Struct):
    changes: list[Change]
    next: Annotated[int, Meta(description="the cursor to ask from next (`after`)")]
    more: Annotated[bool, Meta(description="more changes wait after `next`")]
    seq: Annotated[int, Meta(description="the workspace's latest change number")]
    role: Annotated[
        Literal["merchandiser", "floor", "admin"],
        Meta(
            description="the caller's role, which the page was made for: a laptop that "
            "holds another role's rows takes a new snapshot"
        ),
    ]


class Counts(Struct):
    seq: int
    counts: dict[str, int]


class SnapshotFile(Struct):
    name: str
    size: int
    sha256: str


class Snapshot(Struct):
    name: str
    seq: int
    size: int
    sha256: str
    search: (
        Annotated[
            SnapshotFile,
            Meta(
                description="the snapshot's search index, a gzip tar; "
                "absent when the role receives no materials"
            ),
        ]
        | None
    ) = None
    form: Annotated[
        Literal["gzip", "sqlcipher", "sqlcipher-8k"],
        Meta(
            description="what the file is: gzip, a gzip-compressed SQLite database; "
            "sqlcipher, a SQLCipher 4 database under ``key`` with SQLCipher's default "
            "settings (answered to ?form=sqlcipher); sqlcipher-8k, the same with 8 KiB pages "
            "(cipher_page_size 8192) laid out for HMAC-SHA256 but without the pages' HMAC "
            "(cipher_use_hmac OFF; the file's sha256 checks it), answered to ?form=sqlcipher-8k"
        ),
    ] = "gzip"
    key: (
        Annotated[
            str,
            Meta(
                pattern="^[0-9a-f]{64}$",
                description="the sqlcipher file's raw key, 32 bytes in hex; the file's own, "
                "random, never reused",
            ),
        ]
        | None
    ) = None


class Waited(Struct):
    seq: int
    changed: bool


class MutationResult(Struct, omit_defaults=True):
    seq: int
    status: Literal["applied", "conflict", "rejected"]
    message: str | None = None
    row: Object | None = None
    merged: bool | None = None


class PushAnswer(Struct):
    results: list[MutationResult]


Amount = Annotated[str, Meta(description="a decimal number as text, in full precision")]


class QuoteBreak(Struct):
    """The price from one of the brand's quantity breaks (`workbench.costing.breaks`)."""

    quantity: Annotated[int, Meta(ge=1, description="the order quantity the break starts at")]
    currency: str
    price_per_piece: Amount
    price_per_dozen: Amount
    margin: Amount
    rule_id: str


class QuoteColourway(Struct, omit_defaults=True):
    """One colourway of a quoted sheet: its pieces, its cost and its price at the order's
    quantity, and its price from each of the brand's quantity breaks (``breaks``; absent from
    quotes issued before colourways were priced at each break)."""

    name: str
    pieces: Annotated[int, Meta(ge=1)]
    cost_total: Amount
    currency: str | None = None
    cost_per_piece: Amount | None = None
    price_per_piece: Amount | None = None
    price_per_dozen: Amount | None = None
    margin: Amount | None = None
    breaks: list[QuoteBreak] | None = None


class QuoteAnswer(Struct):
    quote: Annotated[
        Object,
        Meta(
            description="number, price, validity, the breakdown with the rates it used, the "
            "price from each of the brand's quantity breaks (the style's) and each colourway's "
            "price, with its own breaks"
        ),
    ]


class SerialBlock(Struct):
    """Consecutive serials handed out to this device alone: ``first`` to ``last``."""

    series: str
    first: Annotated[int, Meta(ge=1)]
    last: Annotated[int, Meta(ge=1)]
    count: Annotated[int, Meta(ge=1)]
    purpose: Literal["run", "reserve"]
    allocated_at: str


class Reject(Struct):
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: Any = None
    message: str | None = None


class ImportAnswer(Struct):
    file: str
    kind: str
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    dry_run: bool
    written: bool
    rejects_total: int
    rejects: Annotated[
        list[Object],
        Meta(
            description="each rejected row's problem (file, "
            "row, column, value, message); the first 5000"
        ),
    ]


class TraceItem(Struct):
    kind: str
    code: str
    style: str | None
    season: str | None
    mill: str | None
    quantity: int | None
    uom: str | None


class TraceFootprint(Struct):
    global_warming_kg_co2e_per_kg_fibre: str
    scope: str
    sources: list[str]


class TraceMaterial(Struct):
    code: str
    name: str | None
    material_type: str | None
    category: str | None
    composition: str | None
    construction: str | None
    gsm: int | None
    width_cm: int | None
    colour: str | None
    finish: str | None
    certifications: list[str]
    supplier: str | None
    mill: str | None
    footprint: TraceFootprint | None


class Trace(Struct):
    """What a label's QR code stands for; nothing priced."""

    workspace: str
    item: TraceItem
    lot: str | None
    serial: str | None
    variant: str | None
    production_date: str | None
    materials: list[TraceMaterial]


# -- decoding ------------------------------------------------------------------------------------

T = TypeVar("T")

_AT = re.compile(r" - at `\$(.*)`$")
_PHRASES = (
    (re.compile(r"Object missing required field `(\w+)`"), "is required"),
    (
        re.compile(r"Expected `str` matching regex '\^\[\^\\\\x00\]\*\$'"),
        "must not hold a NUL character",
    ),
    (
        re.compile(r"Expected `str` matching regex"),
        "must hold some text besides spaces, and no NUL character",
    ),
    (re.compile(r"Expected `str` of length >= 1"), "must not be empty"),
    (re.compile(r"Expected `str` of length <= (\d+)"), "must be at most {0} characters"),
    (re.compile(r"Expected `array` of length <= (\d+)"), "may hold at most {0} items"),
    (re.compile(r"Expected `int` >= (-?\d+)"), "must be at least {0}"),
    (re.compile(r"Expected `int` <= (-?\d+)"), "must be at most {0}"),
    (re.compile(r"Expected `(\w+)`(?: \| `\w+`)*, got `(\w+)`"), "must be {0}, not {1}"),
)
_KINDS = {
    "str": "text",
    "int": "a whole number",
    "object": "an object",
    "array": "a list",
    "bool": "true or false",
    "float": "a number",
}


def _field_and_message(error: msgspec.ValidationError) -> tuple[str | None, str]:
    """msgspec's "Expected `int` <= 5 - at `$.mutations[0].seq`" in the user's words, and
    the field's name (``mutations[0].seq``)."""
    text = str(error)
    at = _AT.search(text)
    path = at.group(1).lstrip(".") if at else ""
    text = _AT.sub("", text)
    for pattern, phrase in _PHRASES:
        found = pattern.search(text)
        if found is None:
            continue
        words = [_KINDS.get(g, g) for g in found.groups()]
        if phrase == "is required":
            path = f"{path}.{words[0]}".lstrip(".")
            return path, f"'{path}' is required"
        return path or None, f"'{path or 'the request body'}' " + phrase.format(*words)
    return path or None, f"'{path}': {text}" if path else text


def decode(body: bytes, kind: type[T]) -> T:
    """The request body as ``kind``; 400 for what is no usable JSON, 422 for the wrong shape."""
    try:
        return msgspec.json.decode(body or b"null", type=kind)
    except msgspec.ValidationError as exc:
        if str(exc).startswith("Expected `object`, got") and " - at " not in str(exc):
            raise ApiError(422, "invalid", "the request body must be a JSON object") from None
        field, message = _field_and_message(exc)
        raise ApiError(422, "invalid", message, field=field) from None
    except msgspec.DecodeError as exc:
        why = _why(exc)
        raise ApiError(400, "bad_json", f"the request body is not valid JSON ({why})") from None
    except RecursionError:
        raise ApiError(400, "bad_json", "the request body is nested too deeply") from None


def _why(exc: msgspec.DecodeError) -> str:
    text = str(exc).removeprefix("JSON is malformed: ")
    if "surrogate" in text or text == "Input data was truncated":
        # msgspec reads a lone high surrogate ("\ud800") as text cut short
        return f"{text}; text must be valid Unicode, without lone surrogates"
    return text


def decode_json_text(text: str, what: str) -> Any:
    """A JSON value carried in a query parameter (``columns``), read as strictly as bodies."""
    try:
        return msgspec.json.decode(text.encode("utf-8", "surrogatepass"))
    except (msgspec.DecodeError, RecursionError) as exc:
        message = f"{what} is not valid JSON ({exc})"
        raise ApiError(400, "bad_request", message, field=what) from None


def nul_problem(value: Any, where: str) -> tuple[str, str] | None:
    """The first text anywhere in ``value`` (a cost sheet) holding a NUL character."""
    if isinstance(value, str):
        return (where, f"'{where}' must not hold a NUL character") if "\x00" in value else None
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list):
        items = [(f"[{n}]", v) for n, v in enumerate(value)]
    else:
        return None
    for key, item in items:
        inner = f"{where}{key}" if key.startswith("[") else f"{where}.{key}"
        if "\x00" in key:
            return where, f"'{where}' has a field name with a NUL character"
        found = nul_problem(item, inner)
        if found:
            return found
    return None
