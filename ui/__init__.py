"""The PySide6 desktop app: windows, Qt models and background ops.

The UI presents and delegates: it calls `workbench` (and later `sync`) functions on worker
threads through `ui.ops.OpRunner` and shows their results; it holds no SQL and no arithmetic.
"""
