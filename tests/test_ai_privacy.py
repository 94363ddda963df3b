"""The AI provider is told about styles, never about people: a proposal written and illustrated
by a provider (a local fake speaking its API, capturing each request) receives the allowed
style facts only: no user name, no author, no price or cost, whatever the caller passed; and
Settings shows the user what is sent (pytest-qt)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.fake_ai import FakeAI, chat_answer, image_answer
from ui.settings_dialog import SettingsDialog
from workbench import documents
from workbench.costing import choices as pick
from workbench.costing import load_rate_book
from workbench.costing.sheet import CostSheet, sheet_to_dict
from workbench.demo import generate_demo
from workbench.proposals.build import build_proposal
from workbench.replica import open_replica
from workbench.services.ai import AIClient, AIConfig
from workbench.services.prompts import NEVER_SENT, SENT_FACTS
from workbench.services.writer import write_text
from workbench.settings import load_settings

USER = "ana.kumar@kongu-mills.example"
PRICE = "7.3219"


@pytest.fixture
def fake() -> Iterator[FakeAI]:
    server = FakeAI()
    yield server
    server.close()


def sent_data(request: dict) -> dict:
    """The facts in the request's data block."""
    text = request["body"].get("prompt") or request["body"]["messages"][-1]["content"]
    block = re.search(r"<data>\n(.*)\n</data>", text, re.S)
    assert block is not None, text
    return json.loads(block.group(1))


def test_a_proposal_tells_the_provider_about_styles_not_people(
    fake: FakeAI, tmp_path: Path
) -> None:
    replica = open_replica(tmp_path / "r.sqlite")
    generate_demo(replica, materials=300, seed=5)
    replica.set_state("username", USER)
    replica.set_state("device_name", "Ana's laptop")
    conn = replica.conn
    fabric = conn.execute(
        "SELECT id FROM materials WHERE material_type = 'fabric' AND "
        "construction LIKE '24G single knit%' LIMIT 1"
    ).fetchone()[0]
    style = pick.starting_style(conn, fabric, "NV-001")
    sheet = documents.save_document(
        replica,
        "cost_sheets",
        {
            "style_code": "NV-001",
            "title": "Tee",
            "created_by": USER,
            "body": json.dumps(sheet_to_dict(CostSheet(style, "NORDV", 2400))),
        },
    )
    brand = conn.execute("SELECT id FROM brands WHERE code = 'NORDV'").fetchone()[0]
    conn.execute(
        "INSERT INTO quotes (id, quote_no, cost_sheet_id, style_code, brand_id, quantity, "
        "currency, cost_per_piece, price_per_piece, price_per_dozen, margin, costed_on, "
        "valid_until, body, created_by, version, updated_at) VALUES ('q1', 'Q-1', ?, 'NV-001', "
        f"?, 2400, 'EUR', '3.00', '{PRICE}', '87.86', '0.26', '2026-11-20', '2099-12-31', '{{}}', "
        "?, 1, '2026-11-20T00:00:00Z')",
        (sheet["id"], brand, USER),
    )
    conn.commit()
    fake.script.extend([chat_answer("A soft tee."), image_answer()])
    with AIClient(AIConfig(base_url=fake.url, api_key="sk-test", retries=0)) as client:
        proposal = build_proposal(
            replica,
            [sheet["id"]],
            brand_code="NORDV",
            book=load_rate_book(conn),
            ai=client,
            illustrate=True,
        )
    assert proposal.styles[0].description_source == "ai"
    assert [r["path"] for r in fake.requests] == ["/v1/chat/completions", "/v1/images/generations"]
    for request in fake.requests:
        everything = json.dumps(request, ensure_ascii=False)
        for secret in (USER, "ana.kumar", "Ana's laptop", PRICE, "87.86", "3.00"):
            assert secret not in everything, (secret, request["path"])
        assert set(sent_data(request)) <= set(SENT_FACTS)
        assert sent_data(request)["style_code"] == "NV-001"
    replica.close()


def test_facts_beyond_the_allowed_ones_are_dropped_before_sending(
    fake: FakeAI, tmp_path: Path
) -> None:
    replica = open_replica(tmp_path / "r.sqlite")
    facts = {
        "style_code": "NV-9",
        "category": "T-shirt",
        "prepared_by": USER,
        "created_by": USER,
        "price_per_piece": PRICE,
        "buyer": "Lena Berg",
    }
    with AIClient(AIConfig(base_url=fake.url, retries=0)) as client:
        write_text(replica, client, "style_description", "sheet-1", facts)
    [request] = fake.requests
    assert sent_data(request) == {"style_code": "NV-9", "category": "T-shirt"}
    queued = replica.conn.execute("SELECT data FROM ai_jobs").fetchone()[0]
    assert USER not in queued and PRICE not in queued  # nor kept to be sent later
    replica.close()


def test_settings_show_what_is_sent_to_the_provider(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = SettingsDialog(load_settings(tmp_path), tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    shown = dialog.ai_sent.text()
    assert dialog.ai_sent.isVisible()
    for description in SENT_FACTS.values():
        assert description in shown
    assert NEVER_SENT in shown
    dialog.grab().save(str(tmp_path / "settings.png"))
