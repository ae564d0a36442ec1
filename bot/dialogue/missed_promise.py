"""A borrower telling of a promise they missed (「上次说20号还 没还上」), told apart from a new one.

The NLU reads such a message as promise_to_pay and its 20号 as the next 20th: found live, the bot
read back "you will pay on 12-20" to someone explaining why they had not paid on 11-20. The date
said before the "did not pay" is the old one; a date after it (「上次没还上 这次15号一定还」) is new.
"""
from __future__ import annotations

import re

from bot.nlu.normalise import normalise_with_offsets, to_original_span

#: 没还上 / 没能还 / 没还成 / 没凑够 / 没凑齐 / 没有还 / 还没还 / 失约了 / 食言了
MISSED = re.compile(r"没(有|能)?(还上|还成|还|凑够|凑齐|凑到)|还没还|失约|食言|没做到")
#: the missed promise is an earlier one: 上次 / 之前 / 上回 / 那次 / 说好 / 答应 / 约好; 上个月 / 上周 /
#: 前几天 / 说还 (found live: 「我上个月20号说还1100 结果没还上」 was read back as a new promise for the 20th)
EARLIER = re.compile(r"上次|之前|上回|那次|说好|答应|约好|承诺|原来说|上个?月|上周|上礼拜|上星期|前几天|前两天|说要?还")


def missed_at(text: str | None) -> int | None:
    """Where the "did not pay" of an earlier promise ends in ``text`` (an offset into ``text`` itself,
    as entity offsets are), or None when the message tells of no missed promise."""
    if not text:
        return None
    plain, offsets = normalise_with_offsets(text)
    missed = MISSED.search(plain)
    if missed is None or EARLIER.search(plain[:missed.start()]) is None:
        return None
    return to_original_span(offsets, missed.start(), missed.end())[1]
