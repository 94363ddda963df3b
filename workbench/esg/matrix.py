"""The impact matrix: per-fibre and per-process factors, grid and boiler-fuel factors, each
with the source, table or field, scope and unit it was read with (resources/esg/*.json).

Why data and not constants in code: an ESG sheet goes to a buyer, who may ask where any number
comes from; every figure therefore carries its citation, and a figure nobody could source is
stored as null with a note, so the report can say "missing" instead of showing a zero. The
loader refuses a matrix where any figure lacks a source, scope or unit, or has a unit the code
cannot convert, and names the file and key, so a bad edit fails at load, not in a buyer's
sheet.

Figures are kept as the sources publish them (per 1000 kg of fibre, kg CO2 per TJ of fuel,
t CO2 per MWh); the conversions to per-kg, per-MJ and per-kWh factors are here and nowhere
else. A *derived* figure (organic cotton, recycled polyester) stores its inputs — the base
fibre and the sourced reduction — never the product, and is computed at load.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from workbench.esg.errors import EsgDataError, EsgError
from workbench.paths import resources_dir

#: The scopes a figure may have. Fibre figures are cradle-to-gate (from the field or the
#: monomer to the fibre at the factory gate); process figures are gate-to-gate (the energy a
#: mill step uses); grid and fuel factors turn that energy into CO2.
SCOPES = (
    "cradle-to-gate fibre",
    "gate-to-gate process",
    "grid electricity (generation)",
    "fuel combustion (heat)",
)

#: What a source is. A primary source measured or published the figure itself (a study, the
#: agency's own database, a guideline); a compilation tabulates figures measured elsewhere,
#: with footnotes naming the studies, so each of its cells names that footnote and the study
#: behind it, or says the study is not yet confirmed.
SOURCE_KINDS = ("primary", "compilation")

FIBRE_INDICATORS = ("global_warming", "eutrophication", "water_use", "energy_demand")

#: Fibre units as published (per 1000 kg of fibre) → (unit per kg of fibre, multiplier):
#: kg per 1000 kg ÷ 1000 = kg per kg; 1 m³ per 1000 kg = 1 L per kg; 1 GJ per 1000 kg = 1 MJ
#: per kg.
FIBRE_UNITS: Mapping[str, tuple[str, Decimal]] = {
    "kg CO2-eq per 1000 kg fibre": ("kg CO2-eq per kg", Decimal("0.001")),
    "kg PO4-eq per 1000 kg fibre": ("kg PO4-eq per kg", Decimal("0.001")),
    "m3 per 1000 kg fibre": ("L per kg", Decimal(1)),
    "GJ per 1000 kg fibre": ("MJ per kg", Decimal(1)),
}
PROCESS_UNITS = ("MJ per kg", "MJ per m2", "kWh per pick.m", "ratio", "kg PO4-eq", "L")
#: Grid units → kg CO2 per kWh (1 t per MWh = 1 kg per kWh).
GRID_UNITS: Mapping[str, Decimal] = {"t CO2 per MWh": Decimal(1), "kg CO2 per kWh": Decimal(1)}
#: Fuel units → kg CO2 per MJ (1 TJ = 1,000,000 MJ; 1 GJ = 1,000 MJ).
HEAT_UNITS: Mapping[str, Decimal] = {
    "kg CO2 per TJ": Decimal("0.000001"),
    "kg CO2 per GJ": Decimal("0.001"),
    "kg CO2 per MJ": Decimal(1),
}

_FILES = ("sources.json", "fibres.json", "processes.json", "grid.json", "heat.json")


@dataclass(frozen=True)
class Source:
    """A publication or dataset figures are read from; ``short`` is how a line cites it."""

    id: str
    short: str
    citation: str
    url: str
    scope: str
    notes: str = ""
    commit: str = ""
    kind: str = "primary"


@dataclass(frozen=True)
class Figure:
    """One number of the matrix, in ``unit`` as its source publishes it (None: missing, and
    ``note`` says why). ``key`` says where it is in the data ("fibres.json: cotton.global_
    warming"); ``table`` the table cell or field it was read from; ``sources`` every source
    it rests on (two for a derived figure, whose ``derived`` label says how it was made).

    ``credits`` says what the figure nets off that a plain cradle-to-gate figure does not
    (biogenic carbon stored in the fibre, energy or by-products a mill exports); empty for a
    figure that takes no credit. Why it is data: a credited figure is not like an uncredited
    one, so the report puts it on its own line and a what-if will not subtract one from the
    other.

    A figure read from a compilation carries the compilation's ``footnote`` for it and the
    ``primary`` study behind it (a source id), or leaves ``primary`` empty; ``unconfirmed``
    then says what was not read. Any figure not yet read in its primary source's own text
    (a compilation's cell, a grid factor read from a tabulation) says so in ``unconfirmed``,
    and the report repeats it, because a figure nobody checked must not pass as checked."""

    key: str
    value: Decimal | None
    unit: str
    scope: str
    source: str
    table: str = ""
    note: str = ""
    derived: str = ""
    sources: tuple[str, ...] = ()
    credits: str = ""
    footnote: str = ""
    primary: str = ""
    unconfirmed: str = ""

    @property
    def missing(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Fibre:
    """A fibre's cradle-to-gate figures by indicator (`FIBRE_INDICATORS`)."""

    key: str
    name: str
    aliases: tuple[str, ...]
    figures: Mapping[str, Figure]
    note: str = ""
    #: why a plain alias reads as this variant ("viscose" → viscose made in Asia)
    alias_note: str = ""

    def per_kg(self, indicator: str) -> tuple[Decimal | None, str]:
        """The figure per kg of fibre and its unit (None when the figure is missing)."""
        figure = self.figures[indicator]
        unit, multiplier = FIBRE_UNITS[figure.unit]
        return (None if figure.value is None else figure.value * multiplier), unit


@dataclass(frozen=True)
class Process:
    """A mill step's energy record: ``figures`` holds heat_MJ and elec_MJ (per kg or m²),
    for weaving elec_pppm and take_up. ``mass`` is what the figure applies to: "grey",
    "finished", "yarn" or "area"."""

    key: str
    step: str
    name: str
    unit: str
    figures: Mapping[str, Figure]
    mass: str
    uuid: str = ""
    alias: str = ""
    origin: str = ""
    match: tuple[str, ...] = ()
    default: bool = False
    note: str = ""


@dataclass(frozen=True)
class GridFactor:
    """A country's grid emission factor for a period (an Indian financial year)."""

    country: str
    country_name: str
    period: str
    start: date
    end: date
    version: str
    figure: Figure

    @property
    def kg_co2_per_kwh(self) -> Decimal:
        assert self.figure.value is not None  # checked at load
        return self.figure.value * GRID_UNITS[self.figure.unit]


@dataclass(frozen=True)
class HeatFuel:
    """A boiler fuel's CO2 factor."""

    key: str
    aliases: tuple[str, ...]
    figure: Figure

    @property
    def kg_co2_per_mj(self) -> Decimal:
        assert self.figure.value is not None  # checked at load
        return self.figure.value * HEAT_UNITS[self.figure.unit]


@dataclass(frozen=True)
class Matrix:
    """The whole matrix, validated. Look things up through its methods, which raise
    `EsgError` naming what was asked for and what exists."""

    folder: Path
    sources: Mapping[str, Source]
    fibres: Mapping[str, Fibre]
    processes: Mapping[str, Process]
    grid: tuple[GridFactor, ...]
    heat: Mapping[str, HeatFuel]
    #: indicators no process record has a figure for (eutrophication, water use)
    missing_process_indicators: Mapping[str, Figure]
    _aliases: Mapping[str, str] = field(repr=False, compare=False, default_factory=dict)

    def figures(self) -> Iterator[Figure]:
        """Every figure of the matrix, missing ones included (for checks and listings)."""
        for fibre in self.fibres.values():
            yield from fibre.figures.values()
        for process in self.processes.values():
            yield from process.figures.values()
        yield from self.missing_process_indicators.values()
        for factor in self.grid:
            yield factor.figure
        for fuel in self.heat.values():
            yield fuel.figure

    def fibre(self, name: str) -> Fibre:
        """The fibre called ``name`` (a key or an alias, any case)."""
        key = self._aliases.get(_norm(name))
        if key is None:
            known = ", ".join(self.fibres)
            raise EsgError(f"no fibre called {name!r} in the impact matrix (known: {known})")
        return self.fibres[key]

    def heat_fuel(self, name: str) -> HeatFuel:
        """The boiler fuel called ``name`` (a key or an alias, any case)."""
        wanted = _norm(name)
        for fuel in self.heat.values():
            if wanted == fuel.key or wanted in fuel.aliases:
                return fuel
        known = ", ".join(self.heat)
        raise EsgError(f"no heat fuel called {name!r} in the impact matrix (known: {known})")

    def grid_factor(self, country: str, on: date) -> tuple[GridFactor | None, str]:
        """The grid factor of ``country`` (ISO code or name) for the period holding ``on``,
        with a note when another period had to stand in; (None, why) when there is none."""
        wanted = _norm(country)
        factors = sorted(
            (f for f in self.grid if wanted in (_norm(f.country), _norm(f.country_name))),
            key=lambda f: f.start,
        )
        if not factors:
            return None, f"no grid emission factor for country {country!r} in grid.json"
        for factor in factors:
            if factor.start <= on <= factor.end:
                return factor, ""
        latest = factors[-1]
        if on > latest.end:
            return latest, (
                f"no factor for the period holding {on.isoformat()}; the latest published, "
                f"{latest.period}, is used"
            )
        return None, f"no grid emission factor for {country} before {factors[0].start}"

    def process_for(self, step: str, text: str) -> Process | None:
        """The process for ``step`` whose match words occur in ``text`` (a construction,
        print technique or finish), else the step's default, else None."""
        lowered = " ".join(text.casefold().split())
        candidates = [p for p in self.processes.values() if p.step == step]
        for process in candidates:
            if any(word in lowered for word in process.match):
                return process
        return next((p for p in candidates if p.default), None)


def _norm(name: str) -> str:
    return " ".join(name.casefold().replace("-", " ").split())


# -- loading ----------------------------------------------------------------------------------


def load_matrix(folder: Path | str | None = None) -> Matrix:
    """The validated matrix from ``folder`` (default: resources/esg/). Loaded once per folder:
    the data is shipped with the app and does not change while it runs."""
    path = Path(folder) if folder is not None else resources_dir() / "esg"
    return _load(str(path.resolve()))


@functools.cache
def _load(folder: str) -> Matrix:
    root = Path(folder)
    raw = {name: _read(root / name) for name in _FILES}
    sources = _sources(raw["sources.json"])
    fibres = _fibres(raw["fibres.json"], sources)
    processes, missing = _processes(raw["processes.json"], sources)
    grid = _grid(raw["grid.json"], sources)
    heat = _heat(raw["heat.json"], sources)
    aliases: dict[str, str] = {}
    for fibre in fibres.values():
        for alias in (fibre.key, *fibre.aliases):
            other = aliases.setdefault(_norm(alias), fibre.key)
            if other != fibre.key:
                raise EsgDataError(
                    f"fibres.json: {fibre.key}: alias {alias!r} is also an alias of {other}"
                )
    return Matrix(root, sources, fibres, processes, grid, heat, missing, aliases)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"), parse_float=Decimal)
    except FileNotFoundError:
        raise EsgDataError(f"{path.name}: the impact matrix file is missing ({path})") from None
    except json.JSONDecodeError as exc:
        raise EsgDataError(f"{path.name}: not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise EsgDataError(f"{path.name}: expected a JSON object at the top")
    return data


def _section(data: Mapping[str, Any], file: str, name: str) -> Any:
    if name not in data:
        raise EsgDataError(f"{file}: no {name!r} section")
    return data[name]


def _text(raw: Mapping[str, Any], file: str, key: str, name: str, required: bool = True) -> str:
    value = raw.get(name, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise EsgDataError(f"{file}: {key}: {name!r} must be non-empty text")
    return value


def _number(value: Any, file: str, key: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise EsgDataError(f"{file}: {key}: {value!r} is not a number")
    return Decimal(value)


def _sources(data: Mapping[str, Any]) -> dict[str, Source]:
    file = "sources.json"
    sources: dict[str, Source] = {}
    for sid, raw in _section(data, file, "sources").items():
        if not isinstance(raw, dict):
            raise EsgDataError(f"{file}: {sid}: expected an object")
        url = _text(raw, file, sid, "url")
        if not url.startswith(("http://", "https://")):
            raise EsgDataError(f"{file}: {sid}: url {url!r} is not a web address")
        sources[sid] = Source(
            id=sid,
            short=_text(raw, file, sid, "short"),
            citation=_text(raw, file, sid, "citation"),
            url=url,
            scope=_text(raw, file, sid, "scope"),
            notes=_text(raw, file, sid, "notes", required=False),
            commit=_text(raw, file, sid, "commit", required=False),
            kind=_kind(raw, file, sid),
        )
    return sources


def _kind(raw: Mapping[str, Any], file: str, sid: str) -> str:
    kind = raw.get("kind")
    if kind not in SOURCE_KINDS:
        raise EsgDataError(f"{file}: {sid}: kind {kind!r} is not one of {', '.join(SOURCE_KINDS)}")
    return str(kind)


def _provenance(
    raw: Mapping[str, Any], file: str, key: str, source: Source, sources: Mapping[str, Source]
) -> dict[str, str]:
    """The footnote, primary study and what stands unconfirmed of a figure with a value: a
    compilation's cell must name its footnote and either a primary source (never another
    compilation) or what was not read."""
    unconfirmed = _text(raw, file, key, "unconfirmed", required=False).strip()
    if source.kind != "compilation":
        return {"unconfirmed": unconfirmed}
    primary = raw.get("primary")
    if not isinstance(primary, dict) or not str(primary.get("footnote", "")).strip():
        raise EsgDataError(
            f"{file}: {key}: read from a compilation ({source.short}): 'primary' must name the "
            "footnote behind the cell and the study it names, or say what was not read"
        )
    study = primary.get("source")
    said = str(primary.get("unconfirmed", "")).strip()
    if study is None:
        if not said:
            raise EsgDataError(
                f"{file}: {key}: no primary source: 'primary.unconfirmed' must say why"
            )
    elif study not in sources:
        raise EsgDataError(f"{file}: {key}: primary source {study!r} is not in sources.json")
    elif sources[study].kind == "compilation":
        raise EsgDataError(f"{file}: {key}: primary source {study!r} is a compilation")
    return {
        "footnote": str(primary["footnote"]).strip(),
        "primary": study or "",
        "unconfirmed": "; ".join(u for u in (said, unconfirmed) if u),
    }


def _figure(
    raw: Any,
    file: str,
    key: str,
    units: tuple[str, ...] | Mapping[str, Any],
    sources: Mapping[str, Source],
    inherits: bool = False,
) -> Figure:
    """A direct or missing figure: value (or null with a note), unit, scope, source, table.
    ``inherits``: a derived figure's template, whose provenance is its base figure's."""
    if not isinstance(raw, dict):
        raise EsgDataError(f"{file}: {key}: expected an object with value, unit, scope, source")
    for name in ("unit", "scope", "source"):
        if not raw.get(name):
            raise EsgDataError(f"{file}: {key}: no {name!r}")
    unit, scope, source = raw["unit"], raw["scope"], raw["source"]
    if unit not in units:
        raise EsgDataError(f"{file}: {key}: unit {unit!r} is not one of {', '.join(units)}")
    if scope not in SCOPES:
        raise EsgDataError(f"{file}: {key}: scope {scope!r} is not one of {', '.join(SCOPES)}")
    if source not in sources:
        raise EsgDataError(f"{file}: {key}: source {source!r} is not in sources.json")
    if "value" not in raw:
        raise EsgDataError(f"{file}: {key}: no 'value' (write null for a missing figure)")
    note = _text(raw, file, key, "note", required=False)
    if raw["value"] is None:
        if not note.strip():
            raise EsgDataError(f"{file}: {key}: a missing (null) figure needs a note saying why")
        return Figure(f"{file}: {key}", None, unit, scope, source, "", note, "", (source,))
    value = _number(raw["value"], file, key)
    table = _text(raw, file, key, "table")
    known = {} if inherits else _provenance(raw, file, key, sources[source], sources)
    cited = (source, known["primary"]) if known.get("primary") else (source,)
    credits = raw.get("credits")
    if credits is None:
        return Figure(f"{file}: {key}", value, unit, scope, source, table, note, "", cited, **known)
    if not isinstance(credits, dict) or not str(credits.get("what", "")).strip():
        raise EsgDataError(
            f"{file}: {key}: 'credits' must say 'what' the figure nets off and "
            "the 'source' that says so"
        )
    study = credits.get("source")
    if study not in sources:
        raise EsgDataError(f"{file}: {key}: credits source {study!r} is not in sources.json")
    return Figure(
        f"{file}: {key}",
        value,
        unit,
        scope,
        source,
        table,
        note,
        "",
        tuple(dict.fromkeys((*cited, str(study)))),
        str(credits["what"]).strip(),
        **known,
    )


def _fibres(data: Mapping[str, Any], sources: Mapping[str, Source]) -> dict[str, Fibre]:
    file = "fibres.json"
    entries = _section(data, file, "fibres")
    direct: dict[tuple[str, str], Figure] = {}
    pending: list[tuple[str, str, dict[str, Any]]] = []
    for fkey, raw in entries.items():
        figures = raw.get("figures") if isinstance(raw, dict) else None
        if not isinstance(figures, dict) or set(figures) != set(FIBRE_INDICATORS):
            raise EsgDataError(
                f"{file}: {fkey}: 'figures' must give exactly {', '.join(FIBRE_INDICATORS)}"
            )
        for indicator, fig in figures.items():
            if isinstance(fig, dict) and "derived" in fig:
                pending.append((fkey, indicator, fig))
            else:
                direct[(fkey, indicator)] = _figure(
                    fig, file, f"{fkey}.{indicator}", FIBRE_UNITS, sources
                )
    for fkey, indicator, fig in pending:
        direct[(fkey, indicator)] = _derived(fig, file, fkey, indicator, direct, sources)
    fibres: dict[str, Fibre] = {}
    for fkey, raw in entries.items():
        aliases = raw.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise EsgDataError(f"{file}: {fkey}: 'aliases' must be a list of names")
        fibres[fkey] = Fibre(
            key=fkey,
            name=_text(raw, file, fkey, "name"),
            aliases=tuple(_norm(a) for a in aliases),
            figures={ind: direct[(fkey, ind)] for ind in FIBRE_INDICATORS},
            note=_text(raw, file, fkey, "note", required=False),
            alias_note=_text(raw, file, fkey, "alias_note", required=False),
        )
    return fibres


def _derived(
    raw: dict[str, Any],
    file: str,
    fkey: str,
    indicator: str,
    direct: Mapping[tuple[str, str], Figure],
    sources: Mapping[str, Source],
) -> Figure:
    """base fibre's figure × (1 − a sourced reduction), labelled as derived."""
    key = f"{fkey}.{indicator}"
    spec = raw["derived"]
    template = _figure({**raw, "value": Decimal(0)}, file, key, FIBRE_UNITS, sources, True)
    if not isinstance(spec, dict):
        raise EsgDataError(f"{file}: {key}: 'derived' must be an object")
    base = direct.get((str(spec.get("from")), indicator))
    if base is None or base.value is None:
        raise EsgDataError(
            f"{file}: {key}: derived from {spec.get('from')!r}, which has no {indicator} figure"
        )
    if base.unit != template.unit:
        raise EsgDataError(f"{file}: {key}: unit {template.unit!r} differs from its base's")
    reduction = _number(spec.get("reduction"), file, f"{key}.derived.reduction")
    if not Decimal(0) <= reduction < Decimal(1):
        raise EsgDataError(f"{file}: {key}: reduction {reduction} is not a fraction below 1")
    reduction_source = spec.get("reduction_source")
    if not isinstance(reduction_source, str) or reduction_source not in sources:
        raise EsgDataError(f"{file}: {key}: reduction_source {reduction_source!r} is unknown")
    reduction_table = _text(spec, file, f"{key}.derived", "reduction_table")
    measured = _reduction_primary(spec, file, key, sources[reduction_source], sources)
    note = template.note or "derived"
    return Figure(
        key=template.key,
        value=base.value * (1 - reduction),
        unit=template.unit,
        scope=template.scope,
        source=template.source,
        table=f"{template.table}; reduction: {sources[reduction_source].short}, {reduction_table}"
        + (f"; measured in {sources[measured[0]].short}, {measured[1]}" if measured else ""),
        note=note,
        derived=note,
        sources=(base.source, reduction_source, *measured[:1]),
        footnote=base.footnote,
        primary=base.primary,
        unconfirmed=base.unconfirmed,
    )


def _reduction_primary(
    spec: Mapping[str, Any], file: str, key: str, source: Source, sources: Mapping[str, Source]
) -> tuple[str, ...]:
    """The study that measured a reduction read from a compilation, and where in it: (id,
    table), or () for a reduction read from its own study."""
    study = spec.get("reduction_primary")
    if study is None:
        if source.kind == "compilation":
            raise EsgDataError(
                f"{file}: {key}: the reduction is read from a compilation ({source.short}): "
                "'reduction_primary' must name the study that measured it"
            )
        return ()
    if study not in sources or sources[study].kind != "primary":
        raise EsgDataError(f"{file}: {key}: reduction_primary {study!r} is not a primary source")
    return (str(study), _text(spec, file, f"{key}.derived", "reduction_primary_table"))


def _processes(
    data: Mapping[str, Any], sources: Mapping[str, Source]
) -> tuple[dict[str, Process], dict[str, Figure]]:
    file = "processes.json"
    processes: dict[str, Process] = {}
    for pkey, raw in _section(data, file, "processes").items():
        if not isinstance(raw, dict) or not isinstance(raw.get("figures"), dict):
            raise EsgDataError(f"{file}: {pkey}: expected an object with 'figures'")
        figures = {
            name: _figure(fig, file, f"{pkey}.{name}", PROCESS_UNITS, sources)
            for name, fig in raw["figures"].items()
        }
        wanted = ("elec_pppm", "take_up") if raw.get("unit") == "pick.m" else ("elec_MJ",)
        for name in (*wanted, "heat_MJ"):
            if name not in figures:
                raise EsgDataError(f"{file}: {pkey}: no {name!r} figure")
        mass = _text(raw, file, pkey, "mass")
        if mass not in ("grey", "finished", "yarn", "area"):
            raise EsgDataError(f"{file}: {pkey}: mass {mass!r} is not grey, finished, yarn, area")
        unit = _text(raw, file, pkey, "unit")
        if (unit == "m2") != (mass == "area"):
            raise EsgDataError(f"{file}: {pkey}: a per-m2 process must apply to the area")
        match = raw.get("match", [])
        if not isinstance(match, list) or not all(isinstance(m, str) for m in match):
            raise EsgDataError(f"{file}: {pkey}: 'match' must be a list of words")
        processes[pkey] = Process(
            key=pkey,
            step=_text(raw, file, pkey, "step"),
            name=_text(raw, file, pkey, "name"),
            unit=unit,
            figures=figures,
            mass=mass,
            uuid=_text(raw, file, pkey, "uuid", required=False),
            alias=_text(raw, file, pkey, "alias", required=False),
            origin=_text(raw, file, pkey, "origin", required=False),
            match=tuple(m.casefold() for m in match),
            default=bool(raw.get("default", False)),
            note=_text(raw, file, pkey, "note", required=False),
        )
    missing: dict[str, Figure] = {}
    for indicator, raw in data.get("missing_indicators", {}).items():
        figure = _figure(
            {**raw, "value": None},
            file,
            f"missing_indicators.{indicator}",
            PROCESS_UNITS,
            sources,
        )
        missing[indicator] = figure
    return processes, missing


def _grid(data: Mapping[str, Any], sources: Mapping[str, Source]) -> tuple[GridFactor, ...]:
    file = "grid.json"
    factors = []
    for i, raw in enumerate(_section(data, file, "factors")):
        key = f"factors[{i}]"
        figure = _figure(raw, file, key, GRID_UNITS, sources)
        if figure.value is None:
            raise EsgDataError(f"{file}: {key}: a grid factor cannot be null; leave it out")
        try:
            start = date.fromisoformat(raw.get("from", ""))
            end = date.fromisoformat(raw.get("to", ""))
        except (TypeError, ValueError):
            raise EsgDataError(f"{file}: {key}: 'from' and 'to' must be ISO dates") from None
        if end < start:
            raise EsgDataError(f"{file}: {key}: the period ends before it starts")
        factors.append(
            GridFactor(
                country=_text(raw, file, key, "country"),
                country_name=_text(raw, file, key, "country_name"),
                period=_text(raw, file, key, "period"),
                start=start,
                end=end,
                version=_text(raw, file, key, "version"),
                figure=figure,
            )
        )
    return tuple(factors)


def _heat(data: Mapping[str, Any], sources: Mapping[str, Source]) -> dict[str, HeatFuel]:
    file = "heat.json"
    fuels: dict[str, HeatFuel] = {}
    for fkey, raw in _section(data, file, "fuels").items():
        figure = _figure(raw, file, fkey, HEAT_UNITS, sources)
        if figure.value is None:
            raise EsgDataError(f"{file}: {fkey}: a fuel factor cannot be null; leave it out")
        aliases = raw.get("aliases", [])
        if not isinstance(aliases, list):
            raise EsgDataError(f"{file}: {fkey}: 'aliases' must be a list of names")
        fuels[_norm(fkey)] = HeatFuel(_norm(fkey), tuple(_norm(a) for a in aliases), figure)
    return fuels
