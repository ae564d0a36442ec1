"""Another company's product named (花呗, 借呗, 白条, …): this bot answers for the bank's own loan only.

About two in five real borrower questions name Ant's 花呗 or 借呗 rather than the bank's product
(../shared/eval/README.md). Read as a question about the bank's loan, 「花呗能分期吗」 was offered a plan for the
borrower's 微粒贷 and 「借呗怎么还款」 was told how to pay the bank: answers about the wrong debt. The bot says
whose product it is and what it can help with instead. Nothing of any account is said, so this holds before
verification too (compliance rule 1).
"""
from __future__ import annotations

import re

#: other lenders' products, by the name borrowers use, and whose they are
OTHER_LENDERS: dict[str, str] = {
    "花呗": "支付宝", "借呗": "支付宝", "网商贷": "网商银行", "白条": "京东", "金条": "京东",
    "美团月付": "美团", "美团借钱": "美团", "度小满": "度小满", "有钱花": "度小满", "分期乐": "分期乐",
    "安逸花": "马上消费金融", "拍拍贷": "拍拍贷", "360借条": "360",
}
_OTHER = re.compile("|".join(sorted(map(re.escape, OTHER_LENDERS), key=len, reverse=True)))

#: the bank's own product, or the borrower's own loan here named beside it: then the message is about ours
#: (「借呗逾期会影响微粒贷吗」)
_OURS = re.compile(r"微粒贷|微粒货|微众|微利贷|你们(的|家)?(借款|贷款|这笔|这边)|在你们(这|这里|那)")

#: 「能用花呗还吗」, 「拿信用卡还微粒贷」: another product as the money to pay the bank with (how to pay, or
#: borrowing to repay, which bot/dialogue/explain/service_desk.py answers), not a question about it
_AS_MEANS = re.compile(r"(用|拿|通过|从|走)(支付宝的?)?(" + _OTHER.pattern + r").{0,6}(还|付|支付|转)")


def other_lenders_named(text: str) -> list[str]:
    """The other lenders' products a message asks about, in order, without the bank's own; [] when the
    message is about the bank's loan (it names it, or uses the other product as a way to pay)."""
    if not text or _OURS.search(text) or _AS_MEANS.search(text):
        return []
    found: list[str] = []
    for match in _OTHER.finditer(text):
        if match.group() not in found:
            found.append(match.group())
    return found


def not_our_product(names: list[str]) -> str:
    """Whose the named products are, that the bot can neither see nor change them, and what it does (no
    product of the bank's named: before verification not even which one a person has is said)."""
    owners: list[str] = []
    for name in names:
        if OTHER_LENDERS[name] not in owners:
            owners.append(OTHER_LENDERS[name])
    whose = "、".join(owners)
    return (f"{'、'.join(names)}是{whose}的产品，不是本行的借款：我这里查不到它的账单，也办理不了它的分期、延期或还款，"
            f"请在{whose}的App里联系它的客服。在本行的借款，欠款、还款日、还款方式、分期和延期，我都可以帮您查询和办理。")
