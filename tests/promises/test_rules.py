"""Promise rules (ledger.md: a date within 30 days, an amount up to what is due now), plain pytest."""
import datetime as dt
from decimal import Decimal

from bot.promises.rules import check_promise

TODAY = dt.date(2026, 12, 1)
DAY = dt.date(2026, 12, 20)
DUE_NOW = Decimal("2781.86")


def test_an_amount_up_to_what_is_due_now_is_accepted():
    check = check_promise(DAY, DUE_NOW, DUE_NOW, TODAY, due_then=Decimal("2817.43"))
    assert check.ok and check.amount == DUE_NOW and check.date == DAY


def test_what_the_day_will_find_is_said_not_paying_early():
    # 2817.43 is what 12-20 finds with penalty grown: the reason says so, and that the extra is no prepayment
    check = check_promise(DAY, Decimal("2817.43"), DUE_NOW, TODAY, due_then=Decimal("2817.43"))
    assert not check.ok and check.reason_code == "amount_too_large"
    assert "“12月20号还2781.86元”" in check.reason and "会是2817.43元" in check.reason
    assert "提前还款" not in check.reason


def test_more_than_the_day_will_find_is_paying_early():
    for due_then in (Decimal("2817.43"), None, DUE_NOW):
        check = check_promise(DAY, Decimal("5000.00"), DUE_NOW, TODAY, due_then=due_then)
        assert not check.ok and "提前还款" in check.reason
        assert ("会是2817.43元" in check.reason) == (due_then == Decimal("2817.43"))  # said only when it grows


def test_more_than_the_day_will_find_says_what_it_will_find():
    # found by a probe (B005): 「那我12月20号还3000吧」 was told only today's 2781.86
    check = check_promise(DAY, Decimal("3000.00"), DUE_NOW, TODAY, due_then=Decimal("2817.43"))
    assert "会是2817.43元" in check.reason and "提前还款" in check.reason


def test_a_new_promise_replaces_one_of_its_amount_then_the_oldest_until_the_total_fits():
    from bot.promises.rules import superseded

    due = Decimal("387.84")
    assert superseded(Decimal("387.84"), [(6, Decimal("387.84"))], due) == [6]  # a changed date replaces the promise
    assert superseded(Decimal("100.00"), [(1, Decimal("200.00"))], due) == []  # room beside it
    assert superseded(Decimal("1000.00"), [(1, Decimal("500.00")), (2, Decimal("1000.00"))], Decimal("2163.55")) == [2]
    assert superseded(Decimal("2000.00"), [(1, Decimal("500.00")), (2, Decimal("1000.00"))], Decimal("2163.55")) == [1, 2]
    # a changed promise split in two (「不对 我想改一下 4号先还100 剩下的15号还」 after 193.92 for the 11th): the first
    # part fits beside the old promise; the second replaces the old one, not the part just confirmed
    assert superseded(Decimal("100.00"), [(1, Decimal("193.92"))], due) == []
    assert superseded(Decimal("287.84"), [(1, Decimal("193.92")), (2, Decimal("100.00"))], due) == [1]
    # changing the date of the first of two parts replaces that part
    assert superseded(Decimal("100.00"), [(2, Decimal("100.00")), (3, Decimal("287.84"))], due) == [2]
    assert superseded(Decimal("10.00"), [], due) == []
