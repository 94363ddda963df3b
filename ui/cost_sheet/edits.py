"""What the cost sheet editor remembers of its form: a state to undo to or redo to, and the
same state as a draft on disk.

A `FormState` is every value of the form (texts as typed, boxes by position, the fabric and
the trims), so an undo restores exactly what the user saw, a refused "1,200" included. An
`EditCommand` holds the states before and after one edit; typing on in the same field merges
into one step. `to_json` and `from_json` turn a state into a draft file's contents and back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from PySide6.QtGui import QUndoCommand

from workbench.costing import FabricSpec

#: the form's text fields: state key → the form's attribute (dotted: a box's, such as
#: ``fabric.gsm``)
TEXT_FIELDS = {
    "style_code": "style_code",
    "title": "title_edit",
    "season": "season",
    "gsm": "fabric.gsm",
    "width_cm": "fabric.width_cm",
    "conversion_loss": "fabric.conversion_loss",
    "dyeing_loss": "fabric.dyeing_loss",
    "body_length": "consumption.body_length",
    "sleeve_length": "consumption.sleeve_length",
    "half_chest": "consumption.half_chest",
    "marker": "consumption.marker",
    "wastage": "consumption.wastage",
    "sam": "sam",
    "efficiency": "efficiency",
    "stitches": "stitches",
    "marker_width": "consumption.marker_width",
    "marker_garments": "consumption.marker_garments",
    "marker_length": "consumption.marker_length",
    "marker_efficiency": "consumption.marker_efficiency",
    "pattern_area": "consumption.pattern_area",
    "freight": "delivery.freight",
    "insurance_rate": "delivery.insurance_rate",
    "insurance_cover": "delivery.insurance_cover",
    "duty_rate": "delivery.duty_rate",
    "local_freight": "delivery.local_freight",
    "commission_rate": "delivery.commission_rate",
    "buying_agent_rate": "delivery.buying_agent_rate",
    "size_ratio": "consumption.size_ratio",
    "size_consumption": "consumption.size_consumption",
}
#: the form's boxes, kept by position: state key → the form's attribute (dotted: a box's)
BOXES = {
    "category": "category",
    "brand": "brand",
    "method": "consumption.method",
    "mill": "mill",
    "print": "print_box",
    "embroidery": "embroidery",
}

FormState = dict[str, Any]


class EditCommand(QUndoCommand):
    """One edit of the form: ``apply`` shows a state (the one before on undo, after on redo).
    Pushed after the edit is on screen, so its first redo does nothing."""

    def __init__(
        self, before: FormState, after: FormState, apply: Callable[[FormState], None]
    ) -> None:
        self.field = _only_field(before, after)
        super().__init__(f"Edit {self.field.replace('_', ' ')}" if self.field else "Edit")
        self.before, self.after, self.apply = before, after, apply
        self._done = True

    def id(self) -> int:  # typing on in one field merges
        return 1 + list(TEXT_FIELDS).index(self.field) if self.field else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, EditCommand) or other.field != self.field:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        if self._done:  # the edit is already on screen
            self._done = False
            return
        self.apply(self.after)

    def undo(self) -> None:
        self.apply(self.before)


def _only_field(before: FormState, after: FormState) -> str:
    """The one text field an edit changed, or "" when it changed anything else."""
    changed = [k for k in TEXT_FIELDS if before["fields"][k] != after["fields"][k]]
    rest_same = all(before[k] == after[k] for k in before if k != "fields")
    return changed[0] if len(changed) == 1 and rest_same else ""


def to_json(state: FormState) -> dict[str, Any]:
    """A state as JSON values (amounts as decimal strings)."""
    fabric: FabricSpec | None = state["fabric"]
    return {
        **state,
        "fabric": None
        if fabric is None
        else {
            k: None if v is None else str(v) if isinstance(v, Decimal) else v
            for k, v in asdict(fabric).items()
        },
        "trims": [[i, label, str(qty), packing] for i, label, qty, packing in state["trims"]],
    }


def from_json(data: dict[str, Any]) -> FormState:
    """The state a draft holds (see `to_json`)."""
    fabric = data.get("fabric")
    spec = None
    if fabric is not None:
        decimals = ("dyeing_loss", "conversion_loss", "width_cm")  # width: text or an int
        # JSON values, each checked by FabricSpec as it is made
        values: dict[str, Any] = {
            k: Decimal(str(v)) if k in decimals and v is not None else v for k, v in fabric.items()
        }
        spec = FabricSpec(**values)
    return {
        "fields": {k: str(data["fields"].get(k, "")) for k in TEXT_FIELDS},
        "boxes": {k: int(data["boxes"].get(k, 0)) for k in BOXES},
        "yarn": data.get("yarn"),
        "quantity": int(data["quantity"]),
        "placements": int(data["placements"]),
        "costed_on": str(data["costed_on"]),
        "fabric": spec,
        "fabric_id": data.get("fabric_id"),
        "fabric_label": str(data.get("fabric_label", "")),
        "trims": tuple(
            (i, label, Decimal(qty), bool(packing))
            for i, label, qty, packing in data.get("trims", [])
        ),
        "colourways": tuple(tuple(str(text) for text in row) for row in data.get("colourways", [])),
    }
