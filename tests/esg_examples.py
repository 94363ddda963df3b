"""The ESG tests' shared ground: docs/esg.md and the impact matrix's data folder, and the worked
example's styles (docs/esg.md) with their rate book, so every ESG test costs the same garments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any

from workbench.costing import (
    FabricSpec,
    Making,
    MarkerConsumption,
    Rate,
    RateBook,
    Style,
    cost_style,
)
from workbench.esg import (
    Footprint,
    style_footprint,
)
from workbench.paths import resources_dir

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "esg.md"
DATA = resources_dir() / "esg"

# -- the worked example's style (docs/esg.md) ----------------------------------------------------

ON = date(2025, 1, 15)
VALID = date(2024, 10, 1)


def _r(code: str, process: str, basis: str, amount: str, **keys: Any) -> Rate:
    return Rate(code, process, basis, D(amount), VALID, "ESG worked example", **keys)


BOOK = RateBook(
    rates=(
        _r("YRN-NE30", "yarn", "per kg", "290", material_id="yarn-ne30"),
        _r("YRN-NE40", "yarn", "per kg", "330", material_id="yarn-ne40"),
        _r("KNT-SINGLE", "knitting", "per kg", "55", technique="24G single knit"),
        _r("WEA-POPLIN", "weaving", "per m", "24", technique="1/1 plain 133x72"),
        _r(
            "DYE-REA-M",
            "dyeing",
            "per kg",
            "102",
            dye_class="reactive",
            shade_depth="medium",
            process_loss=D("0.10"),
        ),
        _r("FIN-COMPAC", "finishing", "per kg", "18", technique="compacted"),
        _r("FIN-EASYCA", "finishing", "per kg", "35", technique="easy care"),
        _r("PRT-PLASTI", "printing", "per piece", "8", technique="plastisol placement"),
        _r("PRT-PIGPL", "printing", "per piece", "6", technique="pigment placement"),
        _r("PRT-PIGAO", "printing", "per m", "40", technique="pigment all-over"),
        _r("CPM", "making", "per minute", "3", technique="Kongu Unit 1"),
    )
)

JERSEY = FabricSpec(
    kind="knit",
    gsm=180,
    width_cm=180,
    construction="24G single knit, open width",
    yarn_material_id="yarn-ne30",
    yarn_count="Ne 30/1",
    dye_class="reactive",
    shade_depth="medium",
    finish="compacted",
    name="Single jersey 180, reactive medium",
)
TEE = Style(
    style_code="ESG-TEE-01",
    category="knit tops",
    fabric=JERSEY,
    consumption=MarkerConsumption(D("0.25"), "kg"),
    making=Making(sam=D(12), mill="Kongu Unit 1", line_efficiency=D("0.65")),
    factory_overheads=(),
    commercial_costs=(),
)
POPLIN = FabricSpec(
    kind="woven",
    gsm=120,
    width_cm=147,
    construction="1/1 plain 133x72",
    yarn_material_id="yarn-ne40",
    yarn_count="Ne 40/1",
    finish="easy care",
    name="Poplin 133x72, greige",
)
SHIRT = Style(
    style_code="ESG-SHIRT-01",
    category="woven shirts",
    fabric=POPLIN,
    consumption=MarkerConsumption(D("1.65"), "m"),
    making=Making(sam=D(24), mill="Kongu Unit 1", line_efficiency=D("0.55")),
    factory_overheads=(),
    commercial_costs=(),
)


def _tee(composition: str = "100% Cotton", **options: Any) -> Footprint:
    return style_footprint(TEE, cost_style(TEE, BOOK, ON), composition, **options)
