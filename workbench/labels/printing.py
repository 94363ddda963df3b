"""Getting labels onto paper: ZPL to a Zebra printer over the network, PDF to a file or to
the app's system printer.

A printer is named by one string, which is what a print job stores and syncs:

- ``zpl://host:port?dpi=203``: a Zebra (or any ZPL II) printer's raw port. The port is
  9100 unless given, the head 203 dpi unless ``dpi`` says 300 or 600.
- ``pdf:/path/to/labels.pdf``: a PDF file (for a desktop printer's driver, a print shop or
  a check on screen).
- ``system:<printer name>``: a printer the operating system knows, printed by the app's
  Qt side (this module has no Qt); an empty name is the system's default printer.

Raw port 9100 has no protocol: the printer reads bytes and answers nothing. So what we can
know is whether it took them. A connect that is refused, times out or finds no route, and a
send that stalls or is cut off, are tried once more after a short pause (a printer that was
just switched on, a Wi-Fi hiccup), then reported as :class:`PrinterUnreachable` naming
``host:port`` and the reason. A send cut off midway is sent again whole: a format cut short
prints nothing (the printer waits for its ``^XZ``) and the formats before it print twice,
which is better than a job half printed and recorded as done.

Nothing here imports Qt, so the same code runs in the app, in scripts and in tests.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from workbench.errors import WorkbenchError
from workbench.labels.model import IdScheme, LabelItem
from workbench.labels.pdf import render_labels_pdf
from workbench.labels.templates import LabelTemplate, load_template
from workbench.labels.zpl import DOTS_PER_MM, render_labels_zpl

__all__ = [
    "CONNECT_TIMEOUT_S",
    "DEFAULT_DPI",
    "DEFAULT_ZPL_PORT",
    "SEND_TIMEOUT_S",
    "Printer",
    "PrinterError",
    "PrinterUnreachable",
    "SystemPrint",
    "deliver",
    "host_is_valid",
    "parse_printer",
    "send_zpl",
    "write_pdf",
]

DEFAULT_ZPL_PORT = 9100
DEFAULT_DPI = 203
#: A printer on the local network answers a connect in milliseconds; seconds mean it is off.
CONNECT_TIMEOUT_S = 5.0
#: A printer whose buffer is full stops reading while it prints; it reads again well within
#: this. A send that makes no progress for this long has failed.
SEND_TIMEOUT_S = 30.0
RETRY_PAUSE_S = 1.0

#: Prints a PDF on a system printer by name: supplied by the app (Qt), None elsewhere.
SystemPrint = Callable[[bytes, str], None]


class PrinterError(WorkbenchError):
    """A job could not be printed; the message says where and why, in the user's words."""


class PrinterUnreachable(PrinterError):
    """A network printer did not take the job, after the retry."""

    def __init__(self, host: str, port: int, reason: str, attempts: int) -> None:
        self.host, self.port, self.reason, self.attempts = host, port, reason, attempts
        tries = "once" if attempts == 1 else f"{attempts} times"
        super().__init__(
            f"printer {_host_port(host, port)} is unreachable: {reason} (tried {tries})"
        )


def _host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass(frozen=True)
class Printer:
    """Where a job goes: ``kind`` is ``"zpl"``, ``"pdf"`` or ``"system"``."""

    kind: str
    #: host name or address (zpl), file path (pdf), printer name (system; "" = default)
    target: str
    port: int = DEFAULT_ZPL_PORT
    dpi: int = DEFAULT_DPI

    def __str__(self) -> str:
        if self.kind == "zpl":
            return f"zpl://{_host_port(self.target, self.port)}?dpi={self.dpi}"
        return f"{self.kind}:{self.target}"

    @property
    def description(self) -> str:
        """How a person names it: "Zebra at 10.0.0.7:9100", "PDF file labels.pdf"."""
        if self.kind == "zpl":
            return f"Zebra at {_host_port(self.target, self.port)} ({self.dpi} dpi)"
        if self.kind == "pdf":
            return f"PDF file {Path(self.target).name}"
        return f"printer {self.target}" if self.target else "the default printer"


_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def host_is_valid(host: str) -> bool:
    """Whether ``host`` is an IP address or a host name (RFC 1123: letters, digits and '-' in
    parts of up to 63 characters joined by '.', the last part not all digits)."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    name = host[:-1] if host.endswith(".") else host
    labels = name.split(".")
    return (
        0 < len(name) <= 253
        and all(_LABEL.match(label) for label in labels)
        and not labels[-1].isdigit()
    )


def parse_printer(text: str) -> Printer:
    """Read a printer string (see the module notes); a :class:`PrinterError` says what is
    wrong with it."""
    text = text.strip()
    if text.startswith("zpl://"):
        parts = urlsplit(text)
        try:
            port = DEFAULT_ZPL_PORT if parts.port is None else parts.port
        except ValueError:
            port = 0
        if not 1 <= port <= 65535:
            raise PrinterError(f"{text!r}: the port must be a number from 1 to 65535")
        if not parts.hostname:
            raise PrinterError(f"{text!r}: name the printer's host, as zpl://host:9100")
        if not host_is_valid(parts.hostname):
            raise PrinterError(
                f"{text!r}: {parts.hostname!r} is not a host name or IP address "
                "(letters, digits and '-', parts joined by '.')"
            )
        query = parse_qs(parts.query)
        dpi_text = (query.get("dpi") or [str(DEFAULT_DPI)])[0]
        known = ", ".join(str(d) for d in DOTS_PER_MM)
        if not dpi_text.isdigit() or int(dpi_text) not in DOTS_PER_MM:
            raise PrinterError(f"{text!r}: dpi {dpi_text!r}; Zebra heads here are {known} dpi")
        return Printer("zpl", parts.hostname, port, int(dpi_text))
    if text.startswith("pdf:"):
        path = text[4:].strip()
        if not path:
            raise PrinterError("pdf: name the file, as pdf:/path/to/labels.pdf")
        return Printer("pdf", str(Path(path).expanduser()))
    if text.startswith("system:"):
        return Printer("system", text[7:].strip())
    raise PrinterError(
        f"{text!r} is not a printer: use zpl://host:9100, pdf:/path/to/labels.pdf or "
        f"system:<printer name>"
    )


def _reason(exc: OSError) -> str:
    if isinstance(exc, TimeoutError):
        return "no answer (timed out)"
    if isinstance(exc, socket.gaierror):
        return f"unknown host ({exc.strerror or exc})"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the printer on, and is this its raw port?)"
    return (exc.strerror or str(exc) or exc.__class__.__name__).rstrip(".").lower()


def send_zpl(
    host: str,
    port: int,
    zpl: str | bytes,
    *,
    connect_timeout_s: float | None = None,
    send_timeout_s: float | None = None,
    retries: int = 1,
    retry_pause_s: float | None = None,
) -> int:
    """Send ``zpl`` to ``host:port`` (UTF-8, as ``^CI28`` declares); returns the bytes sent.

    Timeouts and the pause default to the module's settings, read at each call. Raises
    :class:`PrinterUnreachable` when the first try and ``retries`` more all fail.
    """
    data = zpl.encode("utf-8") if isinstance(zpl, str) else zpl
    connect_timeout_s = CONNECT_TIMEOUT_S if connect_timeout_s is None else connect_timeout_s
    send_timeout_s = SEND_TIMEOUT_S if send_timeout_s is None else send_timeout_s
    retry_pause_s = RETRY_PAUSE_S if retry_pause_s is None else retry_pause_s
    attempts = 0
    while True:
        attempts += 1
        try:
            with socket.create_connection((host, port), timeout=connect_timeout_s) as sock:
                sock.settimeout(send_timeout_s)
                sock.sendall(data)
                # end of job: the printer (or a print server) sees the stream close cleanly
                sock.shutdown(socket.SHUT_WR)
            return len(data)
        except OSError as exc:
            if attempts > retries:
                raise PrinterUnreachable(host, port, _reason(exc), attempts) from exc
        time.sleep(retry_pause_s)


def write_pdf(path: Path | str, pdf: bytes) -> Path:
    """Write ``pdf`` to ``path`` whole or not at all (a temporary file renamed into place),
    so a reader never opens half a job. Folders are created as needed."""
    target = Path(path).expanduser()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            prefix=f".{target.stem}-", suffix=".pdf", dir=target.parent
        )
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(pdf)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise PrinterError(f"cannot write {target}: {_reason(exc)}") from exc
    return target


def deliver(
    printer: Printer | str,
    items: Iterable[LabelItem],
    template: LabelTemplate | str,
    *,
    scheme: IdScheme,
    copies: int = 1,
    system_print: SystemPrint | None = None,
) -> str:
    """Render ``items`` for ``printer`` and send them there; returns what was done, in
    words ("sent 12 kB to 10.0.0.7:9100"). Raises :class:`PrinterError` (or
    :class:`~workbench.labels.LabelError` for a label that cannot be printed)."""
    if isinstance(printer, str):
        printer = parse_printer(printer)
    if isinstance(template, str):
        template = load_template(template)
    items = list(items)
    if printer.kind == "zpl":
        zpl = render_labels_zpl(items, template, printer.dpi, scheme=scheme, copies=copies)
        sent = send_zpl(printer.target, printer.port, zpl)
        return f"sent {sent:,} bytes to {_host_port(printer.target, printer.port)}"
    pdf = render_labels_pdf(items, template, scheme=scheme, copies=copies)
    if printer.kind == "pdf":
        return f"wrote {write_pdf(printer.target, pdf)}"
    if system_print is None:
        raise PrinterError(
            f"{printer.description} is a system printer: print from the app's label station"
        )
    system_print(pdf, printer.target)
    return f"sent to {printer.description}"
