"""Mill Workbench domain core.

Everything the desktop app, the sync server and the tests share lives here: the replica
schema and its queries, search, demo data, and (in later modules) costing, capacity, ESG,
proposals and labels. This package never imports Qt or a web framework (architecture D1).
"""

__version__ = "0.1.0"
