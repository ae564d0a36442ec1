"""Promises to pay: one missed, and what is due beyond the open promises (the rest)."""
from __future__ import annotations

import re
from decimal import Decimal

from bot.clock import cn_date
from bot.ledger.money import yuan
from bot.promises.rules import remainder
from bot.services.account import LoanView


def promise_missed(view: LoanView | None, thanked: bool = False) -> str:
    """「上次说好的没还上」, no new date given: no blame, the promise on record (if any), and the ways on.
    ``thanked``: the borrower was just thanked (a hardship recorded), so not again."""
    broken = view.broken_promises if view is not None else ()
    told = (f"我们看到您之前约定在{cn_date(broken[-1].promised_date)}还{yuan(broken[-1].amount)}元，没能还上。"
            if broken else "")
    due = (f"目前到期应还{yuan(view.statement.amount_due_now)}元。"
           if view is not None and view.statement.amount_due_now > 0 else "")
    return (("没关系。" if thanked else "谢谢您主动告诉我，没关系。") + told + due
            + "我们可以重新约定一个您确实能做到的日期和金额；如果一次还不上，也可以看看分期方案，或者转人工和您商量。")


#: 「那剩下的呢」, 「剩余的怎么办」
_REST = re.compile(r"剩下|剩余|其余|余下|剩的|\bthe rest\b|\bwhat'?s left\b", re.I)


def asks_about_rest(text: str) -> bool:
    return bool(text) and _REST.search(text) is not None


def rest_said_at(text: str) -> int | None:
    """Where the message starts talking of the rest (「先还一千 剩下的下周五还」: at 剩下), or None."""
    found = _REST.search(text or "")
    return found.start() if found else None


def rest_beyond_promises(view: LoanView) -> Decimal | None:
    """What is due now beyond the open promises; None when they cover it."""
    promised = sum((Decimal(str(p.amount)) for p in view.open_promises), Decimal("0.00"))
    return remainder(promised, view.statement.amount_due_now)


def promises_cover(view: LoanView) -> str:
    """「剩下的下周五还」 when the open promises already cover what is due: no rest to promise."""
    listed = "、".join(f"{cn_date(p.promised_date)}还{yuan(Decimal(str(p.amount)))}元" for p in view.open_promises)
    return (f"您已经约定了{listed}，已经覆盖目前到期的{yuan(view.statement.amount_due_now)}元，没有剩下需要再约定的了。"
            "按约定还上就好；如果约定的日期有变化，可以直接告诉我新的日期。")


def promise_rest(view: LoanView) -> str | None:
    """What is due now beyond the open promises, and how to settle it: said when a promise for part of
    it is recorded, and to 「那剩下的呢」 (found live: B006 promised half, and the rest was never
    mentioned; asked, the bot said 「还有什么可以帮您？」). None when the promises cover what is due."""
    rest = rest_beyond_promises(view)
    if rest is None:
        return None
    st = view.statement
    if view.dispute_open:  # asked (「那剩下的呢」) while it is checked: the fact, nothing pressed (rule 10; found
        # by a probe: the penalty-growth line, a push to promise the rest, and plans, which a dispute rules out)
        return (f"目前到期的{yuan(st.amount_due_now)}元里，已约定的之外还有{yuan(rest)}元。"
                "这笔借款的异议正在核实中，核实期间催收暂停，这部分等核实有结果后再说也可以。")
    running = "（罚息按天计算，逾期本金还清前会继续增加）" if st.overdue_installments and not st.in_grace else ""
    return (f"剩下的{yuan(rest)}元还没有约定还款日期{running}。想好哪天还，随时告诉我，"
            f"比如“15号还{yuan(rest)}元”；一次还不上，也可以看看分期方案。")


#: 「我约的啥时候还来着」, 「我之前是不是约过还款」: the promises on record asked after
#: 「15号那个记上了吧」 (found by a probe: read as a payment claim, told no payment was found): asked after the record
_ASKS_PROMISED = re.compile(r"约的|约过|约定的|约了|答应的|答应过|承诺的|说好的|之前说的|上次说的"
                            r"|记上了|记下了|记下来了|记好了|记录了|登记了|记住了|记了(吗|没|吧)")


#: 「我的还款承诺有哪些」, 「我约了几次」 (found by a probe: the ways to pay, twice): the promises listed, whatever the
#: question was read as
_LISTS_PROMISES = re.compile(r"(还款)?承诺.{0,2}(有哪些|是什么|有几|记录)|我的?(还款)?承诺|约定.{0,2}(哪些|几次|几笔)"
                             r"|约了(几|哪)")


def asks_for_promises_listed(text: str) -> bool:
    return bool(text) and _LISTS_PROMISES.search(text) is not None


def asks_about_promises(text: str) -> bool:
    return bool(text) and _ASKS_PROMISED.search(text) is not None


def promises_on_record(view: LoanView) -> str:
    """The open promises asked after (found live: 「我约的啥时候还来着」 got the due dates, and a new promise
    was made beside an open one for the same amount)."""
    if not view.open_promises:
        return "您目前没有约定过还款日期。想好哪天还，可以直接告诉我，比如“15号还款”。"
    listed = "、".join(f"{cn_date(p.promised_date)}当天或之前还{yuan(Decimal(str(p.amount)))}元" for p in view.open_promises)
    rest = promise_rest(view)
    return f"您约定的是：{listed}。" + (rest or "按约定还上就好；日期有变化，可以直接告诉我新的日期。")


def promise_already_recorded(promise) -> str:
    """A promise said again that is already on record, the same day and amount (found by a probe: 「刚才说的20号
    还2000记下来了吗」, after a collector recorded it, was read back and recorded a second time)."""
    return (f"这笔已经记录过了：{cn_date(promise.promised_date)}当天或之前还{yuan(Decimal(str(promise.amount)))}元，"
            "不用再约定。按约定还上就好；日期有变化，可以直接告诉我新的日期。")
