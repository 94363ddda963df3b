"""The report's five sections, Higg MSI's impact areas, and the scopes a figure can be in.

The report has Higg MSI's five sections (global warming, eutrophication, water scarcity,
abiotic resource depletion — fossil fuels, chemistry) because buyers read ESG sheets in those
terms; where our sources have no figure for an area the section says so and gives what we do
have under its own name (plain water use is *not* water scarcity).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

FIBRE_SCOPE = "cradle-to-gate fibre"
PROCESS_SCOPE = "gate-to-gate process"
#: A fibre figure that nets off credits a plain cradle-to-gate figure does not take (biogenic
#: carbon, exported energy): its own scope, reported and totalled apart, never in a total.
CREDITED_SCOPE = "cradle-to-gate fibre, net of credits"


@dataclass(frozen=True)
class Area:
    """One of the report's five sections: Higg MSI's impact area ``title`` and what this
    report can put in it (``indicator``, ``unit``). ``sums_scopes`` says whether its lines of
    different scopes may be added into one total; ``caveat`` is said with that total."""

    key: str
    title: str
    indicator: str
    unit: str
    fibre_indicator: str | None
    sums_scopes: bool
    caveat: str


AREAS = (
    Area(
        key="global_warming",
        title="Global warming",
        indicator="greenhouse gases: fibre life-cycle GWP (kg CO2-eq) and process-energy CO2 "
        "(kg CO2)",
        unit="kg CO2-eq",
        fibre_indicator="global_warming",
        sums_scopes=True,
        caveat="the fibre figures are life-cycle GWP in CO2-eq; the process figures are CO2 "
        "only, from grid electricity and boiler fuel combustion (no CH4 or N2O, no fuel supply "
        "chain)",
    ),
    Area(
        key="eutrophication",
        title="Eutrophication",
        indicator="eutrophication potential (kg PO4-eq)",
        unit="kg PO4-eq",
        fibre_indicator="eutrophication",
        sums_scopes=True,
        caveat="",
    ),
    Area(
        key="water_scarcity",
        title="Water scarcity",
        indicator="water use (L) as the fibre source reports it — not scarcity-weighted, so "
        "not Higg's water scarcity",
        unit="L",
        fibre_indicator="water_use",
        sums_scopes=True,
        caveat="",
    ),
    Area(
        key="fossil_depletion",
        title="Abiotic resource depletion, fossil fuels",
        indicator="energy (MJ): fibre primary energy demand, process final energy used at the "
        "mill — not abiotic depletion",
        unit="MJ",
        fibre_indicator="energy_demand",
        sums_scopes=False,
        caveat="the fibre figure is primary energy demand (cradle-to-gate) and the process "
        "figures are final energy used at the mill (gate-to-gate): adding them would count "
        "unlike quantities",
    ),
    Area(
        key="chemistry",
        title="Chemistry",
        indicator="qualitative: dye class, finish, print and certifications",
        unit="",
        fibre_indicator=None,
        sums_scopes=False,
        caveat="",
    ),
)

#: What a section cannot give at all, whatever the style.
AREA_GAPS = {
    "water_scarcity": (
        "Water scarcity (scarcity-weighted)",
        "no scarcity characterisation (e.g. AWARE) in the sources: the section reports plain "
        "water use, which is not water scarcity",
    ),
    "fossil_depletion": (
        "Abiotic resource depletion, fossil fuels",
        "no abiotic-depletion (fossil) figure in the sources: the section reports energy",
    ),
    "chemistry": (
        "Chemistry score",
        "no quantitative chemistry figure in the sources: Higg MSI scores chemistry from "
        "certifications; this section lists the declarations only",
    ),
}


def areas() -> Mapping[str, Area]:
    """The report's five areas by key, in report order."""
    return {a.key: a for a in AREAS}
