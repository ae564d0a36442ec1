"""A borrower in hardship who asks to talk about paying later (「我现在在医院 过几天再说」).

Found live: after the hardship was recorded, the whole plan menu followed, six terms with their
interest, to someone in hospital who had just said "let's talk in a few days". Compliance rule 13
wants no pressure and the longer terms, a promise date or a person offered: offered, not pressed.
"""
from __future__ import annotations

import re

from bot.nlu.normalise import normalise

#: 过几天再说 / 以后再说 / 回头再聊 / 改天再谈 / 等出院了再说 / 晚点再联系 / 现在没心情说这个
LATER = re.compile(r"(过几天|过两天|过段时间|以后|回头|改天|晚点|晚些|下次|之后|等.{1,8}(了|后|再))再(说|聊|谈|联系|商量|看)"
                   r"|再说吧$|现在(没心情|顾不上|没空)(说|聊|谈|管)")


def wants_to_talk_later(text: str | None) -> bool:
    return bool(text) and LATER.search(normalise(text)) is not None
