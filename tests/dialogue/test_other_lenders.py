"""Which messages are about another company's product rather than the bank's own loan."""
import pytest

from bot.dialogue.explain.other_lenders import not_our_product, other_lenders_named


@pytest.mark.parametrize("text,names", [
    ("花呗能分期吗", ["花呗"]),
    ("借呗逾期了会怎样", ["借呗"]),
    ("花呗和借呗都逾期了 白条也是", ["花呗", "借呗", "白条"]),
    ("360借条能延期吗", ["360借条"]),
    ("借呗逾期会影响微粒贷吗", []),  # the bank's product named too: a question about it
    ("能用花呗还吗", []),  # another product as the money to pay with: how to pay
    ("拿借呗的钱还你们", []),
    ("我想分期", []),
    ("", []),
])
def test_other_lenders_named(text, names):
    assert other_lenders_named(text) == names


def test_the_answer_names_each_owner_once_and_nothing_of_an_account():
    said = not_our_product(["花呗", "借呗", "白条"])
    assert said.startswith("花呗、借呗、白条是支付宝、京东的产品")
    assert "微粒贷" not in said and not any(ch.isdigit() for ch in said)


def test_the_answer_passes_the_content_filter():
    from bot.compliance.content_filter import find_violation

    assert find_violation(not_our_product(["花呗", "借呗", "白条", "网商贷"])) is None
