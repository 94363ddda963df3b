"""Proposal texts and images: from the AI provider when it answers, from the template when it
cannot, and the request kept in a queue so the AI version arrives once the laptop is online.

Every section says where it came from (``source``: "ai" or "template", and the prompt's
version), so a proposal never passes template text off as written for the buyer, and the
merchandiser can ask for any section again.
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from workbench.errors import Cancelled
from workbench.replica import Replica
from workbench.replica.store import utc_now
from workbench.services.ai import AIClient, AIError
from workbench.services.prompts import fallback_text, load_prompt, messages, outgoing


@dataclass(frozen=True)
class Section:
    text: str
    source: str  # "ai" or "template"
    prompt: str  # style_description@v1
    model: str = ""
    #: why the AI did not write it (offline, refused key …); empty when it did
    note: str = ""
    #: the queued request that will replace the template text, if one is waiting
    job_id: str | None = None


def _queue(
    replica: Replica,
    kind: str,
    prompt: str,
    subject_id: str,
    data: dict[str, Any],
    state: str = "queued",
    error: str | None = None,
) -> str:
    job_id = str(uuid.uuid4())
    with replica.transaction() as conn:
        conn.execute(
            "INSERT INTO ai_jobs (id, kind, prompt, subject_id, data, state, error, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                job_id,
                kind,
                prompt,
                subject_id,
                json.dumps(outgoing(data), default=str),
                state,
                error,
                utc_now(),
            ),
        )
    return job_id


def write_text(
    replica: Replica,
    client: AIClient | None,
    prompt_name: str,
    subject_id: str,
    data: dict[str, Any],
    cancel: threading.Event | None = None,
) -> Section:
    """A section's text: the AI's when it answers now, else the template's and a queued job
    (or, if the provider refused outright, the template's and the reason)."""
    prompt = load_prompt(prompt_name)
    template = fallback_text(prompt, data)
    if client is None:
        job = _queue(replica, "text", prompt.ref, subject_id, data)
        return Section(
            template, "template", prompt.ref, note="no AI provider is set up", job_id=job
        )
    try:
        answer = client.chat(messages(prompt, data), cancel=cancel)
    except AIError as exc:
        if exc.retryable:
            job = _queue(replica, "text", prompt.ref, subject_id, data)
            return Section(template, "template", prompt.ref, note=str(exc), job_id=job)
        return Section(template, "template", prompt.ref, note=str(exc))
    # kept, so the next preview shows the same text until the merchandiser asks again
    job = _queue(replica, "text", prompt.ref, subject_id, data)
    _finish(replica, job, "done", result=answer.text, model=answer.model)
    return Section(answer.text, "ai", prompt.ref, model=answer.model)


def request_image(
    replica: Replica,
    client: AIClient | None,
    prompt_name: str,
    subject_id: str,
    data: dict[str, Any],
    cancel: threading.Event | None = None,
) -> bytes | None:
    """An illustration for a subject: made now when the provider answers (and kept, so the
    next proposal reuses it), else queued for when it does; None until then."""
    prompt = load_prompt(prompt_name)
    if client is None:
        _queue(replica, "image", prompt.ref, subject_id, data)
        return None
    try:
        image = client.image(messages(prompt, data)[-1]["content"], cancel=cancel)
    except AIError as exc:
        if exc.retryable:
            _queue(replica, "image", prompt.ref, subject_id, data)
        return None
    job = _queue(replica, "image", prompt.ref, subject_id, data)
    _finish(
        replica,
        job,
        "done",
        result=base64.b64encode(image).decode(),
        model=client.config.image_model,
    )
    return image


def forget(replica: Replica, subject_id: str, prompt_name: str) -> int:
    """Drop a subject's answers for a prompt, so the next proposal asks the AI again (the
    merchandiser's "write it again")."""
    with replica.transaction() as conn:
        return conn.execute(
            "DELETE FROM ai_jobs WHERE subject_id = ? AND prompt LIKE ? AND state != 'queued'",
            (subject_id, f"{prompt_name}@v%"),
        ).rowcount


def run_queue(replica: Replica, client: AIClient, cancel: threading.Event | None = None) -> int:
    """Send the queued requests, oldest first; returns how many were answered. Stops at the
    first sign the provider is still out of reach, leaving the rest queued."""
    answered = 0
    jobs = replica.conn.execute(
        "SELECT id, kind, prompt, data FROM ai_jobs WHERE state = 'queued' ORDER BY created_at"
    ).fetchall()
    for job_id, kind, ref, data_json in jobs:
        name, _, version = ref.partition("@v")
        prompt = load_prompt(name, int(version) if version else None)
        data = json.loads(data_json)
        try:
            if kind == "text":
                answer = client.chat(messages(prompt, data), cancel=cancel)
                result, model = answer.text, answer.model
            else:
                image = client.image(messages(prompt, data)[-1]["content"], cancel=cancel)
                result, model = base64.b64encode(image).decode(), client.config.image_model
        except Cancelled:
            break  # the rest stay queued for the next run
        except AIError as exc:
            if exc.retryable:
                break
            _finish(replica, job_id, "failed", error=str(exc))
            continue
        _finish(replica, job_id, "done", result=result, model=model)
        answered += 1
    return answered


def _finish(
    replica: Replica,
    job_id: str,
    state: str,
    *,
    result: str | None = None,
    model: str | None = None,
    error: str | None = None,
) -> None:
    with replica.transaction() as conn:
        conn.execute(
            "UPDATE ai_jobs SET state = ?, result = ?, model = ?, error = ?, "
            "done_at = ? WHERE id = ?",
            (state, result, model, error, utc_now(), job_id),
        )


def latest_text(replica: Replica, subject_id: str, prompt_name: str) -> Section | None:
    """The newest AI answer for a subject, once its queued request has been answered."""
    row = replica.conn.execute(
        "SELECT result, prompt, model FROM ai_jobs WHERE subject_id = ? AND prompt LIKE ? "
        "AND state = 'done' AND kind = 'text' ORDER BY done_at DESC LIMIT 1",
        (subject_id, f"{prompt_name}@v%"),
    ).fetchone()
    return None if row is None else Section(row[0], "ai", row[1], model=row[2] or "")


def pending(replica: Replica) -> int:
    return int(
        replica.conn.execute("SELECT count(*) FROM ai_jobs WHERE state = 'queued'").fetchone()[0]
    )
