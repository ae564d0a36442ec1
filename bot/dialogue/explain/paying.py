"""How to pay: the ways, someone else's card, wallets, paying part, whether it went through (posting,
the payment check), whether today's amount is enough, and what paying today or later does."""
from __future__ import annotations

import datetime as dt

import re
from decimal import Decimal

from bot.clock import cn_date
from bot.dialogue.consent import asks_anything
from bot.dialogue.explain.autodebit import (
    AUTODEBIT_WORDS,
    own_situation_card,
    asks_how_to_set_up_autodebit,
    asks_to_debit_again,
    autodebit_setup,
    debit_again,
    card_problem,
    card_seen_to,
    says_card_is_set,
)
from bot.dialogue.explain.credit import CREDIT_RECORD_YEARS
from bot.dialogue.explain.owed import balance
from bot.dialogue.explain.paying_early import HOW_TO_REPAY_EARLY
from bot.dialogue.explain.service_desk import PHONE_CHANGE, says_phone_changed
from bot.dialogue.explain.wording import asks_yes_no
from bot.ledger.money import yuan
from bot.ledger.rules import GRACE_DAYS
from bot.services.account import LoanView


#: 「可以用我妈的卡还吗」, 「老公帮我还行不行」: paying from someone else's card or account
_OTHERS_ACCOUNT = re.compile(
    r"(别人|他人|其他人|家人|家里人|朋友|亲戚|同事|老公|老婆|丈夫|妻子|爸|妈|父母|儿子|女儿|哥|姐|弟|妹|对象)"
    r"(的|名下的?)?(银行卡|卡|账户|帐户|账号|支付宝|微信|信用卡)"
    r"|(别人|他人|家人|家里人|朋友|亲戚|老公|老婆|爸|妈|父母|儿子|女儿|哥|姐|弟|妹|对象)(能|可以|来)?(帮|替|代)我?还"
    r"|代还|代付")


def asks_about_others_account(text: str) -> bool:
    return bool(text) and _OTHERS_ACCOUNT.search(text) is not None


#: how long a payment takes to show (said wherever it comes up)
TRANSFER_DELAY = "跨行转账有时需要1-2个工作日到账"
POSTING = ("还款成功后，可以在App的“借款记录”里看到这笔还款和更新后的应还金额；" + TRANSFER_DELAY
           + "。如果钱已经从卡里扣走，但App里还没有显示，请保留银行的扣款记录，告诉我“我已经还了”，我帮您查；也可以转人工核实。")


#: 「还完了会有短信吗」, 「还款后多久到账」: how the borrower will know a payment went through
_PAID_THEN = re.compile(r"(还完|还了|还款后|还款之后|还款成功|还上|还进去)[^，。？?]{0,8}(短信|通知|提醒|到账|显示|知道|查)")


def asks_how_to_know_it_went_through(text: str) -> bool:
    return bool(text) and _PAID_THEN.search(text) is not None


#: 「用支付宝可以还吗」, 「微信能还不」: a wallet or payment app named as the way to pay
_WALLET = re.compile(r"支付宝|微信|云闪付|余额宝|零钱通|财付通|京东|美团|数字人民币|alipay|wechat", re.I)


def asks_about_wallet(text: str) -> bool:
    return bool(text) and _WALLET.search(text) is not None


def how_to_pay(view: LoanView | None, text: str = "") -> str:
    return specific_way_to_pay(view, text) or _ways_to_pay(view)


#: 「那剩下的387怎么还」, 「这笔在哪还」: how (or where) to pay is asked, not said when
_ASKS_HOW = re.compile(r"(怎么|怎样|如何|咋)(还|付|转|交|操作|弄)|(在哪|哪里|哪儿)(还|付|转|交|操作)")
_PAY_VERB = re.compile(r"还|付|转|交|存")


def asks_how(text: str) -> bool:
    return bool(text) and _ASKS_HOW.search(text) is not None


def names_paying(text: str) -> bool:
    """A pay verb in the text: 「12月10日还2000块」, 「12/20存5000」."""
    return bool(text) and _PAY_VERB.search(text) is not None


def says_when_paying(text: str) -> bool:
    """「行 那我明天用我自己另一张卡还」: a statement of paying (a day is given with it), not a question."""
    return (bool(text) and _PAY_VERB.search(text) is not None and not asks_anything(text)
            and _MAY_I.search(text) is None)


#: 「能不能先还一部分」, 「只还一点行不行」: paying part of what is due, not a plan (「分几次还」 asks for one)
#: 「能不能先还个利息」 (found live: handed off as a fee waiver) is paying a part too
#: 「现在能还多少算多少吗」, 「有多少还多少行不行」 (found live, B006: got the balance) too
_PAY_PART = re.compile(r"(先|只)?还(一)?部分|部分还款?|(先|只)还一点|还一些|(先|只)还(个|点|一下)?利息"
                       r"|还多少算多少|有多少还多少|能还多少还多少")


_MAY_I = re.compile(r"能不能|可不可以|行不行|能否|可否|允许")


def asks_to_pay_part(text: str) -> bool:
    """A question (「…行吗」, 「能不能…」); 「我先还一部分吧」 says it, and is heard as said."""
    return bool(text) and _PAY_PART.search(text) is not None and (asks_yes_no(text) or _MAY_I.search(text) is not None)


def paying_part(view: LoanView | None) -> str:
    """Found live (B001, 21 days late): 「能不能先还一部分」 got the list of ways to pay. Yes, and where a
    part goes (ledger.md: oldest installment first; penalty, then interest, then principal), and that
    what stays unpaid keeps its penalty running."""
    head = "可以先还一部分，在App“还款”页面输入想还的金额就行。"
    rule = "还的钱先冲抵最早一期的罚息，再冲抵利息，最后是本金；没还上的逾期本金会继续按天计罚息。"
    if view is None:
        return head + rule + "验证身份后，我可以告诉您具体的金额。"
    st = view.statement
    if st.settled:
        return "您的借款已经结清了，不需要再还款。"
    if st.amount_due_now == 0:
        return ("您现在没有到期未还的款项。也可以提前还一部分，" + HOW_TO_REPAY_EARLY
                + "告诉我想还多少，我可以算给您听这笔钱会怎么冲抵。")
    if view.dispute_open:  # compliance rule 10: nothing urges to pay while it is checked
        return head + rule
    parts = []
    if st.penalty_due > 0:
        parts.append(f"罚息{yuan(st.penalty_due)}元")
    if st.interest_due > 0:
        parts.append(f"利息{yuan(st.interest_due)}元")
    order = f"您到期未还的{yuan(st.amount_due_now)}元里，" + ("、".join(parts) + "会先被冲抵，然后才是" if parts else "都是") \
        + f"本金{yuan(st.principal_due)}元。"
    return (head + rule + order + "您打算先还多少、哪天还？告诉我，我帮您记下来"
            + ("；如果每月都周转困难，也可以问我分期的方案。" if not st.in_grace else "。"))


def specific_way_to_pay(view: LoanView | None, text: str) -> str | None:
    """The answer to a particular how-to-pay question (a debit again, a wallet, how a payment is seen,
    someone else's card, paying part), or None when the message asks how to pay in general."""
    if asks_to_pay_part(text):
        return paying_part(view)
    if asks_how_to_set_up_autodebit(text):
        return autodebit_setup(view)
    if (view is not None and not view.loan.autodebit and not view.statement.settled
            and re.search(AUTODEBIT_WORDS, text or "") and not says_card_is_set(text)):
        # found live (B005, no autodebit): 「今天那期能自动扣吗」 got 「可以，今天就能…主动还款」
        return autodebit_setup(view)
    if says_phone_changed(text):
        return PHONE_CHANGE
    if asks_to_debit_again(text):
        # found live (B001): 「那你们再扣一次呗」 was read as a complaint and a ticket was opened
        return debit_again(view)
    if asks_about_wallet(text) and not asks_about_others_account(text):
        # found live (B007): 「用支付宝可以还吗」 was answered 「可以，今天就能在App…选您本人的银行卡」
        answer = ("这笔借款要在App“还款”页面用您本人名下的银行卡还，不能直接用支付宝、微信等支付账户还。"
                  "钱在这些账户里的，可以先提现或转到您本人的银行卡上，再在App里主动还款。为了安全，请不要把钱转给任何个人账户。")
        return answer + own_situation(view)
    if asks_how_to_know_it_went_through(text):
        # found live: 「还完了会有短信吗」 was read as ask_consequences and got the consequences of not paying
        return POSTING
    if asks_about_others_account(text):
        # intents.md's own example, 「能用别人的卡还吗」: the answer first, not the list it hides in
        answer = ("还款要用您本人名下的银行卡，家人或朋友的卡不能直接用来还。可以请他们先把钱转到您本人的卡上，"
                  "再由您在App“还款”页面主动还款。为了安全，请不要把钱转给任何个人账户。")
        return answer + own_situation(view)
    return None


def _ways_to_pay(view: LoanView | None) -> str:
    text = ("还款方式：1）在App“还款”页面主动还款，可以选已绑定的银行卡；2）在“还款卡管理”里更换扣款卡；"
            "3）开通自动还款后，还款日当天自动扣款；4）也可以用本人名下其他银行卡还款。为了安全，请不要转账给任何个人账户。")
    if view is not None and not view.loan.autodebit:
        text += "您目前还没有开通自动还款，建议开通，避免忘记。"
    return text + own_situation(view)


def how_to_pay_again(view: LoanView, text: str = "") -> str:
    """how_to_pay asked again once the ways were given (found live, B002: 「绑好了 现在能自动扣吗」 and
    「那我今天主动还可以吗」 each got the same long paragraph): the short personal answer. Told the card
    is seen to (found live, B002: 「换好了」 was read as distress), what to do now, not 「可以」."""
    st = view.statement
    parts = []
    card_set = says_card_is_set(text)
    # the card that failed, not yet said to be seen to (found by a probe, B007, card frozen: 「我卡被冻结了咋还款」
    # three times, told 「可以」 and to keep money on that card for the next debit)
    card = None if card_seen_to(text) else card_problem(view)
    if st.amount_due_now > 0:
        yes = "可以，" if asks_yes_no(text) else ""
        parts.append(f"好的。已到期的{yuan(st.amount_due_now)}元不会等到下个还款日，请现在就在App“还款”页面"
                     "选新卡主动还款。" if card_set else
                     f"{yes}今天就能在App“还款”页面选您本人的{'另一张' if card else ''}银行卡（包括新换绑的卡）主动还款，"
                     f"还{yuan(st.amount_due_now)}元。")
        if st.in_grace:
            parts.append(f"现在还在{GRACE_DAYS}天宽限期内，宽限期内还清不收罚息。")
        elif st.overdue_installments:
            parts.append("逾期本金还清后，罚息就不再增加。")
    else:
        parts.append("您目前没有到期未还的款项。")
    nxt = st.next_installment
    if nxt is not None:
        when = f"下一期还款日是{cn_date(nxt.due_date)}，应还{yuan(nxt.owed(st.as_of))}元"
        if view.loan.autodebit and card is not None:
            parts.append(f"{when}。上次自动扣款因“{card[1]}”没有成功，请先在“还款卡管理”换一张能正常使用的卡，"
                         "否则那天还会扣不成功。")
        else:
            parts.append(f"{when}，自动扣款会在那天从扣款卡扣，请保证卡里余额充足。" if view.loan.autodebit
                         else f"{when}，您没有开通自动还款，请在那天之前主动还款。")
    return "".join(parts)


def enough_today(view: LoanView, amount: Decimal) -> str:
    """Whether paying ``amount`` today clears what is due (to the fen), and what comes next."""
    st = view.statement
    if amount >= st.amount_due_now:
        text = f"够了：今天还{yuan(st.amount_due_now)}元，到期未还的部分就全部还清了，不再逾期。"
        nxt = view.if_paid_today(amount).next_installment
        if nxt is not None:
            text += f"下一期还款日是{cn_date(nxt.due_date)}，应还{yuan(nxt.owed(st.as_of))}元。"
        return text
    rest = st.amount_due_now - amount
    return f"今天还{yuan(amount)}元后，还有{yuan(rest)}元到期未还，要还清到期的部分，今天需要还{yuan(st.amount_due_now)}元。"


def own_situation(view: LoanView | None) -> str:
    """What this borrower's card or arrears add to how to pay: the card to see to, and not to wait."""
    text = own_situation_card(view)
    overdue = view.statement.overdue_installments if view is not None and not view.dispute_open else []
    if overdue and view.loan.autodebit:  # (with a dispute open, nothing urges to pay: compliance rule 10)
        # 「那我现在转进去 会自动扣吗」 (B001, 21 days late): what is late should not wait for an autodebit
        # the bank schedules on due dates; paying it now is what stops the penalty
        st = view.statement
        if st.in_grace:  # ledger.md: paid in full within the grace days, no penalty
            text += (f"您有{yuan(st.amount_due_now)}元已到期未还，现在还在{GRACE_DAYS}天宽限期内：建议不要等自动扣款，"
                     "尽快在App“还款”页面主动还款，宽限期内还清不收罚息。")
        else:  # penalty runs on the overdue principal, day by day, until it is paid
            text += (f"您有{yuan(st.amount_due_now)}元已逾期，罚息按天计算：建议不要等自动扣款，"
                     "尽快在App“还款”页面主动还款，逾期本金还清后罚息就不再增加。")
    return text


#: 「今天还了是不是就不算逾期了」, 「还了以后会不会…」, 「要是还了…吗」: what paying would do, not a claim
_IF_PAID = re.compile(r"(要是|如果|假如|假设)|还(了|清|上)(以后|之后|后)?.{0,6}(是不是|会不会|能不能|就不|还会|就能|就可以)"
                      r"|还\s?[\d.,]+\s?(元|块)?.{0,4}(是不是|会不会|就不|就能|就可以)"
                      r"|\b(what )?if i pay\b|\bafter i pay\b|\bonce i pay\b", re.I)


def asks_if_paid(text: str) -> bool:
    return bool(text) and _IF_PAID.search(text) is not None


def if_paid_today(view: LoanView, amount: Decimal | None = None) -> str:
    """What paying today would do (ledger.md: penalty only on overdue principal; the credit rules as
    in ``credit_impact``). ``amount``: the sum the borrower named (「今天还2781.86是不是就不逾期了」, found by
    a probe: answered with the balance, no yes or no); less than is due leaves the rest overdue."""
    st = view.statement
    if amount is not None and 0 < amount < st.amount_due_now:
        return (f"不会。今天还{yuan(amount)}元以后，到期未还的还剩{yuan(st.amount_due_now - amount)}元，仍然算逾期"
                f"{'，罚息按剩下的逾期本金继续计算' if st.overdue_installments and not st.in_grace else ''}。"
                f"还清到期的{yuan(st.amount_due_now)}元才不再逾期。")
    if amount is not None and amount >= st.amount_due_now > 0:
        return "是的。" + if_paid_today(view)
    text = f"如果今天还清到期的{yuan(st.amount_due_now)}元，这笔借款就不再逾期"
    text += "，罚息也不再增加。" if st.overdue_installments and not st.in_grace else "。"
    if st.overdue_installments and not st.in_grace:
        text += f"已经发生的逾期记录不会因为还清而消失（按规定结清后保留{CREDIT_RECORD_YEARS}年），但尽快还上可以减少影响。"
    nxt = st.next_installment
    if nxt is not None:
        text += f"之后按时还下一期即可（{cn_date(nxt.due_date)}，{yuan(nxt.owed(st.as_of))}元）。"
    return text


#: a past period named for a payment: 「我上个月其实已经转了2000」 (found by a probe: the last 7 days were checked)
_PAST_PERIOD = re.compile(r"上上个?月|上个?月|上上周|上个?(周|星期|礼拜)|这个?月|本月|月初")


def since_said(text: str, today: dt.date) -> dt.date | None:
    """The first day of the past period a message names (上个月 → the 1st of last month), or None."""
    m = _PAST_PERIOD.search(text or "")
    if m is None:
        return None
    said = m.group(0)
    if said.startswith("上上") and "月" in said:
        y, mo = (today.year, today.month - 2) if today.month > 2 else (today.year - 1, today.month + 10)
        return dt.date(y, mo, 1)
    if said.startswith("上") and "月" in said:
        return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    if said.startswith("上"):
        weeks = 2 if said.startswith("上上") else 1
        return today - dt.timedelta(days=today.weekday() + 7 * weeks)
    return today.replace(day=1)  # 这个月 / 本月 / 月初


def claimed_not_found(view: LoanView, claimed: Decimal | None, days: int = 7, since: dt.date | None = None) -> str:
    """The amount the borrower says they paid, when payments were found but none (nor their sum) is that
    amount: said, with what to do; "" otherwise (payment_check's window)."""
    if claimed is None:
        return ""
    st = view.statement
    if since is not None and since < st.as_of:
        days = max(days, (st.as_of - since).days)
    recent = [p.amount for p in view.loan.payments if 0 <= (st.as_of - p.paid_on).days <= days]
    if not recent or claimed in recent or sum(recent, Decimal("0")) == claimed:
        return ""
    return (f"没有查到您说的{yuan(claimed)}元这一笔。跨行转账有时需要1-2个工作日到账；如果已经过了这个时间，"
            "请保留转账凭证，我可以为您转人工核实。")


def payment_check(view: LoanView, days: int = 7, since: dt.date | None = None) -> str:
    """What the ledger shows after a borrower says they already paid; ``since``: the day they said they
    paid, when earlier than ``days`` ago (found by a probe: 「我上个月20号就还了1100」 was told of the last 7
    days, and that a transfer takes 1-2 working days)."""
    st = view.statement
    if since is not None and since < st.as_of:
        days = max(days, (st.as_of - since).days)
    recent = [p for p in view.loan.payments if 0 <= (st.as_of - p.paid_on).days <= days]
    if recent:
        paid = "、".join(f"{p.paid_on.month}月{p.paid_on.day}日{yuan(p.amount)}元" for p in recent)
        text = f"查到您最近的还款：{paid}，已经入账。"
        if st.settled:
            return text + "您的借款已全部结清。"
        if st.amount_due_now > 0:
            return text + (f"还款按先罚息、再利息、最后本金的顺序冲抵，冲抵后仍有{yuan(st.amount_due_now)}元到期未还"
                           f"（其中本金{yuan(st.principal_due)}元），所以还显示逾期。还清这部分就不再逾期。")
        return text + "目前没有到期未还的款项，不再显示逾期。"
    if st.settled:  # found live (B008, settled 10-20): 「我的贷款还清了吧」 got only 「账户状态正常」
        return balance(view)
    if st.amount_due_now == 0:  # found by a probe (B004): 「我刚转账了1733.3 你们收到没」 read 「账户状态正常」 as received
        return (f"{PAYMENT_NOT_FOUND}最近{days}天的还款入账。{TRANSFER_DELAY}；如果已经付款成功，请保留转账凭证，"
                "我可以为您转人工核实。您目前没有到期未还的款项，账户状态正常。")
    if days > 7:
        start = st.as_of - dt.timedelta(days=days)
        last = max(view.loan.payments, key=lambda p: p.paid_on, default=None)
        before = f"最近一次入账是{cn_date(last.paid_on)}的{yuan(last.amount)}元。" if last is not None else ""
        return (f"{PAYMENT_NOT_FOUND}{start.month}月{start.day}日以来的还款入账，{before}如果您确实付了款，请保留转账凭证"
                f"（付款账户、对方账户和时间），我可以为您转人工核实。目前显示到期应还{yuan(st.amount_due_now)}元。")
    return (f"{PAYMENT_NOT_FOUND}最近{days}天的还款入账。{TRANSFER_DELAY}；如果已经扣款成功，"
            f"请保留转账凭证，我可以为您转人工核实。目前显示到期应还{yuan(st.amount_due_now)}元。")


#: how the answer starts when the ledger shows no recent payment
PAYMENT_NOT_FOUND = "系统暂时没有查到您"

PAYMENT_TO_A_PERSON = ("好的，我为您转人工核实这笔还款。请准备好转账凭证（转账截图、银行回单等），"
                       "工作人员会在这里和您核对。")


#: 「怎么还这么多」, 「咋还要罚息」: 还 as "still", not how to pay
_STILL = re.compile(r"(怎么|怎样|如何|咋)还(这么|那么|要|有|是|没|多|欠|在|得|会|不)")

HOW_TO_PAY_SHORT = ("还款可以在App“还款”页面用已绑定的银行卡主动还；开通了自动还款的，还款日当天自动扣款。"
                    "请不要转账给任何个人账户。")


def asks_how_too(text: str) -> bool:
    """How to pay asked beside another question (「微粒货的钱啥时候扣 app里咋还」, found live: only the due date
    was answered)."""
    return bool(text) and _ASKS_HOW.search(text) is not None and _STILL.search(text) is None
