"""Demo data: a seeded, believable workspace of yarns, fabrics, trims, cost rates, capacity,
brands with margin rules, and years of order history.

The demo workspace, the tests' fixtures and the benchmarks all come from `generate_demo`, so
what a person sees in the demo is what the code is measured and tested on.
"""

from __future__ import annotations

from pathlib import Path

from workbench.demo.generator import DemoSummary, generate_demo
from workbench.replica import Replica, open_replica


def demo_replica(path: Path | str, materials: int = 2_000, seed: int = 7) -> Replica:
    """Open (creating) a replica at ``path`` and fill it with demo data."""
    replica = open_replica(path)
    generate_demo(replica, materials=materials, seed=seed)
    return replica


__all__ = ["DemoSummary", "demo_replica", "generate_demo"]
