"""Compliance rule 1 through the actions: verify before disclosing, lockout, no hint of which factor."""
import datetime as dt
import re

from bot.db import models as m
from bot.db.session import session_scope
from tests.actions.conftest import ent, make_tracker, verified


def test_account_question_before_verification_asks_and_remembers(run_action):
    run = run_action("action_answer_balance", make_tracker("ask_balance", "我还欠多少"))
    assert run.responses == ["utter_need_verification", "utter_ask_id_last4"]
    assert run.slots["pending_action"] == "action_answer_balance"
    assert "2794" not in run.all_text


def test_a_rule_question_before_verification_gets_the_rule_then_the_identity_question(run_action):
    # found by a probe: 「罚息怎么算的」, 「提前还有违约金吗」, 「能晚几天还不」 … before verification got only 「查询借款
    # 信息前需要先验证身份」, though the rules say nothing of anyone's account (rule 1 is about accounts)
    for action, intent, text, words in (
            ("action_answer_penalty", "ask_penalty", "罚息怎么算的", "1.5倍"),
            ("action_answer_early_repayment", "ask_early_repayment", "提前还有违约金吗", "不收违约金"),
            ("action_answer_due_date", "ask_due_date", "自动扣款一般几点扣啊", "在当天扣款前把钱存进还款卡"),
            ("action_answer_overdue_reason", "ask_overdue_reason", "扣款失败一般啥原因", "余额不足"),
            ("action_handle_extension", "request_extension", "能晚几天还不", "30天内的还款日期")):
        run = run_action(action, make_tracker(intent, text))
        assert run.responses == ["utter_account_answer", "utter_ask_id_last4"], action
        said = run.variables("utter_account_answer")["answer"]
        assert words in said and said.endswith("如需查询您自己的具体金额和日期，请先验证身份。"), action
        assert "这笔借款" not in said and "您的借款" not in said, action  # rule 1: not even that a loan exists
        assert "没有成功" not in said, action  # a rule, not a failed debit confirmed (found by a probe)
        assert run.slots["pending_action"] == action  # the borrower's own figures once verified
        assert "2794" not in run.all_text and "张伟" not in run.all_text
    # someone who said they are not the borrower is told nothing more (rule 2)
    third = run_action("action_answer_penalty", make_tracker("ask_penalty", "罚息怎么算的", slots={"third_party": True}))
    assert "utter_account_answer" not in third.responses


def test_one_message_with_both_factors_then_answers_the_pending_question(run_action):
    tracker = make_tracker("inform_identity", "身份证后四位3512 生日1988年3月12日",
                           entities=[ent("id_last4", "3512"), ent("birth_date", "1988-03-12")],
                           slots={"id_last4": "3512", "birth_date": "1988-03-12", "pending_action": "action_answer_balance"})
    run = run_action("action_verify", tracker)
    assert run.responses[0] == "utter_verification_passed"
    assert run.slots["verified"] is True and run.slots["borrower_id"] == "B001"
    assert "2794.19" in run.variables("utter_account_answer")["answer"]
    assert run.slots["id_last4"] is None and run.slots["birth_date"] is None  # factors not kept


def test_phone_tail_works_as_second_factor(run_action):
    tracker = make_tracker("inform_identity", "771x 手机尾号3003", entities=[ent("id_last4", "771X"), ent("phone_last4", "3003")],
                           slots={"id_last4": "771x", "phone_last4": "3003"})
    run = run_action("action_verify", tracker)
    assert run.slots["borrower_id"] == "B003"


def test_step_by_step_asks_for_the_second_factor(run_action):
    run = run_action("action_verify", make_tracker("inform_identity", "3512", entities=[ent("id_last4", "3512")],
                                                   slots={"id_last4": "3512"}))
    assert run.responses == ["utter_ask_birth_date"]
    assert "verified" not in run.slots


def test_wrong_factor_never_says_which_and_locks_after_three(run_action):
    sender = "lock-test"
    for attempt, left in ((1, 2), (2, 1)):
        run = run_action("action_verify", make_tracker(
            "inform_identity", "3512 1999年1月1日", entities=[ent("id_last4", "3512"), ent("birth_date", "1999-01-01")],
            slots={"id_last4": "3512", "birth_date": "1999-01-01"}, sender=sender))
        assert run.responses == ["utter_verification_failed"]
        assert run.variables("utter_verification_failed")["attempts_left"] == left
    run = run_action("action_verify", make_tracker(
        "inform_identity", "0000 1988年3月12日", entities=[ent("id_last4", "0000"), ent("birth_date", "1988-03-12")],
        slots={"id_last4": "0000", "birth_date": "1988-03-12"}, sender=sender))
    assert run.responses == ["utter_verification_locked", "utter_handoff_wait"]
    # when it may be tried again (found by a probe: never said), the lockout's minutes after the last failure
    from bot import clock
    from bot.compliance.policy import POLICY

    until = run.variables("utter_verification_locked")["until"]
    assert re.fullmatch(r"(明天)?\d\d:\d\d", until)
    expected = clock.now() + dt.timedelta(minutes=POLICY.verify_lockout_minutes)
    assert until.endswith(f"{expected:%H:%M}") or until.endswith(f"{expected - dt.timedelta(minutes=1):%H:%M}")
    # even the right factors are refused while locked
    run = run_action("action_verify", make_tracker(
        "inform_identity", "3512 1988年3月12日", entities=[ent("id_last4", "3512"), ent("birth_date", "1988-03-12")],
        slots={"id_last4": "3512", "birth_date": "1988-03-12"}, sender=sender))
    assert run.responses == ["utter_verification_locked", "utter_handoff_wait"] and "verified" not in run.slots
    with session_scope() as s:
        assert s.query(m.Handoff).filter_by(conversation_id=sender, reason="verification_locked").count() == 1
        actions = [a for (a,) in s.query(m.AuditEntry.action).filter_by(conversation_id=sender)]
        assert actions.count("verification_failed") == 3 and "verification_refused_locked" in actions


def test_unreadable_birth_date_fails_safely(run_action):
    run = run_action("action_verify", make_tracker(
        "inform_identity", "3512 生日2月30号", entities=[ent("id_last4", "3512"), ent("birth_date", "2月30号")],
        slots={"id_last4": "3512", "birth_date": "2月30号"}))
    assert run.responses == ["utter_verification_failed"]


def test_bare_answers_to_our_prompts(run_action):
    sender = "bare"
    first = run_action("action_answer_balance", make_tracker("ask_balance", "我还欠多少", sender=sender))
    assert first.slots["requested_factor"] == "id_last4"
    # NLU reads a bare 3512 as an amount; the prompt says what it is
    second = run_action("action_verify", make_tracker("promise_to_pay", "３５１２", entities=[ent("amount", "3512.00")],
                                                      slots={**first.slots}, sender=sender))
    assert second.responses == ["utter_ask_birth_date"]
    assert second.slots["id_last4"] == "3512" and second.slots["requested_factor"] == "second_factor"
    third = run_action("action_verify", make_tracker("inform_identity", "1001", slots={**first.slots, **second.slots}, sender=sender))
    assert third.slots["borrower_id"] == "B001"
    assert "2794.19" in third.variables("utter_account_answer")["answer"]  # the pending question


def test_an_unprompted_bare_id_tail_is_the_id_tail(run_action):
    """「771X」 as a first message (no prompt yet) was asked for again: only an ID number ends in X,
    so it is the ID tail. Found live: 「你好 我是赵磊」, then 「9150」 (read as 9150 yuan) was asked for
    the ID tail too: four bare digits unasked for are the ID tail, the factor the bot asks for first."""
    run = run_action("action_verify", make_tracker("inform_identity", "771x"))
    assert run.responses == ["utter_ask_birth_date"] and run.slots["id_last4"] == "771X"
    digits = run_action("action_verify", make_tracker("inform_identity", "9150", entities=[ent("amount", "9150.00")]))
    assert digits.responses == ["utter_ask_birth_date"] and digits.slots["id_last4"] == "9150"
    done = run_action("action_verify", make_tracker("inform_identity", "900909", entities=[ent("birth_date", "1990-09-09")],
                                                    slots={**digits.slots, "birth_date": "1990-09-09"}))
    assert done.responses[0] == "utter_verification_passed" and done.slots["borrower_id"] == "B006"
    # two groups: the ID tail, then the phone tail, the order the bot asks for them (found live after a name)
    pair = run_action("action_out_of_scope", make_tracker("out_of_scope", "2048 4004", entities=[ent("amount", "2048.00")]))
    assert pair.responses == ["utter_verification_passed"] and pair.slots["borrower_id"] == "B004"
    comma = run_action("action_out_of_scope", make_tracker("out_of_scope", "0426，2002"))
    assert comma.responses == ["utter_verification_passed"] and comma.slots["borrower_id"] == "B002"
    # but not an amount in a promise, nor a number once the ID tail is held (the bot asked for the second factor)
    promise = run_action("action_propose_promise", make_tracker("promise_to_pay", "3000", entities=[ent("amount", "3000.00")]))
    assert "id_last4" not in promise.slots
    held = run_action("action_verify", make_tracker("inform_identity", "2048", slots={"id_last4": "9150"}))
    assert held.slots.get("id_last4") in (None, "9150")


def test_a_name_given_is_asked_for_the_factor_not_told_to_verify(run_action):
    """Found live: 「我叫张伟」 got 「查询借款信息前需要先验证身份。」 before the question for the ID tail."""
    run = run_action("action_verify", make_tracker("inform_identity", "我叫张伟", entities=[ent("person_name", "张伟")]))
    assert run.responses == ["utter_ask_id_last4"]
    # a question about the account still says why first
    asked = run_action("action_answer_balance", make_tracker("ask_balance", "我欠多少"))
    assert asked.responses == ["utter_need_verification", "utter_ask_id_last4"]


def test_bare_tail_classified_out_of_scope_still_verifies(run_action):
    tracker = make_tracker("out_of_scope", "3512", slots={"requested_factor": "id_last4"})
    run = run_action("action_out_of_scope", tracker)
    assert run.responses == ["utter_ask_birth_date"]  # not the out-of-scope blurb


def test_a_question_mid_verification_is_answered_and_verification_resumes(run_action):
    run = run_action("action_answer_how_to_pay", make_tracker("how_to_pay", "怎么还款", slots={"requested_factor": "id_last4"}))
    assert run.responses == ["utter_account_answer", "utter_ask_id_last4"]
    assert "2794" not in run.all_text


def _verify_after(first: "Run") -> "Run":  # noqa: F821
    return {**first.slots, "id_last4": "3512", "birth_date": "1988-03-12"}


def test_a_request_made_before_verification_keeps_what_it_said(run_action):
    # found live: 「15号还两千」 → verify → 「您打算哪天还？」, and 「我要分12期」 → verify → the whole menu
    asked = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "15号还两千", entities=[ent("date", "2026-12-15"), ent("amount", "2000.00")]))
    assert asked.responses == ["utter_need_verification", "utter_ask_id_last4"]
    assert asked.slots["pending_message"]["entities"] == [
        {"entity": "date", "value": "2026-12-15", "start": 0, "end": 1},
        {"entity": "amount", "value": "2000.00", "start": 0, "end": 1}]
    factors = [ent("id_last4", "3512"), ent("birth_date", "1988-03-12")]
    done = run_action("action_verify", make_tracker("inform_identity", "身份证后四位3512 生日1988年3月12日",
                                                    entities=factors, slots=_verify_after(asked)))
    assert done.responses[0] == "utter_verification_passed"
    readback = done.variables("utter_promise_readback")
    assert (readback["date"], readback["amount"]) == ("2026年12月15日", "2000.00")
    assert done.slots["pending_message"] is None and done.slots["pending_action"] is None

    plan = run_action("action_offer_plans", make_tracker("request_installment", "我要分12期",
                                                         entities=[ent("installment_count", 12)]))
    done = run_action("action_verify", make_tracker("inform_identity", "身份证后四位3512 生日1988年3月12日",
                                                    entities=factors, slots=_verify_after(plan)))
    assert "utter_plan_disclosure" in done.responses and done.slots["plan_term"] == 12


def test_a_request_said_in_two_messages_before_verification_keeps_both(run_action):
    # found live (B001): 「我先还1000行不」, 「下周三吧」, then verified: read back as the whole 2794.19 on 12-09
    first = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "我先还1000行不", entities=[{**ent("amount", "1000.00", "1000"), "start": 3, "end": 7}],
        slots={"id_last4": "3512"}))
    second = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "下周三吧", entities=[{**ent("date", "2026-12-09", "下周三"), "start": 0, "end": 3}],
        slots=first.slots))
    kept = second.slots["pending_message"]
    assert kept["text"] == "我先还1000行不 下周三吧"
    assert [(e["entity"], e["value"], kept["text"][e["start"]:e["end"]]) for e in kept["entities"]] == [
        ("amount", "1000.00", "1000"), ("date", "2026-12-09", "下周三")]
    done = run_action("action_verify", make_tracker("inform_identity", "1988年3月12日",
                                                    entities=[ent("birth_date", "1988-03-12")],
                                                    slots={**second.slots, "id_last4": "3512", "birth_date": "1988-03-12"}))
    readback = done.variables("utter_promise_readback")
    assert (readback["date"], readback["amount"]) == ("2026年12月9日", "1000.00")
    # said again, the newer amount replaces the earlier; another request starts afresh
    third = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "不对 还1500", entities=[ent("amount", "1500.00", "1500")], slots=second.slots))
    assert [(e["entity"], e["value"]) for e in third.slots["pending_message"]["entities"]] == [
        ("date", "2026-12-09"), ("amount", "1500.00")]
    other = run_action("action_answer_balance", make_tracker("ask_balance", "我欠多少", slots=second.slots))
    assert other.slots["pending_message"]["text"] == "我欠多少" and other.slots["pending_message"]["entities"] == []


def test_a_request_with_one_factor_is_answered_once_verified_and_keeps_no_factor(run_action):
    # 「15号还两千 身份证3512」: the bot asks for the second factor; the promise used to be dropped
    first = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "15号还两千 身份证3512",
        entities=[ent("date", "2026-12-15"), ent("amount", "2000.00"), ent("id_last4", "3512")],
        slots={"id_last4": "3512"}))
    assert first.responses == ["utter_ask_birth_date"]
    assert first.slots["pending_action"] == "action_propose_promise"
    assert [e["entity"] for e in first.slots["pending_message"]["entities"]] == ["date", "amount"]  # rule 1
    done = run_action("action_verify", make_tracker("inform_identity", "1988年3月12日",
                                                    entities=[ent("birth_date", "1988-03-12")],
                                                    slots={**first.slots, "birth_date": "1988-03-12"}))
    assert done.variables("utter_promise_readback")["amount"] == "2000.00"


def test_a_day_to_pay_on_once_verified_is_a_promise_not_identity(run_action):
    """Found live (B001): 「12月10日还2000块」 was inform_identity at 0.54 and got 「您已经验证过身份了」; the
    promise was lost."""
    text = "12月10日还2000块"
    run = run_action("action_verify", make_tracker("inform_identity", text, slots=verified("B001"),
                                                   entities=[ent("date", "2026-12-10"), ent("amount", "2000.00")]))
    assert run.variables("utter_promise_readback")["amount"] == "2000.00"
    assert run.variables("utter_promise_readback")["date"] == "2026年12月10日"
    bare = run_action("action_verify", make_tracker("inform_identity", "10号 2000", slots=verified("B001"),
                                                    entities=[ent("date", "2026-12-10"), ent("amount", "2000.00")]))
    assert bare.variables("utter_promise_readback")["amount"] == "2000.00"  # found live in a second round
    # identity data after verification, or no day to pay on, is still 「已经验证过」
    for said, entities in (("生日1988年3月12日", [ent("birth_date", "1988-03-12"), ent("date", "1988-03-12")]),
                           ("3512", [ent("id_last4", "3512")])):
        plain = run_action("action_verify", make_tracker("inform_identity", said, slots=verified("B001"), entities=entities))
        assert plain.responses == ["utter_already_verified"], said


def test_a_handoff_asked_before_verifying_says_whose_it_is_once_verified(run_action):
    # found by a probe: the entry kept borrower_id null after the borrower verified
    sender = "hv"
    run_action("action_handoff", make_tracker("request_human", "转人工", sender=sender))
    run_action("action_verify", make_tracker(
        "inform_identity", "3512 1988年3月12日", entities=[ent("id_last4", "3512"), ent("birth_date", "1988-03-12")],
        slots={"id_last4": "3512", "birth_date": "1988-03-12"}, sender=sender))
    with session_scope() as s:
        assert s.query(m.Handoff).filter_by(conversation_id=sender).one().borrower_id == "B001"


def test_a_tail_corrected_right_after_a_failed_attempt_is_that_tail(run_action):
    # found by a probe: 「我叫张伟 身份证后四位3521 生日1988年3月12日」 failed, then 「不对 是3512」 was read as 3512 yuan
    # and verification started over asking for the ID tail
    sender = "corr"
    failed = run_action("action_verify", make_tracker(
        "inform_identity", "身份证后四位3521 生日1988年3月12日", sender=sender,
        entities=[ent("id_last4", "3521"), ent("birth_date", "1988-03-12")],
        slots={"id_last4": "3521", "birth_date": "1988-03-12"}))
    assert failed.responses == ["utter_verification_failed"]
    tracker = make_tracker("deny", "不对 是3512", entities=[ent("amount", "3512.00")], sender=sender)
    tracker.events += [{"event": "user", "text": "身份证后四位3521 生日1988年3月12日"},
                       {"event": "bot", "text": "抱歉…", "metadata": {"utter_action": "utter_verification_failed"}},
                       {"event": "user", "text": "不对 是3512"}]
    corrected = run_action("action_verify", tracker)
    assert corrected.slots["id_last4"] == "3512" and corrected.responses == ["utter_ask_birth_date"]
    # not right after a failure: 「不对 是3000」 is no identity factor
    plain = make_tracker("deny", "不对 是3000", entities=[ent("amount", "3000.00")], sender="corr2")
    assert "id_last4" not in run_action("action_verify", plain).slots
