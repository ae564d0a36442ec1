"""Autodebit and the card: what a failure code means, the card that failed, setting autodebit up,
debiting again, and the card said to be seen to."""
from __future__ import annotations

import datetime as dt
import re

from bot.clock import cn_date
from bot.dialogue.explain.wording import asks_yes_no, installment_name
from bot.ledger.money import yuan
from bot.services.account import LoanView


#: What each autodebit failure code means for the borrower, and what to do about it.
FAILURE_CODES: dict[str, tuple[str, str]] = {
    "insufficient_funds": ("余额不足", "请在还款卡里存入足够的钱，或在App里用其他方式主动还款"),
    "card_expired": ("银行卡已过期", "请在App的“还款卡管理”里换绑一张有效的银行卡，再主动还款"),
    "card_frozen": ("银行卡被冻结", "请联系发卡银行解除冻结，或换绑另一张银行卡后主动还款"),
    "no_autodebit": ("未开通自动还款", "请在App里开通自动还款，或每期在还款日前主动还款"),
    "account_closed": ("银行卡已销户", "请换绑一张正在使用的银行卡"),
    "limit_exceeded": ("超过银行卡单日限额", "请调整银行卡限额，或分几次主动还款"),
}


#: 「那你们再扣一次呗」, 「现在卡里有钱了 重新扣一下」: the borrower asks the bank to debit again now
_DEBIT_AGAIN = re.compile(r"(再|重新|重)(扣|划|发起扣款|发起一次扣款)|补扣")
#: 「第二天还会再扣吗」, 「下次不会再扣了吧」: asks what the bank will do, not for a debit now
WILL_IT = re.compile(r"(还会|会不会|不会|会)(再|重新)(扣|划)")


def asks_to_debit_again(text: str) -> bool:
    return bool(text) and _DEBIT_AGAIN.search(text) is not None and WILL_IT.search(text) is None


def debit_again(view: LoanView | None) -> str:
    """The bot starts no debit (the ledger has no retry rule to promise either); paying in the App
    does it now."""
    text = "我这边没法为您发起扣款。"
    if view is not None and view.statement.amount_due_now > 0:
        text += f"卡里现在有钱的话，请在App“还款”页面主动还款{yuan(view.statement.amount_due_now)}元，马上就能还上，不用等自动扣款。"
        if view.statement.overdue_installments and not view.statement.in_grace:
            text += "逾期本金还清后，罚息就不再增加。"
    else:
        text += "卡里现在有钱的话，可以在App“还款”页面主动还款，马上就能还上。"
    return text + own_situation_card(view)


#: 「自动还款在哪开」, 「怎么设置自动扣款」, 「代扣怎么开通」: where autodebit is switched on
AUTODEBIT_WORDS = r"(自动还款|自动扣款|自动扣|代扣)"
_AUTODEBIT_SETUP = re.compile(AUTODEBIT_WORDS + r"\S{0,4}?(在哪|哪里|怎么|如何|咋)\S{0,2}?(开|设置|弄|办|绑)"
                              r"|(在哪|哪里|怎么|如何|咋)\S{0,2}?(开通|设置|开|弄|办)\S{0,2}?" + AUTODEBIT_WORDS
                              # found live (B005): 「我想开通自动还款」 got the list of ways to pay
                              + r"|(想|要|帮我|给我|申请)(开通|开启|开|设置|办)(一下|个)?" + AUTODEBIT_WORDS)


def asks_how_to_set_up_autodebit(text: str) -> bool:
    return bool(text) and _AUTODEBIT_SETUP.search(text) is not None


def autodebit_setup(view: LoanView | None) -> str:
    """Found live (B005, no autodebit): 「我没开自动还款？在哪开」 got 「可以，今天就能…主动还款」."""
    text = ("自动还款在App“还款卡管理”里开通：绑定您本人名下的银行卡，打开“自动还款”即可。开通后每期还款日当天从这张卡扣款，"
            "请在还款日前存够钱。")
    if view is None or view.statement.settled:
        return text
    st = view.statement
    text += "您目前已经开通了。" if view.loan.autodebit else "您目前还没有开通，所以不会自动扣款。"
    if st.amount_due_now > 0 and not view.dispute_open:  # what is late is not debited on its own
        text += f"已到期的{yuan(st.amount_due_now)}元不会等自动扣款，请现在就在App“还款”页面主动还款。"
    return text


#: 「换好了」, 「新卡绑好了」, 「自动还款开通好了」: the borrower says the card or autodebit is seen to
_CARD_SET = re.compile(r"(换|绑|绑定|改|设置|开通|弄|搞)(好|完|上)(了|啦)|(换绑|绑定|绑卡|换卡)(成功|好)|搞定了"
                       r"|重新绑定了|(把卡|新卡)(换|绑)了|(换|绑)了(张|一张)?新卡")


def card_seen_to(text: str) -> bool:
    """The card said to be seen to, in a statement or a question (「绑好了 现在能自动扣吗」)."""
    return bool(text) and _CARD_SET.search(text) is not None


def says_card_is_set(text: str) -> bool:
    """A statement, not a question: 「绑好了 现在能自动扣吗」 asks, and is answered as asked."""
    return bool(text) and _CARD_SET.search(text) is not None and not asks_yes_no(text)


def own_situation_card(view: LoanView | None) -> str:
    """The card to see to, when the last autodebit failed because of it (「卡过期了怎么办」)."""
    card = card_problem(view)
    if card is None:
        return ""
    day, label, advice = card
    return f"您最近一次自动扣款（{day.month}月{day.day}日）因“{label}”没有成功，{advice}。"


#: failures the card itself causes: paying needs the card seen to first (insufficient funds does not)
CARD_FAILURES = ("card_expired", "card_frozen", "account_closed", "limit_exceeded")


def card_problem(view: LoanView | None) -> tuple[dt.date, str, str] | None:
    """The latest autodebit attempt, when it failed because of the card: (day, label, advice)."""
    if view is None:
        return None
    attempts = sorted((a for a in view.loan.attempts if a.attempted_on <= view.statement.as_of),
                      key=lambda a: a.attempted_on)
    if not attempts or attempts[-1].result != "failed" or attempts[-1].failure_code not in CARD_FAILURES:
        return None
    label, advice = FAILURE_CODES[attempts[-1].failure_code]
    return attempts[-1].attempted_on, label, advice


#: 「这个月的扣了没」, 「钱扣走了没有」, 「上个月的扣成功了吗」: whether the debit ran, not when it runs
_DEBITED_YET = re.compile(r"[扣划](了|过|成功|上|掉|走)(了|啦)?(没|吗|么|嘛|没有)|扣没扣|有没有扣|扣款了(吗|没)|扣钱了(吗|没)|扣(款|钱)?成功(了)?(吗|没)")


def asks_if_debited(text: str) -> bool:
    return bool(text) and _DEBITED_YET.search(text) is not None


def debit_status(view: LoanView) -> str:
    """「这个月的扣了没」 (found live, B004: read as a dispute; 「上个月的扣成功了没」 got 「账户状态正常」): what
    happened to the latest installment that fell due (paid, and when; or the debit that failed), then
    when the next one is taken."""
    st = view.statement
    if st.settled:
        return "您的借款已经全部结清，不会再扣款。"
    fallen_due = [i for i in st.installments if i.due_date <= st.as_of]
    parts = []
    if fallen_due:
        last = fallen_due[-1]
        name = f"{cn_date(last.due_date)}到期的{installment_name(view, last.number)}"
        paid_on = [a.paid_on for a in st.allocations if a.installment == last.number]
        failed = view.failed_debits(since=last.due_date)
        if last.owed(st.as_of) == 0:
            parts.append(f"{name}已经还上了（{cn_date(max(paid_on))}入账）。" if paid_on else f"{name}已经还上了。")
        elif failed:
            label = FAILURE_CODES.get(failed[-1].failure_code or "", ("扣款没有成功", ""))[0]
            parts.append(f"{name}在{cn_date(failed[-1].attempted_on)}自动扣款没有成功（{label}），还差{yuan(last.owed(st.as_of))}元没还。")
        else:
            parts.append(f"{name}还差{yuan(last.owed(st.as_of))}元没还" + ("，今天之内还上不算逾期。" if last.due_date == st.as_of else "。"))
    nxt = st.next_installment
    if nxt is not None:
        card = card_problem(view)
        how = ("当天会自动扣款" if card is None else f"不过{card[1]}，{card[2]}，否则自动扣款还会失败") if view.loan.autodebit \
            else "您没有开通自动还款，需要在那天之前主动还款"
        parts.append(f"下一期{cn_date(nxt.due_date)}到期，应还{yuan(nxt.owed(st.as_of))}元，{how}。")
    return "".join(parts)


#: 「我的卡换了 咋换绑」, 「新卡怎么绑」, 「扣款卡能换吗」 (found by a probe, B004: told to keep money on the old card)
_CHANGE_CARD = re.compile(r"(换绑|绑卡|换卡|改卡|绑定).{0,3}(怎么|咋|如何|能|可以|在哪)|(怎么|咋|如何|能不能|可以)(换绑|绑卡|换卡|改卡|绑定新卡|绑新卡)"
                          r"|卡换了|换了(张|一张)?(新)?卡|新卡.{0,2}(怎么|咋)(绑|换)|扣款卡.{0,3}(换|改)")


def asks_to_change_card(text: str) -> bool:
    return bool(text) and _CHANGE_CARD.search(text) is not None and not card_seen_to(text)


def change_card_how(view: LoanView | None) -> str:
    """How the debit card is changed, and which card the next debit then uses."""
    text = ("换绑还款卡：在App“还款卡管理”里添加您本人名下的新卡，并把它设为扣款卡；旧卡如果要注销，请先换好再注销，"
            "以免扣款失败。")
    if view is None or view.statement.settled:
        return text
    nxt = view.statement.next_installment
    if nxt is not None and view.loan.autodebit:
        text += (f"换好以后，下一期{cn_date(nxt.due_date)}的{yuan(nxt.owed(view.statement.as_of))}元就从新卡自动扣款，"
                 "请在那天之前存够。")
    return text
