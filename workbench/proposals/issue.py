"""Saving a proposal as a synced document and issuing it: the final PDF's SHA-256 is stored
with it, so the PDF a buyer holds can be proven to be the one issued (the server records the
issue in its audit trail when the document arrives)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from workbench import documents
from workbench.replica import Replica
from workbench.replica.store import utc_now


def save_proposal(
    replica: Replica,
    *,
    title: str,
    brand_code: str,
    sheet_ids: Sequence[str],
    proposal_id: str | None = None,
) -> dict[str, Any]:
    brand = replica.conn.execute(
        "SELECT id FROM brands WHERE code = ? AND deleted = 0", (brand_code,)
    ).fetchone()
    values: dict[str, Any] = {
        "title": title,
        "brand_id": brand[0] if brand else None,
        "body": json.dumps({"brand": brand_code, "cost_sheets": list(sheet_ids)}),
        "created_by": replica.get_state("username") or "",
    }
    if proposal_id:
        values["id"] = proposal_id
    return documents.save_document(replica, "proposals", values)


def issue_proposal(replica: Replica, proposal_id: str, pdf: bytes) -> dict[str, Any]:
    """Mark the proposal issued with the SHA-256 of ``pdf`` (the file given to the buyer)."""
    digest = hashlib.sha256(pdf).hexdigest()
    values = {"id": proposal_id, "state": "issued", "pdf_sha256": digest, "issued_at": utc_now()}
    return documents.save_document(replica, "proposals", values)
