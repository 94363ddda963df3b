"""The product's exceptions share one base and one `Cancelled`, and a person's message about
any exception is made in one place (`workbench.errors.user_message`)."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from sync.cli import fail
from workbench.errors import Cancelled, WorkbenchError, user_message
from workbench.ingest.readers import ReadError

ROOT = Path(__file__).resolve().parent.parent


def _product_exceptions() -> list[type[BaseException]]:
    """Every exception class defined in a module of ``workbench``, ``sync`` or ``ui`` (found
    by file, so folders without an ``__init__.py`` count too)."""
    found: dict[str, type[BaseException]] = {}
    for package in ("workbench", "sync", "ui"):
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            if parts[-1] == "__main__":
                continue
            module = importlib.import_module(name)
            for _name, value in inspect.getmembers(module, inspect.isclass):
                if issubclass(value, BaseException) and value.__module__ == module.__name__:
                    found[f"{value.__module__}.{value.__qualname__}"] = value
    return list(found.values())


def test_every_product_exception_derives_from_the_one_base() -> None:
    classes = _product_exceptions()
    assert len(classes) > 30  # the walk reached the modules
    strays = [
        f"{c.__module__}.{c.__qualname__}" for c in classes if not issubclass(c, WorkbenchError)
    ]
    assert strays == []


def test_there_is_one_cancelled() -> None:
    others = [
        f"{c.__module__}.{c.__qualname__}"
        for c in _product_exceptions()
        if "cancel" in c.__name__.lower() and c is not Cancelled
    ]
    assert others == []


def test_the_old_bases_still_catch_what_they_caught() -> None:
    """Code that catches ``ValueError`` for bad input still catches the product's refusals."""
    with pytest.raises(ValueError):
        raise ReadError("orders.csv: not a readable spreadsheet")


def test_user_message_says_the_product_message_as_written() -> None:
    assert user_message(ReadError("orders.csv, row 4, field qty: 'ten' is not a number")) == (
        "orders.csv, row 4, field qty: 'ten' is not a number"
    )
    assert user_message(Cancelled("sync was cancelled")) == "sync was cancelled"
    assert user_message(Cancelled()) == "cancelled"


def test_user_message_names_the_file_the_system_refused(tmp_path: Path) -> None:
    missing = tmp_path / "rates.xlsx"
    with pytest.raises(OSError) as error:
        missing.open("rb")
    assert user_message(error.value) == f"{missing}: No such file or directory"


def test_user_message_is_never_empty() -> None:
    assert user_message(KeyError()) == "KeyError"
    assert user_message(WorkbenchError()) == "WorkbenchError"


def test_the_command_line_says_the_same_message(tmp_path: Path) -> None:
    @click.command()
    def refuse() -> None:
        try:
            (tmp_path / "absent.csv").read_text()
        except OSError as exc:
            fail(exc)

    result = CliRunner().invoke(refuse)
    assert result.exit_code == 1
    assert f"Error: {tmp_path / 'absent.csv'}: No such file or directory" in result.output
