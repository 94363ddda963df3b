"""Mill Workbench: ``python main.py`` is the same as the ``workbench`` command."""

from ui.cli import main

if __name__ == "__main__":
    main()
