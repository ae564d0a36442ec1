"""Plans, promises, hardship, extensions, confirmations; written to and read back from the database."""
import datetime as dt
from decimal import Decimal as D

from bot.db import models as m
from bot.db.session import session_scope
from bot.dialogue.later import wants_to_talk_later
from bot.services import promises
from tests.actions.conftest import ent, make_tracker, verified


def test_b001_plan_menu_buttons_and_accept_12_months(run_action):
    run = run_action("action_offer_plans", make_tracker("request_installment", "能分期吗", slots=verified("B001")))
    menu = run.variables("utter_plan_menu")
    for figure in ("4557.54", "2312.78", "1190.90", "年化利率（单利）12.00%", "13403.65"):
        assert figure in menu["menu"]
    assert [b["title"] for b in menu["buttons"]] == ["3期", "6期", "12期"]
    run = run_action("action_offer_plans", make_tracker("request_installment", "12期",
                                                        entities=[ent("installment_count", 12)], slots=verified("B001")))
    disclosure = run.variables("utter_plan_disclosure")["disclosure"]
    for figure in ("13403.65", "1190.90", "2027年1月1日", "12.00%", "887.13", "14290.78"):
        assert figure in disclosure
    assert run.slots == {"plan_term": 12, "pending_confirmation": "plan"}
    confirm = make_tracker("affirm", "确认", slots={**verified("B001"), **run.slots}, sender="plan-conv")
    done = run_action("action_handle_confirmation", confirm)
    assert "1190.90" in done.variables("utter_plan_accepted")["monthly"]
    again = run_action("action_handle_confirmation", confirm)  # a retried confirmation
    with session_scope() as s:
        plans = s.query(m.Plan).filter_by(loan_id="L001").all()
        assert len(plans) == 1 and plans[0].total_repayment == D("14290.78") and len(plans[0].installments) == 12
        assert sum(i.principal + i.interest for i in plans[0].installments) == D("14290.78")
        assert s.query(m.AuditEntry).filter_by(action="plan_accepted").count() == 1
    assert again.responses  # answered politely, no second plan
    # an active plan is shown instead of new offers
    shown = run_action("action_offer_plans", make_tracker("request_installment", "分期", slots=verified("B001")))
    assert "正在执行的分期方案" in shown.variables("utter_account_answer")["answer"]
    # 「我的分期怎么取消」 / 「我要分24期」 with a plan running: who can change it, and a button to them
    assert "调整或取消现有方案，请转人工客服" in shown.variables("utter_account_answer")["answer"]
    assert shown.variables("utter_account_answer")["buttons"][0]["payload"] == "/request_human"


def test_after_a_plan_is_accepted_the_loan_is_owed_on_the_plan(run_action):
    """B003 (169 days overdue, 15141.35 due) accepts 12 months: the balance, the promise range and
    the due date come from the plan (44015.71 restructured, 3910.74 from 2027-01-01), not the old
    arrears the plan took over (ledger.md: the plan amount is the payoff on the acceptance date)."""
    before = run_action("action_answer_balance", make_tracker("ask_balance", "还欠多少", slots=verified("B003")))
    assert "15141.35" in before.variables("utter_account_answer")["answer"]
    run = run_action("action_offer_plans", make_tracker("request_installment", "12期",
                                                        entities=[ent("installment_count", 12)], slots=verified("B003")))
    confirm = make_tracker("affirm", "确认", slots={**verified("B003"), **run.slots}, sender="plan-b003")
    assert "3910.74" in run_action("action_handle_confirmation", confirm).variables("utter_plan_accepted")["monthly"]
    answer = run_action("action_answer_balance", make_tracker("ask_balance", "还欠多少", slots=verified("B003")))
    text = answer.variables("utter_account_answer")["answer"]
    assert "15141.35" not in text and "652.31" not in text
    for figure in ("正在执行的分期方案", "没有到期未还", "2027年1月1日，应还3910.74元", "结清，需要还44015.71元"):
        assert figure in text
    due = run_action("action_answer_due_date", make_tracker("ask_due_date", "哪天还", slots=verified("B003")))
    assert "逾期" not in due.variables("utter_account_answer")["answer"]
    promise = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "明天还一半", entities=[ent("date", "2026-12-02"), ent("amount", "half")], slots=verified("B003")))
    assert "utter_promise_readback" not in promise.responses  # nothing is due under the plan until 2027-01-01
    # found live: 「我一个月只能还500」 on the plan got what paying 500 today would do; a monthly budget
    # under a running plan is a change only a person can make
    budget = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "我一个月只能还500", entities=[ent("amount", "500.00")], slots=verified("B003")))
    said = budget.variables("utter_account_answer")
    assert "调整或取消现有方案，请转人工客服" in said["answer"] and "如果今天还500.00元" not in said["answer"]
    once = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "我先还500", entities=[ent("amount", "500.00")], slots=verified("B003")))
    assert once.variables("utter_account_answer")["answer"].startswith("如果今天还500.00元")
    # a new plan asked for under the running one: the figures once, then the plan in a line (found live:
    # 「48期」 and 「还是36期吧」 each got the same paragraph)
    first = run_action("action_offer_plans", make_tracker(
        "request_installment", "48期", entities=[ent("installment_count", 48)], slots=verified("B003")))
    full = first.variables("utter_account_answer")["answer"]
    assert "正在执行的分期方案" in full and full.endswith("请转人工客服，由工作人员和您商量。")
    again = make_tracker("request_installment", "还是36期吧", entities=[ent("installment_count", 36)], slots=verified("B003"))
    again.events.append({"event": "bot", "text": full})
    short = run_action("action_offer_plans", again).variables("utter_account_answer")["answer"]
    assert short == "您已经有一个12期的分期方案（每月3910.74元）在执行。" + full[full.index("同一笔借款"):]
    # the running plan's schedule asked for (found live, B006: told only that no new plan can be made)
    schedule = run_action("action_offer_plans", make_tracker("request_installment", "分期的还款计划发我看看",
                                                             slots=verified("B003")))
    said = schedule.variables("utter_account_answer")["answer"]
    assert said.startswith("您的12期分期方案（每月3910.74元）还款计划：第1期2027年1月1日还3910.74元；")
    assert "第4期2027年4月1日还3910.74元" in said and "第12期2027年12月1日还" in said and "同一笔借款" not in said


def test_affordability_and_none_fits(run_action):
    run = run_action("action_offer_plans", make_tracker("request_installment", "每月只能还2400",
                                                        entities=[ent("amount", "2400.00")], slots=verified("B001")))
    assert "6期方案" in run.variables("utter_plan_disclosure")["disclosure"]
    run = run_action("action_offer_plans", make_tracker("request_installment", "每月只能还1000",
                                                        entities=[ent("amount", "1000.00")], slots=verified("B001")))
    msg = run.variables("utter_plan_not_affordable")
    assert "12期方案" in msg["disclosure"] and run.responses[-1] == "utter_handoff_wait"
    with session_scope() as s:
        assert s.query(m.Handoff).filter_by(reason="no_affordable_plan").count() == 1


def test_b003_over_90_days_long_terms_and_hardship(run_action):
    run = run_action("action_record_hardship", make_tracker("inform_hardship", "我失业了",
                                                            entities=[ent("hardship_type", "job_loss")], slots=verified("B003")))
    assert run.variables("utter_hardship_recorded")["category"] == "失业"
    menu = run.variables("utter_plan_menu")
    assert [b["title"] for b in menu["buttons"]][:6] == ["6期", "12期", "24期", "36期", "48期", "60期"]
    assert "7594.84" in menu["menu"] and "2071.97" in menu["menu"]
    with session_scope() as s:
        assert [h.category for h in s.query(m.Hardship).filter_by(borrower_id="B003")] == ["job_loss"]


def test_the_same_hardship_told_again_is_recorded_and_told_once(run_action):
    # found live (B001): 「我上个月工资没发」 then 「公司说月底补发」 recorded income_drop twice and said so twice
    first = run_action("action_record_hardship", make_tracker("inform_hardship", "我上个月工资没发", sender="again1",
                                                              entities=[ent("hardship_type", "income_drop")], slots=verified("B001")))
    assert "utter_hardship_recorded" in first.responses
    again = run_action("action_record_hardship", make_tracker("inform_hardship", "公司说月底补发", sender="again1",
                                                              slots={**verified("B001"), "hardship_type": "income_drop"}))
    assert "utter_hardship_recorded" not in again.responses and again.responses  # the plans, not silence
    other = run_action("action_record_hardship", make_tracker("inform_hardship", "我还生病住院了", sender="again1",
                                                              entities=[ent("hardship_type", "illness")], slots=verified("B001")))
    assert other.variables("utter_hardship_recorded")["category"] == "生病或住院"
    with session_scope() as s:
        assert sorted(h.category for h in s.query(m.Hardship).filter_by(borrower_id="B001")) == ["illness", "income_drop"]


def test_a_hardship_that_also_asked_a_question_gets_the_answer_too(run_action):
    """「我住院了 罚息怎么算」 is inform_hardship by the contract's precedence (bot/nlu/precedence.py);
    the NLU keeps the question, and the borrower gets the penalty answer between the recorded
    hardship and the plan menu."""
    tracker = make_tracker("inform_hardship", "我住院了 罚息怎么算", entities=[ent("hardship_type", "illness")],
                           slots=verified("B001"))
    tracker.latest_message["question_intent"] = "ask_penalty"
    run = run_action("action_record_hardship", tracker)
    assert run.responses == ["utter_hardship_recorded", "utter_account_answer", "utter_plan_menu"]
    assert "2553.78元 × 0.075% × 21天 = 40.22元" in run.variables("utter_account_answer")["answer"]
    plain = run_action("action_record_hardship", make_tracker("inform_hardship", "我住院了",
                                                              entities=[ent("hardship_type", "illness")], slots=verified("B001")))
    assert plain.responses == ["utter_hardship_recorded", "utter_plan_menu"]



def test_the_menu_asked_for_again_is_short_and_a_term_said_with_a_yes_is_disclosed(run_action):
    # found live (B003, after the six-line menu): 「那能分多少期」 got the six lines again, and 「好吧 就60期」
    # (affirm, nothing pending) got 「还有什么可以帮您？」
    first = run_action("action_offer_plans", make_tracker("request_installment", "能分期吗", slots=verified("B003")))
    menu = first.variables("utter_plan_menu")["menu"]
    tracker = make_tracker("request_installment", "那能分多少期", slots=verified("B003"))
    tracker.events.append({"event": "bot", "text": menu})
    again = run_action("action_offer_plans", tracker)
    said = again.variables("utter_account_answer")
    assert said["answer"].startswith("可以选的期数就是上面这几种：6、12、24、36、48、60期。最长60期，每月979.11元")
    assert [b["title"] for b in said["buttons"]] == ["6期", "12期", "24期", "36期", "48期", "60期"]
    # the hardship flow's menu too
    tracker = make_tracker("inform_hardship", "我真的一分钱都没有", slots=verified("B003"))
    tracker.events.append({"event": "bot", "text": menu})
    hard = run_action("action_record_hardship", tracker)
    assert "utter_plan_menu" not in hard.responses
    assert hard.variables("utter_account_answer")["answer"].startswith("可以选的期数就是上面这几种")
    chosen = run_action("action_handle_confirmation", make_tracker("affirm", "好吧 就60期", entities=[ent("installment_count", 60)],
                                                                   slots=verified("B003")))
    assert chosen.responses == ["utter_plan_disclosure"] and chosen.slots["plan_term"] == 60


def test_a_hardship_told_with_let_us_talk_later_gets_the_ways_offered_not_the_menu(run_action):
    # found live: 「我现在在医院 过几天再说」 (B003) got the six-term plan menu with its interest
    for text in ("我现在在医院 过几天再说", "我失业了 以后再说吧", "我住院了 改天再联系你们"):
        run = run_action("action_record_hardship", make_tracker("inform_hardship", text, entities=[ent("hardship_type", "illness")],
                                                                slots=verified("B003")))
        assert run.responses == ["utter_hardship_recorded", "utter_hardship_later"], text
        assert [b["payload"] for b in run.variables("utter_hardship_later")["buttons"]] == [
            "/request_installment", "/promise_to_pay", "/request_human"]
    for text in ("再说一遍", "过几天再还", "我失业了 能分期吗"):
        assert not wants_to_talk_later(text), text


def test_a_hardship_told_with_a_missed_promise_does_not_take_its_amount_for_a_budget(run_action):
    """Found live (B006, 1100.00 promised for 11-20, broken): 「上次答应的1100我还没还 这个月实在周转不开」
    was offered a 12-month plan 「按您每月能还1100.00元」. The 1100 is the promise missed."""
    text = "上次答应的1100我还没还 这个月实在周转不开"
    amount = {"entity": "amount", "value": "1100.00", "start": text.index("1100"), "end": text.index("1100") + 4}
    run = run_action("action_record_hardship", make_tracker("inform_hardship", text, entities=[amount],
                                                            slots=verified("B006")))
    assert run.responses == ["utter_hardship_recorded", "utter_account_answer"]
    said = run.variables("utter_account_answer")
    assert said["answer"].startswith("没关系。我们看到您之前约定在2026年11月20日还1100.00元，没能还上。")
    assert [b["payload"] for b in said["buttons"]] == ["/promise_to_pay", "/request_installment", "/request_human"]
    # found live: the promise then made (「那我先还600」, 「这周五」) told of the missed one a second time
    then = make_tracker("promise_to_pay", "这周五", entities=[ent("date", "2026-12-04")],
                        slots={**verified("B006"), "promise_amount": "600.00"})
    then.events.append({"event": "bot", "text": said["answer"]})
    read = run_action("action_propose_promise", then)
    assert "utter_promise_previous_broken" not in read.responses and read.responses[-1] == "utter_promise_readback"
    # a budget said after the missed promise is still a budget
    text = "上次说好的没还上 我失业了 每个月只能还500"
    ents = [ent("hardship_type", "job_loss"),
            {"entity": "amount", "value": "500.00", "start": text.index("500"), "end": text.index("500") + 3}]
    run = run_action("action_record_hardship", make_tracker("inform_hardship", text, entities=ents, slots=verified("B001")))
    assert run.variables("utter_plan_affordable")["budget"] == "500.00"


def test_paying_all_with_nothing_due_is_paying_the_loan_off(run_action):
    """Found live (B004, current, payoff 11843.20 today): 「那我下周一全部还掉」 after the payoff got the
    next due date and 「如果到时确实还不上…」; 全部 with nothing due is the whole loan."""
    run = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "那我下周一全部还掉", entities=[ent("date", "2026-12-07"), ent("amount", "all")],
        slots=verified("B004")))
    said = run.variables("utter_account_answer")["answer"]
    assert said.startswith("好的。如果在2026年12月7日一次性结清，需要还11843.20元：还没到期的本金11843.20元。")
    assert "pending_confirmation" not in run.slots  # nothing to promise
    # past the next due date (12-20, 1733.30): that installment is in it, and paid on its day, less is left
    later = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "12月25号全部还清", entities=[ent("date", "2026-12-25"), ent("amount", "all")],
        slots=verified("B004"))).variables("utter_account_answer")["answer"]
    assert "2026年12月20日到期的那期要按时还（自动扣款会照常扣），还上后结清时只需还10181.95元" in later
    now = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "全部还掉", entities=[ent("amount", "all")], slots=verified("B004")))
    assert now.variables("utter_account_answer")["answer"].startswith("可以提前还清。今天一次性结清需要11843.20元")


def test_why_so_much_right_after_the_payoff_is_what_it_is_made_of(run_action):
    # found live (B004, payoff 11843.20): 「为啥这么多」 right after it got how the penalty is computed
    tracker = make_tracker("ask_penalty", "为啥这么多", slots=verified("B004"))
    tracker.events.append({"event": "action", "name": "action_answer_early_repayment"})
    said = run_action("action_answer_penalty", tracker).variables("utter_account_answer")["answer"]
    assert said.startswith("结清金额就是您还没还的钱：借款本金20000.00元，已经还掉本金8156.80元")
    assert "还没到期的本金11843.20元，共11843.20元" in said and "以后7期还要付利息289.93元" in said
    # elsewhere it asks what the amount due is made of (found live, B005: two installments and 27.88 of
    # penalty got only how the penalty is computed), to the fen
    plain = run_action("action_answer_penalty", make_tracker("ask_penalty", "为啥这么多", slots=verified("B001")))
    assert plain.variables("utter_account_answer")["answer"] == (
        "您目前应还2794.19元，是这几笔加起来的：第8期（2026年11月10日到期，已逾期21天）本金和利息2753.97元；"
        "罚息40.22元（按逾期本金每天0.075%（折合年化27.375%，单利）计算，问“罚息怎么算”我可以列出明细）。")
    b005 = run_action("action_answer_penalty", make_tracker("ask_penalty", "怎么这么多", slots=verified("B005")))
    said = b005.variables("utter_account_answer")["answer"]
    assert said.startswith("您目前应还2781.86元，是这几笔加起来的：第6期（2026年11月1日到期，已逾期30天）本金和利息1376.99元；"
                           "第7期（今天到期）本金和利息1376.99元；罚息27.88元")
    # the penalty itself questioned is still its computation; nothing due, the same
    fine = run_action("action_answer_penalty", make_tracker("ask_penalty", "罚息为啥这么多", slots=verified("B001")))
    assert fine.variables("utter_account_answer")["answer"].startswith("罚息只按逾期未还的本金计算")
    none = run_action("action_answer_penalty", make_tracker("ask_penalty", "为啥这么多", slots=verified("B004")))
    assert none.variables("utter_account_answer")["answer"].startswith("罚息只按逾期未还的本金计算")


def test_a_fee_asked_right_after_the_payoff_is_the_early_repayment_fee(run_action):
    """Found live (B004): 「有违约金吗」 right after the payoff got how the penalty is computed."""
    tracker = make_tracker("ask_penalty", "有违约金吗", slots=verified("B004"))
    tracker.events.append({"event": "action", "name": "action_answer_early_repayment"})
    said = run_action("action_answer_penalty", tracker).variables("utter_account_answer")["answer"]
    assert "不收违约金或手续费" in said and "11843.20" in said and "罚息 =" not in said
    # the payoff asked before verifying, answered by the verification that followed (the live case)
    tracker = make_tracker("ask_penalty", "有违约金吗", slots=verified("B004"))
    tracker.events += [
        {"event": "action", "name": "action_answer_early_repayment"},
        {"event": "slot", "name": "pending_action", "value": "action_answer_early_repayment"},
        {"event": "action", "name": "action_listen"}, {"event": "user", "text": "刘洋 2048 920708"},
        {"event": "action", "name": "action_verify"},
        {"event": "slot", "name": "pending_action", "value": None}, {"event": "slot", "name": "verified", "value": True},
        {"event": "action", "name": "action_listen"}]
    said = run_action("action_answer_penalty", tracker).variables("utter_account_answer")["answer"]
    assert "不收违约金或手续费" in said, said
    # verified long before: the previous action is what counts
    tracker = make_tracker("ask_penalty", "有违约金吗", slots=verified("B004"))
    tracker.events += [{"event": "slot", "name": "verified", "value": True},
                       {"event": "action", "name": "action_answer_balance"}, {"event": "action", "name": "action_listen"}]
    said = run_action("action_answer_penalty", tracker).variables("utter_account_answer")["answer"]
    assert said.startswith("罚息只按逾期未还的本金计算"), said


def test_a_refusal_denied_is_not_one(run_action):
    """Found live: 「我没说不还 就是最近困难」 (deny) got the lawful facts of not paying."""
    run = run_action("action_handle_confirmation", make_tracker("deny", "我没说不还 就是最近困难", slots=verified("B001")))
    assert run.responses[0] == "utter_hardship_recorded" and "utter_account_answer" not in run.responses
    unverified = run_action("action_handle_confirmation", make_tracker("deny", "不是不还 是真的有困难"))
    assert unverified.responses[0] == "utter_hardship_heard"
    refusal = run_action("action_handle_confirmation", make_tracker("deny", "我就是不还", slots=verified("B001")))
    assert refusal.responses == ["utter_account_answer"]


def test_nothing_more_to_ask_is_a_goodbye_not_another_question(run_action):
    """Found live: 「没了」 after an answer got 「还有什么可以帮您？」, the very question it answered."""
    for text in ("没了", "没有了", "暂时没有", "没别的了", "没啥事了"):
        run = run_action("action_handle_confirmation", make_tracker("deny", text, slots=verified("B005")))
        assert run.responses == ["utter_goodbye"], text
    for text in ("不是", "不对"):
        run = run_action("action_handle_confirmation", make_tracker("deny", text, slots=verified("B005")))
        assert run.responses == ["utter_anything_else"], text


def test_a_hardship_told_before_verifying_asks_for_the_factor_still_missing(run_action):
    """Found live: the ID tail given, then 「我真的没钱 生意黄了」 was asked for the ID tail again."""
    def run(slots):
        return run_action("action_record_hardship", make_tracker(
            "inform_hardship", "我真的没钱 生意黄了", entities=[ent("hardship_type", "business_failure")], slots=slots))

    half = run({"id_last4": "771X", "requested_factor": "second_factor"})
    assert half.responses == ["utter_hardship_heard", "utter_ask_birth_date"]
    assert half.slots["requested_factor"] == "second_factor"
    assert half.slots["pending_action"] == "action_record_hardship"
    none = run({})
    assert none.responses == ["utter_hardship_heard", "utter_ask_id_last4"]
    assert none.slots["requested_factor"] == "id_last4"


def test_tears_alone_are_asked_about_not_recorded_as_a_hardship(run_action):
    # found live: 「😭😭😭」 was recorded as 其他困难 and got the options
    for text in ("😭😭😭", "。。。", "😢!!"):
        run = run_action("action_record_hardship", make_tracker("inform_hardship", text, slots=verified("B005")))
        assert run.responses == ["utter_hardship_ask_what"], text
    with session_scope() as s:
        assert s.query(m.Hardship).filter_by(borrower_id="B005").count() == 0
    run = run_action("action_record_hardship", make_tracker("inform_hardship", "我好难😭", slots=verified("B005")))
    assert run.responses[0] == "utter_hardship_recorded"

def test_forgetting_to_pay_gets_the_answer_and_a_way_to_pay_not_a_plan(run_action):
    """「忘了还款 会上征信吗」 is inform_hardship by the precedence (forgot, the question kept): the
    borrower can pay, so after the credit answer come paying now or a date, not a 6-60 month plan."""
    tracker = make_tracker("inform_hardship", "忘了还款 会上征信吗", entities=[ent("hardship_type", "forgot")],
                           slots=verified("B001"))
    tracker.latest_message["question_intent"] = "ask_credit_impact"
    run = run_action("action_record_hardship", tracker)
    assert run.responses == ["utter_hardship_recorded", "utter_account_answer", "utter_forgot_options"]
    assert run.variables("utter_hardship_recorded")["category"] == "忘记还款"
    assert "征信" in run.variables("utter_account_answer")["answer"]
    assert [b["payload"] for b in run.variables("utter_forgot_options")["buttons"]] == ["/how_to_pay", "/promise_to_pay"]
    with session_scope() as s:
        assert [h.category for h in s.query(m.Hardship).filter_by(borrower_id="B001")] == ["forgot"]


def test_b004_current_is_declined_with_a_reason(run_action):
    run = run_action("action_offer_plans", make_tracker("request_installment", "分期", slots=verified("B004")))
    msg = run.variables("utter_plan_declined")
    assert "逾期超过3天" in msg["reason"] and msg["buttons"][0]["payload"] == "/request_human"



def test_the_rest_of_a_partial_promise_is_not_forgotten(run_action):
    # found live (B006): 「我这个月只能还一半 剩下的下个月再还」 → 15号 → 确认 recorded 1081.78 of 2163.55 and said
    # nothing of the rest; 「那剩下的呢」 then got 「还有什么可以帮您？」
    run = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "15号还一半", entities=[ent("date", "2026-12-15"), ent("amount", "half")], slots=verified("B006")))
    done = run_action("action_handle_confirmation", make_tracker("affirm", "确认", slots={**verified("B006"), **run.slots}))
    assert done.responses == ["utter_promise_recorded", "utter_account_answer"]
    rest = done.variables("utter_account_answer")
    assert rest["answer"].startswith("剩下的1081.77元还没有约定还款日期") and "15号还1081.77元" in rest["answer"]
    assert [b["payload"] for b in rest["buttons"]] == ["/promise_to_pay", "/request_installment"]
    asked = run_action("action_handle_confirmation", make_tracker("affirm", "那剩下的呢", slots=verified("B006")))
    assert asked.responses == ["utter_account_answer"] and "1081.77元" in asked.variables("utter_account_answer")["answer"]
    # found live (B005): read as ask_balance, 「那剩下的呢」 got the whole balance again
    asked = run_action("action_answer_balance", make_tracker("ask_balance", "那剩下的呢", slots=verified("B006")))
    assert asked.variables("utter_account_answer")["answer"].startswith("剩下的1081.77元还没有约定还款日期")
    whole = run_action("action_answer_balance", make_tracker("ask_balance", "还欠多少", slots=verified("B006")))
    assert whole.variables("utter_account_answer")["answer"].startswith("您目前应还")
    # the whole amount promised: nothing more to say; no open promise: as before
    run = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "15号全还", entities=[ent("date", "2026-12-15"), ent("amount", "all")], slots=verified("B001")))
    done = run_action("action_handle_confirmation", make_tracker("affirm", "确认", slots={**verified("B001"), **run.slots}))
    assert done.responses == ["utter_promise_recorded"]
    assert run_action("action_handle_confirmation", make_tracker("affirm", "那剩下的呢", slots=verified("B003"))).responses == [
        "utter_anything_else"]


def test_a_hardship_named_in_a_plan_request_is_recorded_and_gets_the_long_terms(run_action):
    # found live (B003): 「我失业了 每个月最多还1000」 (request_installment by the contract's precedence) got the
    # plan without the hardship recorded; B001, 21 days late, would have had only the 3/6/12 terms
    run = run_action("action_offer_plans", make_tracker("request_installment", "我失业了 能分期吗", sender="hp1",
                                                        entities=[ent("hardship_type", "job_loss")], slots=verified("B001")))
    assert run.responses[0] == "utter_hardship_recorded" and run.variables("utter_hardship_recorded")["category"] == "失业"
    assert [b["title"] for b in run.variables("utter_plan_menu")["buttons"]] == ["6期", "12期", "24期", "36期", "48期", "60期"]
    again = run_action("action_offer_plans", make_tracker("request_installment", "失业了 分24期吧", sender="hp1",
                                                          entities=[ent("hardship_type", "job_loss"), ent("installment_count", 24)],
                                                          slots=verified("B001")))
    assert again.responses == ["utter_plan_disclosure"]  # recorded once a conversation
    with session_scope() as s:
        assert [h.category for h in s.query(m.Hardship).filter_by(borrower_id="B001")] == ["job_loss"]

def test_bad_term_zero(run_action):
    run = run_action("action_offer_plans", make_tracker("request_installment", "分0期",
                                                        entities=[ent("installment_count", 0)], slots=verified("B001")))
    assert run.responses == ["utter_plan_term_invalid"]


def test_a_term_not_offered_is_told_why_and_the_way_to_a_longer_one(run_action):
    """Found live (B001, 21 days overdue): 「分24期行不」 got only 「您可以选择的期数是：3期、6期、12期」."""
    run = run_action("action_offer_plans", make_tracker("request_installment", "分24期行不",
                                                        entities=[ent("installment_count", 24)], slots=verified("B001")))
    said = run.variables("utter_plan_term_invalid")
    assert said["terms"] == "3期、6期、12期"
    assert "您目前逾期21天" in said["why"] and "最长60期" in said["why"] and "转人工" in said["why"]
    assert run.messages[0]["buttons"][-1]["payload"] == "/request_human"
    over = run_action("action_offer_plans", make_tracker("request_installment", "分72期",
                                                         entities=[ent("installment_count", 72)], slots=verified("B001")))
    assert over.variables("utter_plan_term_invalid")["why"] == "分期最长60期。"
    # found live (B003, long terms from 6): 「分3期行不」, 「分18期」 got no reason
    b003 = {**verified("B003")}
    short = run_action("action_offer_plans", make_tracker("request_installment", "分3期行不",
                                                          entities=[ent("installment_count", 3)], slots=b003))
    assert short.variables("utter_plan_term_invalid")["why"].startswith("目前最短可以分6期")
    odd = run_action("action_offer_plans", make_tracker("request_installment", "分18期",
                                                        entities=[ent("installment_count", 18)], slots=b003))
    assert odd.variables("utter_plan_term_invalid")["why"].startswith("期数只能从这几种里选")


def test_promise_readback_confirm_and_store(run_action):
    run = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "15号还两千", entities=[ent("date", "2026-12-15"), ent("amount", "2000.00")], slots=verified("B001")))
    readback = run.variables("utter_promise_readback")
    assert readback["date"] == "2026年12月15日" and readback["amount"] == "2000.00"
    done = run_action("action_handle_confirmation", make_tracker("affirm", "对", slots={**verified("B001"), **run.slots}))
    assert done.responses == ["utter_promise_recorded", "utter_account_answer"]  # and the 794.19 not promised
    assert done.variables("utter_account_answer")["answer"].startswith("剩下的794.19元还没有约定还款日期（罚息按天计算")
    with session_scope() as s:
        p = s.query(m.Promise).filter_by(loan_id="L001").one()
        assert (p.amount, p.promised_date.isoformat(), p.status) == (D("2000.00"), "2026-12-15", "open")
    # asked after later, in another conversation (found live: 「我约的啥时候还来着」 got the due dates)
    asked = run_action("action_answer_due_date", make_tracker("ask_due_date", "我约的啥时候还来着", slots=verified("B001")))
    answer = asked.variables("utter_account_answer")["answer"]
    assert answer.startswith("您约定的是：2026年12月15日当天或之前还2000.00元。剩下的794.19元还没有约定还款日期")
    none = run_action("action_answer_due_date", make_tracker("ask_due_date", "我之前是不是约过还款", slots=verified("B002")))
    assert none.variables("utter_account_answer")["answer"].startswith("您目前没有约定过还款日期")


def test_promise_half_and_all(run_action):
    run = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "下周五还一半", entities=[ent("date", "2026-12-11"), ent("amount", "half")], slots=verified("B001")))
    assert run.variables("utter_promise_readback")["amount"] == "1397.10"
    run = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "月底前全还", entities=[ent("date", "2026-12-31"), ent("amount", "all")], slots=verified("B001")))
    assert run.variables("utter_promise_readback")["amount"] == "2794.19"


def test_promise_rejections_explain_and_offer_alternatives(run_action):
    cases = [
        ([ent("date", "2月30号"), ent("amount", "2000.00")], "utter_promise_date_unclear"),
        ([ent("date", "2027-03-01")], "utter_promise_declined"),
        ([ent("date", "2026-12-10"), ent("amount", "99999.00")], "utter_promise_declined"),
        ([ent("date", "2026-11-01")], "utter_promise_declined"),
    ]
    for entities, response in cases:
        run = run_action("action_propose_promise", make_tracker("promise_to_pay", "x", entities=entities, slots=verified("B001")))
        assert run.responses == [response], entities
    run = run_action("action_propose_promise", make_tracker("promise_to_pay", "x", entities=[ent("date", "2027-03-01")],
                                                            slots=verified("B001")))
    assert "30天以内，最晚可以约定到2026年12月31日。" in run.variables("utter_promise_declined")["reason"]
    more = run_action("action_propose_promise", make_tracker("promise_to_pay", "10号还3k", slots=verified("B001"),
                                                             entities=[ent("date", "2026-12-10"), ent("amount", "3000.00")]))
    reason = more.variables("utter_promise_declined")["reason"]  # willing to pay more than is due: how, not just "no"
    assert "可以约定“12月10号还2794.19元”" in reason
    # no more than 12-10 will find due (its installment falls due): that day's amount, not "the extra goes to
    # later principal" (found by a probe: the extra would pay penalty and the new installment first)
    assert "到期应还会是" in reason and "提前还款" not in reason and "冲抵以后各期的本金" not in reason
    beyond = run_action("action_propose_promise", make_tracker("promise_to_pay", "5号还9000", slots=verified("B001"),
                                                               entities=[ent("date", "2026-12-05"), ent("amount", "9000.00")]))
    reason = beyond.variables("utter_promise_declined")["reason"]  # more than 12-05 will find: the rest is paying early
    assert "可以约定“12月5号还2794.19元”" in reason and "提前还款" in reason


def test_b006_broken_promise_mentioned_respectfully(run_action):
    run = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "12月10号还", entities=[ent("date", "2026-12-10")], slots=verified("B006")))
    assert run.responses[0] == "utter_promise_previous_broken"
    assert run.variables("utter_promise_previous_broken")["amount"] == "1100.00"
    # found live: every later read-back in the conversation repeated it
    again = make_tracker("promise_to_pay", "还是15号吧", entities=[ent("date", "2026-12-15")], slots=verified("B006"))
    again.events = [{"event": "bot", "text": "我们看到您之前约定…", "metadata": {"utter_action": "utter_promise_previous_broken"}},
                    {"event": "action", "name": "action_listen"}, {"event": "user", "text": "还是15号吧"}]
    assert "utter_promise_previous_broken" not in run_action("action_propose_promise", again).responses


def test_extension_becomes_a_promise_or_options(run_action):
    run = run_action("action_handle_extension", make_tracker("request_extension", "能晚几天吗", slots=verified("B001")))
    assert run.responses == ["utter_extension_options"]
    run = run_action("action_handle_extension", make_tracker(
        "request_extension", "能不能10号再还", entities=[ent("date", "2026-12-10")], slots=verified("B001")))
    assert run.responses[-1] == "utter_promise_readback"


def test_a_hardship_told_with_paying_later_is_recorded(run_action):
    # found by a probe (B007): 「我住院了 能晚点还吗」 got 「还款日本身不能修改…」 and nothing of the illness; the
    # hardship was recorded only when the borrower asked for a plan
    run = run_action("action_handle_extension", make_tracker(
        "request_extension", "我住院了 能晚点还吗", entities=[ent("hardship_type", "illness")], slots=verified("B007")))
    assert run.responses[0] == "utter_hardship_recorded" and run.responses[-1] == "utter_extension_options"
    with session_scope() as s:
        assert [h.category for h in s.query(m.Hardship).filter_by(borrower_id="B007")] == ["illness"]
    settled = run_action("action_handle_extension", make_tracker(
        "request_extension", "我失业了 能晚点还吗", entities=[ent("hardship_type", "job_loss")], slots=verified("B008")))
    assert "utter_hardship_recorded" not in settled.responses  # nothing to pay: nothing to record it for


def test_paying_part_asked_as_paying_later_gets_where_a_part_goes(run_action):
    # found live (B006, a broken promise): 「这个月能不能先还一部分」 (request_extension) was told the due
    # date cannot move
    run = run_action("action_handle_extension", make_tracker("request_extension", "这个月能不能先还一部分",
                                                             slots=verified("B006")))
    said = run.variables("utter_account_answer")
    assert said["answer"].startswith("可以先还一部分") and "您打算先还多少、哪天还" in said["answer"]
    assert [b["payload"] for b in said["buttons"]] == ["/promise_to_pay", "/request_installment"]
    assert "utter_extension_options" not in run.responses
    # with a day named it is a promise to read back: the amount asked for
    run = run_action("action_handle_extension", make_tracker(
        "request_extension", "月底先还一部分行吗", entities=[ent("date", "2026-12-31")], slots=verified("B006")))
    assert run.responses[-1] == "utter_promise_readback" and "可以先还一部分" not in run.all_text


def test_moving_the_day_of_every_month_is_answered_not_made_a_promise(run_action):
    # found live (B001, 2794.19 promised for 12-05): 「以后能不能换成每月15号扣 我15号发工资」 was read back as a
    # second promise of 2794.19 for 12-15
    text = "以后能不能换成每月15号扣 我15号发工资"
    with session_scope() as s:
        promises.record(s, "B001", dt.date(2026, 12, 5), D("2794.19"), dt.date(2026, 12, 1), conversation_id="mv",
                        idempotency_key="mv-1")
    run = run_action("action_handle_extension", make_tracker("request_extension", text, entities=[ent("date", "2026-12-15")],
                                                             slots=verified("B001")))
    said = run.variables("utter_account_answer")["answer"]
    assert said.startswith("还款日本身不能修改，每期都在每月10日。")
    assert "您已经约定在2026年12月5日前还2794.19元" in said and "utter_promise_readback" not in run.responses
    # with nothing due too (found live, B004: 「改到25号」 got the next due date), and what a later payday can do
    b004 = run_action("action_handle_extension", make_tracker(
        "request_extension", "我想改一下每个月的还款日 改到25号", entities=[ent("date", "2026-12-25")], slots=verified("B004")))
    said = b004.variables("utter_account_answer")["answer"]
    assert said.startswith("还款日本身不能修改，每期都在每月20日。如果工资在还款日之后才到账，可以提前把钱存进还款卡")
    # 「为什么不能改」 right after it (found live: out of scope), whatever the NLU made of it
    why = make_tracker("out_of_scope", "为什么不能改", slots=verified("B004"))
    why.events.append({"event": "bot", "text": said})
    answer = run_action("action_out_of_scope", why).variables("utter_account_answer")["answer"]
    assert answer.startswith("还款日是借款合同约定的，每一期的利息都按这个日期计算")
    # wages after the due day, asked as a due-date question (found live: the due dates again)
    wages = run_action("action_answer_due_date", make_tracker(
        "ask_due_date", "那我每月25号发工资 20号扣不到钱怎么办", slots=verified("B004")))
    assert wages.variables("utter_account_answer")["answer"] == said
    # not after anything else
    other = make_tracker("out_of_scope", "为什么不能改", slots=verified("B004"))
    other.events.append({"event": "bot", "text": "您目前没有到期未还的款项。"})
    assert run_action("action_out_of_scope", other).responses == ["utter_out_of_scope"]
    # one later day is still a promise to read back
    run = run_action("action_handle_extension", make_tracker("request_extension", "能不能15号再还",
                                                             entities=[ent("date", "2026-12-15")], slots=verified("B005")))
    assert run.responses[-1] == "utter_promise_readback"


def test_fee_waiver_goes_to_a_person(run_action):
    run = run_action("action_handle_fee_waiver", make_tracker("request_fee_waiver", "罚息能减免吗", slots=verified("B001")))
    assert run.responses == ["utter_fee_waiver", "utter_handoff"]
    with session_scope() as s:
        assert s.query(m.Handoff).filter_by(reason="fee_waiver").count() == 1


def test_paying_the_interest_first_is_paying_a_part_not_a_waiver(run_action):
    # found live (B005): 「能不能先还个利息」 was told waivers are for a person and handed off
    run = run_action("action_handle_fee_waiver", make_tracker("request_fee_waiver", "能不能先还个利息", slots=verified("B005")))
    assert run.responses == ["utter_account_answer"]
    assert run.variables("utter_account_answer")["answer"].startswith("可以先还一部分")
    with session_scope() as s:
        assert s.query(m.Handoff).filter_by(reason="fee_waiver").count() == 0
    # paying only the principal is the contract's own fee-waiver example
    waiver = run_action("action_handle_fee_waiver", make_tracker("request_fee_waiver", "只还本金行不行", slots=verified("B005")))
    assert waiver.responses == ["utter_fee_waiver", "utter_handoff"]


def test_paying_less_without_naming_a_fee_offers_the_ways_not_a_person(run_action):
    # found live (B005, before verification): 「我这个月手头有点紧 能不能少还点」 was handed to a person as a waiver
    run = run_action("action_handle_fee_waiver", make_tracker("request_fee_waiver", "我这个月手头有点紧 能不能少还点",
                                                              sender="payless"))
    assert run.responses == ["utter_account_answer"]
    answer = run.variables("utter_account_answer")
    assert "个性化分期" in answer["answer"] and "减免罚息或利息，需要工作人员审核" in answer["answer"]
    assert [b["payload"] for b in answer["buttons"]] == ["/request_installment", "/promise_to_pay", "/request_human"]
    with session_scope() as s:
        assert s.query(m.Handoff).filter_by(reason="fee_waiver").count() == 0
    # naming what to waive still goes to a person
    for text in ("能不能少还点罚息", "利息能便宜点吗", "零头能不能抹了"):
        named = run_action("action_handle_fee_waiver", make_tracker("request_fee_waiver", text, slots=verified("B005")))
        assert named.responses == ["utter_fee_waiver", "utter_handoff"], text


def test_deny_cancels(run_action):
    run = run_action("action_handle_confirmation", make_tracker("deny", "不要", slots={**verified("B001"), "pending_confirmation": "plan", "plan_term": 12}))
    assert run.responses == ["utter_not_done"]
    with session_scope() as s:
        assert s.query(m.Plan).count() == 0


def test_a_refusal_to_pay_gets_the_facts_and_the_ways_out_not_anything_else(run_action):
    run = run_action("action_handle_confirmation", make_tracker("deny", "我不还了", slots=verified("B001")))
    answer = run.variables("utter_account_answer")
    for fact in ("罚息", "征信", "民事诉讼", "逾期21天", "分期", "异议"):
        assert fact in answer["answer"]
    assert [b["payload"] for b in answer["buttons"]] == ["/request_installment", "/promise_to_pay", "/request_human"]
    unverified = run_action("action_handle_confirmation", make_tracker("deny", "一分钱都不會還", slots={}))
    text = unverified.variables("utter_account_answer")["answer"]
    assert "民事诉讼" in text and "逾期21天" not in text  # nothing about an account before verification
    for plain in ("不用了", "不是", "还不了"):  # a plain no, or cannot pay (hardship): no lecture (「没有了」: goodbye)
        assert run_action("action_handle_confirmation", make_tracker("deny", plain, slots=verified("B001"))).responses == [
            "utter_anything_else"]
    with session_scope() as s:
        assert s.query(m.Plan).count() == 0 and s.query(m.Promise).filter_by(loan_id="L001").count() == 0


def test_a_question_mid_plan_is_answered_and_the_confirmation_resumes(run_action):
    slots = {**verified("B001"), "pending_confirmation": "plan", "plan_term": 12}
    run = run_action("action_answer_penalty", make_tracker("ask_penalty", "罚息怎么算", slots=slots))
    assert run.responses == ["utter_account_answer", "utter_resume_confirmation"]
    done = run_action("action_handle_confirmation", make_tracker("affirm", "确认", slots=slots))
    assert done.responses == ["utter_plan_accepted"]


def test_the_disclosed_term_chosen_in_so_many_words_is_a_yes(run_action):
    # found live (B003, the 60-month plan disclosed): 「好吧 就60期」 (affirm 0.50) was asked to confirm again;
    # 「就60期吧」 (request_installment) got the same disclosure again
    slots = {**verified("B003"), "pending_confirmation": "plan", "plan_term": 60}
    again = run_action("action_offer_plans", make_tracker("request_installment", "60期每个月多少",
                                                          entities=[ent("installment_count", 60)], slots=slots))
    assert again.responses == ["utter_plan_disclosure"]  # a question about it: the disclosure again
    done = run_action("action_offer_plans", make_tracker("request_installment", "就60期吧",
                                                         entities=[ent("installment_count", 60)], slots=slots))
    assert done.responses == ["utter_plan_accepted"]
    with session_scope() as s:
        assert [p.term_months for p in s.query(m.Plan).filter_by(loan_id="L003")] == [60]


def test_paying_later_with_nothing_due_gives_the_next_due_date_not_a_promise(run_action):
    """B004 is current (next due 2026-12-20, 1733.30): 「下个月能不能20号再还」 was answered 「还款日本身不能
    修改」 and then 「不需要做还款承诺」; now the next due date and amount."""
    for entities in ([], [ent("date", "2026-12-20")]):
        run = run_action("action_handle_extension", make_tracker("request_extension", "能不能晚几天还",
                                                                 entities=entities, slots=verified("B004")))
        assert run.responses == ["utter_account_answer"]
        answer = run.variables("utter_account_answer")["answer"]
        assert "没有到期未还" in answer and "2026年12月20日，应还1733.30元" in answer and "个性化分期" in answer
        assert [b["payload"] for b in run.variables("utter_account_answer")["buttons"]] == ["/request_installment",
                                                                                           "/request_human"]
        assert "3天宽限期内还清这一期不收罚息" in answer
    # found live: 「那我20号那天钱不够怎么办」, read as promise_to_pay, was told 「不需要做还款承诺」
    run = run_action("action_propose_promise", make_tracker("promise_to_pay", "那我20号那天钱不够怎么办",
                                                            entities=[ent("date", "2026-12-20")], slots=verified("B004")))
    assert run.responses == ["utter_account_answer"]
    assert "2026年12月20日，应还1733.30元" in run.variables("utter_account_answer")["answer"]
    # a day past the due date is what it means: found by a probe, 「20号可能还不上 能晚5天吗 25号还」 was told only
    # that the grace days are free (12-25 is 5 days late: penalty from 12-21, 1661.25 × 0.03% × 5 = 2.49)
    for action, intent in (("action_handle_extension", "request_extension"), ("action_propose_promise", "promise_to_pay")):
        run = run_action(action, make_tracker(intent, "这个月20号我可能还不上 能晚5天吗 25号还",
                                              entities=[ent("date", "2026-12-25")], slots=verified("B004")))
        said = run.variables("utter_account_answer")["answer"]
        assert said.startswith("2026年12月25日再还，这一期会逾期5天，超过3天宽限期"), (action, said)
        assert "罚息从2026年12月21日起算，到那天罚息2.49元" in said and "2026年12月23日当天或之前还清不收罚息" in said
    grace = run_action("action_handle_extension", make_tracker("request_extension", "能不能22号还",
                                                              entities=[ent("date", "2026-12-22")], slots=verified("B004")))
    assert "还在3天宽限期内" in grace.variables("utter_account_answer")["answer"]
    with session_scope() as s:
        assert s.query(m.Promise).filter_by(loan_id="L004").count() == 0



def test_an_amount_with_nothing_due_gets_what_paying_it_early_does_not_a_date_asked(run_action):
    # found live (B004, current): 「那我先还5000行不行」 after the payoff was asked for a date, and the date
    # then got 「不需要做还款承诺」
    run = run_action("action_propose_promise", make_tracker("promise_to_pay", "那我先还5000行不行",
                                                            entities=[ent("amount", "5000.00")], slots=verified("B004")))
    assert run.responses == ["utter_account_answer"]
    said = run.variables("utter_account_answer")["answer"]
    assert said.startswith("如果今天还5000.00元") and "一次性结清还需6843.20元" in said
    bare = run_action("action_propose_promise", make_tracker("promise_to_pay", "我想还款", slots=verified("B004")))
    assert bare.responses == ["utter_account_answer"]
    assert "2026年12月20日，应还1733.30元" in bare.variables("utter_account_answer")["answer"]
    # with something due the date is asked as before
    due = run_action("action_propose_promise", make_tracker("promise_to_pay", "我先还500", entities=[ent("amount", "500.00")],
                                                            slots=verified("B001")))
    assert due.responses == ["utter_ask_promise_date"]
    with session_scope() as s:
        assert s.query(m.Promise).filter_by(loan_id="L004").count() == 0


def test_the_grace_period_asked_about_is_explained(run_action):
    # found live (B002, 3 days late, in grace): 「宽限期是什么意思」 got only 「还款日本身不能修改…」
    run = run_action("action_handle_extension", make_tracker("request_extension", "宽限期是什么意思", slots=verified("B002")))
    assert run.responses == ["utter_account_answer", "utter_extension_options"]
    said = run.variables("utter_account_answer")["answer"]
    assert said.startswith("宽限期是还款日之后的3天") and "2026年12月1日当天或之前还清1376.24元就不收罚息" in said
    late = run_action("action_handle_extension", make_tracker("request_extension", "有没有宽限期", slots=verified("B001")))
    assert "已逾期21天，已经过了宽限期" in late.variables("utter_account_answer")["answer"]
    # asked to pay later on the last grace day (found live, B002: 「晚几天还行吗」 got only the ways to pay
    # later): what waiting past it costs, then the ways
    plain = run_action("action_handle_extension", make_tracker("request_extension", "宽限我几天吧", slots=verified("B002")))
    assert plain.responses == ["utter_account_answer", "utter_extension_options"]
    assert plain.variables("utter_account_answer")["answer"] == (
        "您这一期2026年11月28日到期，现在还在宽限期内，2026年12月1日当天或之前还清1376.24元就不收罚息。"
        "晚于这一天，罚息会从还款日次日起算。")
    past = run_action("action_handle_extension", make_tracker("request_extension", "宽限我几天吧", slots=verified("B001")))
    assert past.responses == ["utter_extension_options"]

def test_asking_about_interest_while_a_plan_waits_explains_the_plan_s_interest(run_action):
    """「这个利息怎么这么高」 after the 12-month disclosure was answered with the penalty formula."""
    slots = {**verified("B001"), "pending_confirmation": "plan", "plan_term": 12}
    run = run_action("action_answer_penalty", make_tracker("ask_penalty", "这个利息怎么这么高", slots=slots))
    text = run.variables("utter_account_answer")["answer"]
    assert "12期方案的年化利率（单利）是12.00%，比原借款的18.25%低" in text and "887.13元" in text and "罚息" not in text
    assert run.responses[-1] == "utter_resume_confirmation"  # the plan still waits for 确认 / 不要
    penalty = run_action("action_answer_penalty", make_tracker("ask_penalty", "罚息怎么算", slots=slots))
    assert "罚息" in penalty.variables("utter_account_answer")["answer"]




def test_ok_then_what_do_i_do_gets_the_ways_on(run_action):
    # found live (B003): 「行吧 那你说怎么办」 after the consequences, read as affirm with nothing pending,
    # got 「还有什么可以帮您？」
    run = run_action("action_handle_confirmation", make_tracker("affirm", "行吧 那你说怎么办", slots=verified("B003")))
    said = run.variables("utter_account_answer")
    assert "到期应还" in said["answer"] and "约定一个30天内" in said["answer"] and "个性化分期" in said["answer"]
    assert [b["payload"] for b in said["buttons"]] == ["/how_to_pay", "/promise_to_pay", "/request_installment",
                                                       "/request_human"]
    # a plain yes with nothing pending, nothing due (B004), or not verified: as before
    for text, slots in (("好的", verified("B003")), ("那怎么办", verified("B004")), ("那怎么办", {})):
        assert run_action("action_handle_confirmation", make_tracker("affirm", text, slots=slots)).responses == [
            "utter_anything_else"], text

def test_the_interest_of_a_named_term_is_that_plan_s(run_action):
    # found live (B001): 「那12期的利息是多少」 after the 12-month plan was shown got the loan's contract rate
    run = run_action("action_answer_penalty", make_tracker("ask_penalty", "那12期的利息是多少",
                                                           entities=[ent("installment_count", 12)], slots=verified("B001")))
    text = run.variables("utter_account_answer")["answer"]
    assert "12期方案的年化利率（单利）是12.00%" in text and "887.13元" in text
    # a term not offered to this borrower (B001: 3, 6, 12) is no plan: the loan's own rate
    run = run_action("action_answer_penalty", make_tracker("ask_penalty", "60期利息多少",
                                                           entities=[ent("installment_count", 60)], slots=verified("B001")))
    assert "合同日利率是0.05%" in run.variables("utter_account_answer")["answer"]

def test_a_two_part_promise_reads_back_the_first_and_does_not_drop_the_second(run_action):
    """「明天先还500 剩下的15号还」 recorded the 500 and said nothing about the 15th."""
    run = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "明天先还500 剩下的15号还", slots=verified("B001"),
        entities=[ent("date", "2026-12-02"), ent("amount", "500.00"), ent("date", "2026-12-15")]))
    # by tomorrow one more day of penalty runs on 2553.78 overdue principal: 2553.78 × 0.075% = 1.92
    assert run.responses == ["utter_account_answer", "utter_promise_second_part", "utter_promise_readback"]
    assert run.variables("utter_account_answer")["answer"] == (
        "提醒您：到2026年12月2日，到期应还会是2796.11元，比今天多1.92元（罚息增加1.92元）。")
    second = run.variables("utter_promise_second_part")
    assert (second["date"], second["amount"]) == ("2026年12月15日", "2294.19")
    assert run.variables("utter_promise_readback")["amount"] == "500.00" and run.slots["promise_date"] == "2026-12-02"
    single = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "15号还两千", slots=verified("B001"), entities=[ent("date", "2026-12-15"), ent("amount", "2000.00")]))
    assert "utter_promise_second_part" not in single.responses


def _after(previous: str, intent: str, text: str, entities: list[dict], slots: dict):
    tracker = make_tracker(intent, text, entities=entities, slots=slots)
    tracker.events = [{"event": "action", "name": previous}, {"event": "action", "name": "action_listen"},
                      {"event": "user", "text": text}]
    return tracker


def test_an_amount_given_before_the_date_is_kept_for_the_date(run_action):
    # found live: 「那我先还一半行不」 → 哪天？ → 「下周五」 read back the whole 2794.19, not the half
    ask = run_action("action_propose_promise", make_tracker("promise_to_pay", "那我先还一半行不",
                                                            entities=[ent("amount", "half")], slots=verified("B001")))
    assert ask.responses == ["utter_ask_promise_date"] and ask.slots["promise_amount"] == "half"
    assert (ask.variables("utter_ask_promise_date")["what"], ask.variables("utter_ask_promise_date")["and_amount"]) == (
        "这一半", "")  # found live: 「我现在就只有900」 was asked for the amount again
    nine = run_action("action_propose_promise", make_tracker("promise_to_pay", "我现在就只有900",
                                                             entities=[ent("amount", "900.00")], slots=verified("B001")))
    assert nine.variables("utter_ask_promise_date")["what"] == "这900.00元"
    date = run_action("action_propose_promise", _after("action_propose_promise", "promise_to_pay", "下周五",
                                                       [ent("date", "2026-12-11")], {**verified("B001"), **ask.slots}))
    assert date.variables("utter_promise_readback")["amount"] == "1397.10"
    # a read-back answered with a new date only: the amount stays, the date moves
    moved = run_action("action_propose_promise", _after("action_propose_promise", "promise_to_pay", "改成15号吧",
                                                        [ent("date", "2026-12-15")], {**verified("B001"), **date.slots}))
    assert (moved.slots["promise_date"], moved.slots["promise_amount"]) == ("2026-12-15", "1397.10")
    # an amount in the message itself wins over the one kept
    own = run_action("action_propose_promise", _after("action_propose_promise", "promise_to_pay", "15号还500",
                                                      [ent("date", "2026-12-15"), ent("amount", "500.00")],
                                                      {**verified("B001"), **date.slots}))
    assert own.slots["promise_amount"] == "500.00"


def test_a_kept_amount_does_not_outlive_the_promise_talk(run_action):
    # after anything else (here a balance answer), a date alone means the whole amount due, as before
    slots = {**verified("B001"), "promise_amount": "500.00"}
    later = run_action("action_propose_promise", _after("action_answer_balance", "promise_to_pay", "下周五还",
                                                        [ent("date", "2026-12-11")], slots))
    assert later.variables("utter_promise_readback")["amount"] == "2794.19"
    # asked for a date with no amount given: nothing earlier is kept for it
    ask = run_action("action_propose_promise", _after("action_propose_promise", "promise_to_pay", "我想约个时间还",
                                                      [], {**verified("B001"), "promise_amount": None}))
    assert ask.responses == ["utter_ask_promise_date"] and ask.slots["promise_amount"] is None
    assert ask.variables("utter_ask_promise_date")["and_amount"] == "，以及金额"


def _answer(text: str, intent: str, confidence: float, entities: list[dict], slots: dict):
    tracker = make_tracker(intent, text, entities=entities, slots=slots)
    tracker.latest_message["intent"]["confidence"] = confidence
    return tracker


def test_a_guessed_yes_or_another_term_never_writes_the_plan_read_back(run_action):
    # found live: 12 months disclosed, 「那6期呢」 parsed affirm at 0.32, and the 12-month plan was written
    offer = run_action("action_offer_plans", make_tracker("request_installment", "12期",
                                                          entities=[ent("installment_count", 12)], slots=verified("B005")))
    slots = {**verified("B005"), **offer.slots}
    assert slots["pending_confirmation"] == "plan" and slots["plan_term"] == 12
    unsure = run_action("action_handle_confirmation", _answer("嗯那个", "affirm", 0.32, [], slots))
    assert unsure.responses == ["utter_resume_confirmation"] and "pending_confirmation" not in unsure.slots
    other = run_action("action_handle_confirmation", _answer("那6期呢", "affirm", 0.9,
                                                             [ent("installment_count", 6)], slots))
    assert other.responses == ["utter_plan_disclosure"] and other.slots["plan_term"] == 6
    assert other.slots["pending_confirmation"] == "plan"
    with session_scope() as s:
        assert s.query(m.Plan).filter_by(loan_id="L005").count() == 0
    # the borrower then says yes to the 6 months: that plan, and only it, is written
    done = run_action("action_handle_confirmation", _answer("好", "affirm", 0.84, [], {**slots, **other.slots}))
    assert done.responses == ["utter_plan_accepted"] and done.variables("utter_plan_accepted")["term"] == 6
    with session_scope() as s:
        assert [p.term_months for p in s.query(m.Plan).filter_by(loan_id="L005")] == [6]


def test_a_read_back_promise_answered_with_another_date_is_read_back_again(run_action):
    first = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "15号还两千", entities=[ent("date", "2026-12-15"), ent("amount", "2000.00")], slots=verified("B001")))
    slots = {**verified("B001"), **first.slots}
    moved = run_action("action_handle_confirmation", _answer("好 不过改成12号", "affirm", 0.8,
                                                             [ent("date", "2026-12-12")], slots))
    assert moved.variables("utter_promise_readback")["date"] == "2026年12月12日"
    assert (moved.slots["promise_date"], moved.slots["promise_amount"]) == ("2026-12-12", "2000.00")
    with session_scope() as s:
        assert s.query(m.Promise).filter_by(loan_id="L001").count() == 0


def _with_spans(text: str, *entities: tuple[str, str, str]) -> list[dict]:
    """Entities as the NLU gives them, with their real offsets in ``text``."""
    out = []
    for name, value, said in entities:
        start = text.index(said)
        out.append({"entity": name, "value": value, "start": start, "end": start + len(said), "text": said})
    return out



def test_a_date_answering_when_to_pay_goes_to_the_promise_whatever_its_intent(run_action):
    # found live (B006): 「只能还一半」 → 「您打算哪天还？」 → 「12.15号」 was read as inform_identity and got
    # 「您已经验证过身份了」, and the 确认 after it 「还有什么可以帮您？」
    asked = run_action("action_propose_promise", make_tracker("promise_to_pay", "我这个月只能还一半",
                                                              entities=[ent("amount", "half")], slots=verified("B006")))
    assert asked.responses == ["utter_ask_promise_date"]
    slots = {**verified("B006"), **asked.slots}

    def after_the_question(intent, text, entities):
        tracker = _answer(text, intent, 0.5, entities, slots)
        tracker.events.append({"event": "action", "name": "action_propose_promise"})
        return tracker

    for text, said in (("12.15号", "12.15号"), ("那就12.15号吧", "12.15号")):
        run = run_action("action_verify", after_the_question("inform_identity", text,
                                                             _with_spans(text, ("date", "2026-12-15", said))))
        read = run.variables("utter_promise_readback")
        assert (read["date"], read["amount"]) == ("2026年12月15日", "1081.78"), text
    # distress is never a date for a promise (rule 9), nor is a person asked for
    for intent, action, text in (("express_distress", "action_handle_distress", "15号去死"),
                                 ("request_human", "action_handoff", "15号 转人工")):
        run = run_action(action, after_the_question(intent, text, _with_spans(text, ("date", "2026-12-15", "15号"))))
        assert "utter_promise_readback" not in run.responses, text
    # a question that names a date is answered as a question
    text = "12月15号罚息多少"
    run = run_action("action_answer_penalty", after_the_question("ask_penalty", text,
                                                                 _with_spans(text, ("date", "2026-12-15", "12月15号"))))
    assert "utter_promise_readback" not in run.responses


def test_is_that_enough_today_is_answered_before_the_read_back(run_action):
    # found live (B007, 387.84 due after a 500.00 transfer): 「那我今天把387.84还了就行了吗」 got only a read-back
    run = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "那我今天把387.84还了就行了吗", slots=verified("B007"),
        entities=[ent("date", "2026-12-01"), ent("amount", "387.84")]))
    assert run.responses == ["utter_account_answer", "utter_promise_readback"]
    said = run.variables("utter_account_answer")["answer"]
    assert said.startswith("够了：今天还387.84元") and "下一期还款日是2026年12月15日，应还878.25元" in said
    short = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "今天还200够吗", slots=verified("B007"), entities=[ent("date", "2026-12-01"), ent("amount", "200.00")]))
    assert "还有187.84元到期未还" in short.variables("utter_account_answer")["answer"]
    plain = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "今天还387.84", slots=verified("B007"), entities=[ent("date", "2026-12-01"), ent("amount", "387.84")]))
    assert plain.responses == ["utter_promise_readback"]

def test_a_missed_promise_is_not_read_as_a_new_one(run_action):
    # found live (B006): 「上次说20号还 没还上」 was read back as "you will pay on 2026-12-20"
    text = "上次说20号还 没还上"
    told = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", text, entities=_with_spans(text, ("date", "2026-12-20", "20号")), slots=verified("B006")))
    # and the bot does not just ask 「您打算哪天还？」 (found live, 「我上个月20号说还1100 结果没还上 不好意思」):
    # no blame, the promise on record, what is due, the ways on
    assert told.responses == ["utter_account_answer"]
    said = told.variables("utter_account_answer")
    assert said["answer"].startswith("谢谢您主动告诉我，没关系。我们看到您之前约定在2026年11月20日还1100.00元")
    assert [b["payload"] for b in said["buttons"]] == ["/promise_to_pay", "/request_installment", "/request_human"]
    # the date said next is read back, without telling of the broken promise a second time
    then = _answer("25号", "promise_to_pay", 0.9, _with_spans("25号", ("date", "2026-12-25", "25号")),
                   {**verified("B006"), **told.slots})
    then.events.append({"event": "action", "name": "action_propose_promise"})
    then.events.append({"event": "bot", "text": said["answer"]})
    read = run_action("action_propose_promise", then)
    assert "utter_promise_previous_broken" not in read.responses
    assert read.variables("utter_promise_readback")["date"] == "2026年12月25日"
    text = "上次没还上 这次15号一定还"  # a date after the missed one is the new promise
    new = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", text, entities=_with_spans(text, ("date", "2026-12-15", "15号")), slots=verified("B006")))
    assert new.variables("utter_promise_readback")["date"] == "2026年12月15日"


def test_a_promise_date_says_what_will_be_due_by_then(run_action):
    # 「下周五还」 (B001, 12-11) read back today's 2794.19 with no word that the 12-10 installment falls due
    # in between: paid on 12-11, 2794.19 would leave the account overdue
    run = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "下周五还", entities=[ent("date", "2026-12-11")], slots=verified("B001")))
    assert run.responses == ["utter_account_answer", "utter_promise_readback"]
    note = run.variables("utter_account_answer")["answer"]
    assert "5567.32元" in note and "2026年12月10日到期的第9期2753.97元" in note and "罚息增加19.16元" in note
    assert run.variables("utter_promise_readback")["amount"] == "2794.19"  # ledger.md: 全部 = due now
    # paying today: nothing grows, no note
    today = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "今天就还", entities=[ent("date", "2026-12-01")], slots=verified("B002")))
    assert today.responses == ["utter_promise_readback"]


def test_a_hardship_with_a_monthly_budget_gets_the_plan_within_it(run_action):
    # found live (B003): 「我现在真的没钱 每个月只能还500」 recorded the hardship and showed all six terms,
    # none of them within 500 a month; ledger.md: the longest term is shown and a person is offered
    run = run_action("action_record_hardship", make_tracker(
        "inform_hardship", "我现在真的没钱 每个月只能还500", entities=[ent("amount", "500.00")], slots=verified("B003"),
        sender="hs-b003"))
    assert run.responses == ["utter_hardship_recorded", "utter_plan_not_affordable", "utter_handoff_wait"]
    assert "60期" in run.variables("utter_plan_not_affordable")["disclosure"]
    with session_scope() as s:
        assert [h.reason for h in s.query(m.Handoff).filter_by(conversation_id="hs-b003")] == ["no_affordable_plan"]
    fits = run_action("action_record_hardship", make_tracker(
        "inform_hardship", "失业了 一个月最多还2000", entities=[ent("hardship_type", "job_loss"), ent("amount", "2000.00")],
        slots=verified("B001")))
    assert fits.responses == ["utter_hardship_recorded", "utter_plan_affordable", "utter_plan_disclosure"]
    assert fits.slots["pending_confirmation"] == "plan"


def test_what_the_borrower_earns_is_not_a_budget(run_action):
    # found live (B003): 「我现在一个月就挣三千 房租都交不起」 was offered the 24-month plan 「按您每月能还3000.00元」
    text = "我现在一个月就挣三千 房租都交不起"
    run = run_action("action_record_hardship", make_tracker(
        "inform_hardship", text, entities=_with_spans(text, ("amount", "3000.00", "三千")), slots=verified("B003")))
    assert "utter_plan_affordable" not in run.responses and "utter_plan_menu" in run.responses
    # the amount they can pay, said beside what they earn, is the budget
    text = "我一个月工资才5000 最多还2000"
    run = run_action("action_record_hardship", make_tracker(
        "inform_hardship", text, entities=_with_spans(text, ("amount", "5000.00", "5000"), ("amount", "2000.00", "2000")),
        slots=verified("B003")))
    assert run.variables("utter_plan_affordable")["budget"] == "2000.00"
    run = run_action("action_offer_plans", make_tracker(
        "request_installment", "到手才4000 能分期吗", entities=_with_spans("到手才4000 能分期吗", ("amount", "4000.00", "4000")),
        slots=verified("B001")))
    assert "utter_plan_affordable" not in run.responses and run.responses == ["utter_plan_menu"]


def test_only_so_much_while_a_promise_is_read_back_changes_its_amount(run_action):
    # found live (B006): 15号 read back with 2163.55; 「只能还一千」 was read as how_to_pay and got the ways
    # to pay; the 确认 that followed recorded 2163.55, the amount the borrower had just said they could not pay
    first = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "我工资15号发 发了就还", entities=[ent("date", "2026-12-15")], slots=verified("B006")))
    slots = {**verified("B006"), **first.slots}
    assert slots["promise_amount"] == "2163.55"
    text = "只能还一千"
    for intent, action in (("how_to_pay", "action_answer_how_to_pay"), ("promise_to_pay", "action_propose_promise")):
        run = run_action(action, _answer(text, intent, 0.38, _with_spans(text, ("amount", "1000.00", "一千")), slots))
        assert run.variables("utter_promise_readback")["amount"] == "1000.00", intent
        assert "utter_account_answer" not in run.responses  # what 12-15 will find was said with its read-back
        assert (run.slots["promise_date"], run.slots["promise_amount"]) == ("2026-12-15", "1000.00")
    # a bare amount, or one corrected to, is the amount too (found live: 「200」 and 「不对 是2000」 were read as
    # inform_identity, got 「您已经验证过身份了」, and the 确认 after recorded the amount read back)
    for text, value, said in (("200", "200.00", "200"), ("不对 是2000", "2000.00", "2000"),
                              ("不是 我说的是两千块", "2000.00", "两千块")):
        run = run_action("action_verify", _answer(text, "inform_identity", 0.41, _with_spans(text, ("amount", value, said)), slots))
        assert run.variables("utter_promise_readback")["amount"] == value, text
        assert "utter_already_verified" not in run.responses
    # a monthly budget is a plan question, not the promise's amount (found by a probe: 「每个月最多还1500」 after
    # the plan options became 「您会在…还1500.00元，对吗？」), whatever it is read as
    text = "每个月最多还1500"
    for intent, action in (("request_installment", "action_offer_plans"), ("promise_to_pay", "action_propose_promise")):
        run = run_action(action, _answer(text, intent, 0.78, _with_spans(text, ("amount", "1500.00", "1500")), slots))
        assert "utter_promise_readback" not in run.responses, intent
        assert run.slots.get("pending_confirmation") != "promise", intent
        assert run.responses[0] == "utter_plan_affordable", intent  # the shortest term within 1500 a month
    # once in distress handling (rule 9) nothing is read back, whatever is still pending
    text = "只能还一千"
    calm = run_action("action_out_of_scope", _answer(text, "out_of_scope", 0.4,
                                                     _with_spans(text, ("amount", "1000.00", "一千")),
                                                     {**slots, "distress": True}))
    assert "utter_promise_readback" not in calm.responses
    # a question that names an amount is answered, not taken for a new promise
    text = "罚息为什么要14.70"
    asked = run_action("action_answer_penalty", _answer(text, "ask_penalty", 0.9,
                                                       _with_spans(text, ("amount", "14.70", "14.70")), slots))
    assert "utter_promise_readback" not in asked.responses and asked.responses[-1] == "utter_resume_confirmation"
    with session_scope() as s:
        assert s.query(m.Promise).filter_by(loan_id="L006", status="open").count() == 0


def test_how_to_pay_the_rest_is_answered_and_a_day_said_with_paying_is_a_promise(run_action):
    # found live (B007, 387.84 due): 「那剩下的387怎么还」 (promise_to_pay) was asked 「这387.00元您打算哪天还？」,
    # and 「行 那我明天用我自己另一张卡还」 (how_to_pay) got the list of ways to pay again
    how = run_action("action_propose_promise", make_tracker("promise_to_pay", "那剩下的387怎么还",
                                                           entities=[ent("amount", "387.00")], slots=verified("B007")))
    assert how.responses == ["utter_account_answer"] and "pending_confirmation" not in how.slots
    assert "387.84" in how.variables("utter_account_answer")["answer"]
    text = "行 那我明天用我自己另一张卡还"
    day = run_action("action_answer_how_to_pay", make_tracker("how_to_pay", text, entities=[ent("date", "2026-12-02")],
                                                              slots=verified("B007")))
    assert day.responses[-1] == "utter_promise_readback"
    assert day.variables("utter_promise_readback")["date"] == "2026年12月2日"
    # asked, not said: the ways to pay; and 「只能还一千 怎么办」 is no question of how to pay
    asked = run_action("action_answer_how_to_pay", make_tracker("how_to_pay", "明天能用另一张卡还吗",
                                                                entities=[ent("date", "2026-12-02")], slots=verified("B007")))
    assert "utter_promise_readback" not in asked.responses
    amend = run_action("action_propose_promise", make_tracker("promise_to_pay", "只能还一千 怎么办",
                                                             entities=[ent("amount", "1000.00")], slots=verified("B001")))
    assert amend.responses == ["utter_ask_promise_date"]


def test_the_rest_dated_while_a_part_is_read_back_keeps_the_read_back(run_action):
    # found live (B005, 2781.86 due): 「我今天能还1400」 read back, then 「剩下的月底还」 moved the 1400 to 12-31
    slots = {**verified("B005"), "pending_confirmation": "promise", "promise_date": "2026-12-01", "promise_amount": "1400.00"}
    for action, intent in (("action_propose_promise", "promise_to_pay"), ("action_handle_extension", "request_extension")):
        run = run_action(action, make_tracker(intent, "剩下的月底还", entities=[ent("date", "2026-12-31")], slots=slots))
        assert run.responses == ["utter_promise_second_part", "utter_promise_readback"], action
        assert run.variables("utter_promise_second_part")["amount"] == "1381.86"
        read = run.variables("utter_promise_readback")
        assert (read["date"], read["amount"]) == ("2026年12月1日", "1400.00") and "promise_date" not in run.slots
    # a new date for the part itself still changes it
    moved = run_action("action_propose_promise", make_tracker("promise_to_pay", "改到月底吧", entities=[ent("date", "2026-12-31")],
                                                             slots=slots))
    assert moved.variables("utter_promise_readback")["date"] == "2026年12月31日"


def test_the_rest_promised_after_a_part_is_the_rest_and_now_is_today(run_action):
    # found live (B006, 2163.55 due): 「我现在能先还500，剩下的下周五还」 put the 500 on 12-11, and after it was
    # recorded 「剩下的下周五还」 was read back as the whole 2163.55 again
    text = "我现在能先还500，剩下的下周五还"
    ents = [{"entity": "date", "value": "2026-12-01", "start": 1, "end": 3},
            {"entity": "amount", "value": "500.00", "start": text.index("500"), "end": text.index("500") + 3},
            {"entity": "date", "value": "2026-12-11", "start": text.index("下周五"), "end": text.index("下周五") + 3}]
    first = run_action("action_propose_promise", make_tracker("promise_to_pay", text, entities=ents, slots=verified("B006"),
                                                             sender="rest-b006"))
    read = first.variables("utter_promise_readback")
    assert (read["date"], read["amount"]) == ("2026年12月1日", "500.00")
    assert first.variables("utter_promise_second_part")["amount"] == "1663.55"
    done = run_action("action_handle_confirmation", make_tracker("affirm", "确认", slots={**verified("B006"), **first.slots},
                                                                 sender="rest-b006"))
    assert done.responses[0] == "utter_promise_recorded"
    # 「剩下的…还清」 is all of the rest, not all that is due (found live: read back as 2163.55 again)
    cleared = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "剩下的下周五前还清", entities=[ent("date", "2026-12-11"), ent("amount", "all")],
        slots=verified("B006"), sender="rest-b006"))
    assert cleared.variables("utter_promise_readback")["amount"] == "1663.55"
    rest = run_action("action_propose_promise", make_tracker("promise_to_pay", "剩下的下周五还", entities=[ent("date", "2026-12-11")],
                                                            slots=verified("B006"), sender="rest-b006"))
    read = rest.variables("utter_promise_readback")
    assert (read["date"], read["amount"]) == ("2026年12月11日", "1663.55")
    done = run_action("action_handle_confirmation", make_tracker("affirm", "确认", slots={**verified("B006"), **rest.slots},
                                                                 sender="rest-b006"))
    assert done.responses[0] == "utter_promise_recorded"
    # once the promises cover what is due, there is no rest to promise
    none = run_action("action_propose_promise", make_tracker("promise_to_pay", "剩下的月底还", entities=[ent("date", "2026-12-31")],
                                                            slots=verified("B006"), sender="rest-b006"))
    said = none.variables("utter_account_answer")["answer"]
    assert said.startswith("您已经约定了2026年12月1日还500.00元、2026年12月11日还1663.55元，已经覆盖目前到期的2163.55元")
    assert "utter_promise_readback" not in none.responses


def test_a_day_said_beside_a_payday_is_the_promise_s_day(run_action):
    # found live (B001): 「我发工资就还 15号」 was asked which day 「发工资」 is, though 15号 followed
    text = "我发工资就还 15号"
    run = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", text, entities=[ent("date", "发工资"), ent("date", "2026-12-15")], slots=verified("B001")))
    assert run.variables("utter_promise_readback")["date"] == "2026年12月15日"
    # the payday alone is still asked about
    alone = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "发工资就还", entities=[ent("date", "发工资")], slots=verified("B001")))
    assert "utter_promise_date_unclear" in alone.responses


def test_the_menu_again_after_a_read_back_drops_that_plan(run_action):
    # found live (B005): after the 60-month read-back, 「太长了 24期吧」 (its 24 not read) got the menu, and
    # 「好的 确认」 then accepted 60 months, a plan the borrower had just turned down
    slots = {**verified("B005"), "pending_confirmation": "plan", "plan_term": 60}
    menu = run_action("action_offer_plans", make_tracker("request_installment", "太长了 换一个吧", slots=slots))
    assert menu.slots.get("pending_confirmation", "unset") is None and menu.slots.get("plan_term", "unset") is None
    yes = run_action("action_handle_confirmation", make_tracker("affirm", "好的 确认", slots={**slots, **menu.slots}))
    assert "utter_plan_accepted" not in yes.responses
    # a term not offered also asks again, and drops the read-back
    odd = run_action("action_offer_plans", make_tracker("request_installment", "7期吧", entities=[ent("installment_count", 7)],
                                                        slots=slots))
    assert odd.responses == ["utter_plan_term_invalid"] and odd.slots.get("pending_confirmation", "unset") is None


def test_a_wait_in_months_is_not_a_plan_term(run_action):
    # found live (B003, out of work): after the ways to pay later, 「大概两个月吧」 got 「您可以选择的期数是…」
    run = run_action("action_offer_plans", make_tracker("request_installment", "大概两个月吧",
                                                        entities=[ent("installment_count", 2)], slots=verified("B003")))
    said = run.variables("utter_account_answer")["answer"]
    assert said.startswith("2个月后再还超过了能约定的时间：还款日期最晚可以约定到2026年12月31日。")
    assert "可选6、12、24、36、48、60期" in said and "utter_plan_term_invalid" not in run.responses
    # a term not offered, said as a term, is still told which there are
    term = run_action("action_offer_plans", make_tracker("request_installment", "分2期",
                                                         entities=[ent("installment_count", 2)], slots=verified("B003")))
    assert term.responses == ["utter_plan_term_invalid"]


def test_what_is_due_on_a_later_day_is_that_days_amount(run_action):
    # found live (B003, after promising 15141.35 for 2026-12-08): 「12月8号那天要还多少」 and 「那到时候扣的是多少」
    # got today's 15141.35, though the promise read-back had said 15191.21 would be due by then
    asked = run_action("action_answer_balance", make_tracker(
        "ask_balance", "12月8号那天要还多少", entities=[ent("date", "2026-12-08")], slots=verified("B003")))
    answer = asked.variables("utter_account_answer")["answer"]
    assert answer.startswith("到2026年12月8日，如果这期间不再还款，到期应还是15191.21元")
    assert "比今天的15141.35元多49.86元（罚息增加49.86元）" in answer
    # no date and no promise: today's figures, as before; a past day too
    for text, entities in (("到时候扣多少", []), ("11月15号要还多少", [ent("date", "2026-11-15")])):
        plain = run_action("action_answer_balance", make_tracker("ask_balance", text, entities=entities, slots=verified("B003")))
        assert plain.variables("utter_account_answer")["answer"].startswith("您目前应还15141.35元"), text
    run = run_action("action_propose_promise", make_tracker(
        "promise_to_pay", "下周二卡里就有钱了 直接扣就行", entities=[ent("date", "2026-12-08")], slots=verified("B003")))
    run_action("action_handle_confirmation", make_tracker("affirm", "确认", slots={**verified("B003"), **run.slots}))
    then = run_action("action_answer_balance", make_tracker("ask_balance", "那到时候扣的是多少", slots=verified("B003")))
    assert then.variables("utter_account_answer")["answer"].startswith("到2026年12月8日，如果这期间不再还款，到期应还是15191.21元")
    # a day on which an installment falls due names it
    later = run_action("action_answer_balance", make_tracker(
        "ask_balance", "12月20号要还多少", entities=[ent("date", "2026-12-20")], slots=verified("B003")))
    assert "2026年12月15日到期的第12期2414.84元" in later.variables("utter_account_answer")["answer"]


def test_a_part_now_and_the_rest_on_a_day_reads_back_today_first(run_action):
    # found live (B005): 「那我先还一千 剩下的下周五还」 was read back as 1000 by 2026-12-11
    text = "那我先还一千 剩下的下周五还"
    entities = [{"entity": "amount", "value": "1000.00", "start": 4, "end": 6, "text": "一千"},
                {"entity": "date", "value": "2026-12-11", "start": 10, "end": 13, "text": "下周五"}]
    run = run_action("action_propose_promise", make_tracker("promise_to_pay", text, entities=entities, slots=verified("B005")))
    assert run.responses[-2:] == ["utter_promise_second_part", "utter_promise_readback"]
    assert run.variables("utter_promise_second_part")["amount"] == "1781.86"  # 2781.86 due today, less 1000
    assert run.variables("utter_promise_second_part")["date"] == "2026年12月11日"
    assert run.variables("utter_promise_readback")["date"] == "2026年12月1日"
    assert run.slots["promise_date"] == "2026-12-01" and run.slots["promise_amount"] == "1000.00"
    # once the part is confirmed, the rest is read back for its day: not asked to be said again
    done = run_action("action_handle_confirmation", make_tracker("affirm", "确认", slots={**verified("B005"), **run.slots}))
    assert done.responses == ["utter_promise_recorded", "utter_promise_readback"]
    rest = done.variables("utter_promise_readback")
    assert (rest["date"], rest["amount"]) == ("2026年12月11日", "1781.86")
    assert done.slots["pending_confirmation"] == "promise" and done.slots["promise_next_date"] is None
    second = run_action("action_handle_confirmation", make_tracker("affirm", "确认", slots={**verified("B005"), **done.slots}))
    assert second.responses == ["utter_promise_recorded"]
    with session_scope() as s:
        assert sorted((str(p.promised_date), str(p.amount)) for p in s.query(m.Promise).filter_by(status="open")
                      .join(m.Loan).filter(m.Loan.borrower_id == "B005")) == [
            ("2026-12-01", "1000.00"), ("2026-12-11", "1781.86")]
    # said again (found by a probe: a promise a collector recorded, asked after, was recorded a second time): each
    # part is already on record, and nothing is read back or recorded twice
    again = run_action("action_propose_promise", make_tracker("promise_to_pay", text, entities=entities, slots=verified("B005")))
    assert again.responses == ["utter_account_answer", "utter_account_answer"]
    assert again.all_text.count("这笔已经记录过了") == 2
    assert "utter_promise_readback" not in again.responses and again.slots.get("pending_confirmation") != "promise"
    with session_scope() as s:
        assert s.query(m.Promise).join(m.Loan).filter(m.Loan.borrower_id == "B005", m.Promise.status == "open").count() == 2
    # both days said: as before, the first is the part's
    both = [*entities[:1], {"entity": "date", "value": "2026-12-02", "start": 0, "end": 2, "text": "明天"}, entities[1]]
    run = run_action("action_propose_promise", make_tracker("promise_to_pay", "明天先还一千 剩下的下周五还", entities=both,
                                                            slots=verified("B005")))
    assert run.slots["promise_date"] == "2026-12-02"


def test_a_monthly_budget_without_a_day_is_a_plan_question(run_action):
    # found live (B003, 169 days late): 「我一个月只能还800」 (promise_to_pay) was asked which day to pay 800
    run = run_action("action_propose_promise", make_tracker("promise_to_pay", "我一个月只能还800",
                                                            entities=[ent("amount", "800.00")], slots=verified("B003")))
    # no plan within 800 (60 months: 979.11 a month): said so, and a person (ledger.md)
    assert run.responses[0] == "utter_plan_not_affordable" and "utter_ask_promise_date" not in run.responses
    assert run.slots.get("pending_confirmation") != "promise"
    within = run_action("action_propose_promise", make_tracker("promise_to_pay", "每个月最多还1500",
                                                               entities=[ent("amount", "1500.00")], slots=verified("B003")))
    assert within.slots["pending_confirmation"] == "plan" and within.slots["plan_term"] == 36  # 1461.95 a month
    # an amount with a day is still a promise
    dated = run_action("action_propose_promise", make_tracker("promise_to_pay", "15号还800",
                                                              entities=[ent("date", "2026-12-15"), ent("amount", "800.00")],
                                                              slots=verified("B003")))
    assert dated.responses[-1] == "utter_promise_readback"


def test_half_now_and_the_rest_on_a_day_in_english_too(run_action):
    # found live (B007): 「can i pay half now and the rest next friday」 read back half (193.92) for 12-11
    text = "can i pay half now and the rest next friday"
    entities = [{"entity": "amount", "value": "half", "start": text.index("half"), "end": text.index("half") + 4},
                {"entity": "date", "value": "2026-12-11", "start": text.index("next friday"), "end": len(text)}]
    run = run_action("action_propose_promise", make_tracker("promise_to_pay", text, entities=entities, slots=verified("B007")))
    assert run.slots["promise_date"] == "2026-12-01" and run.slots["promise_amount"] == "193.92"
    assert run.variables("utter_promise_second_part")["amount"] == "193.92"
    assert run.slots["promise_next_date"] == "2026-12-11"


def test_paying_extra_towards_the_principal_is_not_a_plan(run_action):
    """Found live (B005): 「我想多还5000冲本金 以后每期能少点吗」 was request_installment with a budget of
    5000 and got a 6-month plan for the whole loan to confirm."""
    text = "我想多还5000冲本金 以后每期能少点吗"
    run = run_action("action_offer_plans", make_tracker("request_installment", text, slots=verified("B005"),
                                                        entities=_with_spans(text, ("amount", "5000.00", "5000"))))
    said = run.variables("utter_account_answer")["answer"]
    assert said.startswith("每期应还的金额不变：多还的钱按顺序冲抵以后各期的本金")  # 「以后每期能少点吗」 answered
    assert "如果今天还5000.00元：先还清到期未还的2781.86元，其余2218.14元提前冲抵以后的本金" in said
    assert "utter_plan_disclosure" not in run.responses and "pending_confirmation" not in run.slots
    # a budget a month is still a plan
    text = "每个月只能还1000 能分期吗"
    plan = run_action("action_offer_plans", make_tracker("request_installment", text, slots=verified("B005"),
                                                         entities=_with_spans(text, ("amount", "1000.00", "1000"))))
    assert "提前冲抵" not in plan.all_text and plan.responses


def test_a_two_part_promise_with_two_amounts_reads_back_each_amount(run_action):
    # found by a probe (B003, 15141.35 due): 「那我今天先还一千 月底再还一千」 read back the second part as the rest,
    # 14141.35 for 12-31; a careless 确认 would have recorded it
    text = "那我今天先还一千 月底再还一千"
    entities = [{"entity": "date", "value": "2026-12-01", "start": 2, "end": 4, "text": "今天"},
                {"entity": "amount", "value": "1000.00", "start": 6, "end": 8, "text": "一千"},
                {"entity": "date", "value": "2026-12-31", "start": 9, "end": 11, "text": "月底"},
                {"entity": "amount", "value": "1000.00", "start": 13, "end": 15, "text": "一千"}]
    run = run_action("action_propose_promise", make_tracker("promise_to_pay", text, entities=entities, slots=verified("B003")))
    second = run.variables("utter_promise_second_part")
    assert (second["date"], second["amount"]) == ("2026年12月31日", "1000.00")
    assert run.variables("utter_promise_readback")["amount"] == "1000.00"
    assert run.slots["promise_next_amount"] == "1000.00"
    done = run_action("action_handle_confirmation", make_tracker("affirm", "确认", slots={**verified("B003"), **run.slots}))
    rest = done.variables("utter_promise_readback")
    assert (rest["date"], rest["amount"]) == ("2026年12月31日", "1000.00")
    assert done.slots["promise_next_amount"] is None and done.slots["promise_next_date"] is None
    # a second amount above what is left after the first is the rest (the first, 1000 today, is on record now:
    # said so, and the second read back at once)
    big = [dict(e) for e in entities]
    big[3]["value"] = "20000.00"
    over = run_action("action_propose_promise", make_tracker("promise_to_pay", text, entities=big, slots=verified("B003")))
    assert "这笔已经记录过了" in over.all_text
    assert (over.variables("utter_promise_readback")["date"], over.variables("utter_promise_readback")["amount"]) == (
        "2026年12月31日", "14141.35")


def test_another_monthly_budget_while_a_plan_is_read_back_picks_the_plan_for_it(run_action):
    # found by a probe (B003): after 「一个月就能拿出三千五 能分几期」 read back 24 months, 「4k呢」 got only 「刚才的
    # 内容还需要您确认」
    first = run_action("action_offer_plans", make_tracker("request_installment", "一个月就能拿出三千五 能分几期",
                                                           entities=[ent("amount", "3500.00")], slots=verified("B003")))
    assert first.slots["pending_confirmation"] == "plan" and first.slots["plan_term"] == 24
    text = "4k呢"
    again = run_action("action_answer_balance", make_tracker(
        "ask_balance", text, slots={**verified("B003"), **first.slots},
        entities=[{"entity": "amount", "value": "4000.00", "start": 0, "end": 2, "text": "4k"}]))
    assert again.slots["plan_term"] == 12 and again.slots["pending_confirmation"] == "plan"
    assert "12期方案" in again.variables("utter_plan_disclosure")["disclosure"]


def test_a_promise_for_a_new_date_replaces_the_one_it_changes(run_action):
    # found by a probe (B007, 387.84 due): 「我想改成下周三还」 after a promise for 12-11 recorded a second promise,
    # 775.68 promised against 387.84 due
    first = run_action("action_propose_promise", make_tracker("promise_to_pay", "11号还", slots=verified("B007"),
                                                               entities=[ent("date", "2026-12-11")]))
    run_action("action_handle_confirmation", make_tracker("affirm", "好", slots={**verified("B007"), **first.slots}))
    change = run_action("action_propose_promise", make_tracker("promise_to_pay", "我想改成下周三还", slots=verified("B007"),
                                                                entities=[ent("date", "2026-12-09")]))
    assert "您原来约定的2026年12月11日还387.84元，会改为下面这笔" in change.all_text
    assert change.variables("utter_promise_readback")["date"] == "2026年12月9日"
    run_action("action_handle_confirmation", make_tracker("affirm", "好", slots={**verified("B007"), **change.slots}))
    with session_scope() as s:
        rows = (s.query(m.Promise).join(m.Loan).filter(m.Loan.borrower_id == "B007")
                .order_by(m.Promise.id).all())
        assert [(str(p.promised_date), str(p.amount), p.status) for p in rows] == [
            ("2026-12-11", "387.84", "replaced"), ("2026-12-09", "387.84", "open")]
        entry = s.query(m.AuditEntry).filter_by(action="promise_recorded").order_by(m.AuditEntry.id.desc()).first()
        assert entry.detail["replaces"] == [rows[0].id]


def test_a_long_hardship_message_takes_the_budget_said_not_the_rent(run_action):
    # found by a probe (B005): the rent 「两千多」 became the monthly budget (6 months at 1615.65); the borrower had
    # said 「每个月最多能还个五六百」: 24 months at 440.77 is the shortest within 500
    from bot.nlu.entities import extract

    text = ("唉说实话我也不是故意不还的 上个月厂里裁员我被裁了 孩子还要上学 每个月房租就要两千多 我现在打零工一个月也就"
            "三四千块钱 我现在每个月最多能还个五六百 能不能帮我想想办法")
    entities = [{"entity": e.entity, "value": e.value, "start": e.start, "end": e.end, "text": e.text}
                for e in extract(text, dt.date(2026, 12, 1))]
    assert ("amount", "500.00") in [(e["entity"], e["value"]) for e in entities]
    run = run_action("action_record_hardship", make_tracker("inform_hardship", text, entities=entities,
                                                             slots=verified("B005")))
    assert run.slots["plan_term"] == 24
    assert "440.77" in run.variables("utter_plan_disclosure")["disclosure"]


def test_no_calls_to_work_asked_inside_a_hardship_message_is_recorded_and_confirmed(run_action):
    # found by a probe (B005): 「…能不能帮我想想办法 还有别再打电话到我单位去了」 was ignored (rule 12)
    run = run_action("action_record_hardship", make_tracker(
        "inform_hardship", "我被裁了 每个月最多能还五百 还有别再打电话到我单位去了", slots=verified("B005"), sender="h12",
        entities=[ent("hardship_type", "job_loss"), ent("amount", "500.00")]))
    assert run.responses[-1] == "utter_no_third_party_contact"
    with session_scope() as s:
        assert s.query(m.ContactOptOut).filter_by(conversation_id="h12", scope="family").count() == 1


def test_whether_a_plan_is_set_up_is_answered(run_action):
    # found by a probe: 「我现在有分期方案吗」 / 「我的分期方案办了吗」 (not signed) got the options again
    shown = run_action("action_offer_plans", make_tracker("request_installment", "12期", slots=verified("B001"),
                                                           entities=[ent("installment_count", 12)]))
    asked = run_action("action_offer_plans", make_tracker("request_installment", "我的分期方案办了吗",
                                                           slots={**verified("B001"), **shown.slots}))
    assert asked.variables("utter_account_answer")["answer"] == (
        "您目前没有办理分期方案。刚才的12期方案还没有确认办理，回复“确认”就可以办理。")
    plain = run_action("action_offer_plans", make_tracker("request_installment", "我现在有分期方案吗", slots=verified("B003")))
    assert plain.variables("utter_account_answer")["answer"].startswith("您目前没有办理分期方案。如果需要")
    menu = run_action("action_offer_plans", make_tracker("request_installment", "你们有分期吗", slots=verified("B003")))
    assert "utter_plan_menu" in menu.responses


def test_a_death_in_the_family_is_met_with_condolence_first(run_action):
    # found by a probe (B002): 「我老公上个月车祸去世了」 went straight to the category and the plan list
    run = run_action("action_record_hardship", make_tracker("inform_hardship", "我老公上个月车祸去世了",
                                                             slots=verified("B002"), entities=[ent("hardship_type", "family_emergency")]))
    assert run.responses[:2] == ["utter_account_answer", "utter_hardship_recorded"]
    assert run.variables("utter_account_answer")["answer"].startswith("听到这个消息很难过，请您节哀")
    plain = run_action("action_record_hardship", make_tracker("inform_hardship", "我失业了", slots=verified("B003"),
                                                               entities=[ent("hardship_type", "job_loss")]))
    assert plain.responses[0] == "utter_hardship_recorded"


def test_a_plan_declined_for_a_promise_in_one_message_reads_the_promise_back(run_action):
    # found by a probe (B001): 「算了 还是不分期了 我15号先还三千五吧」 declined the plan and dropped the promise
    shown = run_action("action_offer_plans", make_tracker("request_installment", "12期", slots=verified("B001"),
                                                           entities=[ent("installment_count", 12)]))
    text = "算了 还是不分期了 我15号先还两千吧"
    run = run_action("action_handle_confirmation", make_tracker(
        "deny", text, slots={**verified("B001"), **shown.slots},
        entities=[{"entity": "date", "value": "2026-12-15", "start": 9, "end": 12, "text": "15号"},
                  {"entity": "amount", "value": "2000.00", "start": 14, "end": 16, "text": "两千"}]))
    assert "utter_not_done" not in run.responses
    back = run.variables("utter_promise_readback")
    assert (back["date"], back["amount"]) == ("2026年12月15日", "2000.00") and run.slots["pending_confirmation"] == "promise"


def test_an_amount_promised_with_nothing_due_is_paying_early(run_action):
    # found by a probe (B001 on a plan): 「那我下礼拜三还2千5」 got 「还款日本身不能修改」
    run = run_action("action_propose_promise", make_tracker("promise_to_pay", "那我下礼拜三还2千5", slots=verified("B004"),
                                                             entities=[ent("date", "2026-12-09"), ent("amount", "2500.00")]))
    said = run.variables("utter_account_answer")["answer"]
    assert said.startswith("您目前没有到期未还的款项，下一期2026年12月20日才到期") and "如果今天还2500.00元" in said
    assert "不能修改" not in said
