"""What laptops and admins send: batches of mutations from the outbox, master-data files
to import (admins), requests for firm quotes (merchandisers and admins) and for label serial
numbers (floor users and admins). Each change
that commits wakes the workspace's long-polls.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from collections import Counter
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse

from sync.server import metrics
from sync.server.accounts import report_wiped
from sync.server.errors import ApiError, error_answer
from sync.server.handlers.requests import (
    caller_of,
    int_param,
    notify,
    read_body,
    save_body,
    state_of,
    writer_of,
)
from sync.server.importing import ImportRefused, import_file
from sync.server.messages import (
    QuoteRequest,
    SerialRequest,
    WipeReport,
    decode,
    decode_json_text,
    nul_problem,
)
from sync.server.pricing import PRICING_ROLES, KeyReused, issue_quote
from sync.server.push import BatchError, SeqReused, apply_push, parse_batch
from sync.server.serials import SERIAL_ROLES, SeriesExhausted, allocate
from workbench.costing import CostingError
from workbench.ingest.mapping import KINDS, Mapping, MappingError, load_mapping
from workbench.ingest.preview import override_columns
from workbench.ingest.readers import ReadError
from workbench.ingest.values import Mark

MAX_IMPORT_BYTES = 512 * 1024 * 1024
#: an import's answer lists this many problems; the rest are counted (fix these first)
MAX_REJECTS_SHOWN = 5000
UPLOAD_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".txt", ".tsv")
#: the published form of an upload's name: one of those extensions, in either case
UPLOAD_PATTERN = r"\.([Xx][Ll][Ss][XxMm]?|[Cc][Ss][Vv]|[Tt][Xx][Tt]|[Tt][Ss][Vv])$"
MAX_FILENAME = 200
#: the header a quote request's idempotency key comes in: the same key again is answered
#: with the same quote while it is valid
IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_PATTERN = r"[A-Za-z0-9._:-]{1,200}"


async def push(request: Request) -> JSONResponse:
    """Apply a batch of this device's mutations; see `sync.server.push`."""
    caller = await asyncio.to_thread(writer_of, request, "push")
    try:
        batch = parse_batch(await read_body(request))
    except BatchError as exc:
        raise ApiError(422, "invalid", str(exc), field=exc.field) from None
    state = state_of(request)
    try:
        answers = await asyncio.to_thread(apply_push, state.engine, caller, batch)
    except SeqReused as exc:
        return error_answer(
            request, 409, "mutation_seq_reused", str(exc), seq=exc.seq, last_mutation_seq=exc.last
        )
    for outcome, count in Counter(a["status"] for a in answers).items():
        metrics.PUSHED.labels(outcome).inc(count)
    if any(a["status"] == "applied" for a in answers):
        notify(state, caller.workspace_id)
    return JSONResponse({"results": answers})


async def device_wiped(request: Request) -> JSONResponse:
    """A device an admin ordered wiped reports the wipe done; its token stops working."""
    caller = await asyncio.to_thread(caller_of, request)
    report = decode(await read_body(request), WipeReport)
    if not caller.wipe_ordered:
        raise ApiError(409, "no_wipe_ordered", "no wipe was ordered for this device")
    await asyncio.to_thread(
        report_wiped,
        state_of(request).engine,
        caller,
        {"removed": report.removed, "unsent": report.unsent, "exported": report.exported},
    )
    return JSONResponse({"status": "wiped"})


async def import_master_data(request: Request) -> JSONResponse:
    """Import an uploaded file of master data (admins only): `sync.server.importing`."""
    caller = await asyncio.to_thread(writer_of, request, "import")
    if caller.role != "admin":
        raise ApiError(403, "forbidden", "importing master data is for admins")
    kind = request.path_params["kind"]
    if kind not in KINDS:
        raise ApiError(
            404, "not_found", f"there is no import for {kind!r}; choose one of {', '.join(KINDS)}"
        )
    filename = _upload_name(request.query_params.get("filename", ""))
    flags = {n: int_param(request, n, 0, 0, 1) == 1 for n in ("dry_run", "accept_partial")}
    mark = _decimal_mark(request.query_params.get("decimal_mark"))
    mapping = _import_mapping(kind, request.query_params.get("columns"))
    with tempfile.TemporaryDirectory(prefix="import-") as folder:
        path = Path(folder) / filename
        await save_body(request, path, MAX_IMPORT_BYTES)
        state = state_of(request)
        try:
            summary = await asyncio.to_thread(
                import_file,
                state.engine,
                caller.workspace_id,
                kind,
                path,
                mapping=mapping,
                actor=caller.username,
                decimal_mark=mark,
                dry_run=flags["dry_run"],
                accept_partial=flags["accept_partial"],
            )
        except (ReadError, MappingError, ImportRefused) as exc:
            metrics.IMPORTS.labels(kind, "refused").inc()
            raise ApiError(422, "invalid", str(exc)) from None
    outcome = "written" if summary.written else "dry_run" if flags["dry_run"] else "rejected"
    metrics.IMPORTS.labels(kind, outcome).inc()
    if summary.written:
        notify(state, caller.workspace_id)
    answer = summary.as_dict()
    del answer["reports"], answer["problems"]
    answer["rejects_total"] = len(summary.rejects)
    answer["rejects"] = summary.rejects[:MAX_REJECTS_SHOWN]
    return JSONResponse(answer)


def _upload_name(given: str) -> str:
    """The uploaded file's name as kept for reading and for its reports: the name's last part,
    of letters, digits and a few signs only (no way out of the upload folder, nothing a file
    system refuses), and one of the extensions a reader takes."""
    if len(given) > MAX_FILENAME:
        raise ApiError(
            422, "invalid", f"filename is longer than {MAX_FILENAME} characters", field="filename"
        )
    name = re.sub(r"[^\w.() -]", "_", given.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES or not re.search(UPLOAD_PATTERN, given):
        raise ApiError(
            422, "invalid", "filename must name a .xlsx, .xls, .csv or .txt file", field="filename"
        )
    stem = name[: -len(suffix)].strip(". ") or "upload"
    return stem + suffix


#: the file's decimal mark as the import's decimal_mark parameter (and --decimal-mark) names it
DECIMAL_MARKS: dict[str, Mark] = {"comma": ",", "point": ".", ",": ",", ".": "."}


def _decimal_mark(given: str | None) -> Mark | None:
    """The decimal mark the admin gave for the file (the SAP user's decimal notation), or
    None: the file's numbers tell it."""
    if given is None:
        return None
    if given not in DECIMAL_MARKS:
        raise ApiError(
            400,
            "bad_request",
            f"decimal_mark must be comma or point (or , or .), not {given[:20]!r}",
            field="decimal_mark",
        )
    return DECIMAL_MARKS[given]


def _import_mapping(kind: str, columns: str | None) -> Mapping:
    """The shipped mapping for ``kind``, with the columns the admin chose in the app (a JSON
    object of field -> the file's heading)."""
    mapping = load_mapping(kind)
    if not columns:
        return mapping
    chosen = decode_json_text(columns, "columns")
    if not isinstance(chosen, dict) or not all(isinstance(v, str) for v in chosen.values()):
        raise ApiError(
            400,
            "bad_request",
            "columns must be a JSON object of field names to headings",
            field="columns",
        )
    try:
        return override_columns(mapping, chosen)
    except ValueError as exc:
        raise ApiError(422, "invalid", f"columns: {exc}", field="columns") from None


async def pricing_quote(request: Request) -> JSONResponse:
    """A firm quote for a cost sheet (merchandisers and admins): `sync.server.pricing`."""
    caller = await asyncio.to_thread(writer_of, request, "quote")
    if caller.role not in PRICING_ROLES:
        raise ApiError(403, "forbidden", "firm quotes are for merchandisers and admins")
    asked = decode(await read_body(request), QuoteRequest)
    problem = nul_problem(asked.sheet, "sheet")
    if problem is not None:
        raise ApiError(422, "invalid", problem[1], field=problem[0])
    data = {"sheet": asked.sheet, "cost_sheet_id": asked.cost_sheet_id}
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is not None and not re.fullmatch(IDEMPOTENCY_PATTERN, key):
        raise ApiError(
            400,
            "bad_request",
            f"{IDEMPOTENCY_HEADER} must be 1 to 200 letters, digits and . _ : -",
            field=IDEMPOTENCY_HEADER,
        )
    state = state_of(request)
    try:
        quote = await asyncio.to_thread(
            issue_quote, state.engine, caller, data, idempotency_key=key
        )
    except CostingError as exc:
        raise ApiError(422, "cannot_price", str(exc)) from None
    except KeyReused as exc:
        raise ApiError(422, "idempotency_key_reused", str(exc), field=IDEMPOTENCY_HEADER) from None
    notify(state, caller.workspace_id)
    return JSONResponse({"quote": quote})


async def serials(request: Request) -> JSONResponse:
    """The next block of a series' serial numbers for this device (floor users and admins,
    who print labels): `sync.server.serials`."""
    caller = await asyncio.to_thread(writer_of, request, "serials")
    if caller.role not in SERIAL_ROLES:
        raise ApiError(
            403, "forbidden", "serial numbers are for label stations: floor users and admins"
        )
    asked = decode(await read_body(request), SerialRequest)
    if not asked.count.is_integer():
        raise ApiError(
            422, "invalid", f"'count' must be a whole number, not {asked.count:g}", field="count"
        )
    try:
        block = await asyncio.to_thread(
            allocate,
            state_of(request).engine,
            caller,
            asked.series,
            int(asked.count),
            asked.purpose,
        )
    except SeriesExhausted as exc:
        raise ApiError(422, "invalid", str(exc), field="count") from None
    return JSONResponse(block)
