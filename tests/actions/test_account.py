"""Account answers for the demo borrowers on 2026-12-01, and nothing before verification."""
import datetime as dt
import re
from decimal import Decimal as D

import pytest

from actions.common import REGISTRY
from bot.compliance.content_filter import find_violation
from bot.db import models as m
from bot.db.session import session_scope
from tests.actions.conftest import ent, make_tracker, verified


def answer(run_action, action, borrower, intent="ask_balance", text="", entities=None):
    run = run_action(action, make_tracker(intent, text, entities=entities, slots=verified(borrower)))
    return run.variables("utter_account_answer")["answer"]


def how_to_pay_after(run_action, borrower, first, text):
    """How to pay asked (``text``) once the bot has said ``first``."""
    tracker = make_tracker("how_to_pay", text, slots=verified(borrower))
    tracker.events.append({"event": "bot", "text": first})
    return run_action("action_answer_how_to_pay", tracker).variables("utter_account_answer")["answer"]


def test_b001_balance_breakdown(run_action):
    text = answer(run_action, "action_answer_balance", "B001")
    for figure in ("2794.19", "2553.78", "200.19", "40.22", "13403.65", "2026年12月10日", "2753.97"):
        assert figure in text


def test_b001_why_overdue_explains_failed_debits(run_action):
    text = answer(run_action, "action_answer_overdue_reason", "B001", "ask_overdue_reason")
    assert "第8期" in text and "21天" in text and "11月10日、11月11日" in text and "余额不足" in text


def test_b002_grace_period(run_action):
    text = answer(run_action, "action_answer_overdue_reason", "B002", "ask_overdue_reason")
    assert "银行卡已过期" in text and "宽限期" in text
    assert "宽限期内" in answer(run_action, "action_answer_penalty", "B002", "ask_penalty")


def test_b001_penalty_shows_the_computation(run_action):
    text = answer(run_action, "action_answer_penalty", "B001", "ask_penalty")
    assert "2553.78元 × 0.075% × 21天 = 40.22元" in text and "日利率0.05%" in text
    assert "40.22" in text
    # compliance rule 7: never a daily rate alone (found live: the formula named only the daily rates)
    assert "日利率0.05%（年化利率18.25%，单利）" in text and "每天0.075%（折合年化27.375%，单利）" in text


def test_a_penalty_already_paid_is_said_so_beside_what_is_left(run_action):
    # found live (B007, 500 paid on 11-30): 9.30 and 0.29 listed, 「目前罚息合计0.29元」
    text = answer(run_action, "action_answer_penalty", "B007", "ask_penalty")
    assert "826.79元 × 0.075% × 15天 = 9.30元" in text and "387.55元 × 0.075% × 1天 = 0.29元" in text
    assert text.endswith("第3期已还罚息9.30元。目前未还的罚息合计0.29元。")
    b001 = answer(run_action, "action_answer_penalty", "B001", "ask_penalty")
    assert "已还罚息" not in b001 and b001.endswith("目前罚息合计40.22元。")


def test_b004_current(run_action):
    text = answer(run_action, "action_answer_balance", "B004")
    assert "没有到期未还" in text and "11843.20" in text and "1733.30" in text



def test_the_reason_asked_again_gets_the_record_and_a_person_not_the_same_text(run_action):
    # found live: 「为啥扣款失败了」 then 「我卡里明明有钱啊」 (B001) got the same paragraph twice
    first = run_action("action_answer_overdue_reason",
                       make_tracker("ask_overdue_reason", "为啥扣款失败了", slots=verified("B001")))
    said = first.variables("utter_account_answer")["answer"]
    tracker = make_tracker("ask_overdue_reason", "我卡里明明有钱啊", slots=verified("B001"))
    tracker.events.append({"event": "bot", "text": said, "metadata": {"utter_action": "utter_account_answer"}})
    again = run_action("action_answer_overdue_reason", tracker).variables("utter_account_answer")
    assert again["answer"] != said
    assert "11月10日、11月11日" in again["answer"] and "余额不足" in again["answer"] and "转人工" in again["answer"]
    assert "2794.19" in again["answer"]
    assert [b["payload"] for b in again["buttons"]] == ["/request_human", "/how_to_pay"]
    # B005 has no failed autodebit to check: the answer stands as it was
    b005 = make_tracker("ask_overdue_reason", "为什么", slots=verified("B005"))
    first = run_action("action_answer_overdue_reason", b005).variables("utter_account_answer")["answer"]
    b005.events.append({"event": "bot", "text": first})
    assert run_action("action_answer_overdue_reason", b005).variables("utter_account_answer")["answer"] == first

def test_b005_no_autodebit(run_action):
    text = answer(run_action, "action_answer_overdue_reason", "B005", "ask_overdue_reason")
    assert "未开通自动还款" in text and "30天" in text
    # found live: 「为什么这个月要还两期」 heard only of installment 6; installment 7 falls due today (1376.99)
    assert "另外第7期今天（2026年12月1日）到期，应还1376.99元" in text and text.endswith("目前到期应还共2781.86元。")
    late_only = answer(run_action, "action_answer_overdue_reason", "B001", "ask_overdue_reason")
    assert "今天（" not in late_only


def test_b007_partial_payment_and_frozen_card(run_action):
    text = answer(run_action, "action_answer_overdue_reason", "B007", "ask_overdue_reason")
    assert "银行卡被冻结" in text and "500.00" in text and "9.30" in text and "51.46" in text and "387.55" in text
    paid = answer(run_action, "action_check_payment", "B007", "inform_paid")
    assert "11月30日500.00元" in paid and "387.84" in paid


def test_a_settled_borrower_asking_if_it_is_paid_off_hears_it_is(run_action):
    # found live (B008, settled 2026-10-20): 「我的贷款还清了吧」 got only 「账户状态正常」
    said = answer(run_action, "action_check_payment", "B008", "inform_paid", text="我的贷款还清了吧")
    assert said.startswith("您的微粒贷借款已经全部结清，没有待还金额。") and "结清证明" in said


def test_what_is_owed_asked_beside_another_question_is_answered_too(run_action):
    # found live (B001): 「我到底欠多少 罚息凭什么这么多」 got the penalty and not what is owed
    balance = answer(run_action, "action_answer_balance", "B001", "ask_balance")
    due, payoff = re.findall(r"您目前应还([\d.]+)元", balance)[0], re.findall(r"需要还([\d.]+)元", balance)[0]
    said = answer(run_action, "action_answer_penalty", "B001", "ask_penalty", text="我到底欠多少 罚息凭什么这么多")
    assert said.startswith("罚息只按逾期未还的本金计算")
    assert said.endswith(f"目前到期应还共{due}元，一次性结清需要{payoff}元。")
    plain = answer(run_action, "action_answer_penalty", "B001", "ask_penalty", text="罚息凭什么这么多")
    assert "一次性结清" not in plain
    # the overdue reason already gives the amount due: only the payoff is added
    why = answer(run_action, "action_answer_overdue_reason", "B001", "ask_overdue_reason", text="为啥逾期了 现在欠多少")
    assert why.count(due) == 1 and why.endswith(f"一次性结清需要{payoff}元。")


def test_the_due_date_answer_says_the_day_of_every_month(run_action):
    # found live (B003, a 60-month plan just accepted): 「以后每个月几号还」 got only the next date
    said = answer(run_action, "action_answer_due_date", "B004", "ask_due_date", text="以后每个月几号还")
    assert "下一期还款日是2026年12月20日" in said and "以后每月20日还款，最后一期在2027年6月20日。" in said


def test_the_due_date_answer_in_grace_names_the_last_day_without_penalty(run_action):
    # found live (B002, due 11-28, today 12-01 the last grace day): 「現在還是今天扣嗎」 got 「建议尽快还上」
    said = answer(run_action, "action_answer_due_date", "B002", "ask_due_date", text="现在还是今天扣吗")
    assert "已逾期3天。现在还在3天宽限期内，今天还清1376.24元不收罚息。" in said and "建议尽快还上" not in said
    late = answer(run_action, "action_answer_due_date", "B001", "ask_due_date", text="还款日是哪天")
    assert "宽限期" not in late and "建议尽快还上" in late


def test_how_long_after_the_certificate_is_its_wait_not_an_extension(run_action):
    # found live (B008, settled): the certificate answered, then 「要几天」 was request_extension and got the
    # next due date and a plan offer, for a settled loan
    cert = answer(run_action, "action_answer_credit_impact", "B008", "ask_credit_impact", text="结清证明在哪里下载")
    tracker = make_tracker("request_extension", "要几天", slots=verified("B008"))
    tracker.events.append({"event": "bot", "text": cert})
    run = run_action("action_handle_extension", tracker)
    assert run.responses == ["utter_account_answer"]
    assert run.variables("utter_account_answer")["answer"] == "结清证明在App“借款记录”里申请开具，一般1-3个工作日可以下载，不收费用。"
    # without the certificate before it, a settled borrower asking to pay later hears the loan is settled
    plain = run_action("action_handle_extension", make_tracker("request_extension", "能晚几天还吗", slots=verified("B008")))
    said = plain.variables("utter_account_answer")
    assert said["answer"].startswith("您的微粒贷借款已经全部结清") and not said.get("buttons")


def test_where_to_get_a_credit_report_and_the_hours_of_people(run_action):
    # found live: 「怎么查我的征信报告」 got only the rules of reporting; 「你们几点上班」 was out of scope
    said = answer(run_action, "action_answer_credit_impact", "B001", "ask_credit_impact", text="怎么查我的征信报告")
    assert said.startswith("个人征信报告可以在中国人民银行征信中心的官方网站") and "逾期21天" in said
    plain = answer(run_action, "action_answer_credit_impact", "B001", "ask_credit_impact", text="会上征信吗")
    assert plain.startswith("按规定")
    hours = run_action("action_out_of_scope", make_tracker("out_of_scope", "你们几点上班"))
    assert hours.variables("utter_account_answer")["answer"].startswith("人工客服的服务时间是每天9:00-21:00。")
    other = run_action("action_out_of_scope", make_tracker("out_of_scope", "今天天气怎么样"))
    assert other.responses == ["utter_out_of_scope"]


def test_what_paying_would_do_is_not_a_payment_claim(run_action):
    # found live (B005): 「今天还了是不是就不算逾期了」 (inform_paid) got 「系统暂时没有查到您最近7天的还款入账」
    said = answer(run_action, "action_check_payment", "B005", "inform_paid", text="今天还了是不是就不算逾期了")
    assert said.startswith("如果今天还清到期的2781.86元，这笔借款就不再逾期，罚息也不再增加。")
    assert "结清后保留5年" in said and "2027年1月1日，1376.99元" in said
    claim = answer(run_action, "action_check_payment", "B005", "inform_paid", text="我已经还了")
    assert claim.startswith("系统暂时没有查到您最近7天的还款入账")



def test_a_payment_claim_of_a_current_borrower_says_nothing_arrived_yet(run_action):
    # found by a probe (B004, current, nothing paid on 12-01): 「我刚转账了1733.3 你们收到没」 got only 「账户状态正常」,
    # which reads as "received"
    run = run_action("action_check_payment", make_tracker(
        "inform_paid", "我刚转账了1733.3 你们收到没", slots=verified("B004"), entities=[ent("amount", "1733.30")]))
    said = run.variables("utter_account_answer")["answer"]
    assert said.startswith("系统暂时没有查到您最近7天的还款入账") and "1-2个工作日" in said, said
    assert said.endswith("您目前没有到期未还的款项，账户状态正常。")


def test_a_payment_claimed_on_an_earlier_day_is_looked_for_since_that_day(run_action):
    # found by a probe (B006, last paid 09-25): 「我上个月20号就还了1100 怎么还说我逾期」 was told of the last 7 days
    # and that a transfer takes 1-2 working days
    run = run_action("action_check_payment", make_tracker(
        "inform_paid", "我上个月20号就还了1100 怎么还说我逾期", slots=verified("B006"),
        entities=[ent("date", "2026-11-20"), ent("amount", "1100.00")]))
    said = run.variables("utter_account_answer")["answer"]
    assert said.startswith("系统暂时没有查到您11月20日以来的还款入账") and "2026年9月25日" in said, said
    assert "最近7天" not in said and "1-2个工作日" not in said and "2163.55" in said


def test_a_payment_claim_insisted_on_goes_to_a_person(run_action):
    """Found live (B001): 「我有转账截图」 after 「系统暂时没有查到…」 got the same paragraph again, with no
    button and no person."""
    first = run_action("action_check_payment", make_tracker("inform_paid", "我昨天已经还了 你们查查", slots=verified("B001")))
    said = first.variables("utter_account_answer")["answer"]
    assert said.startswith("系统暂时没有查到您") and first.messages[0]["buttons"][0]["payload"] == "/request_human"
    tracker = make_tracker("inform_paid", "我有转账截图", slots=verified("B001"), sender="paid-twice")
    tracker.events.append({"event": "bot", "text": said})
    again = run_action("action_check_payment", tracker)
    assert again.responses == ["utter_account_answer", "utter_handoff_wait"]
    assert again.variables("utter_account_answer")["answer"].startswith("好的，我为您转人工核实这笔还款")
    with session_scope() as s:
        entry = s.query(m.Handoff).filter_by(conversation_id="paid-twice").one()
        assert (entry.reason, entry.borrower_id) == ("payment_check", "B001")


def test_short_of_money_on_the_next_due_day_is_told_what_then(run_action):
    # found live (B004, current, next 2026-12-20 1733.30): 「那我20号卡里没钱怎么办」 got the list of ways to pay
    said = answer(run_action, "action_answer_how_to_pay", "B004", "how_to_pay", text="那我20号卡里没钱怎么办")
    assert said.startswith("万一2026年12月20日扣款时卡里的钱不够1733.30元，扣款会失败")
    assert "2026年12月23日当天或之前" in said and "还款方式：" not in said
    due = answer(run_action, "action_answer_how_to_pay", "B001", "how_to_pay", text="卡里没钱怎么办")
    assert not due.startswith("万一")  # something is due now: the ways to pay it


def test_one_consequence_asked_about_gets_that_one(run_action):
    # found live: 「会不会找我家里人」 and 「你们上门吗」 each got the whole consequences paragraph again
    family = answer(run_action, "action_answer_consequences", "B001", "ask_consequences", text="会不会找我家里人")
    assert family == "不会。我们不会联系您的家人、同事或单位，也不会向他们透露您的借款信息。"
    visit = answer(run_action, "action_answer_consequences", "B001", "ask_consequences", text="你们上门吗")
    assert visit.startswith("不会上门。")
    both = answer(run_action, "action_answer_consequences", "B001", "ask_consequences", text="不还会怎样 会找我家人吗")
    assert both.startswith("不会。我们不会联系您的家人") and "民事诉讼" in both
    whole = answer(run_action, "action_answer_consequences", "B001", "ask_consequences", text="不还会怎样")
    assert whole.startswith("如实告诉您")
    # an effect on the family is not contact with it (found live: 「会不会影响我孩子上学」 got 「不会。…」)
    for text in ("会不会影响我孩子上学", "对我老公工作有影响吗"):
        effect = answer(run_action, "action_answer_consequences", "B001", "ask_consequences", text=text)
        assert effect.startswith("如实告诉您") and not effect.startswith("不会"), text
    # found live (B001, B005): 「会不会起诉我 会不会找我家里人」 got a lone 「不会。…家人…」, read as "we won't sue
    # you"; a second consequence in the message gets the whole lawful answer, both halves in it
    for text in ("要是一直不还会不会起诉我 会不会找我家里人", "会上征信吗 会通知我单位吗"):
        said = answer(run_action, "action_answer_consequences", "B001", "ask_consequences", text=text)
        assert not said.startswith("不会"), text
        assert "民事诉讼" in said and "不会联系您的家人或单位" in said, text


def test_a_fear_of_jail_or_the_police_is_answered_first(run_action):
    # found live (B003): 「会不会坐牢啊」 and 「还要报警抓我」 got the list of consequences only
    for text in ("会不会坐牢啊", "你们是不是要报警抓我"):
        said = answer(run_action, "action_answer_consequences", "B003", "ask_consequences", text=text)
        assert said.startswith("逾期还款本身属于民事纠纷：我们不会报警"), text
        assert "民事诉讼" in said, text
        assert find_violation(said) is None, text  # what the filter would block is never sent
    assert "民事纠纷" not in answer(run_action, "action_answer_consequences", "B003", "ask_consequences",
                                  text="不还会怎样")


def test_how_to_pay_says_what_the_borrowers_own_card_needs(run_action):
    # 「卡过期了怎么办」 (B002, whose autodebit of 11-28 failed on an expired card) got only the general ways
    expired = answer(run_action, "action_answer_how_to_pay", "B002", "how_to_pay")
    assert "11月28日" in expired and "银行卡已过期" in expired and "换绑" in expired
    frozen = answer(run_action, "action_answer_how_to_pay", "B007", "how_to_pay")
    assert "银行卡被冻结" in frozen
    for borrower in ("B001", "B004"):  # insufficient funds is no card problem; B004's debits succeed
        text = answer(run_action, "action_answer_how_to_pay", borrower, "how_to_pay")
        assert "最近一次自动扣款" not in text and "还款卡管理" in text



def test_how_to_pay_tells_a_late_borrower_not_to_wait_for_the_autodebit(run_action):
    # found live: 「那我现在转进去 会自动扣吗」 (B001, 21 days late, autodebit on) got only the general ways
    late = answer(run_action, "action_answer_how_to_pay", "B001", "how_to_pay")
    assert "2794.19元已逾期" in late and "不要等自动扣款" in late and "罚息" in late
    grace = answer(run_action, "action_answer_how_to_pay", "B002", "how_to_pay")  # 3 days late, in grace
    assert "1376.24元已到期未还" in grace and "宽限期内还清不收罚息" in grace
    for borrower in ("B004", "B005"):  # nothing late; no autodebit to wait for
        assert "不要等自动扣款" not in answer(run_action, "action_answer_how_to_pay", borrower, "how_to_pay")


def test_paying_from_someone_elses_card_is_answered_first(run_action):
    # found live (B007): 「可以用我妈的卡还吗」 got the whole list of ways, the answer hidden in its item 4
    for text in ("可以用我妈的卡还吗", "能用别人的卡还吗", "我老公帮我还可以吗", "用朋友的支付宝还行不行"):
        said = answer(run_action, "action_answer_how_to_pay", "B007", "how_to_pay", text=text)
        assert said.startswith("还款要用您本人名下的银行卡"), text
        assert "银行卡被冻结" in said  # and still what this borrower's own card needs
    for text in ("怎么还款", "我妈问我怎么还款", "卡过期了怎么办"):
        assert answer(run_action, "action_answer_how_to_pay", "B007", "how_to_pay", text=text).startswith("还款方式"), text
    # before verification the same answer, with nothing of an account
    run = run_action("action_answer_how_to_pay", make_tracker("how_to_pay", "能用别人的卡还吗"))
    assert run.variables("utter_account_answer")["answer"].endswith("请不要把钱转给任何个人账户。")


def test_how_to_know_a_payment_went_through(run_action):
    # found live: 「还完了会有短信吗」 got the consequences of not paying (an NLU miss, and how_to_pay had no answer)
    for text in ("还完了会有短信吗", "还款成功会通知我吗", "还了以后多久到账", "我还进去了怎么查"):
        said = answer(run_action, "action_answer_how_to_pay", "B005", "how_to_pay", text=text)
        assert said.startswith("还款成功后，可以在App的“借款记录”里看到") and "我已经还了" in said, text
    assert answer(run_action, "action_answer_how_to_pay", "B005", "how_to_pay", text="怎么还款").startswith("还款方式")


def test_how_to_pay_asked_again_gets_the_short_personal_answer(run_action):
    # found live (B002, card expired, in grace): 「我卡过期了 新卡怎么绑」, 「绑好了 现在能自动扣吗」 and
    # 「那我今天主动还可以吗」 each got the same long paragraph
    first = answer(run_action, "action_answer_how_to_pay", "B002", "how_to_pay", text="我卡过期了 新卡怎么绑")
    tracker = make_tracker("how_to_pay", "绑好了 现在能自动扣吗", slots=verified("B002"))
    tracker.events.append({"event": "bot", "text": first})
    again = run_action("action_answer_how_to_pay", tracker).variables("utter_account_answer")["answer"]
    assert again != first and "还1376.24元" in again and "宽限期内还清不收罚息" in again
    assert "下一期还款日是2026年12月28日" in again and "自动扣款会在那天" in again
    # B005 (no autodebit, late): pay now, the penalty, and to pay the next one before its day
    first = answer(run_action, "action_answer_how_to_pay", "B005", "how_to_pay", text="怎么还")
    tracker = make_tracker("how_to_pay", "那我今天还可以吗", slots=verified("B005"))
    tracker.events.append({"event": "bot", "text": first})
    again = run_action("action_answer_how_to_pay", tracker).variables("utter_account_answer")["answer"]
    assert "还2781.86元" in again and "罚息就不再增加" in again and "没有开通自动还款" in again


def test_a_wallet_named_as_the_way_to_pay_is_answered_not_said_yes_to(run_action):
    # found live (B007, the ways already given): 「用支付宝可以还吗」 got 「可以，今天就能在App…选您本人的银行卡」
    first = answer(run_action, "action_answer_how_to_pay", "B007", "how_to_pay", text="我卡被冻结了 怎么办")
    for text in ("用支付宝可以还吗", "微信能还不", "余额宝的钱能直接还吗"):
        said = how_to_pay_after(run_action, "B007", first, text)
        assert said.startswith("这笔借款要在App“还款”页面用您本人名下的银行卡还，不能直接用支付宝、微信等支付账户还。"), text
        # the frozen card and the 387.84 not to wait with were just said, and are not said again
        assert "银行卡被冻结" in first and "银行卡被冻结" not in said, text
    # someone else's Alipay is someone else's account: that answer first
    said = answer(run_action, "action_answer_how_to_pay", "B007", "how_to_pay", text="用我老公的支付宝还行吗")
    assert said.startswith("还款要用您本人名下的银行卡，家人或朋友的卡不能直接用来还。")


def test_asking_the_bank_to_debit_again_gets_paying_now(run_action):
    # found live (B001): 「那你们再扣一次呗」 was read as a complaint and a ticket opened; as how_to_pay
    # it got the general list. The bot starts no debit: paying in the App does it now.
    for text in ("那你们再扣一次呗", "现在卡里有钱了 重新扣一下", "能不能再划一次款"):
        said = answer(run_action, "action_answer_how_to_pay", "B001", "how_to_pay", text=text)
        assert said.startswith("我这边没法为您发起扣款。卡里现在有钱的话，请在App“还款”页面主动还款2794.19元"), text
        assert "罚息就不再增加" in said and "还款方式：" not in said, text
    expired = answer(run_action, "action_answer_how_to_pay", "B002", "how_to_pay", text="你们再扣一次吧")
    assert "银行卡已过期" in expired  # the card to see to first
    # asking what the bank will do is not asking for a debit
    said = answer(run_action, "action_answer_how_to_pay", "B001", "how_to_pay", text="第二天还会再扣吗")
    assert not said.startswith("我这边没法为您发起扣款")


def test_asking_to_pay_part_gets_yes_and_where_the_part_goes(run_action):
    # found live (B001, 21 days late: penalty 40.22, interest 200.19, principal 2553.78): 「能不能先还一部分」
    # got the list of ways to pay
    for text in ("能不能先还一部分", "只还一点行不行", "部分还款可以吗"):
        said = answer(run_action, "action_answer_how_to_pay", "B001", "how_to_pay", text=text)
        assert said.startswith("可以先还一部分，在App“还款”页面输入想还的金额就行。"), text
        assert "先冲抵最早一期的罚息，再冲抵利息，最后是本金" in said and "还款方式：" not in said, text
        assert "2794.19元里，罚息40.22元、利息200.19元会先被冲抵，然后才是本金2553.78元" in said, text
        assert "您打算先还多少、哪天还" in said, text
    # nothing due (B004): paying part early; settled (B008): nothing to pay
    said = answer(run_action, "action_answer_how_to_pay", "B004", "how_to_pay", text="可以先还一部分吗")
    assert said.startswith("您现在没有到期未还的款项。也可以提前还一部分") and "不收手续费" in said
    said = answer(run_action, "action_answer_how_to_pay", "B008", "how_to_pay", text="可以先还一部分吗")
    assert said == "您的借款已经结清了，不需要再还款。"
    # said, not asked: 「我先还一部分吧」 is not this question; nor is asking for a plan
    for text in ("我先还一部分吧", "可以分几次还吗"):
        said = answer(run_action, "action_answer_how_to_pay", "B001", "how_to_pay", text=text)
        assert not said.startswith("可以先还一部分"), text


def test_where_to_switch_autodebit_on_is_answered(run_action):
    # found live (B005, no autodebit, 2781.86 due): after the ways to pay, 「我没开自动还款？在哪开」 got
    # 「可以，今天就能…主动还款」
    first = answer(run_action, "action_answer_how_to_pay", "B005", "how_to_pay", text="那现在怎么办")
    # found live (B005): 「我想开通自动还款」 got the list of ways, 「今天那期能自动扣吗」 「可以，今天就能…」
    for text in ("我没开自动还款？在哪开", "自动扣款怎么设置", "代扣在哪里开通", "我想开通自动还款", "今天那期能自动扣吗"):
        said = how_to_pay_after(run_action, "B005", first, text)
        assert said.startswith("自动还款在App“还款卡管理”里开通"), text
        assert "您目前还没有开通，所以不会自动扣款。已到期的2781.86元不会等自动扣款" in said, text
    said = answer(run_action, "action_answer_how_to_pay", "B005", "how_to_pay", text="我想开通自动还款")
    assert said.startswith("自动还款在App“还款卡管理”里开通")
    # with autodebit on, whether today's debit runs is answered as before (B002, card expired)
    said = answer(run_action, "action_answer_how_to_pay", "B002", "how_to_pay", text="今天能自动扣吗")
    assert not said.startswith("自动还款在App“还款卡管理”里开通")
    # B004 has it on and nothing due
    said = answer(run_action, "action_answer_how_to_pay", "B004", "how_to_pay", text="自动还款在哪开")
    assert said.endswith("您目前已经开通了。")


def test_a_card_said_to_be_seen_to_gets_what_to_do_now(run_action):
    # found live (B002, card expired, in grace): 「卡过期了？那我换张卡」, then 「换好了」 (read as distress)
    for text in ("换好了", "新卡绑好了", "换绑成功了", "我把卡换了"):
        said = answer(run_action, "action_answer_how_to_pay", "B002", "how_to_pay", text=text)
        assert said.startswith("好的。已到期的1376.24元不会等到下个还款日，请现在就在App“还款”页面选新卡主动还款。"), text
        assert "宽限期内还清不收罚息" in said and "还款方式：" not in said, text
    # a question about the new card is still answered as asked
    asked = answer(run_action, "action_answer_how_to_pay", "B002", "how_to_pay", text="新卡绑好了 今天会扣吗")
    assert not asked.startswith("好的。")
    # nothing due (B004): no payment asked for
    said = answer(run_action, "action_answer_how_to_pay", "B004", "how_to_pay", text="换好了")
    assert said.startswith("您目前没有到期未还的款项。下一期还款日是2026年12月20日")


def test_early_repayment_of_the_next_installment_and_follow_ups(run_action):
    # found live (B004, current; next 2026-12-20: principal 1661.25 + interest 72.05): 「下个月的能先还吗」 got
    # the whole payoff, 「怎么操作」 the general ways to pay, 「提前还了利息怎么算」 the same payoff again
    nxt = answer(run_action, "action_answer_early_repayment", "B004", "ask_early_repayment", text="下个月的能先还吗")
    assert nxt.startswith("可以先还下一期（2026年12月20日那期）。如果今天还1661.25元")
    assert "这期的利息72.05元不用再付" in nxt
    # found live: 「假如我下周一次性还完 下个月那期的利息还要付吗」 names next month's installment, but pays it all
    whole = answer(run_action, "action_answer_early_repayment", "B004", "ask_early_repayment",
                   text="假如我下周一次性还完 下个月那期的利息还要付吗", entities=[{"entity": "amount", "value": "all"}])
    assert "11843.20" in whole and "未到期的利息不用付" in whole and not whole.startswith("可以先还下一期")
    payoff = answer(run_action, "action_answer_early_repayment", "B004", "ask_early_repayment", text="能提前还吗")
    assert "11843.20" in payoff
    tracker = make_tracker("ask_early_repayment", "提前还了利息怎么算", slots=verified("B004"))
    tracker.events.append({"event": "bot", "text": payoff})
    again = run_action("action_answer_early_repayment", tracker).variables("utter_account_answer")["answer"]
    assert again != payoff and again.startswith("提前还款只算到还款当天") and "11843.20" in again
    how = make_tracker("how_to_pay", "怎么操作", slots=verified("B004"))
    how.events.append({"event": "action", "name": "action_answer_early_repayment"})
    said = run_action("action_answer_how_to_pay", how).variables("utter_account_answer")["answer"]
    assert said.startswith("提前还款在App的“提前还款”页面操作")


def test_what_time_of_the_due_day_counts(run_action):
    # found live (B005, installment 7 due today): 「今天是还款日吗 几点前还算按时」 and then 「晚上12点前还都可以吗」
    # each got the due dates, and nothing about the time
    first = answer(run_action, "action_answer_due_date", "B005", "ask_due_date", text="今天是还款日吗 几点前还算按时")
    assert first.startswith("还款日当天24点前还上都算按时还款") and "第7期今天（2026年12月1日）到期" in first
    tracker = make_tracker("ask_due_date", "晚上12点前还都可以吗", slots=verified("B005"))
    tracker.events.append({"event": "bot", "text": first})
    again = run_action("action_answer_due_date", tracker).variables("utter_account_answer")["answer"]
    assert again.startswith("还款日当天24点前还上都算按时还款") and "第7期" not in again
    assert answer(run_action, "action_answer_due_date", "B005", "ask_due_date", text="还款日是哪天").startswith("第6期")

def test_b008_settled_and_certificate(run_action):
    text = answer(run_action, "action_answer_balance", "B008")
    assert "结清" in text and "结清证明" in text


def test_early_repayment_payoff_and_no_fee(run_action):
    text = answer(run_action, "action_answer_early_repayment", "B001", "ask_early_repayment")
    assert "13403.65" in text and "不收提前还款违约金" in text


def test_credit_and_consequences_are_truthful_and_calm(run_action):
    credit = answer(run_action, "action_answer_credit_impact", "B003", "ask_credit_impact")
    assert "征信" in credit and "169天" in credit
    cons = answer(run_action, "action_answer_consequences", "B003", "ask_consequences")
    assert "民事诉讼" in cons and "不会联系您的家人" in cons
    for word in ("坐牢", "拘留", "上门催收", "黑名单"):
        assert word not in cons


def test_consequences_before_verification_give_a_way_on(run_action):
    # found by a probe: an unverified 「在吗 我微粒货逾期了咋办」 got the lawful consequences and no next step
    run = run_action("action_answer_consequences", make_tracker("ask_consequences", "在吗 我微粒货逾期了咋办"))
    said = run.variables("utter_account_answer")["answer"]
    assert "民事诉讼" in said and "约定一个还款日期或申请分期" in said and "验证身份后" in said, said


def test_consequences_in_the_grace_period_say_so(run_action):
    """B002 is 3 days late (L002, in grace): 「逾期了几天了 会怎么样」 got only the general facts; the
    ledger's rule is that paying in full within the grace period waives the penalty."""
    cons = answer(run_action, "action_answer_consequences", "B002", "ask_consequences")
    assert "逾期3天" in cons and "宽限期内还清这一期，不收罚息" in cons and "分期" not in cons
    current = answer(run_action, "action_answer_consequences", "B004", "ask_consequences")
    assert "宽限期" not in current and "您目前逾期" not in current


MONEY_OR_DATE = re.compile(r"\d+\.\d{2}|\d{4}年\d{1,2}月|\d{1,2}月\d{1,2}日|逾期\d+天")


@pytest.mark.parametrize("name", sorted(REGISTRY))
@pytest.mark.parametrize("entities", [[], [ent("date", "2026-12-15"), ent("amount", "2000.00"), ent("installment_count", 12)]])
def test_nothing_about_any_loan_before_verification(run_action, name, entities):
    run = run_action(name, make_tracker("ask_balance", "B001 我老公的账单 还欠多少", entities=entities,
                                        slots={"pending_confirmation": "plan", "plan_term": 12, "borrower_id": "B001"}))
    assert not MONEY_OR_DATE.search(run.all_text), (name, run.all_text)
    assert "verified" not in run.slots or run.slots["verified"] is False


def test_a_partial_early_repayment_is_worked_out_to_the_fen(run_action):
    """B004 (current; next due 2026-12-20: 1733.30, payoff 11843.20). Paying 3000 today pays the
    principal of the 12-20 installment in full (its interest is waived), the rest of the next one."""
    from decimal import Decimal as D

    from bot.db.session import session_scope
    from bot.services.plans import collectible_loan
    import datetime as dt

    with session_scope() as s:
        st = collectible_loan(s, "B004", dt.date(2026, 12, 1)).statement
        first, second = [i for i in st.installments if i.due_date > st.as_of][:2]
    run = run_action("action_answer_early_repayment", make_tracker(
        "ask_early_repayment", "我想提前还3000", entities=[ent("amount", "3000.00")], slots=verified("B004")))
    answer = run.variables("utter_account_answer")["answer"]
    left = D("3000.00") - first.schedule.principal
    assert f"第{first.number}期（2026年12月20日）的本金{first.schedule.principal}元全部还清，这期的利息{first.schedule.interest}元不用再付" in answer
    assert f"的本金先还{left}元" in answer
    assert f"一次性结清还需{D('11843.20') - D('3000.00')}元" in answer
    assert f"之后下一期还款日是2027年1月20日，应还{second.schedule.payment - left}元" in answer
    full = run_action("action_answer_early_repayment", make_tracker(
        "ask_early_repayment", "提前还两万", entities=[ent("amount", "20000.00")], slots=verified("B004")))
    assert "今天还11843.20元就可以全部结清" in full.variables("utter_account_answer")["answer"]
    plain = run_action("action_answer_early_repayment", make_tracker("ask_early_repayment", "能提前还吗", slots=verified("B004")))
    assert "今天一次性结清需要11843.20元" in plain.variables("utter_account_answer")["answer"]


def test_an_early_repayment_smaller_than_what_is_due_pays_what_is_due(run_action):
    text = answer(run_action, "action_answer_early_repayment", "B001", "ask_early_repayment", "先提前还1000",
                  entities=[ent("amount", "1000.00")])
    assert "这笔钱会用来还到期未还的2794.19元中的一部分，还后仍有1794.19元到期未还" in text and "提前冲抵" not in text
    more = answer(run_action, "action_answer_early_repayment", "B001", "ask_early_repayment", "提前还5000",
                  entities=[ent("amount", "5000.00")])
    assert "先还清到期未还的2794.19元，其余2205.81元提前冲抵以后的本金：第9期（2026年12月10日）的本金先还2205.81元" in more
    assert "一次性结清还需8403.65元" in more  # 13403.65 - 5000.00


def test_a_settlement_certificate_question_is_answered_directly(run_action):
    settled = answer(run_action, "action_answer_credit_impact", "B008", "ask_credit_impact", "我要开结清证明")
    assert settled.startswith("您的") and "已经结清，可以申请结清证明" in settled and "征信中心" not in settled
    open_loan = answer(run_action, "action_answer_credit_impact", "B001", "ask_credit_impact", "结清证明怎么开")
    assert "全部还清后才能开具" in open_loan and "13403.65" in open_loan
    general = answer(run_action, "action_answer_credit_impact", "B001", "ask_credit_impact", "会上征信吗")
    assert "征信中心" in general
    anonymous = run_action("action_answer_credit_impact", make_tracker("ask_credit_impact", "结清证明怎么开"))
    text = anonymous.variables("utter_account_answer")["answer"]
    assert "验证身份后" in text and "元" not in text  # no figures before verification


def test_b005_an_installment_due_today_is_named(run_action):
    """L005 on 2026-12-01: installment 6 is 30 days late and installment 7 falls due today; the
    due-date answer said only 「下一期还款日是2027年1月1日」, as if nothing fell due today."""
    due = answer(run_action, "action_answer_due_date", "B005", "ask_due_date")
    assert "第7期今天（2026年12月1日）到期，应还1376.99元" in due and "2781.86" in due
    balance = answer(run_action, "action_answer_balance", "B005")
    assert "其中第7期今天到期（1376.99元）" in balance
    assert "今天到期" not in answer(run_action, "action_answer_due_date", "B001", "ask_due_date")


def test_a_question_about_interest_gets_the_contract_rate_not_the_penalty_formula(run_action):
    text = answer(run_action, "action_answer_penalty", "B001", "ask_penalty", "你们利息太高了 比别的银行高多了")
    assert "合同日利率是0.05%，年化利率（单利）18.25%" in text and "罚息合计40.22元" in text and "× 1.5" not in text
    assert "日利率是0.02%，年化利率（单利）7.30%" in answer(run_action, "action_answer_penalty", "B004", "ask_penalty", "利率多少")
    assert "× 1.5" in answer(run_action, "action_answer_penalty", "B001", "ask_penalty", "罚息利息怎么算的")


def test_a_changed_phone_number_is_answered(run_action):
    # found live: 「对了 我换了手机号 要跟你们说吗」 (read as distress, then out of scope): where it is changed,
    # and that paying is not affected
    for action, intent in (("action_out_of_scope", "out_of_scope"), ("action_answer_how_to_pay", "how_to_pay")):
        for text in ("我换了手机号", "手机号换了要跟你们说吗", "换了个新号码"):
            run = run_action(action, make_tracker(intent, text, slots=verified("B004")))
            said = run.variables("utter_account_answer")
            assert said["answer"].startswith("换了手机号不影响还款"), (action, text)
    other = run_action("action_out_of_scope", make_tracker("out_of_scope", "今天天气怎么样"))
    assert other.responses == ["utter_out_of_scope"]


def test_whether_paying_now_is_in_time(run_action):
    # found live (B002, the grace's last day): 「那我现在换卡来得及吗」 got the list of ways to pay
    said = answer(run_action, "action_answer_how_to_pay", "B002", "how_to_pay", text="那我现在换卡来得及吗")
    assert said.startswith("来得及。您这一期2026年11月28日到期，现在还在宽限期内，2026年12月1日当天或之前还清1376.24元就不收罚息。")
    # due today (B005 also has an older one overdue: past grace), and asked as a due-date question
    b005 = answer(run_action, "action_answer_due_date", "B005", "ask_due_date", text="今天还来得及吗")
    assert b005.startswith("您已逾期30天，已经过了宽限期，罚息目前27.88元。现在还上2781.86元，罚息就不再增加")
    assert b005.endswith("第7期今天到期，今天之内还上这一期不算逾期。")
    # nothing due: the usual answer
    b004 = answer(run_action, "action_answer_due_date", "B004", "ask_due_date", text="今天还来得及吗")
    assert not b004.startswith("来得及") and "2026年12月20日" in b004


def test_the_borrower_s_own_situation_is_said_once(run_action):
    # found live (B007, card frozen, 387.84 overdue): 「用微信还行不行」 and then 「那我用我老公的卡还」 each ended
    # with the same frozen-card advice and the same advice not to wait
    first = answer(run_action, "action_answer_how_to_pay", "B007", "how_to_pay", text="我卡被冻结了 用微信还行不行")
    assert "因“银行卡被冻结”没有成功" in first and "建议不要等自动扣款" in first
    tracker = make_tracker("how_to_pay", "那我用我老公的卡还", slots=verified("B007"))
    tracker.events.append({"event": "bot", "text": first})
    second = run_action("action_answer_how_to_pay", tracker).variables("utter_account_answer")["answer"]
    assert second.startswith("还款要用您本人名下的银行卡") and "银行卡被冻结" not in second and "不要等自动扣款" not in second
    # in a new conversation it is said again
    fresh = answer(run_action, "action_answer_how_to_pay", "B007", "how_to_pay", text="那我用我老公的卡还")
    assert "银行卡被冻结" in fresh


def test_the_loan_s_own_record_is_told_with_the_credit_answer(run_action):
    # found live (B008, settled, every installment paid on its due date): 「那我以前的记录好吗 有没有逾期过」 got
    # the rules and nothing about the borrower's own record
    said = answer(run_action, "action_answer_credit_impact", "B008", "ask_credit_impact", text="我以前有没有逾期过")
    assert "每一期都按时还上（或在宽限期内还清），没有逾期记录" in said and said.endswith("可以申请结清证明。")
    # overdue now: the arrears are what is said, not a clean record
    b001 = answer(run_action, "action_answer_credit_impact", "B001", "ask_credit_impact", text="会上征信吗")
    assert "没有逾期记录" not in b001 and "已逾期21天" in b001


def test_the_penalty_after_paying_an_amount_is_told_to_the_fen(run_action):
    # found live (B005, 30 days late on installment 6): 「一千块还进去以后罚息还涨吗」 got the penalty formula.
    # 1000 pays installment 6's penalty 27.88 and interest 138.07 first, then 834.05 of its 1238.92 principal
    text = "一千块还进去以后罚息还涨吗"
    amount = {"entity": "amount", "value": "1000.00", "start": 0, "end": 2, "text": "一千"}
    run = run_action("action_answer_penalty", make_tracker("ask_penalty", text, entities=[amount], slots=verified("B005")))
    answer = run.variables("utter_account_answer")["answer"]
    assert answer.startswith("今天还1000.00元以后，还有1781.86元到期未还，其中逾期本金404.87元")
    assert "大约每天0.30元（现在大约每天0.93元）" in answer and answer.endswith("把到期的2781.86元都还上，罚息就不再增加。")
    # an amount that is not said as paid gets the computation, as before
    named = {"entity": "amount", "value": "27.88", "start": 2, "end": 7, "text": "27.88"}
    run = run_action("action_answer_penalty", make_tracker("ask_penalty", "罚息27.88还涨吗", entities=[named],
                                                           slots=verified("B005")))
    assert run.variables("utter_account_answer")["answer"].startswith("罚息只按逾期未还的本金计算")
    # enough for what is overdue
    enough = {"entity": "amount", "value": "1500", "start": 2, "end": 6, "text": "1500"}
    run = run_action("action_answer_penalty", make_tracker("ask_penalty", "先还1500 罚息还涨吗", entities=[enough],
                                                           slots=verified("B005")))
    assert run.variables("utter_account_answer")["answer"] == "今天还1500.00元就够还清逾期的部分，之后罚息不再增加。"


def test_whether_the_debit_ran_is_answered_from_the_ledger(run_action):
    # found live (B004): 「这个月扣款了吗」 got the next due date only; 「上个月的扣成功了没」 got 「账户状态正常」
    run = run_action("action_answer_due_date", make_tracker("ask_due_date", "这个月扣款了吗", slots=verified("B004")))
    assert run.variables("utter_account_answer")["answer"] == (
        "2026年11月20日到期的第5期已经还上了（2026年11月20日入账）。下一期2026年12月20日到期，应还1733.30元，当天会自动扣款。")
    paid = run_action("action_check_payment", make_tracker("inform_paid", "上个月的扣成功了没", slots=verified("B004")))
    assert paid.variables("utter_account_answer")["answer"].startswith("2026年11月20日到期的第5期已经还上了")
    # a failed debit says why; no autodebit says the borrower pays
    failed = run_action("action_answer_due_date", make_tracker("ask_due_date", "钱扣走了没有", slots=verified("B003")))
    assert failed.variables("utter_account_answer")["answer"].startswith(
        "2026年11月15日到期的第11期在2026年11月15日自动扣款没有成功（余额不足），还差")
    card = run_action("action_answer_due_date", make_tracker("ask_due_date", "扣了没", slots=verified("B002")))
    assert card.variables("utter_account_answer")["answer"] == (
        "2026年11月28日到期的第4期在2026年11月28日自动扣款没有成功（银行卡已过期），还差1376.24元没还。"
        "下一期2026年12月28日到期，应还1376.24元，不过银行卡已过期，请在App的“还款卡管理”里换绑一张有效的银行卡，"
        "再主动还款，否则自动扣款还会失败。")
    manual = run_action("action_answer_due_date", make_tracker("ask_due_date", "今天的扣了没", slots=verified("B005")))
    assert manual.variables("utter_account_answer")["answer"] == (
        "2026年12月1日到期的第7期还差1376.99元没还，今天之内还上不算逾期。"
        "下一期2027年1月1日到期，应还1376.99元，您没有开通自动还款，需要在那天之前主动还款。")
    # read as ask_overdue_reason (why a debit failed): the same answer
    why = run_action("action_answer_overdue_reason", make_tracker("ask_overdue_reason", "这个月的扣了没", slots=verified("B004")))
    assert why.variables("utter_account_answer")["answer"] == run.variables("utter_account_answer")["answer"]
    # when it runs is still the due-date answer
    when = run_action("action_answer_due_date", make_tracker("ask_due_date", "几号扣款", slots=verified("B004")))
    assert when.variables("utter_account_answer")["answer"].startswith("下一期还款日是2026年12月20日")


def test_a_missed_promise_apologised_for_is_not_answered_with_consequences(run_action):
    # found live (B006): 「上次不是说好20号还吗 我没还上 不好意思」 (ask_consequences) got the lawful consequences
    text = "上次不是说好20号还吗 我没还上 不好意思"
    run = run_action("action_answer_consequences", make_tracker("ask_consequences", text, slots=verified("B006")))
    answer = run.variables("utter_account_answer")["answer"]
    assert answer.startswith("谢谢您主动告诉我，没关系。我们看到您之前约定在2026年11月20日还1100.00元，没能还上。")
    assert "民事诉讼" not in answer
    # asking what happens now is still the consequences
    asked = run_action("action_answer_consequences", make_tracker("ask_consequences", "上次没还上 会怎么样",
                                                                  slots=verified("B006")))
    assert "民事诉讼" in asked.variables("utter_account_answer")["answer"]


def test_paying_what_one_can_is_paying_a_part(run_action):
    # found live (B006): 「现在能还多少算多少吗」 (ask_balance) got the whole balance
    run = run_action("action_answer_balance", make_tracker("ask_balance", "现在能还多少算多少吗", slots=verified("B006")))
    assert run.variables("utter_account_answer")["answer"].startswith("可以先还一部分")


def test_how_many_installments_are_left_is_answered_by_installment(run_action):
    # found live (B007): 「我还有几期没还」 got the amount due only
    run = run_action("action_answer_balance", make_tracker("ask_balance", "我还有几期没还", slots=verified("B007")))
    assert run.variables("utter_account_answer")["answer"] == (
        "您这笔借款共6期，已还清2期，还有4期没还完：第3期已逾期16天，还差387.84元；第4期2026年12月15日到期；"
        "第5期2027年1月15日到期；第6期2027年2月15日到期。一次性提前结清需要2944.43元。")
    settled = run_action("action_answer_balance", make_tracker("ask_balance", "还剩几期", slots=verified("B008")))
    assert "没有待还的期数" in settled.variables("utter_account_answer")["answer"]


def test_what_paying_an_amount_would_do_is_not_the_consequences(run_action):
    # found live (B003): 「what if i pay 1000 now」 (ask_consequences) got the lawful consequences
    text = "what if i pay 1000 now"
    amount = {"entity": "amount", "value": "1000.00", "start": text.index("1000"), "end": text.index("1000") + 4}
    run = run_action("action_answer_consequences", make_tracker("ask_consequences", text, entities=[amount],
                                                                slots=verified("B005")))
    assert run.variables("utter_account_answer")["answer"].startswith("今天还1000.00元以后，还有1781.86元到期未还")
    plain = run_action("action_answer_consequences", make_tracker("ask_consequences", "不还会怎样", slots=verified("B005")))
    assert "民事诉讼" in plain.variables("utter_account_answer")["answer"]


def test_the_due_day_asked_while_a_plan_is_read_back_is_the_plans(run_action):
    # found live (B001): 「每个月几号扣」 after the 12-month read-back got the loan's 10th; the plan's day is the 1st
    slots = {**verified("B001"), "pending_confirmation": "plan", "plan_term": 12}
    run = run_action("action_answer_due_date", make_tracker("ask_due_date", "每个月几号扣", slots=slots))
    assert run.variables("utter_account_answer")["answer"] == (
        "这个12期方案每月1日还款：首期2027年1月1日，最后一期2027年12月1日，每期1190.90元（最后一期1190.88元）。确认办理后，原来的还款日不再适用。")
    plain = run_action("action_answer_due_date", make_tracker("ask_due_date", "每个月几号扣", slots=verified("B001")))
    assert "以后每月10日还款" in plain.variables("utter_account_answer")["answer"]


def test_a_failed_debit_asked_about_once_nothing_is_overdue_is_still_told(run_action):
    # found live (B001, after accepting a 12-month plan): 「为什么我的卡扣款失败」 got only 「目前没有逾期」
    offered = {**verified("B001"), "pending_confirmation": "plan", "plan_term": 12}
    run_action("action_handle_confirmation", make_tracker("affirm", "确认", slots=offered))
    run = run_action("action_answer_overdue_reason", make_tracker("ask_overdue_reason", "为什么我的卡扣款失败",
                                                                  slots=verified("B001")))
    assert run.variables("utter_account_answer")["answer"] == (
        "您的借款目前没有逾期，按时还款即可。下一期还款日是2027年1月1日，应还1190.90元，那天才会自动扣款。"
        "11月10日、11月11日的自动扣款没有成功，银行返回“余额不足”；"
        "那时到期的金额已经转入您办理的分期方案，按分期计划还款即可。")
    current = run_action("action_answer_overdue_reason", make_tracker("ask_overdue_reason", "为什么逾期", slots=verified("B004")))
    # with the next debit's day (found by a probe: 「这个月怎么还没扣款」 got only 「按时还款即可」)
    assert current.variables("utter_account_answer")["answer"] == (
        "您的借款目前没有逾期，按时还款即可。下一期还款日是2026年12月20日，应还1733.30元，那天才会自动扣款。")


def test_paying_off_on_a_later_day_is_that_days_payoff(run_action):
    # found live (B004, current): 「如果下周一全部还清要多少」 got 「到期未还的0.00元要先还上…今天一次性结清是11843.20元」
    run = run_action("action_answer_early_repayment", make_tracker(
        "ask_early_repayment", "如果下周一全部还清要多少", entities=[ent("date", "2026-12-07"), ent("amount", "all")],
        slots=verified("B004")))
    assert run.variables("utter_account_answer")["answer"].startswith("如果在2026年12月7日一次性结清，需要还11843.20元")
    # asked again without a day: the short answer has no 「0.00元要先还上」 for a borrower with nothing due
    tracker = make_tracker("ask_early_repayment", "提前还清要多少", slots=verified("B004"))
    first = run_action("action_answer_early_repayment", tracker)
    tracker.events = [{"event": "bot", "text": first.variables("utter_account_answer")["answer"]}]
    again = run_action("action_answer_early_repayment", tracker)
    answer = again.variables("utter_account_answer")["answer"]
    assert answer.startswith("提前还款只算到还款当天：还没到期的各期只还本金") and "0.00元" not in answer


def test_the_interest_saved_by_paying_early_is_added_up(run_action):
    # found live (B004): 「我想提前还5000 能少多少利息」 listed 72.05 and 61.94 but not what they make together
    run = run_action("action_answer_early_repayment", make_tracker(
        "ask_early_repayment", "我想提前还5000 能少多少利息", entities=[ent("amount", "5000.00")], slots=verified("B004")))
    assert "这期的利息61.94元不用再付；第8期（2027年2月20日）的本金先还1667.39元，一共少付利息133.99元。" in \
        run.variables("utter_account_answer")["answer"]


@pytest.mark.parametrize("text, warned", [
    ("我去网贷借点钱还你们行不", True),  # found live (B003): 「这个问题我暂时帮不上忙」
    ("刷信用卡还你们可以吗", True),
    ("去别的平台贷点钱来还可以吗", True),
    ("找朋友借点钱还你们", False),  # no lender
    ("花呗还款日是哪天", False),  # another product's due day: out of scope
    ("信用卡套现还你们行吗", True),  # found live in a second round: read as how_to_pay, told to pay soon
    ("借高利贷还你们可以吧", True),  # found live: read as an insult
])
@pytest.mark.parametrize("action, intent", [("action_out_of_scope", "out_of_scope"),
                                            ("action_answer_how_to_pay", "how_to_pay"),
                                            ("action_answer_insult", "insult")])
def test_borrowing_elsewhere_to_repay_is_advised_against_with_the_ways_that_need_none(run_action, text, warned, action,
                                                                                      intent):
    from bot.compliance.content_filter import check

    run = run_action(action, make_tracker(intent, text, slots=verified("B003")))
    if not warned:
        assert "不建议为了还这笔钱" not in run.all_text, text
        return
    said = run.variables("utter_account_answer")["answer"]
    assert said.startswith("不建议为了还这笔钱再去借网贷") and check(said).allowed  # rule 5: never urged
    assert [b["payload"] for b in run.messages[0]["buttons"]] == ["/request_installment", "/promise_to_pay", "/request_human"]


def test_a_settled_borrower_still_chased_is_told_it_is_not_us_and_offered_a_person(run_action):
    """Found live (B008, settled): 「为啥还给我发催收短信」 (inform_paid 0.46) got 「已经全部结清」 again."""
    for action, intent in (("action_check_payment", "inform_paid"), ("action_answer_consequences", "ask_consequences")):
        run = run_action(action, make_tracker(intent, "为啥还给我发催收短信", slots=verified("B008")))
        said = run.variables("utter_account_answer")["answer"]
        assert said.startswith("您的借款已经全部结清，我们不会再向您催收") and "诈骗" in said, action
        assert run.messages[0]["buttons"][0]["payload"] == "/request_human"
    # not settled: the usual answer
    other = run_action("action_check_payment", make_tracker("inform_paid", "为啥还给我发催收短信", slots=verified("B001")))
    assert "不会再向您催收" not in other.variables("utter_account_answer")["answer"]


def test_several_questions_in_one_message_get_the_due_day_too(run_action):
    """Found live (B001): 「我欠多少 啥时候还 罚息咋算」 (ask_penalty) got the penalty and the totals, not the
    next due day."""
    said = answer(run_action, "action_answer_penalty", "B001", "ask_penalty", text="我欠多少 啥时候还 罚息咋算")
    assert "罚息 = 逾期本金" in said and "2794.19" in said
    assert said.endswith("下一期还款日是2026年12月10日，应还2753.97元。")
    alone = answer(run_action, "action_answer_penalty", "B001", "ask_penalty", text="罚息咋算")
    assert "下一期还款日" not in alone


def test_an_insult_gets_the_calm_reply(run_action):
    run = run_action("action_answer_insult", make_tracker("insult", "你们都是骗子"))
    assert run.responses == ["utter_insult"]


def test_a_days_penalty_asked_about_is_given_to_the_fen(run_action):
    # found by a probe (B001, overdue principal 2553.78 at 0.05% a day): 「逾期一天多少利息」 got the contract rate
    # and the total; a day is 2553.78 × 0.075% = 1.92
    said = answer(run_action, "action_answer_penalty", "B001", "ask_penalty", text="逾期一天多少利息")
    assert said.startswith("目前逾期本金2553.78元，每天罚息约1.92元") and "年化" in said  # rule 7: never a daily rate alone
    grace = answer(run_action, "action_answer_penalty", "B002", "ask_penalty", text="每天罚多少")  # in grace: the rules
    assert "每天罚息约" not in grace and "宽限期" in grace


def test_penalty_asked_for_a_later_day_says_what_that_day_finds(run_action):
    # found by a probe (B002, 3 days late on 12-01, the last grace day): 「我明天再还会有罚息吗」 got 「现在还清不收
    # 罚息」; paying on 12-02 is 4 days late, penalty from 11-29: 1339.24 × 0.045% × 4 = 2.41
    said = answer(run_action, "action_answer_penalty", "B002", "ask_penalty", text="我明天再还会有罚息吗",
                  entities=[ent("date", "2026-12-02")])
    assert said.startswith("您这一期2026年11月28日到期，现在还在宽限期内，2026年12月1日当天或之前还清1376.24元就不收罚息")
    assert "到2026年12月2日，到期应还会是" in said and "罚息增加2.41元" in said, said


def test_paying_part_early_asked_without_an_amount_is_how_it_goes(run_action):
    # found by a probe (B004, current): 「那我只提前还一部分可以吗」 got the payoff again
    said = answer(run_action, "action_answer_early_repayment", "B004", "ask_early_repayment", text="那我只提前还一部分可以吗")
    assert said.startswith("可以只提前还一部分") and "不收手续费" in said and "到期未还" not in said
    overdue = answer(run_action, "action_answer_early_repayment", "B001", "ask_early_repayment", text="能提前还一部分吗")
    assert "会先还到期未还的2794.19元" in overdue
    whole = answer(run_action, "action_answer_early_repayment", "B004", "ask_early_repayment", text="能提前还清吗")
    assert "可以只提前还一部分" not in whole


def test_a_credit_reports_particular_question_is_answered_first(run_action):
    # found by a probe: 「还完能不能删掉记录」, 「是不是要把我拉黑名单了」, 「征信上多久能显示结清」 got the paragraph
    cases = (("逾期16天会上征信吗 还完能不能删掉记录", "逾期记录是如实报送的，不能花钱或申请提前删除"),
             ("你们是不是要把我拉黑名单了", "没有所谓的“黑名单”"), ("征信上多久能显示结清", "征信一般按月报送"))
    for text, start in cases:
        said = answer(run_action, "action_answer_credit_impact", "B007", "ask_credit_impact", text=text)
        assert said.startswith(start) and "按规定，借款的还款情况会报送" in said, text
    plain = answer(run_action, "action_answer_credit_impact", "B007", "ask_credit_impact", text="会上征信吗")
    assert plain.startswith("按规定")


def test_a_retry_or_a_holiday_asked_about_is_answered(run_action):
    # found by a probe (B001: debits failed 11-10 and 11-11): 「11月11号那次扣款为啥又扣一次」, 「那它还会再扣吗」 and
    # 「国庆节放假的时候扣款会顺延吗」 got the due-date paragraph
    for text in ("11月11号那次扣款为啥又扣一次", "那它还会再扣吗 啥时候扣"):
        said = answer(run_action, "action_answer_due_date", "B001", "ask_due_date", text=text)
        assert said.startswith("您的记录里11月10日、11月11日各扣过一次"), text
        assert "没法保证" in said and "2794.19" in said, text
    current = answer(run_action, "action_answer_due_date", "B004", "ask_due_date", text="要是那天卡里钱不够 会再扣一次吗")
    assert current.startswith("您目前没有到期未还的款项，下次在2026年12月20日还款日当天自动扣款") and "2026年12月23日" in current
    # read as ask_consequences (found by a probe: the lawful consequences, to a borrower who had told of job loss)
    cons = answer(run_action, "action_answer_consequences", "B004", "ask_consequences", text="要是那天卡里钱不够 会再扣一次吗")
    assert cons == current
    holiday = answer(run_action, "action_answer_due_date", "B005", "ask_due_date", text="元旦放假 1号那期节假日能顺延吗")
    assert holiday.startswith("还款日遇到周末或节假日不顺延，您没有开通自动还款") and "2027年1月1日" in holiday
    # read as out of scope (found live), before verification too: the rule
    run = run_action("action_out_of_scope", make_tracker("out_of_scope", "元旦放假 1号那期能顺延吗"))
    assert run.variables("utter_account_answer")["answer"].startswith("还款日遇到周末或节假日不顺延")
    hours = run_action("action_out_of_scope", make_tracker("out_of_scope", "国庆放假你们上班吗"))
    assert "不顺延" not in hours.all_text


def test_a_price_challenged_as_abuse_gets_the_rate_and_the_fees(run_action):
    # found by a probe (B003, B004): 「你们利息这么高 是不是高利贷」 and 「你们就是骗子 乱收费」 got the soothing line
    mine = run_action("action_answer_insult", make_tracker("insult", "你们利息这么高 是不是高利贷", slots=verified("B003")))
    said = mine.variables("utter_account_answer")["answer"]
    assert "年化利率（单利）14.60%" in said and "没有其他手续费" in said and "12378" in said
    anyone = run_action("action_answer_insult", make_tracker("insult", "你们就是骗子 乱收费"))
    said = anyone.variables("utter_account_answer")["answer"]
    assert "不收任何其他费用" in said and "异议" in said and not MONEY_OR_DATE.search(said)


def test_how_to_pay_asked_beside_the_due_date_is_answered_too(run_action):
    """Found live (B002): 「微粒货的钱啥时候扣 app里咋还」 got the due date only."""
    said = answer(run_action, "action_answer_due_date", "B002", "ask_due_date", text="微粒货的钱啥时候扣 app里咋还")
    assert "App“还款”页面用已绑定的银行卡主动还" in said
    why = answer(run_action, "action_answer_penalty", "B001", "ask_penalty", text="怎么还这么多罚息")
    assert "App“还款”页面用已绑定的银行卡主动还" not in why  # 还 as "still"


# another company's product named: whose it is, never an answer about the borrower's own loan
@pytest.mark.parametrize("action,intent,text", [
    ("action_offer_plans", "request_installment", "花呗能分期吗"),
    ("action_answer_how_to_pay", "how_to_pay", "借呗怎么还款"),
    ("action_check_payment", "inform_paid", "我花呗昨天已经还了"),
    ("action_handle_extension", "request_extension", "京东白条能晚几天还吗"),
    ("action_answer_balance", "ask_balance", "借呗还欠多少"),
])
def test_another_lenders_product_is_told_whose_it_is(run_action, action, intent, text):
    for slots in ({}, verified("B001")):
        run = run_action(action, make_tracker(intent, text, slots=slots))
        answer = run.variables("utter_account_answer")["answer"]
        assert "不是本行的借款" in answer and "App里联系它的客服" in answer
        assert run.responses == ["utter_account_answer"]  # no verification prompt, no plan, no figures
        assert not any(ch.isdigit() for ch in answer) and "微粒贷" not in answer
        assert "pending_confirmation" not in run.slots


def test_the_banks_own_loan_beside_another_product_is_answered(run_action):
    both = run_action("action_answer_credit_impact", make_tracker("ask_credit_impact", "借呗逾期会影响微粒贷吗",
                                                                   slots=verified("B001")))
    assert "不是本行的借款" not in str(both.variables("utter_account_answer"))
    means = run_action("action_answer_how_to_pay", make_tracker("how_to_pay", "能用花呗还吗", slots=verified("B001")))
    assert "不是本行的借款" not in str(means.variables("utter_account_answer"))


def test_factors_given_with_another_product_still_verify(run_action):
    run = run_action("action_offer_plans", make_tracker(
        "request_installment", "花呗能分期吗 身份证后四位3512 1988年3月12日",
        entities=[ent("id_last4", "3512"), ent("birth_date", "1988-03-12")],
        slots={"id_last4": "3512", "birth_date": "1988-03-12"}))  # what Rasa's slot mappings fill
    assert run.slots.get("verified") is True and run.slots.get("borrower_id") == "B001"
    assert "不是本行的借款" in run.variables("utter_account_answer")["answer"]
    assert "utter_plan_menu" not in run.responses


def test_the_annual_rate_asked_against_24_percent_is_answered(run_action):
    # found by a probe: 「你们这个年化多少 是不是超过24%了」 got the penalty computation again, word for word
    run = run_action("action_answer_penalty", make_tracker("ask_penalty", "你们这个年化多少 是不是超过24%了",
                                                           slots=verified("B001")))
    said = run.variables("utter_account_answer")["answer"]
    assert "年化利率（单利）18.25%" in said and "年化18.25%没有超过24%。" in said and "1.5倍" not in said
    plain = run_action("action_answer_penalty", make_tracker("ask_penalty", "年化利率多少", slots=verified("B001")))
    assert "18.25%" in plain.variables("utter_account_answer")["answer"]
    assert "24%" not in plain.variables("utter_account_answer")["answer"]


def test_what_is_left_after_paying_an_amount_on_a_later_day(run_action):
    # found by a probe (B001): 「那20号还完2000还剩多少」 got what the 20th will find with the 2000 left out
    text = "那20号还完2000还剩多少"
    entities = [{"entity": "date", "value": "2026-12-20", "start": 1, "end": 4, "text": "20号"},
                {"entity": "amount", "value": "2000.00", "start": 6, "end": 10, "text": "2000"}]
    run = run_action("action_answer_balance", make_tracker("ask_balance", text, entities=entities, slots=verified("B001")))
    said = run.variables("utter_account_answer")["answer"]
    assert said.startswith("到2026年12月20日到期应还5603.99元") and "还剩3603.99元" in said
    enough = [dict(e) for e in entities]
    enough[1]["value"] = "6000.00"
    run = run_action("action_answer_balance", make_tracker("ask_balance", "那20号还完6000还剩多少", entities=enough,
                                                           slots=verified("B001")))
    assert "全部还清" in run.variables("utter_account_answer")["answer"]
    plain = run_action("action_answer_balance", make_tracker("ask_balance", "20号那天要还多少", entities=entities[:1],
                                                             slots=verified("B001")))
    assert "如果这期间不再还款" in plain.variables("utter_account_answer")["answer"]


def test_a_promise_asked_after_is_not_a_payment_claim(run_action):
    # found by a probe (B001, after a collector recorded 12-15 / 2000): 「15号那个记上了吧」 was read as inform_paid
    # and told 「系统暂时没有查到您最近7天的还款入账」
    with session_scope() as s:
        loan = s.query(m.Loan).filter_by(borrower_id="B001").one()
        s.add(m.Promise(loan_id=loan.id, made_on=dt.date(2026, 12, 1), promised_date=dt.date(2026, 12, 15),
                        amount=D("2000.00"), status="open"))
    run = run_action("action_check_payment", make_tracker("inform_paid", "15号那个记上了吧", slots=verified("B001"),
                                                          entities=[ent("date", "2026-12-15")]))
    said = run.variables("utter_account_answer")["answer"]
    assert said.startswith("您约定的是：2026年12月15日当天或之前还2000.00元") and "入账" not in said


def test_the_penalty_and_the_credit_report_asked_together_are_both_answered(run_action):
    # found by a probe: 「罚息怎么算的 还有会不会上征信」 got the credit report only
    text = "罚息怎么算的 还有会不会上征信"
    for action, intent in (("action_answer_credit_impact", "ask_credit_impact"), ("action_answer_penalty", "ask_penalty")):
        run = run_action(action, make_tracker(intent, text, slots=verified("B001")))
        said = run.variables("utter_account_answer")["answer"]
        assert "罚息明细" in said and "征信" in said, action
    alone = run_action("action_answer_credit_impact", make_tracker("ask_credit_impact", "会不会上征信", slots=verified("B001")))
    assert "罚息明细" not in alone.variables("utter_account_answer")["answer"]


@pytest.mark.parametrize("text, entities", [
    ("帮我查下张伟欠多少 身份证后四位3512", [ent("id_last4", "3512")]),
    ("帮我查下张伟欠多少", []),
    ("查查王强的账", []),
])
def test_a_verified_borrower_asking_about_someone_else_is_told_only_their_own(run_action, text, entities):
    # found by a probe (verified as B007, 孙悦): 「帮我查下张伟欠多少 身份证后四位3512」 got B007's own figures, with
    # no word that 张伟's could not be given (rule 2)
    run = run_action("action_answer_balance", make_tracker("ask_balance", text, entities=entities, slots=verified("B007")))
    assert run.responses == ["utter_only_own_account"]


def test_the_borrowers_own_name_or_tail_is_answered(run_action):
    for text, entities in (("帮我查下孙悦欠多少", []), ("我身份证后四位5828 欠多少", [ent("id_last4", "5828")]),
                           ("查下我欠多少", [])):
        run = run_action("action_answer_balance", make_tracker("ask_balance", text, entities=entities, slots=verified("B007")))
        assert "utter_only_own_account" not in run.responses, text


def test_how_to_pay_again_with_a_frozen_card_says_to_change_it_first(run_action):
    # found by a probe (B007, card frozen): 「我卡被冻结了咋还款」 asked again got 「可以，…」 and that the 12-15 debit
    # would be taken from the card, 「请保证卡里余额充足」
    first = answer(run_action, "action_answer_how_to_pay", "B007", "how_to_pay", text="我卡被冻结了咋还款")
    said = how_to_pay_after(run_action, "B007", first, "我卡被冻结了咋还款")
    assert not said.startswith("可以") and "另一张银行卡" in said
    assert "请保证卡里余额充足" not in said and "换一张能正常使用的卡" in said and "银行卡被冻结" in said


def test_a_payment_said_to_be_last_month_is_looked_for_since_then(run_action):
    # found by a probe: 「我上个月其实已经转了2000过去了」 was told of the last 7 days only
    run = run_action("action_check_payment", make_tracker("inform_paid", "我上个月其实已经转了2000过去了",
                                                          entities=[ent("amount", "2000.00")], slots=verified("B001")))
    said = run.variables("utter_account_answer")["answer"]
    assert "11月1日以来" in said and "最近7天" not in said
    from bot.dialogue.explain import since_said

    assert since_said("上周还了", dt.date(2026, 12, 1)) == dt.date(2026, 11, 23)
    assert since_said("这个月初转的", dt.date(2026, 12, 1)) == dt.date(2026, 12, 1)
    assert since_said("上上个月", dt.date(2026, 1, 15)) == dt.date(2025, 11, 1)
    assert since_said("我已经还了", dt.date(2026, 12, 1)) is None


def test_the_promises_asked_for_are_listed_whatever_the_question_was_read_as(run_action):
    # found by a probe: 「我的还款承诺有哪些」 got the ways to pay, twice
    with session_scope() as s:
        loan = s.query(m.Loan).filter_by(borrower_id="B003").one()
        s.add(m.Promise(loan_id=loan.id, made_on=dt.date(2026, 12, 1), promised_date=dt.date(2026, 12, 4),
                        amount=D("1000.00"), status="open"))
    for action, intent in (("action_answer_how_to_pay", "how_to_pay"), ("action_answer_balance", "ask_balance")):
        run = run_action(action, make_tracker(intent, "我的还款承诺有哪些", slots=verified("B003")))
        assert run.variables("utter_account_answer")["answer"].startswith("您约定的是：2026年12月4日当天或之前还1000.00元"), action
    none = run_action("action_answer_how_to_pay", make_tracker("how_to_pay", "我的还款承诺有哪些", slots=verified("B004")))
    assert none.variables("utter_account_answer")["answer"].startswith("您目前没有约定过还款日期")


def test_changing_the_debit_card_is_explained(run_action):
    # found by a probe (B004, current, autodebit on): 「我的卡换了 咋换绑」 got only 「…自动扣款会在那天从扣款卡扣，请保证卡里
    # 余额充足」, the old card left to be debited
    run = run_action("action_answer_how_to_pay", make_tracker("how_to_pay", "我的卡换了 咋换绑", slots=verified("B004")))
    said = run.variables("utter_account_answer")["answer"]
    assert said.startswith("换绑还款卡：在App“还款卡管理”里") and "2026年12月20日的1733.30元就从新卡自动扣款" in said


def test_a_current_borrower_afraid_of_an_empty_card_hears_of_the_grace_days_not_lawsuits(run_action):
    # found by a probe (B004, current): 「我要是20号卡里没钱会咋样」 got the consequences, 民事诉讼 and all
    run = run_action("action_answer_consequences", make_tracker("ask_consequences", "我要是20号卡里没钱会咋样",
                                                                slots=verified("B004"), entities=[ent("date", "2026-12-20")]))
    said = run.variables("utter_account_answer")["answer"]
    assert "诉讼" not in said and "宽限" in said
    overdue = run_action("action_answer_consequences", make_tracker("ask_consequences", "不还会怎样", slots=verified("B001")))
    assert "诉讼" in overdue.variables("utter_account_answer")["answer"]


def test_a_claimed_payment_not_among_those_found_is_said_to_be_missing(run_action):
    # found by a probe (B007, 500 paid on 11-30): 「我上周转了2000过去」 got the 500 reported, the 2000 never mentioned
    run = run_action("action_check_payment", make_tracker("inform_paid", "我前几天转了2000过去",
                                                          entities=[ent("amount", "2000.00")], slots=verified("B007")))
    said = run.variables("utter_account_answer")["answer"]
    assert "11月30日500.00元" in said and "没有查到您说的2000.00元这一笔" in said
    assert run.variables("utter_account_answer")["buttons"][0]["payload"] == "/request_human"
    same = run_action("action_check_payment", make_tracker("inform_paid", "我前几天转了500",
                                                           entities=[ent("amount", "500.00")], slots=verified("B007")))
    assert "没有查到" not in same.variables("utter_account_answer")["answer"]


def test_a_settled_borrower_who_still_sees_a_debt_is_offered_a_check(run_action):
    # found by a probe (B008, settled): 「我早就还清了为啥app还显示我欠钱」 got the settled template again, no check
    for action, intent in (("action_check_payment", "inform_paid"), ("action_answer_balance", "ask_balance")):
        run = run_action(action, make_tracker(intent, "我早就还清了为啥app还显示我欠钱", slots=verified("B008")))
        answer = run.variables("utter_account_answer")
        assert answer["answer"].startswith("我们这边查到您的借款已经全部结清") and answer["buttons"][0]["payload"] == "/request_human"


def test_fear_of_being_arrested_is_answered_plainly(run_action):
    # found by a probe: 「微粒货逾期了会咋样 会不会被抓」 got the consequences without a plain no
    run = run_action("action_answer_consequences", make_tracker("ask_consequences", "微粒货逾期了会咋样 会不会被抓",
                                                                slots=verified("B001")))
    assert run.variables("utter_account_answer")["answer"].startswith("逾期还款本身属于民事纠纷")


def test_asking_after_the_opt_out_is_answered_not_checked_as_a_payment(run_action):
    # found by a probe (B006 just opted out): 「那我还款日你们也不提醒了？」 got 「没有查到…还款入账」; (B001)
    # 「刚才说的退订记上了吗」 got 「账户状态正常」
    with session_scope() as s:
        from bot.services import cases

        cases.opt_out(s, "B006", "proactive", "oo6")
    for text in ("那我还款日你们也不提醒了？", "刚才说的退订记上了吗"):
        run = run_action("action_check_payment", make_tracker("inform_paid", text, slots=verified("B006"), sender="oo6"))
        said = run.variables("utter_account_answer")["answer"]
        assert said.startswith("已经记上了：2026年12月1日起不再主动给您发送提醒消息"), said
        assert "2163.55" in said and "没有查到" not in said
    # without an opt-out on record, or with a payment in the words, it is the payment check as before
    run = run_action("action_check_payment", make_tracker("inform_paid", "刚才说的退订记上了吗", slots=verified("B001")))
    assert not run.variables("utter_account_answer")["answer"].startswith("已经记上了")
    run = run_action("action_check_payment", make_tracker("inform_paid", "我还了 别再发提醒了", slots=verified("B006"),
                                                         sender="oo6"))
    assert run.variables("utter_account_answer")["answer"].startswith("系统暂时没有查到")


def test_would_paying_this_much_clear_it_gets_a_yes_or_a_no(run_action):
    # found by a probe (B005, due 2781.86): 「今天还2781.86是不是就不逾期了」 got the balance, no yes or no
    def said(text, amount):
        run = run_action("action_answer_balance", make_tracker("ask_balance", text, slots=verified("B005"),
                                                               entities=[ent("date", "2026-12-01"), ent("amount", amount)]))
        return run.variables("utter_account_answer")["answer"]

    yes = said("今天还2781.86是不是就不逾期了", "2781.86")
    assert yes.startswith("是的。如果今天还清到期的2781.86元，这笔借款就不再逾期"), yes
    no = said("今天还2000是不是就不逾期了", "2000.00")
    assert no.startswith("不会。今天还2000.00元以后，到期未还的还剩781.86元，仍然算逾期"), no
    assert "还清到期的2781.86元才不再逾期" in no
