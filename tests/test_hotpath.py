"""bot/hotpath.py: Rasa's per-turn work without its waste, and with Rasa's results."""
from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

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
