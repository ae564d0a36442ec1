"""Stop rules and handoff through the actions."""
from bot.db import models as m
from bot.db.session import session_scope
from tests.actions.conftest import make_tracker, verified


def test_distress_cares_and_hands_off_urgently(run_action):
    run = run_action("action_handle_distress", make_tracker("express_distress", "不想活了", slots=verified("B001"), sender="d1"))
    assert run.responses == ["utter_distress", "utter_handoff_wait"] and run.slots["distress"] is True
    with session_scope() as s:
        assert s.query(m.Handoff).filter_by(conversation_id="d1").one().priority == 0


def test_dispute_opens_a_case_and_pauses(run_action):
    run = run_action("action_open_dispute", make_tracker("dispute_debt", "这钱不是我借的", slots=verified("B001"), sender="dd"))
    ref = run.variables("utter_dispute_opened")["reference"]
    assert ref.startswith("YY")
    with session_scope() as s:
        case = s.query(m.Case).filter_by(reference=ref).one()
        assert (case.kind, case.loan_id, case.status) == ("dispute", "L001", "open")
    plans = run_action("action_offer_plans", make_tracker("request_installment", "分期", slots=verified("B001")))
    assert "异议正在核实" in plans.variables("utter_plan_declined")["reason"]


def test_complaint_ticket(run_action):
    run = run_action("action_open_complaint", make_tracker("complain", "我要投诉", sender="cc"))
    assert run.variables("utter_complaint_opened")["reference"].startswith("TS")
    again = run_action("action_open_complaint", make_tracker("complain", "投诉", sender="cc"))
    assert again.variables("utter_complaint_opened")["reference"] == run.variables("utter_complaint_opened")["reference"]


def test_stop_contact_records_opt_out(run_action):
    run = run_action("action_stop_contact", make_tracker("stop_contact", "别再给我发短信了", slots=verified("B002")))
    assert run.responses == ["utter_stop_contact"]
    run = run_action("action_stop_contact", make_tracker("stop_contact", "不要联系我家人", slots=verified("B002")))
    assert run.responses == ["utter_no_third_party_contact"]
    with session_scope() as s:
        assert sorted(o.scope for o in s.query(m.ContactOptOut).filter_by(borrower_id="B002")) == ["family", "proactive"]


def test_third_party_learns_nothing_and_verification_is_dropped(run_action):
    run = run_action("action_handle_third_party", make_tracker("not_borrower", "我是他老婆", slots=verified("B001")))
    assert run.responses == ["utter_not_borrower"]
    assert run.slots["verified"] is False and run.slots["borrower_id"] is None


def test_two_stage_fallback(run_action):
    ranking = [{"name": "nlu_fallback"}, {"name": "ask_penalty"}, {"name": "request_fee_waiver"}]
    run = run_action("action_two_stage_fallback", make_tracker("nlu_fallback", "嗯那个", ranking=ranking))
    assert [b["payload"] for b in run.variables("utter_ask_rephrase")["buttons"]] == ["/ask_penalty", "/request_fee_waiver", "/request_human"]
    run = run_action("action_two_stage_fallback", make_tracker("nlu_fallback", "啊", ranking=ranking, slots={"fallback_count": 1}))
    assert run.responses == ["utter_handoff"]


def test_a_new_session_keeps_a_collectors_hold(run_action, sqlite_url):
    from rasa_sdk.executor import CollectingDispatcher

    from actions.conversation import ActionSessionStart
    from bot.handoff import queue

    action = ActionSessionStart()
    free = action.run(CollectingDispatcher(), make_tracker("greet", sender="s-free"), {})
    assert [e["event"] for e in free] == ["session_started", "action"]
    with session_scope() as s:
        entry = queue.request_handoff(s, "s-held", None, "request_human")
        queue.claim(s, entry.id, "demo")
    held = action.run(CollectingDispatcher(), make_tracker("greet", sender="s-held"), {})
    assert [e["event"] for e in held] == ["session_started", "pause", "action"]
