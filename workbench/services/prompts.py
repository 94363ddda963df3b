"""Prompt templates: versioned files in ``resources/prompts/<name>.v<version>.json``.

A prompt is instructions (the template, reviewed like code) plus data (the style's facts).
The data goes in as JSON inside a ``<data>`` block that the instructions tell the model to
treat as data only, and any ``</data>`` inside it is escaped: a style name typed by a user
can never end the block and speak as an instruction. Each template also carries the
deterministic text used when no AI answer is available, filled from the same data.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

from workbench.errors import WorkbenchError
from workbench.paths import resources_dir

_FILE = re.compile(r"^(?P<name>[a-z0-9_]+)\.v(?P<version>\d+)\.json$")


#: The facts about a style that may go to the AI provider, each with what it is (Settings shows
#: these words). Whatever else a caller puts in a prompt's data (who made the sheet, prices,
#: a buyer) is dropped before a request is built or queued (`outgoing`): the provider learns
#: about styles, never about people or money (docs/privacy.md).
SENT_FACTS: dict[str, str] = {
    "style_code": "the style's code",
    "category": "its category",
    "fabric": "the fabric's name",
    "composition": "the fibre composition",
    "gsm": "the fabric's weight (g/m²)",
    "finish": "the fabric's finish",
    "mill": "the mill that makes it",
    "certifications": "the fabric's certifications",
}
#: what never goes, in the words Settings uses
NEVER_SENT = (
    "user names, authors, device names, buyers, prices, costs, margins, quotes and order values"
)


class PromptError(WorkbenchError, ValueError):
    """A prompt file is missing or malformed; the message names it."""


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    version: int
    system: str
    user: str
    fallback: str

    @property
    def ref(self) -> str:
        """How a result records the prompt it came from: ``style_description@v1``."""
        return f"{self.name}@v{self.version}"


def _folder() -> Path:
    return resources_dir() / "prompts"


def load_prompt(name: str, version: int | None = None) -> PromptTemplate:
    """The named template, the highest version unless one is asked for."""
    found = {}
    for path in _folder().glob(f"{name}.v*.json"):
        match = _FILE.match(path.name)
        if match and match["name"] == name:
            found[int(match["version"])] = path
    if not found:
        raise PromptError(f"there is no prompt {name!r} in {_folder()}")
    chosen = version if version is not None else max(found)
    if chosen not in found:
        raise PromptError(f"prompt {name!r} has no version {chosen} (has {sorted(found)})")
    path = found[chosen]
    try:
        data = json.loads(path.read_text("utf-8"))
        return PromptTemplate(
            name, chosen, str(data["system"]), str(data["user"]), str(data.get("fallback", ""))
        )
    except (ValueError, KeyError) as exc:
        raise PromptError(f"{path.name} is not a prompt template ({exc})") from None


def data_block(data: dict[str, Any]) -> str:
    """The facts as JSON, with nothing in them able to close the data block."""
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True, default=str)
    return text.replace("</", "<\\/")


def outgoing(data: dict[str, Any]) -> dict[str, Any]:
    """The part of ``data`` that may leave the laptop: the facts in `SENT_FACTS` only."""
    return {k: v for k, v in data.items() if k in SENT_FACTS}


def sent_in_words() -> str:
    """What the provider is sent and what never, as Settings says it."""
    facts = ", ".join(SENT_FACTS.values())
    return (
        f"Sent to the provider for proposal texts and illustrations: {facts}. "
        f"Never sent: {NEVER_SENT}."
    )


def messages(prompt: PromptTemplate, data: dict[str, Any]) -> list[dict[str, str]]:
    """The request's messages: the template's instructions and the allowed facts only."""
    user = Template(prompt.user).safe_substitute(data=data_block(outgoing(data)))
    out = [{"role": "system", "content": prompt.system}] if prompt.system else []
    return [*out, {"role": "user", "content": user}]


def fallback_text(prompt: PromptTemplate, data: dict[str, Any]) -> str:
    """The template's own text for the data: what a proposal says with no AI answer."""
    filled = {k: "" if v is None else v for k, v in data.items()}
    filled.setdefault("finish_text", f", {data['finish']}" if data.get("finish") else "")
    certs = data.get("certifications")
    filled.setdefault("certification_text", f"; certified {certs}" if certs else "")
    return " ".join(Template(prompt.fallback).safe_substitute(filled).split())
