"""A borrower refusing to pay (「我不还了」, 「一分钱都不还」), told apart from a plain "no".

The NLU labels both deny (intents.md: "no, refuses"). With nothing put to the borrower, a plain
「不用了」 gets "anything else?"; a refusal gets the lawful facts and the ways out instead
(``explain.refusal``): a bank's bot should not answer 「我不还了」 with 「还有什么可以帮您？」.
"""
from __future__ import annotations

import re

from bot.nlu.normalise import normalise

#: 不还 / 不想还 / 不打算再还了 / 不给钱 / 一分钱都不 / 赖账; not 还不了 (cannot pay: hardship)
REFUSAL_TO_PAY = re.compile(r"不(想|打算|准备|愿意|会|肯)?再?还|不给钱|一分钱?(都|也)不|赖账|就是不")


#: the refusal denied: 「我没说不还」, 「不是不还」, 「并不是不想还」 (found live: 「我没说不还 就是最近困难」 got the
#: lawful facts of not paying)
NOT_A_REFUSAL = re.compile(r"(没|没有|不是|并不是|又没|也没)(说)?(要)?不(想|打算|准备|愿意|会|肯)?再?还")


def refuses_to_pay(text: str | None) -> bool:
    plain = normalise(text or "")
    return bool(plain) and REFUSAL_TO_PAY.search(NOT_A_REFUSAL.sub("", plain)) is not None
