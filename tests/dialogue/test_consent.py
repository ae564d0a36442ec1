"""What binds a plan or a promise (bot/dialogue/consent.py): plain pytest, no Rasa."""
import pytest

from bot.dialogue.consent import (CLEAR_YES, EXPLICIT_YES_CONFIDENCE, NOT_YES, OTHER_TERMS, UNCLEAR, Answer,
                                  read_answer)


def plan(answer: Answer, term: int = 12) -> str:
    return read_answer("plan", answer, term=term)


def promise(answer: Answer, date: str = "2026-12-11", amount: str = "1397.10") -> str:
    return read_answer("promise", answer, date=date, amount=amount)


def test_a_clear_yes_binds():
    assert plan(Answer("affirm", 0.93)) == CLEAR_YES
    assert plan(Answer("affirm", 1.0, installment_count=12)) == CLEAR_YES  # 「好 就12期」 names the same term
    assert promise(Answer("affirm", 0.9, date="2026-12-11", amount="1397.1")) == CLEAR_YES


def test_a_guessed_yes_does_not_bind():
    # found live: 「那6期呢」 was affirm at 0.32 while a 12-month plan waited, and was written
    assert plan(Answer("affirm", 0.32)) == UNCLEAR
    assert plan(Answer("affirm", EXPLICIT_YES_CONFIDENCE - 0.01)) == UNCLEAR
    assert plan(Answer("affirm", EXPLICIT_YES_CONFIDENCE)) == CLEAR_YES
    assert promise(Answer("affirm", 0.4)) == UNCLEAR


def test_another_term_date_or_amount_is_asked_about_not_accepted():
    assert plan(Answer("affirm", 0.99, installment_count=6)) == OTHER_TERMS
    assert plan(Answer("deny", 0.99, installment_count=6)) == OTHER_TERMS  # 「不要12期 要6期」
    assert promise(Answer("affirm", 0.99, date="2026-12-15")) == OTHER_TERMS
    assert promise(Answer("affirm", 0.99, amount="500.00")) == OTHER_TERMS
    assert promise(Answer("affirm", 0.99, amount="half")) == OTHER_TERMS  # read back again, never guessed


@pytest.mark.parametrize("intent", ["deny", "ask_penalty", None])
def test_anything_but_an_affirm_is_no_yes(intent):
    assert plan(Answer(intent, 0.99)) == NOT_YES


def test_the_term_put_to_the_borrower_chosen_in_so_many_words_binds():
    # found live (B003, the 60-month plan disclosed): 「好吧 就60期」 (affirm 0.50) was asked to confirm again
    assert plan(Answer("affirm", 0.50, installment_count=60, text="好吧 就60期"), term=60) == CLEAR_YES
    assert plan(Answer("request_installment", 0.83, installment_count=60, text="就60期吧"), term=60) == CLEAR_YES
    assert plan(Answer("affirm", 0.40, text="那就选这个"), term=60) == CLEAR_YES
    # not asked about, not another term, not the words alone
    assert plan(Answer("affirm", 0.45, installment_count=60, text="就60期吗"), term=60) == UNCLEAR
    assert plan(Answer("request_installment", 0.9, installment_count=60, text="60期每个月多少"), term=60) == NOT_YES
    assert plan(Answer("affirm", 0.45, installment_count=36, text="就36期"), term=60) == OTHER_TERMS
    assert plan(Answer("affirm", 0.45, installment_count=60, text="60期"), term=60) == UNCLEAR
    assert plan(Answer("deny", 0.9, installment_count=60, text="不要 就不办60期"), term=60) == NOT_YES
    assert plan(Answer("affirm", 0.4, installment_count=60, text="还是别办60期了"), term=60) == UNCLEAR
    # agreeing to the plan in so many words (「我同意分期」 parsed as request_installment 0.98), not declining it
    assert plan(Answer("request_installment", 0.98, text="我同意分期"), term=60) == CLEAR_YES
    assert plan(Answer("affirm", 0.5, text="接受这个方案"), term=60) == CLEAR_YES
    assert plan(Answer("request_installment", 0.9, text="我不同意分期"), term=60) == NOT_YES
    assert plan(Answer("request_installment", 0.9, text="同意分期吗"), term=60) == NOT_YES
    # a promise is read back as before
    assert promise(Answer("affirm", 0.45, text="就这个")) == UNCLEAR


@pytest.mark.parametrize("text", ["第二个", "第2个", "最长的那个", "最后一个", "选第一种"])
def test_an_item_of_the_menu_pointed_at_is_no_yes_to_the_plan_read_back(text):
    # found live: 「第二个」 (affirm 0.98) while the 6-month plan was read back accepted the 6-month plan
    assert plan(Answer("affirm", 0.98, text=text), term=6) == UNCLEAR
    assert promise(Answer("affirm", 0.98, text=text)) == CLEAR_YES  # a promise has no menu
    assert plan(Answer("affirm", 0.98, text="好的 确认"), term=6) == CLEAR_YES
