"""Stop rules and handoff through the actions."""
import pytest

from actions.common import CASE_QUESTIONS
from actions.escalation import CASE_ACTIONS
from bot.compliance.distress_signals import FOLLOWUP_RESPONSE
from bot.db import models as m
from bot.db.session import session_scope
from tests.actions.conftest import ent, make_tracker, verified


def test_distress_cares_and_hands_off_urgently(run_action):
    run = run_action("action_handle_distress", make_tracker("express_distress", "不想活了", slots=verified("B001"), sender="d1"))
    assert run.responses == ["utter_distress", "utter_handoff_wait"] and run.slots["distress"] is True
    with session_scope() as s:
        assert s.query(m.Handoff).filter_by(conversation_id="d1").one().priority == 0


def test_distress_only_the_model_guessed_is_asked_about_with_the_crisis_line(run_action):
    """Found live: 「对了 我换了手机号 要跟你们说吗」 was express_distress at 0.22 (no distress phrase) and got
    the crisis reply and an urgent handoff."""
    def tracker(intent, text, confidence, slots, phrase=None, sender="dq"):
        t = make_tracker(intent, text, slots=slots, sender=sender)
        t.latest_message["intent"]["confidence"] = confidence
        if phrase:
            t.latest_message["distress_phrase"] = phrase
        return t

    asked = run_action("action_handle_distress", tracker("express_distress", "对了 我换了手机号 要跟你们说吗", 0.22,
                                                         verified("B004")))
    assert asked.responses == ["utter_distress_confirm"] and asked.slots == {"pending_confirmation": "distress"}
    assert [b["payload"] for b in asked.messages[0]["buttons"]] == ["/affirm", "/deny"]
    with session_scope() as s:
        assert s.query(m.Handoff).filter_by(conversation_id="dq").count() == 0
    # 「不是」: the bot says it misread; 「是的」 or more distress: the crisis reply, the handoff, collection stops
    no = run_action("action_handle_confirmation", tracker("deny", "不是", 0.9, {**verified("B004"), **asked.slots}))
    assert no.responses == ["utter_distress_not_meant"] and no.slots.get("distress") is None
    for intent, text in (("affirm", "嗯"), ("express_distress", "我就是很难受")):
        yes = run_action("action_handle_confirmation" if intent == "affirm" else "action_handle_distress",
                         tracker(intent, text, 0.45, {**verified("B004"), **asked.slots}, sender=f"dq-{intent}"))
        assert yes.responses == ["utter_distress", "utter_handoff_wait"] and yes.slots["distress"] is True, text
    # a distress phrase, or the model sure of it, is the crisis reply at once
    for conf, phrase in ((0.3, "不想活"), (0.95, None)):
        run = run_action("action_handle_distress", tracker("express_distress", "x", conf, {}, phrase, sender=f"dp{conf}"))
        assert run.responses == ["utter_distress", "utter_handoff_wait"]
    # going on to something else lapses the question
    moved = run_action("action_answer_due_date", tracker("ask_due_date", "几号还", 0.9, {**verified("B004"), **asked.slots}))
    assert moved.slots["pending_confirmation"] is None and "utter_resume_confirmation" not in moved.responses
    # a plan read back when the question came is asked again on a no (found live, B003: 「累了 毁灭吧」 during the
    # 60-month read-back, 「不是 我是说60期就行」, and 「确认」 then got 「还有什么可以帮您？」)
    reading = {**verified("B003"), "pending_confirmation": "plan", "plan_term": 60}
    asked = run_action("action_handle_distress", tracker("express_distress", "累了 毁灭吧", 0.5, reading, sender="dr"))
    assert asked.slots == {"read_back_before_question": "plan", "pending_confirmation": "distress"}
    no = run_action("action_handle_confirmation", tracker("deny", "不是 我是说60期就行", 0.9, {**reading, **asked.slots},
                                                          sender="dr"))
    assert no.responses == ["utter_distress_not_meant", "utter_resume_confirmation"]
    assert no.slots["pending_confirmation"] == "plan" and no.slots["read_back_before_question"] is None
    yes = run_action("action_handle_confirmation", tracker("affirm", "确认", 1.0, {**reading, **no.slots}, sender="dr"))
    assert yes.responses[0] == "utter_plan_accepted"


def test_dispute_opens_a_case_and_pauses(run_action):
    run = run_action("action_open_dispute", make_tracker("dispute_debt", "这钱不是我借的", slots=verified("B001"), sender="dd"))
    ref = run.variables("utter_dispute_opened")["reference"]
    assert ref.startswith("YY")
    # rule 10: how it is checked and when (found by a probe: only when was said)
    import yaml

    from pathlib import Path

    domain = Path(__file__).resolve().parents[2] / "domain.yml"
    template = yaml.safe_load(domain.read_text(encoding="utf-8"))["responses"]["utter_dispute_opened"][0]["text"]
    said = template.format(**run.variables("utter_dispute_opened"))
    assert "核对借款合同、放款和还款记录" in said and "5个工作日内" in said, said
    with session_scope() as s:
        case = s.query(m.Case).filter_by(reference=ref).one()
        assert (case.kind, case.loan_id, case.status) == ("dispute", "L001", "open")
    plans = run_action("action_offer_plans", make_tracker("request_installment", "分期", slots=verified("B001")))
    assert "异议正在核实" in plans.variables("utter_plan_declined")["reason"]


def test_with_a_dispute_open_its_check_is_answered_and_nothing_nudges_to_pay(run_action):
    """Found live (B006): after 「这个金额不对吧」 opened a dispute, 「那核实要多久」 was out of scope, and
    「核实期间还会催我吗」 got the consequences ending 「如果一次还不上，可以申请分期」 (rule 10: paused)."""
    before = run_action("action_answer_consequences", make_tracker("ask_consequences", "不还会怎样", slots=verified("B006")))
    assert "可以申请分期" in before.variables("utter_account_answer")["answer"]
    run_action("action_open_dispute", make_tracker("dispute_debt", "这个金额不对吧", slots=verified("B006"), sender="dq"))
    for action, intent, text in (("action_out_of_scope", "out_of_scope", "那核实要多久"),
                                 ("action_answer_consequences", "ask_consequences", "核实期间还会催我吗"),
                                 ("action_answer_balance", "ask_balance", "核实的进度怎么样了"),
                                 # found live (B004): read as how_to_pay and told the ways to pay
                                 ("action_answer_how_to_pay", "how_to_pay", "那我还要还吗")):
        said = run_action(action, make_tracker(intent, text, slots=verified("B006"), sender="dq"))
        answer = said.variables("utter_account_answer")["answer"]
        assert answer.startswith("您对这笔借款的异议正在核实中。核实期间这笔借款的催收暂停") and "5个工作日" in answer, text
    # found live (B004): 「我有转账记录」 after the dispute was read as a payment claim, told 「账户状态正常」
    proof = run_action("action_check_payment", make_tracker("inform_paid", "我有转账记录", slots=verified("B006"), sender="dq"))
    answer = proof.variables("utter_account_answer")["answer"]
    assert answer.startswith("好的，请保留好这些材料") and "5个工作日" in answer
    plain = run_action("action_answer_consequences", make_tracker("ask_consequences", "不还会怎样", slots=verified("B006")))
    answer = plain.variables("utter_account_answer")["answer"]
    assert "异议正在核实中，核实期间这笔借款的催收暂停" in answer and "可以申请分期" not in answer
    # no dispute open: the same words get the usual answers
    other = run_action("action_out_of_scope", make_tracker("out_of_scope", "那核实要多久", slots=verified("B004")))
    assert other.responses == ["utter_out_of_scope"]
    # nor do the due date, the credit answer and how to pay urge B006 to pay while it is checked; the figures
    # come with the dispute said (found live: 「我欠多少」, 「啥时候扣款」 answered as if nothing were contested)
    due = run_action("action_answer_due_date", make_tracker("ask_due_date", "哪天还", slots=verified("B006")))
    assert "目前到期应还共2163.55元。" in due.variables("utter_account_answer")["answer"]
    assert due.variables("utter_account_answer")["answer"].endswith("这笔借款的异议正在核实中，核实期间催收暂停，以上金额和日期仅供参考。")
    owed = run_action("action_answer_balance", make_tracker("ask_balance", "我欠多少", slots=verified("B006")))
    assert "异议正在核实中" in owed.variables("utter_account_answer")["answer"]
    assert "建议尽快还上" not in due.variables("utter_account_answer")["answer"]
    credit = run_action("action_answer_credit_impact", make_tracker("ask_credit_impact", "会上征信吗", slots=verified("B006")))
    assert credit.variables("utter_account_answer")["answer"].endswith("工作人员会告诉您对征信记录的处理。")
    how = run_action("action_answer_how_to_pay", make_tracker("how_to_pay", "怎么还", slots=verified("B006")))
    assert "建议不要等自动扣款" not in how.variables("utter_account_answer")["answer"]


def test_a_dispute_or_complaint_the_model_is_not_sure_of_is_asked_about_before_a_case_opens(run_action):
    """Found live: 「我只有1500」 was dispute_debt at 0.52 and opened a case, paused collection and
    called a person."""
    def tracker(intent, text, confidence, slots, sender="dc"):
        t = make_tracker(intent, text, slots=slots, sender=sender)
        t.latest_message["intent"]["confidence"] = confidence
        return t

    unsure = run_action("action_open_dispute", tracker("dispute_debt", "我只有1500", 0.52, verified("B005")))
    assert unsure.responses == ["utter_dispute_confirm"] and unsure.slots["pending_confirmation"] == "dispute"
    with session_scope() as s:
        assert s.query(m.Case).filter_by(kind="dispute").count() == 0
    no = run_action("action_handle_confirmation", tracker("deny", "不要", 0.97, {**verified("B005"), **unsure.slots}))
    assert no.responses == ["utter_not_done"] and no.slots["pending_confirmation"] is None
    yes = run_action("action_handle_confirmation", tracker("affirm", "确认", 1.0, {**verified("B005"), **unsure.slots}))
    assert yes.responses == ["utter_dispute_opened", "utter_handoff_wait"]
    with session_scope() as s:
        assert s.query(m.Case).filter_by(kind="dispute", loan_id="L005").count() == 1
    # a typed dispute the model is sure of opens at once, verified or not
    sure = run_action("action_open_dispute", tracker("dispute_debt", "这钱不是我借的", 0.95, {}, sender="dd2"))
    assert sure.responses == ["utter_dispute_opened_unverified", "utter_handoff_wait"]
    # asking whether there is a debt is asked about first, however sure the model (found live: 「我在你们这借过钱吗」
    # at 0.97, unverified, and 「我怎么不记得借过钱」 at 0.99 opened disputes at once)
    for text, slots in (("我在你们这借过钱吗", {}), ("我怎么不记得借过钱", verified("B001")), ("我有没有欠你们钱", {})):
        asked = run_action("action_open_dispute", tracker("dispute_debt", text, 0.99, slots, sender="dd3"))
        assert asked.responses == ["utter_dispute_confirm"], text
    # found live: 「那你们再扣一次呗」 was complain at 0.21 and opened a complaint ticket
    unsure = run_action("action_open_complaint", tracker("complain", "那你们再扣一次呗", 0.21, verified("B001"), "cq"))
    assert unsure.responses == ["utter_complaint_confirm"] and unsure.slots["pending_confirmation"] == "complaint"
    with session_scope() as s:
        assert s.query(m.Case).filter_by(kind="complaint").count() == 0
    yes = run_action("action_handle_confirmation", tracker("affirm", "是的", 0.95, {**verified("B001"), **unsure.slots}, "cq"))
    assert yes.responses == ["utter_complaint_opened", "utter_handoff_wait"]


def test_asked_whether_a_dispute_was_meant_going_on_to_something_else_is_a_no(run_action):
    # found live (B008, settled): 「我的贷款是不是结清了」 (dispute_debt 0.30) was asked 「您是要提出异议吗」, and
    # every answer after it ended 「刚才的内容还需要您确认」
    slots = {**verified("B008"), "pending_confirmation": "dispute"}
    run = run_action("action_answer_credit_impact", make_tracker("ask_credit_impact", "结清证明怎么开", slots=slots))
    assert "utter_resume_confirmation" not in run.responses and run.slots["pending_confirmation"] is None
    # a plan or a promise read back still waits for its answer
    plan = {**verified("B001"), "pending_confirmation": "plan", "plan_term": 12}
    run = run_action("action_answer_credit_impact", make_tracker("ask_credit_impact", "会上征信吗", slots=plan))
    assert run.responses[-1] == "utter_resume_confirmation" and "pending_confirmation" not in run.slots
    assert set(CASE_ACTIONS) == set(CASE_QUESTIONS)


def test_a_complaint_called_off_right_after_the_ticket_is_told_how(run_action):
    # found live (B004): 「利息太高了 我要投诉」, the ticket, then 「算了 不投诉了」 got 「还有什么可以帮您？」
    tracker = make_tracker("deny", "算了 不投诉了", slots=verified("B004"))
    tracker.events.append({"event": "action", "name": "action_open_complaint"})
    run = run_action("action_handle_confirmation", tracker)
    assert run.responses == ["utter_complaint_called_off"]
    # 「不用了」 answers the ticket's question, whether to go on about repaying (found live: told how to withdraw)
    tracker = make_tracker("deny", "不用了", slots=verified("B007"))
    tracker.events.append({"event": "action", "name": "action_open_complaint"})
    assert run_action("action_handle_confirmation", tracker).responses == ["utter_complaint_no_collection"]


def test_how_long_after_a_complaint_is_its_answer_time(run_action):
    """Found live: 「多久能处理」 after the ticket (and the wait for a person) got the consequences."""
    ticket = run_action("action_open_complaint", make_tracker("complain", "我要投诉你们的催收员", slots=verified("B003")))
    tracker = make_tracker("ask_consequences", "多久能处理", slots=verified("B003"))
    tracker.events += [{"event": "user", "text": "我要投诉你们的催收员"},
                       *({"event": "bot", "text": f"{m['response']} 已为您登记投诉" if m["response"] == "utter_complaint_opened"
                          else "工作人员会在这里回复您。"} for m in ticket.messages),
                       {"event": "action", "name": "action_listen"}, {"event": "user", "text": "多久能处理"}]
    run = run_action("action_answer_consequences", tracker)
    assert run.variables("utter_account_answer")["answer"] == "投诉会在15日内答复您，情况复杂的不超过30日。"


def test_an_unverified_dispute_names_no_loan_and_promises_no_pause(run_action):
    """Rule 1: before verification nothing says a loan exists; the case has no loan to pause, so
    the reply must not say 这笔借款的催收会暂停 (someone whose identity was stolen never verifies)."""
    run = run_action("action_open_dispute", make_tracker("dispute_debt", "这笔钱我根本没借过", sender="du"))
    assert run.responses == ["utter_dispute_opened_unverified", "utter_handoff_wait"]
    ref = run.variables("utter_dispute_opened_unverified")["reference"]
    with session_scope() as s:
        case = s.query(m.Case).filter_by(reference=ref).one()
        assert (case.kind, case.loan_id, case.borrower_id) == ("dispute", None, None)
    # found by a probe: 「那我要咋证明 你们多久给我答复」 got how to get a settlement certificate; how the dispute
    # is checked and when, still naming no loan
    how = run_action("action_answer_credit_impact", make_tracker("ask_credit_impact", "那我要咋证明 你们多久给我答复",
                                                                 sender="du"))
    said = how.variables("utter_account_answer")["answer"]
    assert said.startswith("您提出的异议已经登记，正在核实中。") and "个工作日内联系您" in said and "结清证明" not in said
    assert "这笔借款" not in said and "材料" in said
    # another conversation with no dispute gets the certificate answer
    other = run_action("action_answer_credit_impact", make_tracker("ask_credit_impact", "结清证明怎么开", sender="dn"))
    assert "结清证明" in other.variables("utter_account_answer")["answer"]


def test_the_credit_report_asked_during_a_dispute_is_answered(run_action):
    # found by a probe (B006): 「核实期间会不会上征信」 got the status with no word on the credit report
    run_action("action_open_dispute", make_tracker("dispute_debt", "金额不对", slots=verified("B006"), sender="dc"))
    run = run_action("action_answer_credit_impact", make_tracker("ask_credit_impact", "那核实期间会不会上征信",
                                                                 slots=verified("B006"), sender="dc"))
    said = run.variables("utter_account_answer")["answer"]
    assert said.startswith("您对这笔借款的异议正在核实中") and "征信" in said and "更正" in said


def test_a_collectors_threat_told_in_a_complaint_is_corrected(run_action):
    # found by a probe (B006): 「你们的催收员打电话说不还就通知我单位 还说要让我坐牢」 opened a complaint and left
    # the threat standing
    text = "你们的催收员打电话说不还就通知我单位 还说要让我坐牢"
    run = run_action("action_open_complaint", make_tracker("complain", text, sender="ct", slots=verified("B006")))
    assert run.responses[:2] == ["utter_account_answer", "utter_complaint_opened"]
    said = run.variables("utter_account_answer")["answer"]
    assert said.startswith("催收人员这样说不符合规定") and "不会因此被抓" in said and "不会联系您的家人、同事或单位" in said
    plain = run_action("action_open_complaint", make_tracker("complain", "我要投诉你们的服务", sender="cp",
                                                            slots=verified("B006")))
    assert plain.responses[0] == "utter_complaint_opened"


def test_complaint_ticket(run_action):
    # unverified, nothing that presupposes a debt (found by a probe: a wife who said so was asked whether she
    # wanted to go on with 「还款相关的事情」)
    run = run_action("action_open_complaint", make_tracker("complain", "我要投诉", sender="cc"))
    assert run.variables("utter_complaint_opened_unverified")["reference"].startswith("TS")
    again = run_action("action_open_complaint", make_tracker("complain", "投诉", sender="cc"))
    assert (again.variables("utter_complaint_opened_unverified")["reference"]
            == run.variables("utter_complaint_opened_unverified")["reference"])
    mine = run_action("action_open_complaint", make_tracker("complain", "我要投诉", sender="cv", slots=verified("B004")))
    assert mine.responses[0] == "utter_complaint_opened"


def test_stop_contact_records_opt_out(run_action):
    run = run_action("action_stop_contact", make_tracker("stop_contact", "别再给我发短信了", slots=verified("B002")))
    assert run.responses == ["utter_stop_contact"]
    run = run_action("action_stop_contact", make_tracker("stop_contact", "不要联系我家人", slots=verified("B002")))
    assert run.responses == ["utter_no_third_party_contact"]
    with session_scope() as s:
        assert sorted(o.scope for o in s.query(m.ContactOptOut).filter_by(borrower_id="B002")) == ["family", "proactive"]



def test_an_opt_out_before_verifying_is_recorded_once_verified(run_action):
    """Found live: 「退订」 before verifying was told 「已记录：我们将不再主动给您发送提醒消息」, with no borrower
    to record it for."""
    asked = run_action("action_stop_contact", make_tracker("stop_contact", "退订", sender="oo"))
    assert asked.responses == ["utter_stop_contact_needs_identity", "utter_ask_id_last4"]
    assert asked.slots["pending_action"] == "action_stop_contact"
    with session_scope() as s:
        assert s.query(m.ContactOptOut).count() == 0
    factors = [ent("id_last4", "0426"), ent("phone_last4", "2002")]
    done = run_action("action_verify", make_tracker("inform_identity", "0426 2002", entities=factors, sender="oo",
                                                    slots={**asked.slots, "id_last4": "0426", "phone_last4": "2002"}))
    assert "utter_stop_contact" in done.responses
    with session_scope() as s:
        assert [o.scope for o in s.query(m.ContactOptOut).filter_by(borrower_id="B002")] == ["proactive"]
    # about family, nothing needs recording: the bank never contacts them
    family = run_action("action_stop_contact", make_tracker("stop_contact", "不要联系我家人"))
    assert family.responses == ["utter_no_third_party_contact"]


def test_a_third_party_asking_for_the_borrower_changes_nothing(run_action):
    # found live: a wife's 「你们别老给她打电话了」 was told 「已记录：我们将不再主动给您发送提醒消息」
    third = {"third_party": True}
    run = run_action("action_stop_contact", make_tracker("stop_contact", "你们别老给她打电话了", slots=third, sender="tp1"))
    assert run.responses == ["utter_third_party_no_verification"]
    # asking not to be called themselves (a wrong number): no account to record it on, so a person is asked to stop
    # messages to this number, and the reply says that (found by a probe: 「已记录」 with nothing recorded anywhere)
    run = run_action("action_stop_contact", make_tracker("stop_contact", "别再打给我了 我不认识他", slots=third, sender="tp2"))
    assert run.responses == ["utter_account_answer"]
    said = run.variables("utter_account_answer")["answer"]
    assert "工作人员核实这个号码" in said and "已记录" not in said
    with session_scope() as s:
        entry = s.query(m.Handoff).filter_by(conversation_id="tp2").one()
        assert (entry.reason, entry.borrower_id) == ("wrong_number", None)
        assert s.query(m.ContactOptOut).count() == 0


def test_third_party_learns_nothing_and_verification_is_dropped(run_action):
    wife = [{"entity": "relation", "value": "spouse", "start": 3, "end": 5}]
    run = run_action("action_handle_third_party", make_tracker("not_borrower", "我是他老婆", wife, slots=verified("B001")))
    assert run.responses == ["utter_not_borrower"]
    assert run.slots["verified"] is False and run.slots["borrower_id"] is None
    disowned = run_action("action_handle_third_party", make_tracker("not_borrower", "其实我不是本人", slots=verified("B001")))
    assert disowned.responses == ["utter_not_borrower"] and disowned.slots["verified"] is False


@pytest.mark.parametrize("text, entities", [
    ("她欠多少", []),  # found live (B004, after asking for his wife too): then locked out of his own loan
    ("顺便帮我老婆也查一下", [{"entity": "relation", "value": "spouse", "start": 4, "end": 6}]),
    ("我老公跑了 钱都是他花的 我哪有钱还", [{"entity": "relation", "value": "spouse", "start": 1, "end": 3}]),  # the model's guess
])
def test_a_verified_borrower_asking_after_someone_else_keeps_their_own_account(run_action, text, entities):
    run = run_action("action_handle_third_party", make_tracker("not_borrower", text, entities, slots=verified("B004")))
    assert run.responses == ["utter_only_own_account"]
    assert "third_party" not in run.slots and "verified" not in run.slots  # nothing dropped
    after = run_action("action_answer_balance", make_tracker("ask_balance", "我自己欠多少", slots=verified("B004")))
    assert "11843.20" in after.all_text


def test_a_declared_third_party_is_never_verified_in_that_conversation(run_action):
    # found live: 「我是张伟老婆」, then 「他身份证后四位3512 生日1988年3月12日」 passed verification and the
    # wife was told her husband's debt (compliance rule 2: third parties learn nothing)
    sender = "tp-wife"
    declared = run_action("action_handle_third_party", make_tracker("not_borrower", "我是张伟老婆 他欠多少", sender=sender))
    slots = {**declared.slots, "third_party": True}
    factors = [ent("id_last4", "3512"), ent("birth_date", "1988-03-12")]
    filled = {"id_last4": "3512", "birth_date": "1988-03-12"}  # what Rasa's slot mappings fill from them
    given = run_action("action_verify", make_tracker("inform_identity", "他身份证后四位3512 生日1988年3月12日",
                                                     entities=factors, slots={**slots, **filled}, sender=sender))
    assert given.responses == ["utter_third_party_no_verification"]
    assert given.slots.get("verified") is not True and "2794" not in given.all_text
    assert given.slots["id_last4"] is None and given.slots["birth_date"] is None  # not kept either
    asked = run_action("action_answer_balance", make_tracker("ask_balance", "他欠多少", slots=slots, sender=sender))
    assert asked.responses == ["utter_third_party_no_verification"]
    again = run_action("action_verify", make_tracker("inform_identity", "我要验证身份", slots=slots, sender=sender))
    assert again.responses == ["utter_third_party_no_verification"]
    with session_scope() as s:  # no verification was even attempted: nothing passed, nothing counted as failed
        assert s.query(m.AuditEntry).filter(m.AuditEntry.conversation_id == sender,
                                            m.AuditEntry.action.like("verification%")).count() == 0
    # anything that needs no account is answered as usual
    other = run_action("action_out_of_scope", make_tracker("out_of_scope", "今天天气怎么样", slots=slots, sender=sender))
    assert other.responses and "utter_third_party_no_verification" not in other.responses
    # the borrower's own conversation is unaffected
    own = run_action("action_verify", make_tracker("inform_identity", "身份证后四位3512 生日1988年3月12日",
                                                   entities=factors, slots=filled))
    assert own.slots["verified"] is True


def test_factors_given_with_the_words_of_a_third_party_are_not_tried(run_action):
    # 「我是他老婆 他身份证9150 手机6006」 in one message: not 「身份验证成功」 and then 「您不是本人」
    sender = "tp-one"
    factors = [ent("id_last4", "9150"), ent("phone_last4", "6006")]
    run = run_action("action_handle_third_party", make_tracker("not_borrower", "我是他老婆 他身份证9150 手机6006",
                                                               entities=factors, slots={"id_last4": "9150", "phone_last4": "6006"},
                                                               sender=sender))
    assert run.responses == ["utter_not_borrower"] and run.slots["verified"] is False
    assert run.slots["id_last4"] is None and run.slots["phone_last4"] is None
    with session_scope() as s:
        assert s.query(m.AuditEntry).filter(m.AuditEntry.conversation_id == sender,
                                            m.AuditEntry.action.like("verification%")).count() == 0


def test_a_declared_third_party_gets_no_general_answers_about_debts_either(run_action):
    """Found live: after 「我老公欠你们钱」, 「我可以帮他还吗」 got the ways to pay. Rule 2: told only that
    the bank cannot discuss anyone's affairs and how the holder can reach it."""
    slots = {"third_party": True}
    for action, intent, text in (("action_answer_how_to_pay", "how_to_pay", "我可以帮他还吗"),
                                 ("action_answer_consequences", "ask_consequences", "他不还会怎么样"),
                                 ("action_answer_credit_impact", "ask_credit_impact", "会影响他征信吗")):
        run = run_action(action, make_tracker(intent, text, slots=slots))
        assert run.responses == ["utter_third_party_no_verification"], text
    # anyone else still gets the general answer
    run = run_action("action_answer_how_to_pay", make_tracker("how_to_pay", "怎么还款"))
    assert run.responses == ["utter_account_answer"]


def test_a_fallback_never_offers_a_guessed_yes_to_a_plan_read_back(run_action):
    # 「那36期呢」 fell back while a 60-month plan was read back, and its 是的 button (/affirm) would have
    # written the 60-month plan: with something pending, the guesses skip affirm/deny and the
    # read-back's own 确认/不要 are offered again
    ranking = [{"name": "nlu_fallback"}, {"name": "affirm"}, {"name": "request_installment"}, {"name": "deny"},
               {"name": "ask_penalty"}]
    slots = {**verified("B003"), "pending_confirmation": "plan", "plan_term": 60}
    run = run_action("action_two_stage_fallback", make_tracker("nlu_fallback", "那36期呢", ranking=ranking, slots=slots))
    assert [b["payload"] for b in run.variables("utter_ask_rephrase")["buttons"]] == [
        "/request_installment", "/ask_penalty", "/request_human"]
    assert run.responses == ["utter_ask_rephrase", "utter_resume_confirmation"]
    # nothing pending: the guesses are the model's, yes and no included
    free = run_action("action_two_stage_fallback", make_tracker("nlu_fallback", "嗯", ranking=ranking, slots=verified("B003")))
    assert [b["payload"] for b in free.variables("utter_ask_rephrase")["buttons"]] == ["/affirm", "/request_installment",
                                                                                      "/request_human"]


def test_two_stage_fallback(run_action):
    ranking = [{"name": "nlu_fallback"}, {"name": "ask_penalty"}, {"name": "request_fee_waiver"}]
    run = run_action("action_two_stage_fallback", make_tracker("nlu_fallback", "嗯那个", ranking=ranking))
    assert [b["payload"] for b in run.variables("utter_ask_rephrase")["buttons"]] == ["/ask_penalty", "/request_fee_waiver", "/request_human"]
    run = run_action("action_two_stage_fallback", make_tracker("nlu_fallback", "啊", ranking=ranking, slots={"fallback_count": 1}))
    assert run.responses == ["utter_handoff"]



def test_a_missed_promise_told_without_a_date_is_understood_not_asked_to_rephrase(run_action):
    # found live: 「上次说好的没还上」 (B006, whose promise of 1100.00 by 11-20 is broken) fell back
    ranking = [{"name": "nlu_fallback"}, {"name": "inform_hardship"}, {"name": "inform_paid"}]
    run = run_action("action_two_stage_fallback",
                     make_tracker("nlu_fallback", "上次说好的没还上", ranking=ranking, slots={**verified("B006"), "fallback_count": 1}))
    said = run.variables("utter_account_answer")
    assert "2026年11月20日还1100.00元" in said["answer"] and "重新约定" in said["answer"]
    assert [b["payload"] for b in said["buttons"]] == ["/promise_to_pay", "/request_installment", "/request_human"]
    assert run.slots["fallback_count"] == 0 and "utter_handoff" not in run.responses
    # before verification nothing of the account is said; in distress handling no collection talk (rule 9)
    for slots in ({"fallback_count": 0}, {**verified("B006"), "distress": True}):
        run = run_action("action_two_stage_fallback", make_tracker("nlu_fallback", "上次说好的没还上", ranking=ranking, slots=slots))
        assert "utter_ask_rephrase" in run.responses and "1100.00" not in run.all_text

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


def test_in_distress_no_collection_action_runs(run_action):
    """Compliance rule 9: once distress handling began, a plan the borrower had been offered
    cannot be accepted (the confirm button stayed on the suppressed message and 「确认」 created a
    12-month plan), no promise is recorded, no figures are given; each gets the follow-up."""
    distressed = {**verified("B001"), "distress": True}
    confirm = run_action("action_handle_confirmation", make_tracker(
        "affirm", "/affirm", slots={**distressed, "pending_confirmation": "plan", "plan_term": 12}))
    assert confirm.responses == [FOLLOWUP_RESPONSE] and confirm.slots == {"pending_confirmation": None}
    assert "13403.65" not in confirm.all_text and not any(msg.get("buttons") for msg in confirm.messages)
    promise = run_action("action_handle_confirmation", make_tracker(
        "affirm", "确认", slots={**distressed, "pending_confirmation": "promise", "promise_date": "2026-12-07",
                                 "promise_amount": 1000.0}))
    assert promise.responses == [FOLLOWUP_RESPONSE]
    for name, intent, text, entities in [
        ("action_offer_plans", "request_installment", "分12期", [ent("installment_count", 12)]),
        ("action_propose_promise", "promise_to_pay", "下周一还1000", [ent("amount", "1000.00")]),
        ("action_handle_extension", "request_extension", "能晚几天吗", []),
        ("action_handle_fee_waiver", "request_fee_waiver", "罚息能免吗", []),
        ("action_record_hardship", "inform_hardship", "我失业了", [ent("hardship_type", "job_loss")]),
        ("action_answer_balance", "ask_balance", "还欠多少", []),
        ("action_check_payment", "inform_paid", "我还了", []),
    ]:
        run = run_action(name, make_tracker(intent, text, entities=entities, slots=distressed))
        assert run.responses == [FOLLOWUP_RESPONSE], (name, run.responses)
        assert not any(msg.get("buttons") for msg in run.messages), name
        assert "pending_confirmation" not in run.slots, name
    with session_scope() as s:
        assert s.query(m.Plan).filter_by(loan_id="L001").count() == 0
        assert s.query(m.Promise).filter_by(loan_id="L001").count() == 0


def test_out_of_distress_the_same_confirmation_accepts_the_plan(run_action):
    """The gate above is the distress slot, nothing else: the same confirmation without it works."""
    run = run_action("action_handle_confirmation", make_tracker(
        "affirm", "确认", slots={**verified("B001"), "pending_confirmation": "plan", "plan_term": 12}))
    assert run.responses == ["utter_plan_accepted"]


def _just_after_handoff(text: str, sender: str, previous: str = "action_handoff"):
    tracker = make_tracker("deny", text, sender=sender)
    tracker.events = [{"event": "action", "name": previous}, {"event": "bot", "text": "好的，已为您转接人工客服"},
                      {"event": "action", "name": "action_listen"}, {"event": "user", "text": text}]
    return tracker


def test_calling_off_a_request_for_a_person_right_after_it_withdraws_it(run_action):
    """「转人工」 then 「算了 不用了」: the request was left waiting, and a collector picked up a
    conversation the borrower had called off. Now it is closed as withdrawn, in its history and the
    audit log; only the borrower's own waiting request, never a rule's or a claimed one."""
    from bot.handoff import queue

    run_action("action_handoff", make_tracker("request_human", "转人工", sender="w-own"))
    run = run_action("action_handle_confirmation", _just_after_handoff("算了 不用了", "w-own"))
    assert run.responses == ["utter_handoff_withdrawn"]
    with session_scope() as s:
        entry = s.query(m.Handoff).filter_by(conversation_id="w-own").one()
        assert (entry.status, entry.outcome) == ("closed", "withdrawn")
        assert [e.kind for e in s.query(m.HandoffEvent).filter_by(handoff_id=entry.id)] == ["withdrawn"]
        assert s.query(m.AuditEntry).filter_by(conversation_id="w-own", action="handoff_withdrawn").count() == 1
        claimed = queue.request_handoff(s, "w-claimed", None, "request_human")
        queue.claim(s, claimed.id, "demo")
        queue.request_handoff(s, "w-dispute", None, "dispute")
    for sender in ("w-claimed", "w-dispute"):
        kept = run_action("action_handle_confirmation", _just_after_handoff("不用了", sender))
        assert kept.responses == ["utter_anything_else"]
    later = run_action("action_handle_confirmation", _just_after_handoff("不用了", "w-own", previous="action_answer_balance"))
    assert later.responses == ["utter_anything_else"]
    with session_scope() as s:
        assert {e.conversation_id: e.status for e in s.query(m.Handoff).filter(
            m.Handoff.conversation_id.in_(("w-claimed", "w-dispute")))} == {"w-claimed": "claimed", "w-dispute": "waiting"}


def test_the_bot_says_what_it_is_and_a_pending_read_back_keeps_waiting_for_a_real_yes(run_action):
    """Rule 6; found live (B007): 「等下 你是真人吗」 during a plan's read-back, then the 继续 button (a yes)
    accepted the plan. While something waits for a yes the answer has no 继续, and the read-back is asked again."""
    plain = run_action("action_answer_bot_challenge", make_tracker("bot_challenge", "你是真人吗", slots=verified("B001")))
    assert plain.responses == ["utter_iamabot"]
    waiting = {**verified("B001"), "pending_confirmation": "plan", "plan_term": 12}
    run = run_action("action_answer_bot_challenge", make_tracker("bot_challenge", "等下 你是真人吗", slots=waiting))
    assert run.responses == ["utter_iamabot_while_asking", "utter_resume_confirmation"]
    buttons = [b["payload"] for m in run.messages for b in (m.get("buttons") or [])]
    assert "/affirm" in buttons  # the read-back's own 确认, said as such
    assert "pending_confirmation" not in run.slots  # nothing accepted or dropped


def test_a_case_asked_after_in_a_later_conversation_is_told_not_opened_again(run_action):
    """Found live: 「我的异议处理得咋样了」 in a new conversation was asked about and opened a second dispute
    (B004), 「我上午投诉的处理到哪了」 a second complaint (B005)."""
    first = run_action("action_open_dispute", make_tracker("dispute_debt", "这钱不是我借的", slots=verified("B004"), sender="c1"))
    reference = first.variables("utter_dispute_opened")["reference"]
    for confidence in (0.99, 0.4):  # sure, or not sure enough to open one without asking
        tracker = make_tracker("dispute_debt", "我的异议处理得咋样了", slots=verified("B004"), sender="c2")
        tracker.latest_message["intent"]["confidence"] = confidence
        later = run_action("action_open_dispute", tracker)
        answer = later.variables("utter_account_answer")["answer"]
        assert answer.startswith(f"您的异议已经登记过了，编号{reference}（2026年12月1日登记）") and "5个工作日" in answer
        assert "pending_confirmation" not in later.slots or later.slots["pending_confirmation"] is None
    complaint = run_action("action_open_complaint", make_tracker("complain", "天天打电话骚扰 我要投诉", slots=verified("B005"), sender="c3"))
    ticket = complaint.variables("utter_complaint_opened")["reference"]
    again = run_action("action_open_complaint", make_tracker("complain", "我上午投诉的处理到哪了", slots=verified("B005"), sender="c4"))
    assert again.variables("utter_account_answer")["answer"].startswith(f"您的投诉已经登记过了，编号{ticket}")
    with session_scope() as s:
        assert s.query(m.Case).filter_by(borrower_id="B004", kind="dispute").count() == 1
        assert s.query(m.Case).filter_by(borrower_id="B005", kind="complaint").count() == 1
    # a new complaint about another matter gets its own ticket (found live: folded into the old one)
    new = run_action("action_open_complaint", make_tracker("complain", "昨天你们一个催收员打电话骂我 我要投诉他",
                                                           slots=verified("B005"), sender="c6"))
    assert new.variables("utter_complaint_opened")["reference"] != ticket
    # another borrower's case is not theirs: B001 opens their own
    other = run_action("action_open_dispute", make_tracker("dispute_debt", "这钱不是我借的", slots=verified("B001"), sender="c5"))
    assert other.variables("utter_dispute_opened")["reference"] not in (reference, ticket)


def test_the_case_number_asked_for_is_told(run_action):
    """Found live (B005): 「工单号多少」 right after a complaint was read as ask_balance and told the debt."""
    complaint = run_action("action_open_complaint", make_tracker("complain", "天天打电话骚扰 我要投诉", slots=verified("B005"), sender="n1"))
    ticket = complaint.variables("utter_complaint_opened")["reference"]
    for action, intent in (("action_answer_balance", "ask_balance"), ("action_out_of_scope", "out_of_scope")):
        run = run_action(action, make_tracker(intent, "工单号多少", slots=verified("B005"), sender="n1"))
        answer = run.variables("utter_account_answer")["answer"]
        assert f"投诉编号{ticket}（2026年12月1日登记）" in answer and "2781.86" not in answer
    # with no case open, the balance is the answer
    plain = run_action("action_answer_balance", make_tracker("ask_balance", "工单号多少", slots=verified("B001")))
    assert "2794.19" in plain.variables("utter_account_answer")["answer"]


def test_paying_a_person_is_warned_against_whatever_it_was_read_as(run_action):
    """Found live (B007): 「有人加我微信说是你们催收 让我转到他个人账户 可以吗」 was complain at 0.40, asked
    「您是要投诉吗」, and on 「不要」 never got an answer."""
    text = "有人加我微信说是你们催收 让我转到他个人账户 可以吗"
    for action, intent, slots in (("action_open_complaint", "complain", verified("B007")),
                                  ("action_answer_how_to_pay", "how_to_pay", verified("B007")),
                                  ("action_answer_how_to_pay", "how_to_pay", {})):  # before verification too
        run = run_action(action, make_tracker(intent, text, slots=slots))
        answer = run.variables("utter_account_answer")["answer"]
        assert answer.startswith("请不要转这笔钱：不要转到任何个人账户") and "96110" in answer, action
        assert "pending_confirmation" not in run.slots
    with session_scope() as s:
        assert s.query(m.Case).filter_by(borrower_id="B007").count() == 0
    # distress is cared for first, whatever else the message says
    care = run_action("action_handle_distress", make_tracker("express_distress", "不想活了 他让我转到他个人账户",
                                                             slots=verified("B007")))
    assert "utter_distress" in care.responses


def test_no_plan_button_where_no_plan_can_be_had(run_action):
    """Found live (B004, dispute open): 看看分期 offered, and clicked: 「异议正在核实中…暂不办理分期」."""
    def declined(sender):
        run = run_action("action_propose_promise", make_tracker("promise_to_pay", "明年3月1号还",
                                                               entities=[ent("date", "2027-03-01")], slots=verified("B001"),
                                                               sender=sender))
        assert run.responses == ["utter_promise_declined"]
        return [b["payload"] for b in run.messages[0]["buttons"]]

    assert declined("np1") == ["/request_installment", "/request_human"]
    run_action("action_open_dispute", make_tracker("dispute_debt", "这钱不是我借的", slots=verified("B001"), sender="np2"))
    assert declined("np3") == ["/request_human"]


def test_a_bereaved_relative_gets_condolence_and_a_person_and_still_nothing_about_the_account(run_action):
    """Found live: 「我老公去世了 他的贷款要我还吗」 got 「请他本人…联系我们。打扰您了，抱歉。」"""
    text = "我老公去世了 他的贷款要我还吗"
    run = run_action("action_handle_third_party", make_tracker("not_borrower", text, sender="bv"))
    assert run.responses == ["utter_bereaved", "utter_handoff_wait"] and run.slots["third_party"] is True
    assert "2794" not in run.all_text
    with session_scope() as s:
        assert s.query(m.Handoff).filter_by(conversation_id="bv").one().reason == "bereavement"
    plain = run_action("action_handle_third_party", make_tracker("not_borrower", "我是他老婆", sender="bv2"))
    assert plain.responses == ["utter_not_borrower"]
    # found by a probe: the follow-up 「我需要提供什么材料」 got the menu of balance and installment services
    for action, intent in (("action_out_of_scope", "out_of_scope"), ("action_two_stage_fallback", "nlu_fallback")):
        then = run_action(action, make_tracker(intent, "我需要提供什么材料", slots=run.slots, sender="bv"))
        said = then.variables("utter_account_answer")["answer"]
        assert "死亡证明" in said and "2794" not in said and "分期" not in said
    other = run_action("action_out_of_scope", make_tracker("out_of_scope", "我需要提供什么材料", slots=plain.slots, sender="bv2"))
    assert other.responses == ["utter_out_of_scope"]  # someone else, with no bereavement queued: as before


def test_a_dispute_taken_back_is_not_opened_and_one_open_goes_to_a_person(run_action):
    """Found live: 「那个异议不要了 是我记错了」 (dispute_debt 0.79) while the bot asked whether a dispute was meant
    opened one; 「那个异议撤销吧 钱是我借的」 got the open dispute's status."""
    def said(text, slots, sender, confidence=0.79):
        t = make_tracker("dispute_debt", text, slots=slots, sender=sender)
        t.latest_message["intent"]["confidence"] = confidence
        return run_action("action_open_dispute", t)

    asked = said("我怎么不记得借过钱", verified("B002"), "tb1", 0.99)
    assert asked.responses == ["utter_dispute_confirm"]
    back = said("那个异议不要了 是我记错了", {**verified("B002"), **asked.slots}, "tb1")
    assert back.responses == ["utter_not_done"]
    assert back.slots["pending_confirmation"] is None
    with session_scope() as s:
        assert s.query(m.Case).filter_by(borrower_id="B002").count() == 0
    opened = said("这钱不是我借的", verified("B002"), "tb2", 0.99)
    assert opened.responses[0] == "utter_dispute_opened"
    withdrawn = said("那个异议撤销吧 钱是我借的", verified("B002"), "tb3", 0.99)
    assert withdrawn.responses == ["utter_dispute_called_off", "utter_handoff_wait"]
    with session_scope() as s:
        assert s.query(m.Case).filter_by(borrower_id="B002", status="open").count() == 1  # a person closes it
    # 「算了 我要投诉」 is still a complaint
    complaint = run_action("action_open_complaint", make_tracker("complain", "算了 我要投诉你们", slots=verified("B002"),
                                                                 sender="tb4"))
    assert complaint.responses[0] == "utter_complaint_opened"


def test_an_opt_out_waiting_for_verification_is_not_replaced_by_asking_after_it(run_action):
    """Found live: 「退订」, then 「我刚才说的退订记上了吗」 (inform_paid) before verifying, and after verifying a
    payment check instead of the opt-out."""
    asked = run_action("action_stop_contact", make_tracker("stop_contact", "退订", sender="oq"))
    again = run_action("action_check_payment", make_tracker("inform_paid", "我刚才说的退订记上了吗", sender="oq",
                                                            slots=asked.slots))
    assert again.slots.get("pending_action", "action_stop_contact") == "action_stop_contact"
    factors = [ent("id_last4", "0426"), ent("phone_last4", "2002")]
    done = run_action("action_verify", make_tracker("inform_identity", "0426 2002", entities=factors, sender="oq",
                                                    slots={**asked.slots, **again.slots, "id_last4": "0426",
                                                           "phone_last4": "2002"}))
    assert "utter_stop_contact" in done.responses


def test_a_promise_taken_while_a_dispute_is_open_presses_nothing(run_action):
    """Found by a probe (B006, a dispute on the 1100 it says it paid): 「那我下周五还500行不」 got the broken-promise
    line 「当时可能遇到了困难没能还上」 about that very payment, the penalty-growth reminder, and after 确认 a push
    to promise the rest with a 约定还款日期 button (rule 10: collection pauses)."""
    run_action("action_open_dispute", make_tracker("dispute_debt", "金额不对 我上个月还过1100", slots=verified("B006"),
                                                   sender="dp"))
    run = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "那我下周五还500行不", slots=verified("B006"), sender="dp",
        entities=[ent("date", "2026-12-11"), ent("amount", "500.00")]))
    assert run.responses == ["utter_promise_readback"]  # taken: read back, nothing more
    done = run_action("action_handle_confirmation", make_tracker("affirm", "确认", slots={**verified("B006"), **run.slots},
                                                                  sender="dp"))
    assert done.responses == ["utter_promise_recorded"] and "还没有约定" not in done.all_text
    # asked, the rest is said, without the penalty-growth line, a push or plan buttons (found by a probe)
    asked = run_action("action_answer_balance", make_tracker("ask_balance", "那剩下的呢", slots=verified("B006"), sender="dp"))
    said = asked.variables("utter_account_answer")["answer"]
    assert "1663.55" in said and "罚息按天" not in said and "分期" not in said
    assert not asked.variables("utter_account_answer").get("buttons")
    # without a dispute the same promise gets both (B006's broken promise of 11-20 is on record)
    plain = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "那我下周五还600行不", slots=verified("B007"),
        entities=[ent("date", "2026-12-11"), ent("amount", "300.00")]))
    assert "utter_account_answer" in plain.responses  # the penalty-growth reminder


def test_a_borrower_in_distress_asking_for_a_person_is_served_first(run_action):
    # found by a probe: after distress, 「转人工」 was queued 普通 (rule 9: top priority)
    run_action("action_handoff", make_tracker("request_human", "转人工", slots={"distress": True}, sender="dh"))
    run_action("action_handoff", make_tracker("request_human", "转人工", sender="plain-h"))
    with session_scope() as s:
        assert s.query(m.Handoff).filter_by(conversation_id="dh").one().priority == 0
        assert s.query(m.Handoff).filter_by(conversation_id="plain-h").one().priority == 3


def test_leave_me_alone_in_distress_is_cared_for_not_an_opt_out(run_action):
    # found by a probe: 「你们别管我了」 right after a suicidal message was recorded as an opt-out from reminders
    slots = {**verified("B003"), "distress": True}
    run = run_action("action_stop_contact", make_tracker("stop_contact", "你们别管我了", slots=slots, sender="dsc"))
    assert run.responses == ["utter_distress_followup"]
    with session_scope() as s:
        assert s.query(m.ContactOptOut).filter_by(conversation_id="dsc").count() == 0
    asked = run_action("action_stop_contact", make_tracker("stop_contact", "别再给我打电话了", slots=slots, sender="dsc"))
    assert asked.responses == ["utter_stop_contact"]  # said in so many words: recorded even now


def test_no_family_contact_after_a_complaint_that_they_were_contacted_acknowledges_it(run_action):
    # found by a probe (B001): after 「…还打到我单位去了 我要投诉」, 「以后别给我单位和我爸妈打电话」 got 「请放心，我们不会
    # 联系您的家人、同事或单位」, against what had just been reported
    opened = run_action("action_open_complaint", make_tracker("complain", "你们还打到我单位去了 我要投诉",
                                                              slots=verified("B001"), sender="fc"))
    ref = opened.variables("utter_complaint_opened")["reference"]
    run = run_action("action_stop_contact", make_tracker("stop_contact", "以后别给我单位和我爸妈打电话",
                                                         slots=verified("B001"), sender="fc"))
    said = run.variables("utter_account_answer")["answer"]
    assert said.startswith("已记录：以后不会联系您的家人") and ref in said and "请放心" not in said
    plain = run_action("action_stop_contact", make_tracker("stop_contact", "以后别给我爸妈打电话", slots=verified("B001"),
                                                           sender="fp"))
    assert plain.responses == ["utter_no_third_party_contact"]


def test_the_regulators_line_asked_about_after_a_complaint(run_action):
    # found by a probe (B002): after a complaint, 「12378是啥」 got 「您已经验证过身份了」 and 「我已经打了12378了 你们看着
    # 办」 a payment check quoting the amount due (rule 11: no money talk unasked)
    opened = run_action("action_open_complaint", make_tracker("complain", "你们催收天天打电话骂我 我要投诉",
                                                              slots=verified("B002"), sender="rg"))
    ref = opened.variables("utter_complaint_opened")["reference"]
    for action, intent, text in (("action_verify", "inform_identity", "12378是啥"),
                                 ("action_check_payment", "inform_paid", "我已经打了12378了 你们看着办")):
        run = run_action(action, make_tracker(intent, text, slots=verified("B002"), sender="rg"))
        said = run.variables("utter_account_answer")["answer"]
        assert said.startswith("12378是国家金融监督管理总局") and ref in said and "1376" not in said, text
    opened_again = run_action("action_open_complaint", make_tracker("complain", "我要打12378投诉你们", sender="rg2"))
    assert "utter_complaint_opened_unverified" in opened_again.responses


def test_an_opt_out_with_a_promise_in_it_keeps_the_promise(run_action):
    # found by a probe (B005): 「以后别给我发短信了 烦死了 我月底还」 recorded the opt-out and dropped 「我月底还」
    run = run_action("action_stop_contact", make_tracker("stop_contact", "以后别给我发短信了 烦死了 我月底还",
                                                         slots=verified("B005"), entities=[ent("date", "2026-12-31")]))
    assert run.responses[0] == "utter_stop_contact" and "utter_promise_readback" in run.responses
    assert run.variables("utter_promise_readback")["date"] == "2026年12月31日"


def test_family_contact_reported_is_taken_up_not_denied(run_action):
    # found by a probe (B006): 「你们别再给我爸妈打电话了 也别打我单位 丢死人了」 was told flatly 「我们不会联系您的家人…」
    run = run_action("action_stop_contact", make_tracker("stop_contact", "你们别再给我爸妈打电话了 也别打我单位 丢死人了",
                                                         slots=verified("B006"), sender="fam"))
    said = run.variables("utter_account_answer")["answer"]
    assert said.startswith("已记录：以后不会联系您的家人") and "登记投诉" in said
    assert [b["payload"] for b in run.messages[0]["buttons"]] == ["/complain", "/request_human"]
    with session_scope() as s:
        assert [o.scope for o in s.query(m.ContactOptOut).filter_by(borrower_id="B006")] == ["family"]
    # asked ahead, with nothing reported, it is the reassurance as before
    ahead = run_action("action_stop_contact", make_tracker("stop_contact", "不要联系我家人", slots=verified("B006")))
    assert ahead.responses == ["utter_no_third_party_contact"]
