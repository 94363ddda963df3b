"""Generating a believable workspace: the demo, the tests' fixtures and the benchmarks.

Deterministic for a seed (ids included: they are drawn from the same random stream, and an
``id_salt`` gives another workspace from the same seed ids of its own), and fast
enough for 200,000 materials in seconds: rows are built as tuples from precomputed choices and
written with ``executemany`` in one transaction, in batches so memory stays flat even for
millions of order lines.
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypeVar

from workbench.demo import vocabulary as v
from workbench.errors import Cancelled
from workbench.replica import Replica
from workbench.replica.store import utc_now

Progress = Callable[[str, int, int], None]
T = TypeVar("T")
#: one row to insert, its values in the order of the table's column list
Row = tuple[object, ...]
BATCH = 20_000


@dataclass(frozen=True)
class DemoSummary:
    seed: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)


_MATERIAL_COLS = (
    "id",
    "code",
    "name",
    "material_type",
    "category",
    "composition",
    "construction",
    "yarn_count",
    "gsm",
    "width_cm",
    "colour",
    "shade_depth",
    "dye_class",
    "finish",
    "certifications",
    "supplier",
    "mill",
    "uom",
    "price",
    "currency",
    "description",
    "version",
    "deleted",
    "updated_at",
)


def _insert_sql(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


class _Writer:
    """Hands out change numbers and writes batches, checking for cancel between them."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        progress: Progress | None,
        cancel: threading.Event | None,
        id_mask: int = 0,
    ) -> None:
        self.conn = conn
        self.id_mask = id_mask
        self.version = 0
        self.progress = progress
        self.cancel = cancel
        self.counts: dict[str, int] = {}

    def next_version(self) -> int:
        self.version += 1
        return self.version

    def new_id(self, rng: random.Random) -> str:
        """The next id of the seeded stream, salted (`_id_mask`)."""
        return _uuid(rng, self.id_mask)

    def write(self, table: str, columns: Sequence[str], rows: Iterator[Row], total: int) -> None:
        sql = _insert_sql(table, columns)
        done = 0
        batch: list[Row] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                done += self._flush(sql, batch, table, done, total)
                batch = []
        if batch:
            done += self._flush(sql, batch, table, done, total)
        self.counts[table] = self.counts.get(table, 0) + done

    def _flush(self, sql: str, batch: list[Row], table: str, done: int, total: int) -> int:
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled("demo generation was cancelled")
        self.conn.executemany(sql, batch)
        if self.progress is not None:
            self.progress(table, done + len(batch), total)
        return len(batch)


def _uuid(rng: random.Random, mask: int = 0) -> str:
    """A version-4 UUID from the seeded stream (as ``uuid.UUID(int=…, version=4)``, faster),
    XORed with ``mask``: a one-to-one change, so salted ids stay as distinct as the stream's."""
    n = ((rng.getrandbits(128) ^ mask) & _UUID_CLEAR) | _UUID_SET
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID_SET = (0x4000 << 64) | (0x8000 << 48)  # version 4, RFC 4122 variant


def _id_mask(salt: str) -> int:
    """128 bits from ``salt`` to mix into every id (none for no salt)."""
    if not salt:
        return 0
    return int.from_bytes(hashlib.sha256(salt.encode()).digest()[:16], "big")


def _pick(rng: random.Random, items: Sequence[T]) -> T:
    """``rng.choice`` without its rejection loop: ten times faster, and just as seeded."""
    return items[int(rng.random() * len(items))]


def _randrange(rng: random.Random, start: int, stop: int, step: int = 1) -> int:
    return start + step * int(rng.random() * ((stop - start + step - 1) // step))


def _money(value: float) -> str:
    return f"{value:.2f}"


def generate_demo(
    replica: Replica,
    materials: int = 20_000,
    *,
    seed: int = 7,
    orders: int | None = None,
    today: date | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    id_salt: str = "",
) -> DemoSummary:
    """Fill an empty replica with a demo workspace (one transaction; all or nothing).

    ``id_salt`` (say, the workspace's own id) changes every row's id and nothing else, so a
    server can hold several demo workspaces from the same seed: ids are unique server-wide.
    """
    if materials < 1:
        raise ValueError("a demo workspace needs at least one material")
    if replica.conn.execute("SELECT 1 FROM materials LIMIT 1").fetchone():
        raise ValueError(
            f"{replica.path} already holds materials: demo data goes into an empty workspace"
        )
    started = time.perf_counter()
    rng = random.Random(seed)
    today = today or date.today()
    stamp = utc_now()
    orders = materials // 4 if orders is None else orders
    # A big page cache keeps the random-key (UUID) index inserts in memory.
    cache = replica.conn.execute("PRAGMA cache_size").fetchone()[0]
    replica.conn.execute("PRAGMA cache_size = -262144")
    try:
        counts = _generate(
            replica, rng, stamp, today, materials, orders, progress, cancel, _id_mask(id_salt)
        )
    finally:
        replica.conn.execute(f"PRAGMA cache_size = {int(cache)}")
    return DemoSummary(seed, round(time.perf_counter() - started, 3), counts)


def _generate(
    replica: Replica,
    rng: random.Random,
    stamp: str,
    today: date,
    materials: int,
    orders: int,
    progress: Progress | None,
    cancel: threading.Event | None,
    id_mask: int = 0,
) -> dict[str, int]:
    with replica.transaction() as conn:
        w = _Writer(conn, progress, cancel, id_mask)
        brand_ids = _brands(w, rng, stamp)
        _work_centres_and_capacity(w, rng, stamp, today)
        made = _materials(w, rng, stamp, materials)
        _cost_rates(w, rng, stamp, today, made)
        _fx_rates(w, rng, stamp, today)
        _orders(w, rng, stamp, today, orders, made, brand_ids)
        _calendar(w, random.Random(rng.getrandbits(64)), stamp, today)
        replica.set_state("cursor", str(w.version), conn)
    return dict(w.counts)


# -- brands and margin rules ---------------------------------------------------------------------


def _brands(w: _Writer, rng: random.Random, stamp: str) -> list[tuple[str, str]]:
    brands = [(w.new_id(rng), code, name, country, cur) for code, name, country, cur in v.BRANDS]
    w.write(
        "brands",
        ("id", "code", "name", "country", "currency", "version", "deleted", "updated_at"),
        ((*b, w.next_version(), 0, stamp) for b in brands),
        len(brands),
    )
    rules = []
    for brand_id, *_ in brands:
        margin = _pick(rng, (0.22, 0.25, 0.28, 0.30, 0.32))
        rules.append((brand_id, "*", "margin", margin, 0.15, 0, "0.05"))
        rules.append((brand_id, "*", "margin", margin - 0.02, 0.15, 5000, "0.05"))
        rules.append(
            (brand_id, "knit tops", "markup", _pick(rng, (0.35, 0.4, 0.45)), 0.18, 0, "0.10")
        )
    w.write(
        "margin_rules",
        (
            "id",
            "brand_id",
            "category",
            "method",
            "rate",
            "min_margin",
            "moq_from",
            "price_rounding",
            "valid_from",
            "version",
            "deleted",
            "updated_at",
        ),
        (
            (
                w.new_id(rng),
                b,
                cat,
                method,
                f"{rate:.2f}",
                f"{floor:.2f}",
                moq,
                rnd,
                "2025-01-01",
                w.next_version(),
                0,
                stamp,
            )
            for b, cat, method, rate, floor, moq, rnd in rules
        ),
        len(rules),
    )
    return [(b[0], b[4]) for b in brands]


# -- work centres and capacity -------------------------------------------------------------------


def _work_centres_and_capacity(w: _Writer, rng: random.Random, stamp: str, today: date) -> None:
    centres = [
        (w.new_id(rng), code, name, process, _pick(rng, v.MILLS), minutes)
        for code, name, process, minutes in v.WORK_CENTRES
    ]
    w.write(
        "work_centres",
        ("id", "code", "name", "process", "mill", "version", "deleted", "updated_at"),
        ((c[0], c[1], c[2], c[3], c[4], w.next_version(), 0, stamp) for c in centres),
        len(centres),
    )
    days = [today + timedelta(days=d) for d in range(-180, 181)]
    working = [d for d in days if d.weekday() != 6]  # Sundays off

    def rows() -> Iterator[Row]:
        for centre_id, *_, minutes in centres:
            for day in working:
                ahead = (day - today).days
                if ahead < 0:
                    load = rng.uniform(0.75, 1.0)  # history: mostly well used
                elif ahead < 28:
                    load = rng.uniform(0.85, 1.1)  # near weeks: full, some days over
                else:
                    load = max(0.05, rng.uniform(0.7, 1.0) - ahead / 250)
                booked = min(minutes, int(minutes * load))  # over-demand shows as fully booked
                yield (
                    w.new_id(rng),
                    centre_id,
                    day.isoformat(),
                    minutes,
                    booked,
                    w.next_version(),
                    0,
                    stamp,
                )

    w.write(
        "capacity",
        (
            "id",
            "work_centre_id",
            "day",
            "minutes_available",
            "minutes_booked",
            "version",
            "deleted",
            "updated_at",
        ),
        rows(),
        len(centres) * len(working),
    )


def _calendar(w: _Writer, rng: random.Random, stamp: str, today: date) -> None:
    """The mills' holidays and half days within the capacity rows' window, for every centre.
    Written last, with its own random stream, so the rest of a seeded demo is unchanged."""
    first, last = (today + timedelta(days=d) for d in (-180, 180))
    days = [
        (day, kind, name)
        for day, kind, name in v.CALENDAR
        if first <= date.fromisoformat(day) <= last
    ]
    w.write(
        "calendar_days",
        ("id", "work_centre_id", "day", "kind", "name", "version", "deleted", "updated_at"),
        (
            (w.new_id(rng), None, day, kind, name, w.next_version(), 0, stamp)
            for day, kind, name in days
        ),
        len(days),
    )


# -- materials -----------------------------------------------------------------------------------


@dataclass
class _Made:
    yarns: list[tuple[str, str, str]] = field(default_factory=list)  # id, count, price
    fabrics: list[str] = field(default_factory=list)
    trims: list[tuple[str, str, str]] = field(default_factory=list)  # id, uom, price


def _certs(rng: random.Random, blend: v.Blend) -> str:
    if rng.random() < 0.35:
        return ""
    return ",".join(c for c in blend.certifications if rng.random() < 0.5)


def _materials(w: _Writer, rng: random.Random, stamp: str, total: int) -> _Made:
    made = _Made()
    counters = {"yarn": 0, "fabric": 0, "trim": 0}
    suppliers, mills = v.SUPPLIERS, v.MILLS
    spun = [b for b in v.BLENDS if not b.filament]
    filament = [b for b in v.BLENDS if b.filament]
    constructions = v.KNITS + v.WOVENS

    def yarn(material_id: str, code: str) -> Row:
        is_filament = rng.random() < 0.2
        blend = _pick(rng, filament if is_filament else spun)
        if is_filament:
            count, process = _pick(rng, v.FILAMENT_COUNTS), _pick(rng, ("textured", "FDY"))
            base = rng.uniform(150, 230)
        else:
            count, process = _pick(rng, v.SPUN_COUNTS), _pick(rng, v.SPINNING)
            ne = int(count.split()[1].split("/")[0])
            base = 175 + 4.2 * ne + (25 if "combed" in process else 0)
        price = base * blend.price_factor * rng.uniform(0.94, 1.06)
        colour, shade = ("Raw White", None) if rng.random() < 0.8 else _pick(rng, v.COLOURS)
        supplier = _pick(rng, suppliers)
        made.yarns.append((material_id, count, _money(price)))
        name = f"{count} {process.title()} {blend.short} Yarn"
        return (
            material_id,
            code,
            name,
            "yarn",
            f"{process} yarn",
            blend.composition,
            f"{count} {process}",
            count,
            None,
            None,
            colour,
            shade,
            blend.dye_class if shade else None,
            "",
            _certs(rng, blend),
            supplier,
            _pick(rng, mills),
            "kg",
            _money(price),
            "INR",
            f"{count} {process} yarn in {blend.composition.lower()}, from {supplier}.",
        )

    def fabric(material_id: str, code: str) -> Row:
        c = _pick(rng, constructions)
        blend = _pick(rng, v.BLENDS if c.knitted else spun)
        gsm = _randrange(rng, c.gsm[0], c.gsm[1] + 1, 5)
        colour, shade = _pick(rng, v.COLOURS)
        if c.category == "denim":
            colour, shade = _pick(rng, (("Indigo", "dark"), ("Black", "dark"), ("Ecru", "light")))
        dye_class = (
            "vat"
            if c.category == "denim"
            else ("pigment" if rng.random() < 0.05 else blend.dye_class)
        )
        finish = _pick(rng, v.FINISHES)
        tubular = c.knitted and rng.random() < 0.3
        if c.knitted:
            width = _randrange(rng, 80, 101, 2) if tubular else _randrange(rng, 160, 191, 2)
            detail = c.detail + (", tubular" if tubular else ", open width")
            uom = "kg"
            yarn_cost = (175 + 4.2 * 30) * blend.price_factor
            dyeing = {"light": 85, "medium": 105, "dark": 135}[shade]
            price = (yarn_cost * 1.08 + c.conversion_inr) * 1.1 + dyeing
        else:
            width = _pick(rng, (147, 150, 150, 160))
            detail = c.detail
            uom = "m"
            price = gsm * width / 100 / 1000 * (330 * blend.price_factor) + c.conversion_inr + 25
        price *= rng.uniform(0.93, 1.08)
        supplier = _pick(rng, suppliers)
        made.fabrics.append(material_id)
        name = f"{c.category.title()} {gsm} GSM {blend.short} {colour}"
        description = (
            f"{c.category.capitalize()} in {blend.composition.lower()}, {detail}"
            f"{', ' + finish if finish else ''}; {gsm} g/m², {width} cm. From {supplier}."
        )
        return (
            material_id,
            code,
            name,
            "fabric",
            c.category,
            blend.composition,
            detail,
            None,
            gsm,
            width,
            colour,
            shade,
            dye_class,
            finish,
            _certs(rng, blend),
            supplier,
            _pick(rng, mills),
            uom,
            _money(price),
            "INR",
            description,
        )

    def trim(material_id: str, code: str) -> Row:
        t = _pick(rng, v.TRIMS)
        colour = _pick(rng, v.TRIM_COLOURS)
        price = rng.uniform(*t.price_inr)
        supplier = _pick(rng, suppliers)
        made.trims.append((material_id, t.uom, _money(price)))
        certs = "OEKO-TEX" if rng.random() < 0.3 else ""
        if t.category == "hang tag":
            certs = "FSC"
        return (
            material_id,
            code,
            f"{t.name.capitalize()}, {colour}",
            "trim",
            t.category,
            "",
            "",
            None,
            None,
            None,
            colour,
            None,
            None,
            "",
            certs,
            supplier,
            "",
            t.uom,
            _money(price),
            "INR",
            f"{t.name} in {colour.lower()}, from {supplier}.",
        )

    makers = {"yarn": (yarn, "YRN"), "fabric": (fabric, "FAB"), "trim": (trim, "TRM")}

    def rows() -> Iterator[Row]:
        for _ in range(total):
            roll = rng.random()
            kind = "yarn" if roll < 0.2 else ("fabric" if roll < 0.85 else "trim")
            counters[kind] += 1
            make, prefix = makers[kind]
            row = make(w.new_id(rng), f"{prefix}-{counters[kind]:07d}")
            yield (*row, w.next_version(), 0, stamp)

    w.write("materials", _MATERIAL_COLS, rows(), total)
    return made


# -- cost rates ----------------------------------------------------------------------------------


def _cost_rates(w: _Writer, rng: random.Random, stamp: str, today: date, made: _Made) -> None:
    current = today.replace(day=1)
    older = (current - timedelta(days=400)).replace(day=1)
    sources = ("SAP cost master", "Mill quotation", "Supplier price list", "Costing review")

    def source(when: date) -> str:
        return f"{_pick(rng, sources)} {when:%Y-%m}"

    process_rates: list[Row] = []

    def rate(
        code: str, process: str, description: str, basis: str, amount: float, **criteria: str | None
    ) -> None:
        for when, factor in ((older, 0.93), (current, 1.0)):
            process_rates.append(
                (
                    code,
                    process,
                    description,
                    criteria.get("material_id"),
                    criteria.get("dye_class"),
                    criteria.get("shade_depth"),
                    criteria.get("technique"),
                    basis,
                    _money(amount * factor),
                    when.isoformat(),
                    source(when),
                )
            )

    for c in v.KNITS:
        rate(
            f"KNT-{c.category[:6].upper().replace(' ', '')}",
            "knitting",
            f"Knitting {c.category}, {c.detail}",
            "per kg",
            c.conversion_inr,
            technique=c.detail,
        )
    for c in v.WOVENS:
        rate(
            f"WEA-{c.category[:6].upper()}",
            "weaving",
            f"Weaving {c.category}, {c.detail}",
            "per m",
            c.conversion_inr,
            technique=c.detail,
        )
    for dye_class, base in (
        ("reactive", 80),
        ("disperse", 70),
        ("vat", 120),
        ("pigment", 55),
        ("acid", 95),
    ):
        for shade, extra in (("light", 0), ("medium", 22), ("dark", 50)):
            rate(
                f"DYE-{dye_class[:3].upper()}-{shade[0].upper()}",
                "dyeing",
                f"Dyeing, {dye_class} dyes, {shade} shade (process loss 10 %)",
                "per kg",
                base + extra,
                dye_class=dye_class,
                shade_depth=shade,
            )
    for technique, basis, (low, high) in v.PRINT_TECHNIQUES:
        rate(
            f"PRT-{technique[:8].upper().replace(' ', '')}",
            "printing",
            f"Printing, {technique}",
            basis,
            rng.uniform(low, high),
            technique=technique,
        )
    rate("EMB-FLAT", "embroidery", "Embroidery, flat, per 1,000 stitches", "per 1000 stitches", 4.5)
    rate(
        "EMB-3D", "embroidery", "Embroidery, 3D puff, per 1,000 stitches", "per 1000 stitches", 7.0
    )
    for mill in v.MILLS:
        rate(
            f"CPM-{v.MILLS.index(mill) + 1:02d}",
            "making",
            f"Cost per minute, {mill}",
            "per minute",
            rng.uniform(4.2, 6.8),
            technique=mill,
        )
    for finish in v.FINISHES:
        if finish:
            rate(
                f"FIN-{finish[:6].upper().replace(' ', '')}",
                "finishing",
                f"Finishing, {finish}",
                "per kg",
                rng.uniform(12, 45),
                technique=finish,
            )
    for name, pct in (("Factory overhead", 12), ("Commercial cost", 3), ("Testing", 1)):
        rate(f"OVH-{name[:4].upper()}", "overhead", name, "percent", pct)

    def rows() -> Iterator[Row]:
        for r in process_rates:
            yield (w.new_id(rng), *r[:9], "INR", r[9], r[10], w.next_version(), 0, stamp)
        # material prices in two versions too, so last season's styles can be re-costed
        for material_id, count, price in made.yarns:
            for when, factor in ((older, 0.93), (current, 1.0)):
                yield (
                    w.new_id(rng),
                    f"YRN-{count.replace(' ', '').replace('/', '-')}",
                    "yarn",
                    f"Yarn {count}",
                    material_id,
                    None,
                    None,
                    None,
                    "per kg",
                    _money(float(price) * factor),
                    "INR",
                    when.isoformat(),
                    source(when),
                    w.next_version(),
                    0,
                    stamp,
                )
        for material_id, uom, price in made.trims:
            for when, factor in ((older, 0.93), (current, 1.0)):
                yield (
                    w.new_id(rng),
                    "TRIM",
                    "trim",
                    "Trim price",
                    material_id,
                    None,
                    None,
                    None,
                    f"per {'piece' if uom == 'pc' else 'm'}",
                    _money(float(price) * factor),
                    "INR",
                    when.isoformat(),
                    source(when),
                    w.next_version(),
                    0,
                    stamp,
                )

    w.write(
        "cost_rates",
        (
            "id",
            "rate_code",
            "process",
            "description",
            "material_id",
            "dye_class",
            "shade_depth",
            "technique",
            "basis",
            "rate",
            "currency",
            "valid_from",
            "source",
            "version",
            "deleted",
            "updated_at",
        ),
        rows(),
        len(process_rates) + 2 * (len(made.yarns) + len(made.trims)),
    )


#: Rupees' worth in the brands' currencies at the start of the demo's history, and how much
#: the rate may wander in a month.
_FX_START = {"EUR": 0.0109, "GBP": 0.0093, "USD": 0.0121, "AUD": 0.0182}
_FX_MONTHS = 40  # the order history reaches back three years


def _fx_rates(w: _Writer, rng: random.Random, stamp: str, today: date) -> None:
    """Monthly INR rates for the brands' currencies since before the oldest order, as a
    treasury desk publishes them: every month kept, since a costing converts at the rate of
    its own date."""
    first = today.replace(day=1)
    months = []
    for back in range(_FX_MONTHS - 1, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        months.append(date(year, month + 1, 1))
    rows = []
    for currency, start in _FX_START.items():
        rate = start
        for day in months:
            rate *= 1 + rng.uniform(-0.015, 0.012)
            rows.append(
                (
                    w.new_id(rng),
                    "INR",
                    currency,
                    f"{rate:.6f}",
                    day.isoformat(),
                    f"Treasury rate {day:%Y-%m}",
                )
            )
    w.write(
        "fx_rates",
        (
            "id",
            "from_currency",
            "to_currency",
            "rate",
            "as_of",
            "source",
            "version",
            "deleted",
            "updated_at",
        ),
        ((*r, w.next_version(), 0, stamp) for r in rows),
        len(rows),
    )


# -- order history -------------------------------------------------------------------------------


def _season(day: date) -> str:
    # orders placed in autumn/winter are for the next spring/summer, and vice versa
    if 3 <= day.month <= 8:
        return f"AW{day.year % 100:02d}"
    return f"SS{(day.year + (1 if day.month > 8 else 0)) % 100:02d}"


def _orders(
    w: _Writer,
    rng: random.Random,
    stamp: str,
    today: date,
    total: int,
    made: _Made,
    brands: list[tuple[str, str]],
) -> None:
    fabrics = made.fabrics or [m for m, *_ in made.yarns] or [m for m, *_ in made.trims]
    yarns = [m for m, *_ in made.yarns] or fabrics
    trims = [m for m, *_ in made.trims] or fabrics
    span = 3 * 365
    mills = v.MILLS

    def rows() -> Iterator[Row]:
        for n in range(1, total + 1):
            brand_id, currency = _pick(rng, brands)
            ordered = today - timedelta(days=_randrange(rng, 0, span))
            roll = rng.random()
            material = _pick(rng, fabrics if roll < 0.8 else (yarns if roll < 0.9 else trims))
            promised = ordered + timedelta(days=_randrange(rng, 60, 121))
            delivered = None
            if promised < today - timedelta(days=7) or (promised < today and rng.random() < 0.5):
                delivered = (promised + timedelta(days=round(rng.gauss(3, 9)))).isoformat()
            quantity = _randrange(rng, 300, 20_001, 50)
            garment = _pick(rng, v.GARMENTS)
            yield (
                w.new_id(rng),
                f"PO-{ordered.year}-{n:07d}",
                brand_id,
                f"{garment}-{_randrange(rng, 1, 400):03d}",
                material,
                _season(ordered),
                _pick(rng, mills),
                quantity,
                "pc",
                _money(rng.uniform(2.4, 19.5)),
                currency,
                ordered.isoformat(),
                promised.isoformat(),
                delivered,
                w.next_version(),
                0,
                stamp,
            )

    w.write(
        "orders",
        (
            "id",
            "order_no",
            "brand_id",
            "style_code",
            "material_id",
            "season",
            "mill",
            "quantity",
            "uom",
            "unit_price",
            "currency",
            "order_date",
            "promised_date",
            "delivered_date",
            "version",
            "deleted",
            "updated_at",
        ),
        rows(),
        total,
    )
