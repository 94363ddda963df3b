"""A client for any OpenAI-compatible API (`/v1/chat/completions`, `/v1/images/generations`):
hosted providers and local model servers speak the same protocol, so Settings needs only a
base URL, model names and a key (the key lives in the OS keyring).

Why errors are classified rather than passed through: the app must say something a
merchandiser can act on ("the provider refused the key: check Settings" vs "the provider is
busy, retrying" vs "offline: queued"), and the queue must know what is worth retrying. 429 and
5xx answers and timeouts are retried with exponential backoff and jitter (a 429's Retry-After
is honoured, capped); 401/403 and malformed answers are not. Every wait can be cancelled.
"""

from __future__ import annotations

import base64
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from workbench.errors import Cancelled, WorkbenchError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER_S = 30.0


class AIError(WorkbenchError, RuntimeError):
    """``kind``: unauthorized, rate_limited, unavailable, timeout, offline, bad_response,
    refused (4xx other than auth). ``retryable``: worth queueing for later."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind

    @property
    def retryable(self) -> bool:
        return self.kind in ("rate_limited", "unavailable", "timeout", "offline")


@dataclass(frozen=True)
class AIConfig:
    base_url: str
    chat_model: str = "gpt-4o-mini"
    image_model: str = "gpt-image-1"
    api_key: str | None = None
    timeout_s: float = 60.0
    retries: int = 3
    backoff_s: float = 1.0


@dataclass(frozen=True)
class ChatResult:
    text: str
    model: str
    usage: dict[str, Any] = field(default_factory=dict)


class AIClient:
    def __init__(self, config: AIConfig, transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
        self.http = httpx.Client(
            base_url=config.base_url.rstrip("/"),
            headers=headers,
            timeout=config.timeout_s,
            transport=transport,
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> AIClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- calls -------------------------------------------------------------------------------

    def chat(
        self,
        messages: list[dict[str, str]],
        *,
        temperature: float = 0.4,
        max_tokens: int = 600,
        cancel: threading.Event | None = None,
    ) -> ChatResult:
        body = {
            "model": self.config.chat_model,
            "messages": messages,
            "temperature": temperature,
            "max_tokens": max_tokens,
        }
        data = self._post("/v1/chat/completions", body, cancel)
        try:
            choice = data["choices"][0]["message"]
            text = choice["content"]
            if not isinstance(text, str):
                raise TypeError("content is not text")
        except (KeyError, IndexError, TypeError) as exc:
            raise AIError(
                "bad_response", f"the AI provider's answer has no message ({exc})"
            ) from None
        return ChatResult(
            text.strip(),
            str(data.get("model", self.config.chat_model)),
            dict(data.get("usage") or {}),
        )

    def image(
        self, prompt: str, *, size: str = "1024x1024", cancel: threading.Event | None = None
    ) -> bytes:
        """One generated image (PNG or JPEG bytes)."""
        body = {
            "model": self.config.image_model,
            "prompt": prompt,
            "size": size,
            "n": 1,
            "response_format": "b64_json",
        }
        data = self._post("/v1/images/generations", body, cancel)
        try:
            return base64.b64decode(data["data"][0]["b64_json"], validate=True)
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise AIError(
                "bad_response", f"the AI provider's answer has no image ({exc})"
            ) from None

    # -- transport ---------------------------------------------------------------------------

    def _post(self, path: str, body: dict[str, Any], cancel: threading.Event | None) -> Any:
        attempt = 0
        while True:
            if cancel is not None and cancel.is_set():
                raise Cancelled("the request to the AI provider was cancelled")
            wait: float | None = None
            try:
                answer = self.http.post(path, json=body)
            except httpx.TimeoutException:
                error = AIError(
                    "timeout", f"the AI provider did not answer within {self.config.timeout_s:g} s"
                )
            except httpx.TransportError as exc:
                where = self.config.base_url
                raise AIError(
                    "offline", f"cannot reach the AI provider at {where} ({exc.__class__.__name__})"
                ) from exc
            else:
                if answer.status_code < 400:
                    try:
                        return answer.json()
                    except ValueError:
                        raise AIError(
                            "bad_response", "the AI provider's answer is not valid JSON"
                        ) from None
                error = _error_for(answer)
                if answer.status_code not in RETRY_STATUSES:
                    raise error
                wait = _retry_after(answer)
            attempt += 1
            if attempt > self.config.retries:
                raise error
            delay = wait if wait is not None else self.config.backoff_s * 2 ** (attempt - 1)
            delay = random.uniform(delay * 0.8, delay * 1.2) if wait is None else delay
            if cancel is not None:
                if cancel.wait(delay):
                    raise Cancelled("the request to the AI provider was cancelled")
            else:
                time.sleep(delay)


def _retry_after(answer: httpx.Response) -> float | None:
    try:
        return min(float(answer.headers.get("retry-after", "")), MAX_RETRY_AFTER_S)
    except ValueError:
        return None


def _error_for(answer: httpx.Response) -> AIError:
    status = answer.status_code
    try:
        detail = answer.json().get("error", {})
        message = detail.get("message") if isinstance(detail, dict) else str(detail)
    except (ValueError, AttributeError):
        message = None
    said = f": {message}" if message else ""
    if status in (401, 403):
        return AIError(
            "unauthorized",
            f"the AI provider refused the key ({status}){said}; check the key in Settings",
        )
    if status == 429:
        return AIError("rate_limited", f"the AI provider is rate-limiting requests{said}")
    if status >= 500:
        return AIError("unavailable", f"the AI provider is unavailable ({status}){said}")
    return AIError("refused", f"the AI provider refused the request ({status}){said}")
