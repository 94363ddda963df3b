"""``python -m sync.cli``: the same as ``workbench-sync``."""

from sync.cli import main

main()
