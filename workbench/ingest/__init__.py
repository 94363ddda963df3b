"""Master data ingestion: reading SAP extracts, Excel and CSV files, mapping their columns to
ours through mapping files in ``resources/ingest/``, and validating every row with all its
problems reported at once (file, row, column, value, message).

This package reads and checks; writing the accepted rows (in one transaction) is the
importer's job.
"""

from workbench.ingest.mapping import Mapping, load_mapping
from workbench.ingest.problems import Problem
from workbench.ingest.readers import RawTable, read_table
from workbench.ingest.validate import validate
from workbench.ingest.validated import ValidatedTable

__all__ = [
    "Mapping",
    "Problem",
    "RawTable",
    "ValidatedTable",
    "load_mapping",
    "read_table",
    "validate",
]
