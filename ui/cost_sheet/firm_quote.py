"""Firm quotes for a saved cost sheet: asked of the pricing service on a worker, queued for the
next sync when there is no server or it cannot be reached, and shown beside the estimate. The
quote stored and the request queued are written on workers too.

A helper the window owns rather than window code, because it has its own round trip (ask,
fail over to the queue, store the answer) that has nothing to do with the form; it writes to the
window's quote line and announces a quote, or a queued request, on `quoted`.
"""

from __future__ import annotations

import html
import json
import sqlite3
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel

from ui.cost_sheet.amounts import money, money_in
from ui.formats import format_date, format_integer
from ui.ops import OpContext, OpRunner
from workbench import quotes
from workbench.costing.pricing import PriceResult
from workbench.errors import WorkbenchError, user_message
from workbench.workspace import Workspace

#: asks the server for a firm quote: (sheet body, cost sheet id, ctx) -> the quote
QuoteAsker = Callable[[dict[str, Any], str, OpContext], dict[str, Any]]


class FirmQuote(QObject):
    #: a firm quote arrived (dict) or was queued (str: the request id)
    quoted = Signal(object)

    def __init__(
        self,
        workspace: Workspace,
        ops: OpRunner,
        ask: QuoteAsker | None,
        label: QLabel,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace, self.ops, self._ask = workspace, ops, ask
        self.label = label

    def ask(self, row: dict[str, Any], estimate: Callable[[], PriceResult | None]) -> None:
        """Ask for a firm quote of ``row``, a saved cost sheet document; ``estimate`` gives the
        price on screen when the answer comes, to compare with."""
        body = json.loads(row["body"])
        if self._ask is None:
            self._queue(row["id"], body, "no server is configured")
            return
        ask, replica = self._ask, self.workspace.replica

        def work(ctx: OpContext) -> tuple[dict[str, Any], str]:
            """The quote, and why it is not kept on this laptop yet ("" when it is; the
            change feed brings it on the next sync either way)."""
            quote = ask(body, row["id"], ctx)
            try:
                quotes.store_quote(replica, quote)
            except (WorkbenchError, sqlite3.Error) as exc:
                return quote, user_message(exc)
            return quote, ""

        def failed(exc: BaseException) -> None:
            if getattr(exc, "code", "") == "offline":
                self._queue(row["id"], body, "the server cannot be reached")
            else:
                self.label.setText(f"The pricing service did not quote: {exc}")

        def answered(answer: tuple[dict[str, Any], str]) -> None:
            quote, unkept = answer
            self._show(quote, unkept, estimate())

        self.ops.run(
            work,
            success=answered,
            failure=failed,
            label="Asking the pricing service",
        )

    def _queue(self, sheet_id: str, body: dict[str, Any], why: str) -> None:
        replica = self.workspace.replica

        def work(_ctx: OpContext) -> str:
            return quotes.queue_request(replica, sheet_id, body)

        def queued(request_id: str) -> None:
            self.label.setText(
                f"Firm quote queued ({why}): it is asked for on the next "
                "sync. Meanwhile this is an estimate from this laptop's "
                "rates."
            )
            self.quoted.emit(request_id)

        def failed(exc: BaseException) -> None:
            self.label.setText(f"The firm quote was not queued: {user_message(exc)}")

        self.ops.run(
            work, success=queued, failure=failed, label="Queueing the firm quote", background=True
        )

    def _show(self, quote: dict[str, Any], unkept: str, estimate: PriceResult | None) -> None:
        firm = Decimal(quote["price_per_piece"])
        text = (
            f"<b>Firm quote {quote['quote_no']}</b>: {money_in(firm, quote['currency'])} per "
            f"piece, valid until {_day(quote['valid_until'])}"
        )
        if estimate is not None:
            diff = firm - estimate.price_per_piece
            text += (
                f" · estimate {money(estimate.price_per_piece)}, difference "
                f"{'+' if diff > 0 else ''}{money(diff)}"
                if diff
                else " · the same as the estimate"
            )
        text += _lead_time_text(quote.get("lead_time"))
        text += _prices_text(quote)
        if unkept:
            text += f"<br>Not kept on this laptop until the next sync: {html.escape(unkept)}"
        self.label.setText(text)
        self.quoted.emit(quote)


def _prices_text(quote: dict[str, Any]) -> str:
    """The quote's price at each quantity break and each colourway's price, as the server
    priced them (older quotes carry neither); for colourways, each colourway's own breaks,
    since the style's without colourways are no colour's price."""
    currency = html.escape(str(quote.get("currency", "")))

    def cells(breaks: list[dict[str, Any]]) -> str:
        return " · ".join(
            f"{format_integer(int(b['quantity']))}+ pcs "
            f"{money_in(Decimal(b['price_per_piece']), currency)}"
            for b in breaks
        )

    text = ""
    breaks = quote.get("breaks") or []
    colourways = quote.get("colourways") or []
    if not colourways and len(breaks) > 1:
        text += "<br>Quoted breaks: " + cells(breaks)
    for c in colourways:
        if len(c.get("breaks") or ()) > 1:
            text += f"<br>Quoted breaks, {html.escape(str(c['name']))}: " + cells(c["breaks"])
    if colourways:
        text += "<br>Quoted colourways: " + " · ".join(
            f"{html.escape(str(c['name']))} {format_integer(int(c['pieces']))} pcs "
            f"{money_in(Decimal(c['price_per_piece']), currency)}"
            for c in colourways
        )
    return text


def _day(text: object) -> str:
    """A date the server sent (ISO, maybe with a time) as the app writes dates."""
    try:
        return format_date(date.fromisoformat(str(text)[:10]))
    except ValueError:
        return html.escape(str(text))


def _lead_time_text(lead: object) -> str:
    """The quote's lead time as the server planned it (older quotes carry none)."""
    if not isinstance(lead, dict):
        return ""
    if lead.get("completion"):
        ready = date.fromisoformat(str(lead["completion"]))
        return f" · ready by {format_date(ready)} ({lead.get('days')} days)"
    if lead.get("unavailable"):
        return f" · no lead time: {html.escape(str(lead['unavailable']))}"
    return ""
