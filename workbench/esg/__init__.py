"""ESG footprint of a style: fibre (cradle-to-gate) plus mill processes (gate-to-gate energy ×
grid and boiler-fuel factors), per piece, in Higg MSI's five impact areas, with the source and
scope of every figure and the list of figures that are missing. See docs/esg.md.

Pure Python over `Decimal`, no Qt: the impact matrix is data in resources/esg/.

    matrix = load_matrix()                                   # validated: source, scope, unit
    fibre_mix("60% Cotton 40% Polyester")                    # (FibreShare, FibreShare)
    cost = cost_style(style, book, day)                      # the cost sheet's consumption
    result = style_footprint(style, cost, "100% Cotton", mill_country="IN")
    result.section("global_warming").total, result.missing
    what_if(style, cost, "100% Cotton", {"cotton": "organic cotton"}).change("water_scarcity")
    to_json(result), to_csv_rows(result)
"""

from workbench.esg.areas import AREAS, areas
from workbench.esg.composition import FibreShare, composition_text, fibre_mix
from workbench.esg.errors import EsgDataError, EsgError
from workbench.esg.export import to_csv_rows, to_json
from workbench.esg.footprint import Footprint, MaterialFacts, material_facts, style_footprint
from workbench.esg.lines import Line, Missing
from workbench.esg.matrix import Figure, Matrix, Source, load_matrix
from workbench.esg.route import yarn_count_nm
from workbench.esg.sections import Section
from workbench.esg.sheet import esg_sheet_html, proposal_lines, render_esg_pdf
from workbench.esg.whatif import Change, WhatIf, what_if

__all__ = [
    "AREAS",
    "Change",
    "EsgDataError",
    "EsgError",
    "FibreShare",
    "Figure",
    "Footprint",
    "Line",
    "MaterialFacts",
    "Matrix",
    "Missing",
    "Section",
    "Source",
    "WhatIf",
    "areas",
    "composition_text",
    "esg_sheet_html",
    "fibre_mix",
    "load_matrix",
    "material_facts",
    "proposal_lines",
    "render_esg_pdf",
    "style_footprint",
    "to_csv_rows",
    "to_json",
    "what_if",
    "yarn_count_nm",
]
