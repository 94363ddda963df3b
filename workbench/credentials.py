"""Device tokens in the operating system's keyring, never in plain files or logs (architecture D6).

Where no keyring backend exists (a server or container without a Secret Service), saving
raises `NoKeyringError` with a plain message: the app then keeps the token in memory for the
session only, and a script can hand it over in ``WORKBENCH_TOKEN``. Nothing falls back to a
file silently: keyrings.alt's file stores are base64, which is plaintext.
"""

from __future__ import annotations

import contextlib
import os

import keyring
import keyring.errors

from workbench.errors import WorkbenchError

SERVICE = "mill-workbench"
TOKEN_ENV = "WORKBENCH_TOKEN"

_session_tokens: dict[str, str] = {}


class NoKeyringError(WorkbenchError, RuntimeError):
    """The OS offers no keyring to keep the sign-in in."""


def _account(server_url: str, username: str) -> str:
    return f"{username}@{server_url.rstrip('/')}"


def save_token(server_url: str, username: str, token: str) -> None:
    """Keep a device token in the keyring (and for this process in any case)."""
    account = _account(server_url, username)
    _session_tokens[account] = token
    try:
        keyring.set_password(SERVICE, account, token)
    except keyring.errors.KeyringError as exc:
        raise NoKeyringError(
            "no system keyring is available to keep your sign-in "
            f"({exc.__class__.__name__}); it lasts until the app closes. To stay signed "
            "in, install and unlock a keyring such as GNOME Keyring or KWallet; scripts "
            f"can pass the token in {TOKEN_ENV}"
        ) from exc


def load_token(server_url: str, username: str) -> str | None:
    """The device token: this session's newest, else ``WORKBENCH_TOKEN`` (a script's choice
    wins over what the keyring holds), else the keyring's."""
    account = _account(server_url, username)
    if account in _session_tokens:
        return _session_tokens[account]
    env = os.environ.get(TOKEN_ENV)
    if env:
        return env
    try:
        return keyring.get_password(SERVICE, account) or None
    except keyring.errors.KeyringError:
        return None


def forget_token(server_url: str, username: str) -> None:
    """Sign out on this laptop: drop the token from memory and from the keyring."""
    account = _account(server_url, username)
    _session_tokens.pop(account, None)
    # Nothing stored, or no keyring at all: either way the sign-in is gone now.
    with contextlib.suppress(keyring.errors.KeyringError):
        keyring.delete_password(SERVICE, account)


# -- API keys of outside services (the AI provider) ----------------------------------------------


def _key_account(base_url: str) -> str:
    return f"api-key@{base_url.rstrip('/')}"


def save_api_key(base_url: str, key: str) -> None:
    """Keep a service's API key in the keyring (for this process in any case): Settings
    stores the provider's address in a file, never its key."""
    account = _key_account(base_url)
    _session_tokens[account] = key
    try:
        keyring.set_password(SERVICE, account, key)
    except keyring.errors.KeyringError as exc:
        raise NoKeyringError(
            f"no system keyring is available to keep the API key ({exc.__class__.__name__}); "
            "it lasts until the app closes"
        ) from exc


def load_api_key(base_url: str) -> str | None:
    account = _key_account(base_url)
    if account in _session_tokens:
        return _session_tokens[account]
    try:
        return keyring.get_password(SERVICE, account)
    except keyring.errors.KeyringError:
        return None
