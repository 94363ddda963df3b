"""What laptops and admins send: batches of mutations from the outbox, master-data files
to import (admins), and requests for firm quotes (merchandisers and admins). Each change
that commits wakes the workspace's long-polls.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse

from sync.server.handlers.requests import (
    ApiError,
    caller_of,
    error_answer,
    int_param,
    json_body,
    notify,
    read_body,
    save_body,
    state_of,
)
from sync.server.importing import ImportRefused, import_file
from sync.server.pricing import PRICING_ROLES, issue_quote
from sync.server.push import BatchError, SeqReused, apply_push, parse_batch
from workbench.costing import CostingError
from workbench.ingest.mapping import KINDS, Mapping, MappingError, load_mapping
from workbench.ingest.preview import override_columns
from workbench.ingest.readers import ReadError

MAX_IMPORT_BYTES = 512 * 1024 * 1024
#: an import's answer lists this many problems; the rest are counted (fix these first)
MAX_REJECTS_SHOWN = 5000
UPLOAD_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".txt", ".tsv")


async def push(request: Request) -> JSONResponse:
    """Apply a batch of this device's mutations; see `sync.server.push`."""
    caller = await asyncio.to_thread(caller_of, request)
    data = json_body(await read_body(request))
    try:
        batch = parse_batch(data)
    except BatchError as exc:
        raise ApiError(422, "invalid", str(exc)) from None
    state = state_of(request)
    try:
        answers = await asyncio.to_thread(apply_push, state.engine, caller, batch)
    except SeqReused as exc:
        return error_answer(409, "mutation_seq_reused", str(exc), seq=exc.seq,
                            last_mutation_seq=exc.last)  # fmt: skip
    if any(a["status"] == "applied" for a in answers):
        notify(state, caller.workspace_id)
    return JSONResponse({"results": answers})


async def import_master_data(request: Request) -> JSONResponse:
    """Import an uploaded file of master data (admins only): `sync.server.importing`."""
    caller = await asyncio.to_thread(caller_of, request)
    if caller.role != "admin":
        raise ApiError(403, "forbidden", "importing master data is for admins")
    kind = request.path_params["kind"]
    if kind not in KINDS:
        raise ApiError(404, "not_found", f"there is no import for {kind!r}; choose one of "
                       f"{', '.join(KINDS)}")  # fmt: skip
    filename = Path(request.query_params.get("filename", "")).name
    if Path(filename).suffix.lower() not in UPLOAD_SUFFIXES:
        raise ApiError(422, "invalid", "filename must name a .xlsx, .xls, .csv or .txt file")
    flags = {n: int_param(request, n, 0, 0, 1) == 1 for n in ("dry_run", "accept_partial")}
    mapping = _import_mapping(kind, request.query_params.get("columns"))
    with tempfile.TemporaryDirectory(prefix="import-") as folder:
        path = Path(folder) / filename
        await save_body(request, path, MAX_IMPORT_BYTES)
        state = state_of(request)
        try:
            summary = await asyncio.to_thread(import_file, state.engine, caller.workspace_id,
                                              kind, path, mapping=mapping,
                                              actor=caller.username, **flags)  # fmt: skip
        except (ReadError, MappingError, ImportRefused) as exc:
            raise ApiError(422, "invalid", str(exc)) from None
    if summary.written:
        notify(state, caller.workspace_id)
    answer = summary.as_dict()
    del answer["reports"], answer["problems"]
    answer["rejects_total"] = len(summary.rejects)
    answer["rejects"] = summary.rejects[:MAX_REJECTS_SHOWN]
    return JSONResponse(answer)


def _import_mapping(kind: str, columns: str | None) -> Mapping:
    """The shipped mapping for ``kind``, with the columns the admin chose in the app (a JSON
    object of field -> the file's heading)."""
    mapping = load_mapping(kind)
    if not columns:
        return mapping
    try:
        chosen = json.loads(columns)
        if not isinstance(chosen, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in chosen.items()
        ):
            raise ValueError("columns must be a JSON object of field names to headings")
        return override_columns(mapping, chosen)
    except ValueError as exc:
        raise ApiError(400, "bad_request", f"columns: {exc}") from None


async def pricing_quote(request: Request) -> JSONResponse:
    """A firm quote for a cost sheet (merchandisers and admins): `sync.server.pricing`."""
    caller = await asyncio.to_thread(caller_of, request)
    if caller.role not in PRICING_ROLES:
        raise ApiError(403, "forbidden", "firm quotes are for merchandisers and admins")
    data = json_body(await read_body(request))
    if not isinstance(data.get("sheet"), dict):
        raise ApiError(422, "invalid", "'sheet' must be a cost sheet object")
    state = state_of(request)
    try:
        quote = await asyncio.to_thread(issue_quote, state.engine, caller, data)
    except CostingError as exc:
        raise ApiError(422, "cannot_price", str(exc)) from None
    notify(state, caller.workspace_id)
    return JSONResponse({"quote": quote})
