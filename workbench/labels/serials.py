"""Serial-number runs on labels, and the blocks of serials a station keeps for printing offline.

A run prints N labels of one item with consecutive serials (GS1 AI 21). The serials come
from the sync server (`sync.server.serials`), which hands each block to one device only, so
two stations never print the same serial. A station that may lose its connection reserves a
block in advance; offline, a run takes its serials from the front of that block.

The reserved blocks live in the replica (its ``sync_state``, under :data:`STATE_KEY`, as
JSON), and a run takes its serials in one replica transaction *before* anything is printed:
a run that fails after that leaves a gap (those serials are never offered again), never a
serial printed twice. Serials are whole numbers written in decimal, without leading zeros.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace

from workbench.labels.gs1 import LabelError, normalize_gtin
from workbench.labels.model import LabelItem
from workbench.replica import Replica

__all__ = [
    "STATE_KEY",
    "add_block",
    "reserved",
    "serial_items",
    "series_of",
    "take_reserved",
]

#: where the replica keeps the reserved blocks: {series: [[first, last], ...]}
STATE_KEY = "label_serial_blocks"


def series_of(item: LabelItem) -> str:
    """What ``item``'s serials are unique within: its GTIN (a GTIN and a serial name one
    physical item), else its workspace kind and code."""
    if item.gtin is not None:
        return normalize_gtin(item.gtin)
    return f"{item.kind}/{item.code}"


def serial_items(item: LabelItem, serials: Iterable[int]) -> list[LabelItem]:
    """``item`` once per serial, each with its serial (AI 21) set."""
    if item.serial is not None:
        raise LabelError(
            f"{series_of(item)}: the item already has serial {item.serial!r}; a serial run "
            f"numbers each label itself"
        )
    return [replace(item, serial=str(serial)) for serial in serials]


def _blocks(text: str | None) -> dict[str, list[list[int]]]:
    data = json.loads(text) if text else {}
    return {str(k): [[int(a), int(b)] for a, b in v] for k, v in data.items()}


def reserved(replica: Replica, series: str) -> int:
    """How many serials of ``series`` this station holds for printing offline."""
    blocks = _blocks(replica.get_state(STATE_KEY)).get(series, [])
    return sum(last - first + 1 for first, last in blocks)


def add_block(replica: Replica, series: str, first: int, last: int) -> None:
    """Keep a block the server reserved for this station."""
    if not 1 <= first <= last:
        raise ValueError(f"serial block {first}-{last} of {series!r} is empty or reversed")
    with replica.transaction() as conn:
        row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (STATE_KEY,)).fetchone()
        blocks = _blocks(row[0] if row else None)
        blocks.setdefault(series, []).append([first, last])
        blocks[series].sort()
        replica.set_state(STATE_KEY, json.dumps(blocks, sort_keys=True), conn)


def take_reserved(replica: Replica, series: str, count: int) -> list[int]:
    """Take ``count`` serials of ``series`` from this station's reserved blocks, lowest
    first; they are gone from the blocks when this returns. A :class:`LabelError` when
    fewer are held, and then nothing is taken."""
    if count < 1:
        raise LabelError(f"a serial run prints at least one label, not {count}")
    with replica.transaction() as conn:
        row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (STATE_KEY,)).fetchone()
        blocks = _blocks(row[0] if row else None)
        held = blocks.get(series, [])
        have = sum(last - first + 1 for first, last in held)
        if have < count:
            raise LabelError(
                f"{series}: this station holds {have} reserved serials and the run needs "
                f"{count}; connect to the sync server, or reserve a larger block while online"
            )
        taken: list[int] = []
        while len(taken) < count:
            first, last = held[0]
            upto = min(last, first + count - len(taken) - 1)
            taken.extend(range(first, upto + 1))
            if upto == last:
                held.pop(0)
            else:
                held[0] = [upto + 1, last]
        if held:
            blocks[series] = held
        else:
            blocks.pop(series, None)
        replica.set_state(STATE_KEY, json.dumps(blocks, sort_keys=True), conn)
    return taken
