"""domain.yml states a few things Rasa reads literally; they must agree with the one policy."""
from pathlib import Path

import yaml

from bot.compliance.content_filter import check
from bot.compliance.policy import POLICY

DOMAIN = yaml.safe_load((Path(__file__).resolve().parent.parent / "domain.yml").read_text(encoding="utf-8"))


def test_session_expiry_is_the_verification_idle_expiry():
    assert DOMAIN["session_config"]["session_expiration_time"] == POLICY.verify_idle_expiry_minutes
    assert DOMAIN["session_config"]["carry_over_slots_to_new_session"] is False


def test_no_compliance_number_is_written_into_a_response():
    for name, variants in DOMAIN["responses"].items():
        for v in variants:
            for number in ("12378", "12356", "110", "120"):
                assert number not in v.get("text", ""), (name, number)


def test_every_static_response_passes_the_content_filter():
    for name, variants in DOMAIN["responses"].items():
        for v in variants:
            text = v.get("text", "")
            if "{" not in text:
                assert check(text).allowed, (name, text, check(text).reason)


def test_the_promise_window_is_quoted_from_its_rule_not_written_in():
    from actions.common import policy_variables
    from bot.promises.rules import MAX_PROMISE_DAYS

    quoting = [name for name, variants in DOMAIN["responses"].items()
               for v in variants if "{promise_days}" in v.get("text", "")]
    assert {"utter_extension_as_promise", "utter_extension_options"} <= set(quoting)
    for name, variants in DOMAIN["responses"].items():
        for v in variants:
            assert f"{MAX_PROMISE_DAYS}天内" not in v.get("text", ""), name
    assert policy_variables()["promise_days"] == MAX_PROMISE_DAYS
