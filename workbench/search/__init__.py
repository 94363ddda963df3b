"""Material search (architecture D3): a tantivy index derived from the replica, stamped with the
change sequence it reflects, with a plain SQL fallback while the index is being rebuilt.

Everything outside this package talks to `MaterialSearch` and the request/result types; the
engine behind it can change without touching a view.
"""

from workbench.search.request import FIELDS, SearchRequest, SearchResult
from workbench.search.service import IndexState, MaterialSearch

__all__ = ["FIELDS", "IndexState", "MaterialSearch", "SearchRequest", "SearchResult"]
