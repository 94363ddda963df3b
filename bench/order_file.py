"""The dashboards' order file in each format it could take, on the same orders in one run:
reading it back into the order store (what opening a workspace waits for), writing it, and
its size; sealed (AES-256-GCM under the replica's key) and plain.

    python bench/order_file.py [--orders 1000000] [--rounds 7] [--baseline 159d5bb]

Formats:
- ``npz``: the numpy zip of the releases before Arrow, its module taken from the commit named
  by ``--baseline`` (git), so the baseline is measured in the same run on the same store;
- ``arrow``: the Arrow IPC file the app writes (`workbench.analytics.store_file`), and the
  same with its column buffers compressed by zstd or lz4 (``arrow-zstd``, ``arrow-lz4``);
- ``parquet``: Parquet with dictionary pages for the text columns, plain, or with Parquet's
  own modular encryption (AES-GCM, every column and the footer, the key from an in-process
  KMS), read back with the text columns as dictionaries.

The orders are made up in the shape of the demo's: 12 brands, 7 seasons, 40 mills, 20,000
materials, 5 currencies, dates over three years with a fifth of the deliveries missing.
Prints one JSON line per format and mode (medians over the rounds, formats read in turn each
round), then the ratios: each format's read against the baseline's, and sealed against plain.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyarrow.parquet.encryption as pe
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.at_commit import module_at
from workbench.analytics import store_file
from workbench.analytics.reading import ORDER_COLUMNS, OrderStore, categorical
from workbench.replica import cipher


def made_up_store(orders: int, seed: int = 7) -> OrderStore:
    rng = np.random.default_rng(seed)

    def text(prefix: str, count: int, missing: float = 0.0) -> pd.Categorical:
        labels = np.array([f"{prefix}-{i:05d}" for i in range(count)], dtype=object)
        values = labels[rng.integers(0, count, orders)]
        if missing:
            values[rng.random(orders) < missing] = None
        return categorical(list(values))

    start = np.datetime64("2024-01-01", "ns")
    ordered = start + rng.integers(0, 3 * 365, orders) * np.timedelta64(1, "D")
    promised = ordered + rng.integers(30, 120, orders) * np.timedelta64(1, "D")
    delivered = promised + rng.integers(-10, 20, orders) * np.timedelta64(1, "D")
    delivered[rng.random(orders) < 0.2] = np.datetime64("NaT")
    raw = pd.DataFrame(
        {
            "rowid": np.arange(1, orders + 1, dtype=np.int64),
            "brand_id": text("brand", 12),
            "season": text("season", 7),
            "mill": text("mill", 40),
            "material_id": text("material", 20_000, missing=0.01),
            "quantity": rng.integers(100, 20_000, orders).astype(np.int64),
            "unit_price": np.round(rng.random(orders) * 20, 2),
            "currency": text("cur", 5),
            "order_date": ordered,
            "promised_date": promised,
            "delivered_date": delivered,
        }
    )
    assert list(raw.columns) == [n for n, _ in ORDER_COLUMNS]
    return OrderStore(raw, orders, orders, orders)


def baseline_module(commit: str) -> ModuleType:
    """`store_file` as it was at ``commit`` (the ``.npz`` format), loaded beside today's."""
    module = module_at(commit, "workbench/analytics/store_file.py")
    if module is None:
        raise SystemExit(f"cannot read workbench/analytics/store_file.py at {commit}")
    return module


class _MemoryKms(pe.KmsClient):  # type: ignore[misc]
    """Parquet's key wrapping done in process with AES-GCM under the replica's key, as a laptop
    would do it: no key server."""

    def __init__(self, master: bytes) -> None:
        super().__init__()
        self._aead = AESGCM(master)

    def wrap_key(self, key_bytes: bytes, master_key_identifier: str) -> str:
        nonce = os.urandom(12)
        return base64.b64encode(nonce + self._aead.encrypt(nonce, key_bytes, None)).decode()

    def unwrap_key(self, wrapped_key: str, master_key_identifier: str) -> bytes:
        blob = base64.b64decode(wrapped_key)
        return self._aead.decrypt(blob[:12], blob[12:], None)


TEXT = [n for n, k in ORDER_COLUMNS if k == "text"]


def parquet_io(
    key: bytes | None,
) -> tuple[Callable[[Path, OrderStore], None], Callable[[Path], pd.DataFrame]]:
    factory = pe.CryptoFactory(lambda _config: _MemoryKms(key or b""))
    kms = pe.KmsConnectionConfig()
    encryption = pe.EncryptionConfiguration(footer_key="replica", uniform_encryption=True)

    def write(path: Path, store: OrderStore) -> None:
        table = pa.Table.from_pandas(store.raw, preserve_index=False)
        props: dict[str, Any] = {"compression": "none", "write_page_checksum": True}
        if key is not None:
            props["encryption_properties"] = factory.file_encryption_properties(kms, encryption)
        pq.write_table(table, path, **props)

    def read(path: Path) -> pd.DataFrame:
        props: dict[str, Any] = {"read_dictionary": TEXT, "page_checksum_verification": True}
        if key is not None:
            props["decryption_properties"] = factory.file_decryption_properties(
                kms, pe.DecryptionConfiguration()
            )
        raw: pd.DataFrame = pq.read_table(path, **props).to_pandas(split_blocks=True)
        for name in TEXT:
            raw[name] = categorical(raw[name].array)
        return raw

    return write, read


def _same(got: pd.DataFrame, expected: pd.DataFrame) -> bool:
    """The same columns, values and dtypes; categoricals by their codes and categories (pandas'
    own frame comparison boxes each of a million values)."""
    if list(got.columns) != list(expected.columns) or list(got.dtypes) != list(expected.dtypes):
        return False
    for name in expected.columns:
        a, b = got[name], expected[name]
        if isinstance(b.dtype, pd.CategoricalDtype):
            if not np.array_equal(a.cat.codes.to_numpy(), b.cat.codes.to_numpy()):
                return False
            if a.cat.categories.tolist() != b.cat.categories.tolist():
                return False
        elif not a.equals(b):
            return False
    return True


def _arrow_write(path: Path, store: OrderStore, key: bytes | None, compression: str | None) -> None:
    """The app's Arrow file, its column buffers compressed with ``compression``."""
    kept, store_file.COMPRESSION = store_file.COMPRESSION, compression
    try:
        store_file.write(path, store, "bench", key)
    finally:
        store_file.COMPRESSION = kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--baseline", default="159d5bb")
    args = parser.parse_args()
    store = made_up_store(args.orders)
    old = baseline_module(args.baseline)
    key = cipher.new_key()
    folder = Path(tempfile.mkdtemp())
    cases: dict[tuple[str, str], tuple[Callable[[Path], None], Callable[[Path], object]]] = {}
    for mode, k in (("sealed", key), ("plain", None)):
        cases[("npz", mode)] = (
            lambda p, k=k: old.write(p, store, "bench", k),
            lambda p, k=k: old.read(p, k)[1].raw,
        )
        for fmt, compression in (("arrow", None), ("arrow-zstd", "zstd"), ("arrow-lz4", "lz4")):
            cases[(fmt, mode)] = (
                lambda p, k=k, c=compression: _arrow_write(p, store, k, c),
                lambda p, k=k: store_file.read(p, k)[1].raw,
            )
        pq_write, pq_read = parquet_io(k)
        cases[("parquet", mode)] = (lambda p, w=pq_write: w(p, store), pq_read)
    paths = {case: folder / f"{case[0]}-{case[1]}.orders" for case in cases}
    write_ms: dict[tuple[str, str], list[float]] = {c: [] for c in cases}
    read_ms: dict[tuple[str, str], list[float]] = {c: [] for c in cases}
    for round_no in range(args.rounds):
        order = list(cases) if round_no % 2 == 0 else list(reversed(cases))
        for case in order:
            write, read = cases[case]
            started = time.perf_counter()
            write(paths[case])
            write_ms[case].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            raw = read(paths[case])
            read_ms[case].append((time.perf_counter() - started) * 1000)
            assert isinstance(raw, pd.DataFrame)
            if round_no == 0:
                assert _same(raw, store.raw), case  # every format reads back the same orders
            print(json.dumps({"case": case, "round": round_no}), file=sys.stderr, flush=True)
    medians = {c: statistics.median(read_ms[c]) for c in cases}
    for case in cases:
        print(
            json.dumps(
                {
                    "bench": "order_file",
                    "format": case[0],
                    "mode": case[1],
                    "orders": args.orders,
                    "read_ms": round(medians[case], 1),
                    "write_ms": round(statistics.median(write_ms[case]), 1),
                    "file_mb": round(paths[case].stat().st_size / 1e6, 1),
                    "rounds": args.rounds,
                }
            ),
            flush=True,
        )
    for fmt in ("arrow", "arrow-zstd", "arrow-lz4", "parquet"):
        for mode in ("sealed", "plain"):
            ratio = medians[(fmt, mode)] / medians[("npz", mode)]
            print(
                json.dumps(
                    {
                        "bench": "order_file",
                        "ratio": f"{fmt} / npz read, {mode}",
                        "value": round(ratio, 3),
                    }
                )
            )
    for fmt in ("npz", "arrow", "arrow-zstd", "arrow-lz4", "parquet"):
        ratio = medians[(fmt, "sealed")] / medians[(fmt, "plain")]
        print(
            json.dumps(
                {
                    "bench": "order_file",
                    "ratio": f"{fmt} sealed / plain read",
                    "value": round(ratio, 3),
                }
            )
        )
    print(json.dumps({"bench": "order_file", "loadavg_1min": round(os.getloadavg()[0], 2)}))


if __name__ == "__main__":
    main()
