"""The app's settings on this laptop: the AI provider, printers, label defaults, units and the
reporting currency, in ``<data dir>/settings.json``.

Keys and passwords are never in the file: the AI provider's key goes to the OS keyring
(`workbench.credentials`), addressed by the provider's base URL. A damaged or older file falls
back to the defaults for what it lacks, and says which field was wrong.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.paths import data_dir

if TYPE_CHECKING:  # imported when a client is made: the AI service is slow to import
    from workbench.services.ai import AIClient

SETTINGS_FILE = "settings.json"


class SettingsError(ValueError):
    pass


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
    #: printer names: "zpl://host:9100", "pdf:<folder>", or a system printer's name
    label_printer: str = ""
    label_template: str = "thermal-100x50"
    label_copies: int = 1
    weight_unit: str = "kg"  # kg or lb
    length_unit: str = "m"  # m or yd
    reporting_currency: str = "USD"
    stale_rate_days: int = 180


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
    ai = AISettings(**{f.name: data.get("ai", {}).get(f.name, getattr(AISettings(), f.name))
                       for f in fields(AISettings)})  # fmt: skip
    values: dict[str, Any] = {f.name: data.get(f.name, getattr(Settings(), f.name))
                              for f in fields(Settings) if f.name != "ai"}  # fmt: skip
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


def validate(settings: Settings) -> None:
    if settings.weight_unit not in ("kg", "lb"):
        raise SettingsError(f"weight unit must be kg or lb, not {settings.weight_unit!r}")
    if settings.length_unit not in ("m", "yd"):
        raise SettingsError(f"length unit must be m or yd, not {settings.length_unit!r}")
    if not (len(settings.reporting_currency) == 3 and settings.reporting_currency.isalpha()):
        raise SettingsError(f"currency must be a 3-letter code, not "
                            f"{settings.reporting_currency!r}")  # fmt: skip
    if not 1 <= settings.label_copies <= 999:
        raise SettingsError("label copies must be between 1 and 999")
    for what, url in (("the company server's", settings.server_url.strip()),
                      ("the AI provider's", settings.ai.base_url.strip())):  # fmt: skip
        if url and not url.startswith(("http://", "https://")):
            raise SettingsError(f"{what} address must start with https:// ({url!r})")


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
    config = AIConfig(base_url=settings.ai.base_url.strip(), chat_model=settings.ai.chat_model,
                      image_model=settings.ai.image_model,
                      api_key=load_api_key(settings.ai.base_url.strip()),
                      timeout_s=settings.ai.timeout_s)  # fmt: skip
    return AIClient(config)
