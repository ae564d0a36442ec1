"""Faults in the prod cluster: an action server killed mid-conversation.

Rasa logs "Encountered an exception while running action" and ends the turn without a word; the web
channel (bot/channels/web.py) answers with an apology instead.
"""
from __future__ import annotations

import time

import pytest
import requests

from bot.bench.client import WebChat
from bot.bench.portfolio import generate


def test_action_server_killed_mid_conversation_borrower_gets_an_apology(prod_cluster):
    borrower, _ = generate(3)[2]
    replica0 = prod_cluster.rasa_url(0)
    chat = WebChat(prod_cluster.lb_url).start()
    assert "验证成功" in chat.text(borrower.factors, base_url=replica0)
    prod_cluster.kill("actions-0")
    try:
        messages = chat.say("我还欠多少钱", base_url=replica0)  # needs a custom action
        assert messages and any("抱歉" in m.get("text", "") for m in messages), messages
    finally:
        prod_cluster.start_action_server(0)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{prod_cluster.action_url(0)}/health", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.5)
