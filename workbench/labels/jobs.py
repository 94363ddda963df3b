"""Print jobs: every label job is a synced document, written before anything prints.

A job is a ``label_jobs`` row (migration 5) saved through
:func:`workbench.documents.save_document`, so the row and its outbox entry are committed
together and the job reaches the server (and its audit trail) on the next sync:

1. ``queued``: saved with its items, template, printer, copies and who asked for it, before
   the printer is contacted. If the app dies while printing, the job is still there.
2. ``printed`` (with ``printed_at``) once the printer took it, or ``failed`` with the
   reason in ``error`` (a Zebra that is off, a full disk). A failed job is never dropped:
   :func:`pending_jobs` lists it and :func:`retry_job` prints it again, to the same printer
   or another.

Items are stored as JSON, one object per :class:`~workbench.labels.LabelItem` with its
non-empty fields (quantities as decimal text, dates as ISO dates), so a retry on this
laptop or a look at the job on another prints and shows exactly the same labels.

The URIs a job prints depend on the workspace's :func:`scheme_for`: the resolver host is the
sync server's host when the laptop is signed in (the server that knows the lots), else
:data:`DEFAULT_RESOLVER`; the workspace is the signed-in workspace's name, else the folder's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from workbench.documents import save_document
from workbench.labels.gs1 import LabelError
from workbench.labels.model import IdScheme, LabelItem, prepare_labels
from workbench.labels.printing import PrinterError, SystemPrint, deliver, parse_printer
from workbench.labels.templates import load_template
from workbench.replica import Replica
from workbench.replica.store import utc_now

__all__ = [
    "DEFAULT_RESOLVER",
    "STATES",
    "LabelJob",
    "Retried",
    "find_lot",
    "get_job",
    "items_from_json",
    "items_to_json",
    "jobs_since",
    "pending_jobs",
    "print_labels",
    "queue_job",
    "reprint_job",
    "retry_job",
    "retry_jobs",
    "run_job",
    "scheme_for",
    "todays_jobs",
]

TABLE = "label_jobs"
STATES = ("queued", "printed", "failed")
#: The resolver of a workspace that is not signed in to a server.
DEFAULT_RESOLVER = "id.mill-workbench.example"
_ITEM_FIELDS = tuple(f.name for f in fields(LabelItem))
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


# --- items as JSON ----------------------------------------------------------------------------


def _item_dict(item: LabelItem) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in _ITEM_FIELDS:
        value = getattr(item, name)
        if value is None:
            continue
        if isinstance(value, Decimal):
            value = format(value, "f")
        elif isinstance(value, date):
            value = value.isoformat()
        out[name] = value
    return out


def items_to_json(items: Iterable[LabelItem]) -> str:
    """The ``items`` column: a JSON list of each item's non-empty fields."""
    return json.dumps([_item_dict(item) for item in items], ensure_ascii=False)


def items_from_json(text: str) -> list[LabelItem]:
    """The items of an ``items`` column; a :class:`LabelError` says what is wrong."""
    try:
        data = json.loads(text or "[]")
    except ValueError as exc:
        raise LabelError(f"the job's items are not valid JSON: {exc}") from None
    if not isinstance(data, list):
        raise LabelError("the job's items must be a JSON list")
    items = []
    for number, entry in enumerate(data, start=1):
        if not isinstance(entry, dict):
            raise LabelError(f"item {number} of the job is not an object")
        values = {k: v for k, v in entry.items() if k in _ITEM_FIELDS and v is not None}
        try:
            if "quantity" in values:
                values["quantity"] = Decimal(str(values["quantity"]))
            if "production_date" in values:
                values["production_date"] = date.fromisoformat(str(values["production_date"]))
            items.append(LabelItem(**values))
        except (ValueError, TypeError, ArithmeticError) as exc:
            raise LabelError(f"item {number} of the job: {exc}") from None
    return items


# --- jobs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelJob:
    """A print job as stored in ``label_jobs``."""

    id: str
    template: str
    printer: str
    copies: int
    items: tuple[LabelItem, ...]
    state: str
    error: str | None
    created_by: str
    created_at: str
    printed_at: str | None

    @property
    def labels(self) -> int:
        """Labels the job prints: items times copies."""
        return len(self.items) * self.copies

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> LabelJob:
        try:
            items = tuple(items_from_json(row["items"]))
        except LabelError:
            items = ()  # printing it fails with "no labels", and says so in the job
        return cls(
            id=row["id"],
            template=row["template"],
            printer=row["printer"],
            copies=int(row["copies"]),
            items=items,
            state=row["state"],
            error=row["error"],
            created_by=row["created_by"],
            created_at=row["created_at"],
            printed_at=row["printed_at"],
        )


def scheme_for(replica: Replica, workspace_name: str | None = None) -> IdScheme:
    """The label URIs' scheme for this replica (see the module notes). ``workspace_name``
    names a workspace that is not signed in, when its folder name is not the right one."""
    url = replica.get_state("server_url")
    host = urlsplit(url).hostname if url else None
    name = replica.get_state("workspace_name") or workspace_name or replica.path.parent.name
    name = _UNSAFE.sub("-", name).strip("-._")[:64] or "workspace"
    try:
        return IdScheme(host or DEFAULT_RESOLVER, name)
    except LabelError:  # a server reached by a name a URI cannot hold
        return IdScheme(DEFAULT_RESOLVER, name)


def get_job(replica: Replica, job_id: str) -> LabelJob:
    row = replica.conn.execute(
        f"SELECT * FROM {TABLE} WHERE id = ? AND deleted = 0", (job_id,)
    ).fetchone()
    if row is None:
        raise LabelError(f"there is no label job {job_id}")
    return LabelJob.from_row(row)


def _check(
    items: list[LabelItem], template: str, printer: str, copies: int, scheme: IdScheme
) -> None:
    """Refuse a job that could never print, before it is saved: nothing to retry there."""
    target = parse_printer(printer)
    loaded = load_template(template)
    if not items:
        raise LabelError("there are no labels to print")
    prepare_labels(items, loaded, scheme, copies)  # every URI, with the item that is wrong
    if target.kind == "zpl" and loaded.layout != "roll":
        raise LabelError(
            f"{loaded.name} is a {loaded.layout} template; a Zebra prints roll labels "
            f"(choose a thermal template, or print the sheet as PDF)"
        )


def queue_job(
    replica: Replica,
    items: Iterable[LabelItem],
    template: str,
    printer: str,
    *,
    copies: int = 1,
    scheme: IdScheme | None = None,
) -> LabelJob:
    """Check and save a job as ``queued`` (and in the outbox); nothing is printed yet."""
    items = list(items)
    _check(items, template, printer, copies, scheme or scheme_for(replica))
    row = save_document(
        replica,
        TABLE,
        {
            "template": template,
            "printer": str(parse_printer(printer)),
            "copies": copies,
            "items": items_to_json(items),
            "state": "queued",
            "error": None,
            "created_by": replica.get_state("username") or "",
            "created_at": utc_now(),
            "printed_at": None,
        },
    )
    return LabelJob.from_row(row)


def run_job(
    replica: Replica,
    job_id: str,
    *,
    scheme: IdScheme | None = None,
    system_print: SystemPrint | None = None,
) -> LabelJob:
    """Print a saved job and record the outcome: ``printed`` with its time, or ``failed``
    with the reason, which is then raised (:class:`PrinterError`, :class:`LabelError`...)."""
    job = get_job(replica, job_id)
    try:
        deliver(
            job.printer,
            job.items,
            job.template,
            scheme=scheme or scheme_for(replica),
            copies=job.copies,
            system_print=system_print,
        )
    except Exception as exc:
        reason = str(exc) or exc.__class__.__name__
        save_document(replica, TABLE, {"id": job.id, "state": "failed", "error": reason})
        raise
    row = save_document(
        replica, TABLE, {"id": job.id, "state": "printed", "error": None, "printed_at": utc_now()}
    )
    return LabelJob.from_row(row)


def print_labels(
    replica: Replica,
    items: Iterable[LabelItem],
    template: str,
    printer: str,
    *,
    copies: int = 1,
    scheme: IdScheme | None = None,
    system_print: SystemPrint | None = None,
) -> LabelJob:
    """Queue a job, then print it (:func:`queue_job`, :func:`run_job`)."""
    scheme = scheme or scheme_for(replica)
    job = queue_job(replica, items, template, printer, copies=copies, scheme=scheme)
    return run_job(replica, job.id, scheme=scheme, system_print=system_print)


def retry_job(
    replica: Replica,
    job_id: str,
    *,
    printer: str | None = None,
    scheme: IdScheme | None = None,
    system_print: SystemPrint | None = None,
) -> LabelJob:
    """Print a queued or failed job again, to ``printer`` if given (the job records the
    change); a printed job is reprinted with :func:`reprint_job`, as a job of its own."""
    job = get_job(replica, job_id)
    if job.state == "printed":
        raise PrinterError(f"label job {job.id} was printed at {job.printed_at}: reprint it")
    if printer is not None and str(parse_printer(printer)) != job.printer:
        scheme = scheme or scheme_for(replica)
        _check(list(job.items), job.template, printer, job.copies, scheme)
        save_document(
            replica,
            TABLE,
            {
                "id": job.id,
                "printer": str(parse_printer(printer)),
                "state": "queued",
                "error": None,
            },
        )
    return run_job(replica, job.id, scheme=scheme, system_print=system_print)


def reprint_job(
    replica: Replica,
    job_id: str,
    *,
    printer: str | None = None,
    copies: int | None = None,
    scheme: IdScheme | None = None,
    system_print: SystemPrint | None = None,
) -> LabelJob:
    """The same labels again, as a new job (so the audit trail shows both prints)."""
    job = get_job(replica, job_id)
    return print_labels(
        replica,
        job.items,
        job.template,
        printer or job.printer,
        copies=copies or job.copies,
        scheme=scheme,
        system_print=system_print,
    )


def pending_jobs(replica: Replica) -> list[LabelJob]:
    """Jobs not printed yet (queued, or failed and waiting for a retry), oldest first."""
    rows = replica.conn.execute(
        f"SELECT * FROM {TABLE} WHERE deleted = 0 AND state IN ('queued', 'failed') "
        "ORDER BY created_at, rowid"
    )
    return [LabelJob.from_row(row) for row in rows]


def jobs_since(replica: Replica, since: str, *, limit: int = 500) -> list[LabelJob]:
    """Jobs created at or after ``since`` (a UTC timestamp as ``updated_at`` writes them),
    newest first."""
    rows = replica.conn.execute(
        f"SELECT * FROM {TABLE} WHERE deleted = 0 AND created_at >= ? "
        "ORDER BY created_at DESC, rowid DESC LIMIT ?",
        (since, limit),
    )
    return [LabelJob.from_row(row) for row in rows]


def todays_jobs(replica: Replica, now: datetime | None = None) -> list[LabelJob]:
    """Jobs created since local midnight (a shift's day, not UTC's), newest first."""
    local = (now or datetime.now().astimezone()).astimezone()
    midnight = datetime.combine(local.date(), time(), tzinfo=local.tzinfo).astimezone(UTC)
    return jobs_since(replica, midnight.strftime("%Y-%m-%dT%H:%M:%SZ"))


@dataclass(frozen=True)
class Retried:
    """What :func:`retry_jobs` did: the jobs printed, and each failed one with its reason."""

    printed: tuple[LabelJob, ...]
    failed: tuple[tuple[str, str], ...]

    def summary(self) -> str:
        """One line for the operator ("2 of 3 jobs printed; …: printer unreachable")."""
        tried = len(self.printed) + len(self.failed)
        text = f"{len(self.printed)} of {tried} job{'s' * (tried != 1)} printed"
        if self.failed:
            text += f"; not printed: {self.failed[0][1]}"
        return text


def retry_jobs(
    replica: Replica,
    job_ids: Iterable[str],
    *,
    printer: str | None = None,
    scheme: IdScheme | None = None,
    system_print: SystemPrint | None = None,
) -> Retried:
    """Print each of ``job_ids`` again (:func:`retry_job`), in order, on ``printer`` if given;
    a job that fails again stays failed with its new reason, and the others still print."""
    scheme = scheme or scheme_for(replica)
    printed: list[LabelJob] = []
    failed: list[tuple[str, str]] = []
    for job_id in job_ids:
        try:
            printed.append(
                retry_job(
                    replica, job_id, printer=printer, scheme=scheme, system_print=system_print
                )
            )
        except (LabelError, PrinterError, OSError) as exc:
            failed.append((job_id, str(exc) or exc.__class__.__name__))
    return Retried(tuple(printed), tuple(failed))


def find_lot(replica: Replica, lot: str) -> tuple[LabelItem, LabelJob] | None:
    """The newest label printed for ``lot`` (any case) and its job, or None when no job on
    this replica ever printed that lot: how the station tells a known lot from a typo."""
    rows = replica.conn.execute(
        f"SELECT j.*, e.value AS item FROM {TABLE} j, json_each(j.items) e "
        "WHERE j.deleted = 0 "
        "AND upper(json_extract(e.value, '$.lot')) = upper(?) "
        "ORDER BY j.created_at DESC, j.rowid DESC LIMIT 1",
        (lot.strip(),),
    ).fetchall()
    for row in rows:
        items = items_from_json(f"[{row['item']}]")
        return items[0], LabelJob.from_row(row)
    return None
