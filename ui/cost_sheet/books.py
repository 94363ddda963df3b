"""What the cost sheet editor loads once, on a worker, before it can cost: the rate book, the
capacity book, and the lists its drop-downs offer.

Kept apart so the window and the inputs form share one description of it; loading it all takes
long enough to want a worker, while a costing over it takes well under a millisecond.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from workbench.capacity import CapacityBook, load_capacity
from workbench.costing import RateBook, load_rate_book
from workbench.costing import choices as pick
from workbench.replica import Replica


@dataclass
class Loaded:
    book: RateBook
    capacity: CapacityBook
    brands: list[pick.Choice]
    mills: list[pick.Choice]
    prints: list[pick.Choice]
    embroidery: list[pick.Choice]
    categories: list[str]


def load_books(replica: Replica) -> Loaded:
    """Read on the calling thread (a worker's): the replica's connection is per thread."""
    conn = replica.conn
    return Loaded(
        book=load_rate_book(conn),
        capacity=load_capacity(conn, start=date.today()),
        brands=pick.brands(conn),
        mills=pick.mills(conn),
        prints=pick.print_techniques(conn),
        embroidery=pick.embroidery_rates(conn),
        categories=pick.categories(conn),
    )
