"""The app's settings on this laptop: the AI provider, printers, label defaults, units and the
reporting currency, in ``<data dir>/settings.json`` (the data directory in use: with
``--data-dir``, that one).

What is entered is checked the way it will be used: a label printer as the label printing
code reads it (`workbench.labels.printing.parse_printer`: a host that is a valid name or IP
address, a port from 1 to 65535), a currency against ISO 4217 (pycountry's list), so
"dollars!" is refused with a message rather than cut to "DOL". A `SettingsError` names the
field it is about, so a dialog can say it beside that field.

Keys and passwords are never in the file: the AI provider's key goes to the OS keyring
(`workbench.credentials`), addressed by the provider's base URL. A damaged or older file falls
back to the defaults for what it lacks, and says which field was wrong.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs

from workbench.errors import WorkbenchError
from workbench.formats import locale_problem
from workbench.paths import data_dir
from workbench.proposals.model import INCOTERMS, Sender

if TYPE_CHECKING:  # imported when a client is made: the AI service is slow to import
    from workbench.services.ai import AIClient

SETTINGS_FILE = "settings.json"


class SettingsError(WorkbenchError, ValueError):
    """A value the settings cannot hold; ``field`` names the setting it is about ("" for the
    file as a whole)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class AISettings:
    base_url: str = ""  # empty: no provider (proposals use template text)
    chat_model: str = "gpt-4o-mini"
    image_model: str = "gpt-image-1"
    timeout_s: float = 60.0

    @property
    def configured(self) -> bool:
        return bool(self.base_url.strip())


@dataclass(frozen=True)
class Settings:
    server_url: str = ""
    ai: AISettings = field(default_factory=AISettings)
    #: a printer as the label station names it: "zpl://host:9100", "pdf:/path/labels.pdf",
    #: "system:<printer name>" (`workbench.labels.printing.parse_printer`); "" for none
    label_printer: str = ""
    label_template: str = "thermal-100x50"
    label_copies: int = 1
    weight_unit: str = "kg"  # kg or lb
    length_unit: str = "m"  # m or yd
    reporting_currency: str = "USD"
    stale_rate_days: int = 180
    #: the company on a proposal's cover, its logo (a PNG or JPEG file), and the Incoterms
    #: 2020 rule with its named place (the port) that proposals quote prices on
    company_name: str = ""
    company_logo: str = ""
    incoterm: str = "FOB"
    incoterm_place: str = ""
    #: the locale a buyer's proposal and ESG sheet write dates and numbers in ("de_DE"); ""
    #: for the app's own locale. A mill quoting a German buyer from an English desk sets it.
    document_locale: str = ""
    #: the folder a file was last saved to or opened from: where the next file dialog opens
    last_folder: str = ""


def _path(base: Path | None) -> Path:
    return data_dir(base) / SETTINGS_FILE


def load_settings(base: Path | None = None) -> Settings:
    path = _path(base)
    if not path.exists():
        return Settings()
    try:
        data = json.loads(path.read_text("utf-8"))
    except ValueError as exc:
        raise SettingsError(
            f"{path} is not valid JSON ({exc}); delete it to start afresh"
        ) from None
    if not isinstance(data, dict):
        raise SettingsError(f"{path} does not hold settings")
    ai = AISettings(
        **{
            f.name: data.get("ai", {}).get(f.name, getattr(AISettings(), f.name))
            for f in fields(AISettings)
        }
    )
    values: dict[str, Any] = {
        f.name: data.get(f.name, getattr(Settings(), f.name))
        for f in fields(Settings)
        if f.name != "ai"
    }
    settings = Settings(ai=ai, **values)
    validate(settings)
    return settings


def company_server(base: Path | None = None) -> str:
    """The company server's address from the settings (an admin may set it when installing
    the app), or "" when there is none; a damaged settings file only loses this default."""
    try:
        return load_settings(base).server_url
    except SettingsError:
        return ""


def currency_problem(code: str) -> str | None:
    """What is wrong with ``code`` as a currency (None: it is an ISO 4217 code)."""
    import pycountry

    text = code.strip()
    if len(text) != 3 or not text.isascii() or not text.isalpha():
        return f"currency must be a 3-letter ISO 4217 code, such as USD, EUR or INR, not {text!r}"
    if pycountry.currencies.get(alpha_3=text.upper()) is None:
        return f"{text.upper()} is not an ISO 4217 currency code (such as USD, EUR or INR)"
    return None


def currency_name(code: str) -> str:
    """The ISO 4217 name of ``code`` ("Indian Rupee"), "" for no such currency."""
    import pycountry

    found = pycountry.currencies.get(alpha_3=code.strip().upper()) if code.strip() else None
    return str(found.name) if found is not None else ""


def printer_problem(text: str) -> str | None:
    """What is wrong with ``text`` as the label printer (None: the label station can use it,
    or it is empty: no default printer)."""
    from workbench.labels.printing import PrinterError, parse_printer

    if not text.strip():
        return None
    try:
        parse_printer(text)
    except PrinterError as exc:
        return str(exc)
    return None


def printer_host(text: str) -> tuple[str, int] | None:
    """The host name and port of a network printer named by a name rather than an IP
    address (a name to look up, with `host_problem`, before it is kept); None for any other
    printer, and for text `printer_problem` refuses."""
    from workbench.labels.printing import PrinterError, parse_printer

    try:
        printer = parse_printer(text) if text.strip() else None
    except PrinterError:
        return None
    if printer is None or printer.kind != "zpl":
        return None
    try:
        ipaddress.ip_address(printer.target)
        return None
    except ValueError:
        return printer.target, printer.port


def host_problem(host: str, port: int) -> str | None:
    """None when ``host`` is known on this network, else what to do. A lookup can take a
    while: call it off the UI thread."""
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return (
            f"no host called {host!r} is known on this network: check the name, or give "
            "the printer's IP address, as zpl://192.168.1.40:9100"
        )
    return None


def validate(settings: Settings) -> None:
    """Raise `SettingsError` (naming the field) for the first value the settings cannot hold."""
    if settings.weight_unit not in ("kg", "lb"):
        raise SettingsError(
            f"weight unit must be kg or lb, not {settings.weight_unit!r}", "weight_unit"
        )
    if settings.length_unit not in ("m", "yd"):
        raise SettingsError(
            f"length unit must be m or yd, not {settings.length_unit!r}", "length_unit"
        )
    problem = currency_problem(settings.reporting_currency)
    if problem:
        raise SettingsError(problem, "reporting_currency")
    if not 1 <= settings.label_copies <= 999:
        raise SettingsError("label copies must be between 1 and 999", "label_copies")
    problem = printer_problem(settings.label_printer)
    if problem:
        raise SettingsError(problem, "label_printer")
    if settings.incoterm not in INCOTERMS:
        raise SettingsError(
            f"the Incoterm must be one of the Incoterms 2020 rules "
            f"({', '.join(INCOTERMS)}), not {settings.incoterm!r}",
            "incoterm",
        )
    problem = locale_problem(settings.document_locale)
    if problem:
        raise SettingsError(problem, "document_locale")
    logo = settings.company_logo.strip()
    if logo and Path(logo).suffix.lower() not in LOGO_TYPES:
        raise SettingsError(
            f"the logo must be a PNG or JPEG file, not {Path(logo).name!r}", "company_logo"
        )
    for name, what, url in (
        ("server_url", "the company server's", settings.server_url.strip()),
        ("ai.base_url", "the AI provider's", settings.ai.base_url.strip()),
    ):
        if url and not url.startswith(("http://", "https://")):
            raise SettingsError(f"{what} address must start with https:// ({url!r})", name)


#: the logo files a proposal's cover takes, by suffix
LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def logo_image(settings: Settings) -> tuple[bytes, str] | None:
    """The company logo's bytes and media type; None when none is set or the file is gone
    (the proposal is then made without it, never refused for it)."""
    logo = settings.company_logo.strip()
    if not logo:
        return None
    try:
        return Path(logo).read_bytes(), LOGO_TYPES.get(Path(logo).suffix.lower(), "image/png")
    except OSError:
        return None


def proposal_sender(base: Path | None = None, app_locale: str = "") -> Sender:
    """Who proposals come from, as the settings say (the company, its logo, the Incoterm and
    its named place, the document locale, else ``app_locale``); a damaged settings file gives
    a proposal without them."""
    try:
        settings = load_settings(base)
    except SettingsError:
        return Sender(locale=app_locale)
    logo = logo_image(settings)
    return Sender(
        company=settings.company_name.strip(),
        logo=logo[0] if logo else None,
        logo_type=logo[1] if logo else "image/png",
        incoterm=settings.incoterm,
        named_place=settings.incoterm_place.strip(),
        locale=settings.document_locale.strip() or app_locale,
    )


def start_folder(base: Path | None = None) -> Path:
    """Where a save or open dialog starts: the folder used last, else the user's documents
    folder, else their home; never the program's working directory, which is where the app
    was started from and means nothing to the user."""
    try:
        last = load_settings(base).last_folder
    except SettingsError:
        last = ""
    for folder in (last, platformdirs.user_documents_dir(), str(Path.home())):
        if folder and Path(folder).is_dir():
            return Path(folder)
    return Path.home()


def remember_folder(chosen: Path, base: Path | None = None) -> None:
    """Keep the folder of ``chosen`` (a file saved or opened) for the next dialog; a damaged
    settings file is left as it is (the dialog then starts in the documents folder)."""
    try:
        settings = load_settings(base)
    except SettingsError:
        return
    folder = str(chosen.parent if not chosen.is_dir() else chosen)
    if folder != settings.last_folder:
        save_settings(replace(settings, last_folder=folder), base)


def save_settings(settings: Settings, base: Path | None = None) -> Path:
    validate(settings)
    path = _path(base)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(asdict(settings), indent=2), encoding="utf-8")
    partial.replace(path)
    return path


def with_ai(settings: Settings, **changes: Any) -> Settings:
    return replace(settings, ai=replace(settings.ai, **changes))


def ai_client(settings: Settings) -> AIClient | None:
    """The AI client the settings describe (key from the keyring), or None without one."""
    from workbench.credentials import load_api_key
    from workbench.services.ai import AIClient, AIConfig

    if not settings.ai.configured:
        return None
    config = AIConfig(
        base_url=settings.ai.base_url.strip(),
        chat_model=settings.ai.chat_model,
        image_model=settings.ai.image_model,
        api_key=load_api_key(settings.ai.base_url.strip()),
        timeout_s=settings.ai.timeout_s,
    )
    return AIClient(config)
