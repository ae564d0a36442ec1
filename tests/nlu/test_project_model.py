"""The project's trained model (config.yml, data/nlu) on messages that once misled it.

Written here, not taken from ../shared/eval. Which digits a number has must not decide the
intent: an amount of 9999 or 1999 is not a birth year or an ID tail (the n-gram classifier's
``mask_digits``, bot/nlu/intent_ensemble.py)."""
import asyncio

import pytest


@pytest.fixture
def agent(project_agent):
    return project_agent


def intent_of(agent, text: str) -> str:
    return asyncio.run(agent.parse_message(text))["intent"]["name"]


@pytest.mark.parametrize("text, intent", [
    ("我明天还9999元", "promise_to_pay"),
    ("我明天还99999999元", "promise_to_pay"),
    ("我月底还1999", "promise_to_pay"),
    ("我已经还了9999元", "inform_paid"),
    ("手机尾号9999", "inform_identity"),
    ("身份证后四位1999", "inform_identity"),
    ("1999年9月9日", "inform_identity"),
    # found live: asked for the ID tail, 「9150 6006」 was goodbye (「886」 masked is 「000」)
    ("9150 6006", "inform_identity"),
    ("3512，1001", "inform_identity"),
])
def test_numbers_do_not_decide_the_intent(agent, text, intent):
    assert intent_of(agent, text) == intent


@pytest.mark.parametrize("text", ["我不还了", "不想还了 你们告吧", "这笔钱我不打算还"])
def test_a_refusal_to_pay_is_not_a_payment_claim(agent, text):
    """「还了」 is how payment claims end; 「我不还了」 was inform_paid at 0.86, and the bot answered
    a refusal with 'no payment found in the last 7 days'. A refusal is deny (the contract: "no,
    refuses"); the dialogue answers it as such."""
    assert intent_of(agent, text) not in ("inform_paid", "promise_to_pay")


@pytest.mark.parametrize("text", ["我是孙悦", "我是王强", "我是本人 孙悦", "我是刘芳芳"])
def test_a_borrower_giving_their_name_is_not_turned_away(agent, text):
    """「我是孙悦」 was not_borrower at 0.62 (「我是」 opens 「我是他老婆」 and the other third parties), and
    the bot told the borrower it could not discuss the account with anyone but the borrower."""
    assert intent_of(agent, text) == "inform_identity"


@pytest.mark.parametrize("text", ["我是他老婆", "我是孙悦的妈妈", "我不是孙悦"])
def test_third_parties_still_are(agent, text):
    assert intent_of(agent, text) == "not_borrower"


@pytest.mark.parametrize("text, intent", [
    # written here, not the training examples: an expired or replaced card is a how-to-pay question
    ("我的卡过期了 怎么弄", "how_to_pay"),
    ("银行卡换新的了怎么办", "how_to_pay"),
    # thanking and leaving ends the conversation (was thank, answered 「还有什么可以帮您？」)
    ("好的 谢谢 再见啦", "goodbye"),
    ("谢了 拜拜", "goodbye"),
    ("谢谢", "thank"),
    # a new card and whether it is debited is how to pay, not a payment claim (「已经…了」)
    ("新卡我已经绑上了 今天会自动扣吗", "how_to_pay"),
    # a leak of personal data is a complaint, not a dispute of the debt
    ("你们怎么把我的电话给了别人", "complain"),
    ("我的信息是不是被你们卖了", "complain"),
    # 「我要查账」 was a fallback: checking one's account is asking the balance
    ("麻烦查下我的账", "ask_balance"),
    # 「我只有1500」 was dispute_debt (and opened a case); 「我想约个时间还」 was ask_due_date
    ("现在手上就只有九百", "promise_to_pay"),
    ("我想跟你们约个日子把钱还了", "promise_to_pay"),
    # 「那你们再扣一次呗」 was complain (and opened a ticket): asking for a debit now is how to pay
    ("卡里有钱了 你们重新扣吧", "how_to_pay"),
    # venting before a question: the question (「烦死了 卡又被冻了」 got only the reply to venting)
    ("烦死了 银行卡被冻了怎么还", "how_to_pay"),
    ("气死我了 为什么又扣款失败", "ask_overdue_reason"),
    ("烦死人了 这张卡又被冻结了", "how_to_pay"),
    ("气死我了 又扣款失败了", "ask_overdue_reason"),
    # English: 「can i pay 1000 on friday」 was inform_identity, 「thanks bye」 thank
    ("could i pay 800 next wednesday", "promise_to_pay"),
    ("ok thanks a lot, bye", "goodbye"),
    # declining a plan is deny (「不需要分期」 was request_installment at 0.98)
    ("不要分期了", "deny"),
    ("分期我不需要", "deny"),
    # the service number asked for is a person wanted, not a complaint (it was complain at 0.54)
    ("你们的客服电话多少", "request_human"),
    # a smaller monthly amount asked for (「再少点呢 1000行不行」 was goodbye: 再 as in 再见)
    ("再少点呢 1000行不行", "request_installment"),
    ("每个月还得太多了 能再少点吗", "request_installment"),
    # English questions (「can i pay it early」 was promise_to_pay and got the extension answer)
    ("can i pay it early", "ask_early_repayment"),
    ("what happens if i dont pay", "ask_consequences"),
    ("will it go on my credit report", "ask_credit_impact"),
    # a name alone (「王强」 was an insult): the borrower saying who they are
    ("刘洋", "inform_identity"),
    ("周杰", "inform_identity"),
])
def test_found_in_live_conversations(agent, text, intent):
    assert intent_of(agent, text) == intent


@pytest.mark.parametrize("text", ["新卡换好啦", "银行卡我已经换绑好了", "改好了", "弄完了", "扣款卡绑好了"])
def test_saying_something_is_done_is_not_distress(agent, text):
    """Found live (B002): 「换好了」, after being told to change the expired card, was express_distress
    (「遗书已经写好了」 and the like end the same way) and got the crisis reply and a person."""
    assert intent_of(agent, text) in ("how_to_pay", "affirm"), text


@pytest.mark.parametrize("text", ["烦死人了", "急死人了", "吓死人了", "笑死我了", "钱存进去了", "没啥事了", "你还在吗"])
def test_everyday_words_are_not_distress(agent, text):
    """Found probing short replies: 「烦死了」, 「急死了」, 「笑死」 (死 as an intensifier), 「钱准备好了」,
    「充好了」, 「我在」 were express_distress, which sends the crisis lines and a person. Written here,
    not the training examples; the safety net's own phrases are tested in tests/compliance."""
    assert intent_of(agent, text) != "express_distress", text


@pytest.mark.parametrize("text, question", [
    ("我失业了 会不会被起诉", "ask_consequences"),
    ("最近生病住院了 罚息怎么算的", "ask_penalty"),
    ("老家遭了水灾 逾期会不会上征信", "ask_credit_impact"),
    # forgetting to pay is why they are late (hardship_type forgot); forgetting the date is not
    ("上个月忘记还了 现在会上征信吗", "ask_credit_impact"),
    ("忘了还款 逾期了怎么办", "ask_consequences"),
])
def test_a_question_naming_a_hardship_is_inform_hardship(agent, text, question):
    """The contract's precedence: by the model itself, or by bot/nlu/precedence.py when the model
    said the question. Either way the question is kept for the dialogue to answer: read behind the
    hardship words when the model said inform_hardship (only for a cannot-pay hardship, not forgot)."""
    parsed = asyncio.run(agent.parse_message(text))
    assert parsed["intent"]["name"] == "inform_hardship"
    if "忘" in text:
        assert parsed.get("question_intent") in (None, question)
    else:
        assert parsed.get("question_intent") == question


@pytest.mark.parametrize("text", ["我住院了 没钱还", "生意失败了 实在还不上", "疫情期间店关了", "我现在没工作 收入很少",
                                  "我失业了"])
def test_a_hardship_that_asks_nothing_gets_no_question(agent, text):
    parsed = asyncio.run(agent.parse_message(text))
    assert parsed["intent"]["name"] == "inform_hardship" and parsed.get("question_intent") is None


def test_a_question_that_only_sounds_like_a_hardship_stays_a_question(agent):
    assert intent_of(agent, "提前还款是不是亏了") != "inform_hardship"
    assert intent_of(agent, "我忘了还款日是几号") == "ask_due_date"


@pytest.mark.parametrize("text, intent", [
    # written here, not taken from ../shared/eval: the contract read for late payers. What happens
    # after a due date passes is ask_consequences (data had 「不还会怎样」 but hardly 「逾期了怎么办」)
    ("超过还款日两天了 会怎样", "ask_consequences"),
    ("逾期了一周 接下来怎么办", "ask_consequences"),
    ("这期晚了几天没还上 后果严重吗", "ask_consequences"),
    # what if a promised day comes and the money does not (found live after a promise: asked to confirm it again)
    ("万一下周五还不上咋办", "ask_consequences"),
    ("如果月底还是还不上会怎么样", "ask_consequences"),
    # saying one cannot pay and asking what to do explains a hardship
    ("这个月实在还不起 怎么办", "inform_hardship"),
    # a refunded purchase still billed contests the amount
    ("退款都到账了 怎么还要我还", "dispute_debt"),
    # whether an overdue record stops future loans is credit impact; borrowing again after settling is not ours
    ("逾期以后还能继续借款吗", "ask_credit_impact"),
    ("结清以后还能再借吗", "out_of_scope"),
])
def test_late_payers_as_the_contract_reads_them(agent, text, intent):
    assert intent_of(agent, text) == intent


@pytest.mark.parametrize("text", [
    # written here, not taken from ../shared/eval (the training examples are other sentences): a
    # borrower on autodebit names the day the money will be in the card and the debit can run
    # (read as ask_due_date or ask_overdue_reason before 22 such examples were added)
    "15号以后再扣 那时候工资到账了",
    "我后天存钱 存好了你们再扣",
    "月底之前会存够钱 到时候自动扣就好",
    "钱下礼拜一到 到时候再划扣",
])
def test_a_day_to_debit_is_a_promise(agent, text):
    assert intent_of(agent, text) == "promise_to_pay"


@pytest.mark.parametrize("text", ["到时候扣的是16002.35还是16050.10", "9876.54对吗", "是2288.80吗"])
def test_an_amount_with_fen_is_checked_not_an_identity_factor(agent, text):
    """Found live (B003, verified): 「到时候是扣15141.35还是15191.21」 was inform_identity (0.68) and got
    「您已经验证过身份了」; no identity factor has a decimal point."""
    assert intent_of(agent, text) == "ask_balance"


@pytest.mark.parametrize("text", ["这个月的扣了没", "钱扣走了没有", "今天的扣了没"])
def test_asking_whether_the_debit_ran_is_a_debit_question_not_a_dispute(agent, text):
    """Found live (B004): 「这个月的扣了没」 was dispute_debt (0.44) and was asked to confirm a dispute. What
    asks about the debit, ask_due_date by the contract (when the debit runs); its answer and
    ask_overdue_reason's both tell what became of the latest debit."""
    assert intent_of(agent, text) == "ask_due_date"


@pytest.mark.parametrize("text", ["我想一想", "我再想想吧", "让我再考虑一下"])
def test_taking_time_to_think_is_not_distress(agent, text):
    """Found in a parse sweep: 「我想一想」 was express_distress (0.63), which puts the conversation in
    distress handling (compliance rule 9) for someone who only wants to think it over."""
    assert intent_of(agent, text) != "express_distress"
    assert intent_of(agent, text) == "deny"


@pytest.mark.parametrize("text", ["<iframe src=x></iframe>", "1' or '1'='1", "javascript:void(0)", "%00%0a", "qwertyuiop"])
def test_code_and_keyboard_mashing_write_nothing(agent, text):
    """「<script>alert(1)</script>」 was stop_contact (0.44) and recorded an opt-out. Junk must not
    land on an intent whose action writes to the ledger or the case queue."""
    intent = intent_of(agent, text)
    assert intent not in ("stop_contact", "dispute_debt", "complain", "inform_hardship", "promise_to_pay", "inform_paid")


@pytest.mark.parametrize("text, intent", [
    # found live (2026-12-02): a complaint ticket and a handoff; the lawsuit paragraph to a willing payer;
    # the borrower shut out as 「not the borrower」
    ("你们是不是要起诉我", "ask_consequences"),
    ("支付宝能还不", "how_to_pay"),
    ("我老公跑了 钱都是他花的 我哪有钱还", "inform_hardship"),
    ("一年的", "request_installment"),  # a term alone (TermAloneIsInstallment)
    ("我老婆让我问下还多少", "not_borrower"),  # asking for someone (bot/nlu/precedence.py)
])
def test_found_live_on_the_second_of_december(agent, text, intent):
    assert intent_of(agent, text) == intent


@pytest.mark.parametrize("text, intent", [
    # found by a probe (2026-12-02): Cantonese fell back; dialect words are Mandarin after the normaliser
    ("冇钱还 点算", "inform_hardship"),
    ("几时扣款", "ask_due_date"),
    ("我已经还咗啦", "inform_paid"),
    ("啥子时候还款", "ask_due_date"),
])
def test_dialect_as_borrowers_type_it(agent, text, intent):
    assert intent_of(agent, text) == intent


@pytest.mark.parametrize("text, intent", [
    # found by a probe (2026-12-02): a change of mind with a request in it was read as deny, and the request lost
    ("算了还是12期吧", "request_installment"),
    ("不用分期了 我月底一次还清", "promise_to_pay"),
    ("算了不争了 我认了 给我分60期吧", "request_installment"),
    # an exact amount with fen was read as a balance question
    ("15号还388.7元", "promise_to_pay"),
])
def test_found_by_the_third_probe(agent, text, intent):
    assert intent_of(agent, text) == intent
