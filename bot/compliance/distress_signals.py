"""Compliance rule 9 (distress), the detection half: phrases that signal self-harm, suicide or
despair, matched on the NLU's normalised text.

The intent model recognises most distress messages, but not all: in 5-fold cross-validation of
the 2026-11-30 model it labelled about one in ten of them something else, mostly inform_hardship
(「这日子没法过了」). A borrower who says they are on a rooftop must never get a repayment plan
in reply. These phrases are a safety net behind the model: when one matches, the message is
express_distress whatever the model said (the contract's precedence puts express_distress above
every other intent), and the conversation goes to distress handling (care reply, crisis lines,
urgent handoff; ``actions/escalation.py``).

Chosen for precision on the borrower's own words: none matches any training example of another
intent (``tests/compliance/test_distress_signals.py`` checks all of ``data/nlu``). Words that are
ordinary in a repayment chat stay out or are tied to the person: 「崩溃」 alone (an app crashes),
「我走了」 (a goodbye), 「撑不住」 after a business or cash flow (hardship, not despair), 「最后一次」
and 「后事」 (「我最后一次还款」, 「以后事情」), 「人死债消」 (a relative asking about a late
borrower's debt).

Pure Python: no Rasa. Used by ``bot.nlu.components.DistressSafetyNet``.
"""
from __future__ import annotations

import re
from typing import Optional

#: what collection talk becomes once a conversation is in distress handling: the outgoing NLG
#: (bot/outgoing/nlg.py) replaces collection responses with it, and the collection actions
#: (actions/common.py, ``BotAction.collection``) say it instead of doing anything
FOLLOWUP_RESPONSE = "utter_distress_followup"
#: the key of the matched phrase in the parse result (bot/nlu/components.py:DistressSafetyNet sets it; the
#: distress action reads it to know the phrase, not only the model, spoke)
PHRASE_KEY = "distress_phrase"

_SELF = r"(?:我|俺|人家)"

#: each entry is one way of saying it; all are searched in the normalised (Simplified,
#: half-width, lower-case) text
PHRASES: tuple[str, ...] = (
    # suicide and self-harm, named
    r"自杀", r"轻生", r"寻死", r"自尽", r"寻短见", r"(?:自我|自己)了断", r"一死了之", r"死路一条",
    r"割腕", r"割(?:了|破|伤)(?:手|自己)", r"划(?:了|破)?手腕", r"手腕割", r"烧炭", r"上吊", r"准备(?:好)?(?:了)?绳子",
    r"安眠药", r"(?:喝|买了?)农药", r"药(?:都|已经)(?:准备好|吃)", r"已经吃了药",
    r"跳楼", r"跳河", r"跳江", r"跳海", r"(?:楼|桥|天台|窗台?|这)(?:上|边|里)?(?:往下)?跳下去", r"想跳下去", r"准备跳了",
    r"遗书", r"(?:安排|准备|交代)(?:好)?了?后事", r"后事(?:都)?(?:安排|准备|交代)",
    # not wanting to live
    r"想死", r"不想活", r"活不下去", r"活不了了", r"没法活", r"不活了", r"活够了", r"生无可恋",
    r"活[着著](?:真的|真|太|好|也)?(?:太|好)?(?:累|痛苦|没意思|没意义|没有意义|没盼头)",
    r"没有?(?:活下去|活着)的(?:意义|勇气)", r"没有?勇气活", r"不想(?:再)?活下去",
    r"一了百了", r"没有?活路", r"人生没(?:有)?意义", r"{s}(?:要|想)去死".format(s=_SELF), r"刀(?:都|已经)准备好",
    r"死给你们看", r"死了(?:算了|得了|就好了|一了百了|干净)", r"(?:只能|只有|就|还不如|不如)(?:去)?死(?:了|吧)?(?:$|\s|算)",
    r"去死(?:算了|好了|得了)", r"让我死", r"{s}死了".format(s=_SELF), r"{s}要是死了".format(s=_SELF),
    r"想消失", r"消失了?就好", r"不想(?:再)?醒来", r"一睡不醒", r"离开这个世界", r"这个世界没有{s}".format(s=_SELF),
    r"(?:再见|永别)了?(?:这个)?世界", r"跟这个世界(?:说)?再见", r"永别了", r"最后一次(?:跟|和)你们(?:说|聊)",
    r"结束(?:这一切|自己|生命)", r"了结(?:这一切|自己)", r"下辈子再还", r"(?:求|想)解脱",
    r"每天想着怎么死", r"照顾好{s}?(?:的)?(?:孩子|老婆|老公|爸妈|家人)".format(s=_SELF),
    r"再见了大家",
    # where they are
    r"(?:{s}|现在).{{0,3}}(?:在|站在|到了|坐在)(?:天台|楼顶|窗台|河边|江边|桥上|海边)".format(s=_SELF),
    r"天台(?:风|边)", r"已经在天台",
    # despair
    r"绝望", r"(?:{s}|精神|心态|情绪)(?:已经|快|都|要)?(?:要)?崩溃".format(s=_SELF), r"抑郁症", r"{s}(?:好像)?抑郁了".format(s=_SELF),
    r"(?:{s}|人)(?:快|真的|已经|真)?要?撑不(?:住|下去)".format(s=_SELF), r"不想(?:再)?坚持了",
    r"救救我", r"逼死", r"拖累死", r"不想再拖累", r"走投无路", r"没有?出路", r"看不到(?:任何)?希望",
    r"这日子没法过",
)

_PATTERN = re.compile("|".join(f"(?:{p})" for p in PHRASES))


#: 死 as an intensifier after an everyday feeling: 烦死了, 气死我了, 笑死, 累死了, 困死人了. No one dies in
#: them, and the model, which has seen 死 mostly in distress, read them so (found probing short
#: replies: 「烦死了」, 「急死了」, 「笑死」 got the crisis lines and a person)
_INTENSIFIER = re.compile(r"(?:烦|气|急|吓|笑|累|困|饿|热|冷|忙|疼|痛|渴|吵|闷|馋|丑|懒|羡慕|尴尬|无聊)死(?:我|人)?(?:了|啦|掉了)?")


def only_everyday_death_words(text: Optional[str]) -> bool:
    """True when ``text`` says 死 only in such intensifiers and holds no distress phrase: then it is
    not distress on the strength of that word (``DistressSafetyNet`` gives the model's next intent)."""
    plain = (text or "").lower()
    if "死" not in plain or distress_phrase(plain) is not None:
        return False
    return "死" not in _INTENSIFIER.sub("", plain)


def distress_phrase(text: Optional[str]) -> Optional[str]:
    """The first distress phrase in ``text`` (normalised text), or None."""
    if not text:
        return None
    found = _PATTERN.search(text.lower())
    return found.group() if found else None


#: the model's confidence in express_distress from which it is believed with no phrase found (below it the
#: bot first asks how the borrower is: actions/escalation.py:ActionHandleDistress)
MODEL_ALONE_FROM = 0.9


def distress_in(parse_data: Optional[dict]) -> bool:
    """A parsed message that is distress for sure: a distress phrase in it, or the model all but certain."""
    if not isinstance(parse_data, dict):
        return False
    if parse_data.get(PHRASE_KEY) or distress_phrase(parse_data.get("text")):
        return True
    intent = parse_data.get("intent") or {}
    return intent.get("name") == "express_distress" and float(intent.get("confidence") or 0.0) >= MODEL_ALONE_FROM


def care_while_held() -> str:
    """Said at once when distress comes while a collector holds the conversation (the bot is otherwise
    silent then; found by a probe: 「我真的撑不下去了 想从楼上跳下去」 got nothing, and the entry stayed 普通)."""
    from bot.compliance.policy import POLICY

    return (f"听到您这么说，我很担心您。您的安全比什么都重要。如果您有伤害自己的想法，请马上拨打心理援助热线"
            f"{POLICY.crisis_hotline}；如有紧急危险请拨打{POLICY.police_line}或{POLICY.ambulance_line}。"
            "工作人员就在这里陪您，您不是一个人。")
