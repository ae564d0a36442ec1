"""bot/hotpath.py: Rasa's per-turn work without its waste, and with Rasa's results."""
from __future__ import annotations

import asyncio

import jsonschema
import pytest
from aiohttp import web
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig
from sanic.config import DEFAULT_CONFIG as SANIC_DEFAULTS

from bot import hotpath
from bot.outgoing.nlg import GuardedNLG
from tests.conftest import project_domain

VALID = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "verified", "value": True}],
     "responses": [{"response": "utter_account_answer", "amount": "2794.19"}]},
    {},
]
INVALID = [
    {"events": "not a list"},
    {"events": [{"no_event_key": 1}]},
    {"responses": [42]},
    {"events": [{"event": 7}]},
]


def test_the_rasa_server_gets_it_with_its_nlg():
    GuardedNLG(domain=project_domain())
    assert hotpath.installed()


@pytest.mark.parametrize("response", VALID)
def test_valid_action_responses_pass(response):
    jsonschema.validate(response, RemoteAction.action_response_format_spec())  # the reference agrees
    assert hotpath.validate_action_result(None, response) is True


@pytest.mark.parametrize("response", INVALID)
def test_invalid_action_responses_fail_as_rasa_makes_them_fail(response):
    with pytest.raises(jsonschema.ValidationError) as reference:
        jsonschema.validate(response, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError) as ours:
        hotpath.validate_action_result(None, response)
    assert ours.value.message.startswith(reference.value.message)
    assert "Failed to validate Action server response" in ours.value.message
    assert list(ours.value.path) == list(reference.value.path)


def test_the_schema_is_checked_once():
    hotpath.action_response_validator.cache_clear()
    for response in VALID * 3:
        hotpath.validate_action_result(None, response)
    assert hotpath.action_response_validator.cache_info().misses == 1


def test_every_event_type_resolves_to_rasas_class():
    hotpath.install()
    for cls in all_subclasses(Event):
        assert Event.resolve_by_type(cls.type_name) is hotpath._rasa_resolve_by_type(cls.type_name)
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=Event) is Event
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")


def test_an_event_class_defined_later_is_found():
    hotpath.install()

    class LateEvent(Event):
        type_name = "late_event_for_test"

        def __eq__(self, other):
            return isinstance(other, LateEvent)

        def __hash__(self):
            return 1

        def __str__(self):
            return "LateEvent()"

        def as_story_string(self):
            return None

    assert Event.resolve_by_type("late_event_for_test") is LateEvent


# --------------------------------------------------------------------------------------------
# Calls to the action server reuse their connections
# --------------------------------------------------------------------------------------------

def _counting_server():
    """An aiohttp app answering JSON, and the list it fills with each request's client port."""
    peers: list = []

    async def webhook(request):
        peers.append(request.transport.get_extra_info("peername")[1])
        return web.json_response({"events": [], "responses": [], "got": await request.json()})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    return app, peers


async def _start(app, port: int = 0):
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, runner.addresses[0][1]


def _calls(count: int) -> tuple[list, list]:
    """``count`` calls through Rasa's ``EndpointConfig.request``: (the answers, the client ports)."""
    async def scenario():
        app, peers = _counting_server()
        runner, port = await _start(app)
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook", headers={"X-Test": "1"})
        answers = [await endpoint.request(json={"n": i}, method="post") for i in range(count)]
        await runner.cleanup()
        return answers, peers

    return asyncio.run(scenario())


def test_action_calls_share_one_connection_and_keep_rasas_answers():
    hotpath.install()
    answers, peers = _calls(5)
    assert [a["got"]["n"] for a in answers] == [0, 1, 2, 3, 4]
    assert len(peers) == 5 and len(set(peers)) == 1  # one TCP connection for all five calls


def test_rasas_own_session_opened_a_connection_per_call():
    """What the patch changes: with Rasa's session, every call is a new connection."""
    EndpointConfig.session = hotpath._rasa_session
    try:
        _, peers = _calls(3)
        assert len(set(peers)) == 3
    finally:
        hotpath.install()


def test_a_restarted_action_server_is_reached_again():
    hotpath.install()

    async def scenario():
        app, _ = _counting_server()
        runner, port = await _start(app)
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        first = await endpoint.request(json={"n": 1}, method="post")
        await runner.cleanup()  # the action server goes away, its connections with it
        app, peers = _counting_server()
        runner, _ = await _start(app, port)
        second = await endpoint.request(json={"n": 2}, method="post")
        await runner.cleanup()
        return first, second, peers

    first, second, peers = asyncio.run(scenario())
    assert first["got"] == {"n": 1} and second["got"] == {"n": 2} and len(peers) == 1


def test_idle_connections_are_dropped_before_the_action_server_would():
    assert hotpath.KEEPALIVE_SECONDS < SANIC_DEFAULTS["KEEP_ALIVE_TIMEOUT"]  # the Rasa SDK server runs on Sanic
