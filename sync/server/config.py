"""The sync server's settings: how hard sign-ins and writes are throttled, how long device
tokens live, and where the audit trail's key and checkpoints are kept.

Every setting has a default that suits a mill's server; an admin changes any of them in a TOML
file given to ``workbench-sync serve --config FILE`` (or ``WORKBENCH_SYNC_CONFIG``), for
example::

    [limits]
    signin_failures_per_account = 10   # wrong passwords per account in the window ...
    signin_window_s = 900              # ... before sign-ins for it are refused (429)

    [tokens]
    idle_days = 30                     # a token unused this long stops working
    max_age_days = 180                 # and any token this old

A name the server does not know is refused with the file's name, so a typo never passes
silently as a default.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from workbench.errors import WorkbenchError

#: the environment variable naming the settings file (the CLI's ``--config`` sets it too, so
#: the processes of ``--workers`` read the same file)
CONFIG_ENV = "WORKBENCH_SYNC_CONFIG"


class ConfigError(WorkbenchError, ValueError):
    """A settings file that cannot be read as the server's settings."""


@dataclass(frozen=True)
class Limits:
    """Throttling (`sync.server.throttle`). Sign-ins count failures in a sliding window, per
    account and per client address; writes count requests per device and minute."""

    #: wrong passwords for one account within the window, after which its sign-ins are
    #: refused (429) without checking the password, until the oldest leaves the window. An
    #: address the user signed in from before has a budget of its own: a stranger's guesses
    #: do not lock the user out of their usual laptop.
    signin_failures_per_account: int = 10
    #: failed sign-ins from one client address within the window, whatever the account
    signin_failures_per_address: int = 50
    signin_window_s: int = 900
    #: requests per device and minute (a laptop's sync sends a handful)
    push_per_minute: int = 600
    quote_per_minute: int = 120
    import_per_minute: int = 20
    serials_per_minute: int = 120


@dataclass(frozen=True)
class Tokens:
    """Device tokens' lifetime (`sync.server.accounts`)."""

    #: a token not used for this long stops working (the app asks its user to sign in)
    idle_days: float = 30.0
    #: nor does any token older than this, however often it is used
    max_age_days: float = 180.0
    #: a token older than this is replaced by a new one on its next use (the answer's
    #: ``X-Workbench-Token`` header; the app keeps it); the old one then stops working
    rotate_after_s: float = 86_400.0
    #: when a user's password changes, their devices' tokens are revoked
    revoke_on_password_change: bool = True
    #: when a user's role changes, their devices' tokens are revoked (by default they stay:
    #: the next sync brings the laptop the new role's rows in a snapshot of its own)
    revoke_on_role_change: bool = False


@dataclass(frozen=True)
class AuditSettings:
    """The audit trail's anchor (`sync.server.audit`)."""

    #: a file holding the key the chain's hashes are made with (readable by the service
    #: only); ``WORKBENCH_SYNC_AUDIT_KEY`` may hold the key instead. None: unkeyed SHA-256
    key_file: str | None = None
    #: the append-only file each workspace's chain head is written to
    checkpoint_log: str | None = None
    #: how often the serving process writes checkpoints
    checkpoint_every_s: float = 3600.0


@dataclass(frozen=True)
class MetricsSettings:
    """Who may read ``/metrics`` (`sync.server.metrics`)."""

    #: the client addresses or networks (CIDR) served; a scrape through the TLS proxy comes
    #: from the scraper's own address
    allow: list[str] = field(default_factory=lambda: ["127.0.0.1/32", "::1/128"])

    def allows(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in ipaddress.ip_network(net, strict=False) for net in self.allow)


@dataclass(frozen=True)
class Retention:
    """How long the server keeps what it may let go (`sync.server.retention`, run by
    ``workbench-sync purge``, daily by the packaged timer)."""

    #: deleted rows' tombstones; a laptop that has not synced for longer than this takes a
    #: new snapshot at its next sync (its unsent edits kept)
    tombstone_days: int = 90
    #: firm quotes, counted from the last day of their validity
    quote_days_after_validity: int = 365
    #: label print jobs, counted from when they were made
    label_job_days: int = 730
    #: audit entries, counted from when they were made; 0 keeps them for ever. The chain stays
    #: verifiable from a signed boundary (`audit.purge_before`)
    audit_days: int = 0


@dataclass(frozen=True)
class ServerConfig:
    limits: Limits = field(default_factory=Limits)
    tokens: Tokens = field(default_factory=Tokens)
    audit: AuditSettings = field(default_factory=AuditSettings)
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
    retention: Retention = field(default_factory=Retention)


_SECTIONS = {
    "limits": Limits,
    "tokens": Tokens,
    "audit": AuditSettings,
    "metrics": MetricsSettings,
    "retention": Retention,
}


def _section(where: str, name: str, kind: type, values: Any) -> Any:
    if not isinstance(values, dict):
        raise ConfigError(f"{where}: [{name}] must be a table of settings")
    known = {f.name: f for f in fields(kind)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigError(
            f"{where}: [{name}] has no setting {unknown[0]!r}; it has {', '.join(known)}"
        )
    defaults = kind()
    for key, value in values.items():
        wanted = type(getattr(defaults, key))
        if getattr(defaults, key) is None:
            wanted = str
        ok = isinstance(value, wanted) or (wanted is float and isinstance(value, int))
        if not ok or isinstance(value, bool) is not (wanted is bool):
            raise ConfigError(f"{where}: [{name}] {key} must be {wanted.__name__}, not {value!r}")
        if isinstance(value, int | float) and not isinstance(value, bool) and value <= 0:
            raise ConfigError(f"{where}: [{name}] {key} must be above 0")
        if isinstance(value, list):
            for net in value:
                try:
                    ipaddress.ip_network(str(net), strict=False)
                except ValueError:
                    raise ConfigError(
                        f"{where}: [{name}] {key}: {net!r} is not an address or network"
                    ) from None
    return kind(
        **{k: float(v) if isinstance(getattr(defaults, k), float) else v for k, v in values.items()}
    )


def parse_config(text: str, where: str = "the settings") -> ServerConfig:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where} is not valid TOML: {exc}") from None
    unknown = sorted(set(document) - set(_SECTIONS))
    if unknown:
        raise ConfigError(
            f"{where}: there is no section [{unknown[0]}]; there are "
            f"{', '.join(f'[{s}]' for s in _SECTIONS)}"
        )
    return ServerConfig(
        **{
            name: _section(where, name, kind, document.get(name, {}))
            for name, kind in _SECTIONS.items()
        }
    )


def load_config(path: str | Path | None = None) -> ServerConfig:
    """The settings in ``path`` (or the file ``WORKBENCH_SYNC_CONFIG`` names); the defaults
    when neither is given."""
    chosen = path or os.environ.get(CONFIG_ENV)
    if not chosen:
        return ServerConfig()
    try:
        text = Path(chosen).read_text("utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the settings file {chosen}: {exc.strerror}") from None
    return parse_config(text, str(chosen))
