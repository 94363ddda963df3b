"""A local server speaking the OpenAI-compatible API, for tests: the only thing the test
suite fakes is the paid AI provider. Each test scripts the answers it wants (status, body,
headers, delay) and reads back what the app sent."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# a 1×1 PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@dataclass
class Answer:
    status: int = 200
    body: Any = None  # dict → JSON; str/bytes → sent as is
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


def chat_answer(text: str, model: str = "fake-chat-1") -> Answer:
    return Answer(
        body={
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 50, "completion_tokens": 20},
        }
    )


def image_answer() -> Answer:
    return Answer(body={"created": 0, "data": [{"b64_json": base64.b64encode(PNG).decode()}]})


class FakeAI:
    """Answers in the order scripted; with nothing scripted, a default chat answer."""

    def __init__(self) -> None:
        self.script: deque[Answer] = deque()
        self.requests: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                raw = self.rfile.read(length)
                fake.requests.append(
                    {
                        "path": self.path,
                        "auth": self.headers.get("authorization"),
                        "headers": dict(self.headers.items()),
                        "body": json.loads(raw or b"{}"),
                    }
                )
                answer = fake.script.popleft() if fake.script else chat_answer("A fine style.")
                time.sleep(answer.delay_s)
                body = answer.body
                data = (
                    json.dumps(body).encode()
                    if isinstance(body, dict)
                    else body.encode()
                    if isinstance(body, str)
                    else body or b""
                )
                try:
                    self.send_response(answer.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for key, value in answer.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
