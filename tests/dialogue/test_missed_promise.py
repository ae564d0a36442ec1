"""A missed earlier promise told apart from a new one (bot/dialogue/missed_promise.py)."""
import pytest

from bot.dialogue.missed_promise import missed_at


@pytest.mark.parametrize("text, end", [
    ("上次说20号还 没还上", 11),
    ("之前答应15号还两千 结果没凑够", 16),
    ("上回说好月底还的 没能还", 12),
    ("上次没还上 这次15号一定还", 5),
    ("上次說20號還 沒還上", 11),  # Traditional, as typed
    ("我上个月20号说还1100 结果没还上 不好意思", 19),  # found live (B006)
    ("前几天说要还500 没凑够", 13),
])
def test_a_missed_promise_and_where_it_ends(text, end):
    assert missed_at(text) == end


@pytest.mark.parametrize("text", ["15号还两千", "我20号还", "还没到还款日", "我没还 会怎样", "", None,
                                  "这个月没还上 下周五还", "上个月的账单是多少"])
def test_no_missed_promise(text):
    assert missed_at(text) is None  # nothing said of an earlier promise: every date is a new one
