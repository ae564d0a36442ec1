"""The contract's precedence (intents.md) where a rule can apply it to the model's answer.

"inform_hardship > the questions (ask_*, how_to_pay)": 「我失业了 会不会被起诉」 or 「住院了 罚息怎么
算」 is labelled inform_hardship, and the model, which sees a question, may say the question. When
the entity extractor found a hardship of a kind that stops someone paying (not ``forgot`` or
``other``), or the borrower says they forgot to pay (「忘了还款 会上征信吗」: why they are late, the
hardship_type ``forgot``; not 「我忘了还款日是哪天」, a question about the date), and the model said a
question, the message is inform_hardship, and the question is kept in the parse (``QUESTION_KEY``)
so the dialogue answers it too (actions/negotiation.py:ActionRecordHardship).

When the model itself says inform_hardship, its ranking cannot tell which question was also asked
(measured on the trained model: the best question scored 0.016 for 「我失业了 你们能理解吗」, which
asks none, and 0.005 for 「生病住院了 罚息怎么算的」). What is left once the hardship words are taken
out can (``question_behind_hardship``): the n-gram classifier reads 「我失业了 会不会被起诉」 without
失业 as ask_consequences at 1.00, and 「我住院了 没钱还」 without 住院 as no question at all (sentences
written for the test, tests/nlu/test_project_model.py).

Words that also say something else are not enough: 「提前还款是不是亏了」 is a question about early
repayment, not a business failure.

"request_human > inform_paid > … > the rest": a message that plainly asks for a person (「转人工」,
「我要找真人」, "transfer me to an agent") beside something lower in the list (「我已经还了 转人工」 was
inform_paid, 「你是机器人吗 我要人工」 bot_challenge) is request_human; the intents above it (distress,
a dispute, someone not the borrower, a complaint, stopping contact) keep theirs. Not when the person
is declined (「不用转人工」).

"not_borrower > request_human > … > the rest" (compliance rule 2): someone who says whose relative they
are (「你好 我是赵磊的老婆」, found live: a greeting, and then she gave her husband's factors and was told
his debt) or asks about another person's debt or identity (「他欠你们多少钱」, 「他手机号后四位6006」) is
not_borrower; only distress and a dispute stay above it.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Mapping

from bot.compliance.policy import HARDSHIP_CATEGORIES
from bot.nlu.contract import INTENTS

HARDSHIP_INTENT = "inform_hardship"
QUESTION_INTENTS = frozenset(i for i in INTENTS if i.startswith("ask_")) | {"how_to_pay"}
#: the parse-result key holding the question a hardship message also asked
QUESTION_KEY = "question_intent"
AMBIGUOUS_HARDSHIP_WORDS = frozenset({"亏了", "赔了", "赔钱"})
#: forgetting to pay: 忘了还(款/钱), 忘还, 还款(日)忘了, 记错(了)还款日; not forgetting the date
#: (忘了还款日是哪天), a password, or 忘了还有一笔 / 我还忘了… (还 as "still", "also")
FORGOT_TO_PAY = re.compile(r"(忘了|忘记了?|搞忘了?|给忘了)还(?!款日|款时间|款的日子|有|是|在|要)|忘还"
                           r"|还款日?(给|都)?(忘了|忘记了|搞忘了)|记错了?还款日")


#: asking for a person in so many words: a verb and 人工 / 真人 / 客服, or "transfer me", "human please"
ASKS_FOR_A_PERSON = re.compile(r"(转|接|找|要|换)(个|一个|一下)?(人工|真人|客服)|真人(回复|来|接)|换(个)?人(来|吧|$)"
                               r"|talk to (a |an )?(real )?(person|human|agent)|transfer me|human please|real person",
                               re.IGNORECASE)
DECLINES_A_PERSON = re.compile(r"(不用|不要|别|不需要|没必要|不想)(再)?(给我|帮我)?(转|接|找|要)?(个)?(人工|真人|客服)")
HUMAN_INTENT = "request_human"
#: what the contract puts above request_human
ABOVE_HUMAN = frozenset({"express_distress", "dispute_debt", "not_borrower", "complain", "stop_contact", HUMAN_INTENT})


def outranking_human_request(intent: str | None, text: str) -> bool:
    """Whether this message, read as ``intent``, is request_human by the contract's precedence."""
    return (intent not in ABOVE_HUMAN and ASKS_FOR_A_PERSON.search(text or "") is not None
            and DECLINES_A_PERSON.search(text or "") is None)


#: before a relation entity: 「我是赵磊的」(老婆), 「我是他」(妈), 「我就是张伟他」(爸), 「我是借款人的」(哥哥); who
#: ``whose`` is must be 他 / 她, the borrower, or a name (not 「我是单亲」妈妈, 「我是两个孩子的」妈妈)
SPEAKS_FOR_ANOTHER = re.compile(r"我(?:就)?是(?P<whose>他|她|借款人|[\u4e00-\u9fff]{2,4}?)(?:的|他|她)?$")
#: another person's identity factors or debt: 「他欠」, 「她的身份证」, 「他手机号」 (not 他们, not 其他, not 他的卡:
#: paying with someone's card is a question of how to pay)
ASKS_ABOUT_ANOTHER = re.compile(r"(?<!其)(?:他|她)(?!们)的?(?:身份证|手机|电话|生日|出生|欠|借的|借了|贷款|借款)")
#: 「我不是孙悦」, 「我不是他本人」: the writer says they are not the person named (it was deny at 0.43 once 「不需要分期」
#: and other refusals were added)
NOT_THE_PERSON = re.compile(r"我(?:并|可|真的)?不是(?P<who>他|她|借款人|[\u4e00-\u9fff]{2,4}?)(?:本人)?(?:啊|呀|哦|了|哈)?(?=$|[\s,，。.!！])")
#: the words that name the borrower without a name, after 我是 (「我是他妈」) or 我不是 (「我不是他」)
THE_BORROWER = ("他", "她", "借款人")
THIRD_PARTY_INTENT = "not_borrower"
ABOVE_THIRD_PARTY = frozenset({"express_distress", "dispute_debt", THIRD_PARTY_INTENT})


#: asking on someone's behalf, around a relation entity: 「帮我妈查一下」, 「替我老公问问」 (before it), 「我老婆让我问下」
#: (after it); an errand that is not an enquiry stays (「我帮我妈交住院费」 is hardship)
ON_BEHALF_BEFORE = re.compile(r"(?:帮|替|给|代)(?:我|俺)?$")
ENQUIRY_AFTER = re.compile(r"^(?:也|的)?(?:一下|下)?(?:问|查|看看|看下|看一下|咨询|了解|打听)")
#: a relative's debt named as theirs: 「老公的微粒贷还欠多少」 (not 「我老公的卡能还吗」: paying with it)
THEIR_DEBT_AFTER = re.compile(r"^的(?:微粒贷|借呗|花呗|贷款|借款|欠款|网贷|账单?|钱)?.{0,2}?(?:还欠|欠|还差|要还多少|还有多少|逾期)")
#: paying for someone: 「让我帮她还」, 「我替他还行吗」
PAYS_FOR_ANOTHER = re.compile(r"(?<!其)(?:帮|替)(?:他|她)(?!们)(?:还|把)")
#: the writer's own loan, said in so many words: 「我老婆让我问下我自己还欠多少」
OWN_LOAN = re.compile(r"我自己|我本人|是本人|我就是借款人")
TOLD_TO_ENQUIRE_AFTER = re.compile(r"^(?:也)?(?:让|叫|要|托|请)我(?:来|帮(?:她|他)?|帮忙)?(?:问|查|看看|咨询|了解|打听)")
#: the same without a relation word: 「他让我问问还差多少」
TOLD_TO_ENQUIRE = re.compile(r"(?<!其)(?:他|她)(?!们)(?:让|叫|托|请)我(?:来)?(?:问|查|看看|咨询|了解|打听)")


def says_not_the_borrower(entities: Iterable[Mapping[str, Any]], text: str) -> bool:
    """Whether the writer says who they are, and it is not the borrower: 「我是赵磊的老婆」, 「我不是孙悦」."""
    from bot.nlu.entities import looks_like_a_name  # here: the action server imports this module for QUESTION_KEY

    text = text or ""
    m = NOT_THE_PERSON.search(text)
    if m and (m["who"] in THE_BORROWER or looks_like_a_name(m["who"])):
        return True
    for e in _relations(entities):
        m = SPEAKS_FOR_ANOTHER.search(text[max(0, e["start"] - 8):e["start"]])
        if m and (m["whose"] in THE_BORROWER or looks_like_a_name(m["whose"])):
            return True
    return False


#: disowning the account without naming whose it is: 「我不是本人」, 「你们打错了」, 「不认识这个人」
DISOWNS = re.compile(r"我(?:并|可|真的)?不是(?:借款人)?本人|打错(?:了|电话)|找错人|不认识(?:他|她|这个人)")


def disowns_the_account(entities: Iterable[Mapping[str, Any]], text: str) -> bool:
    """Whether a verified conversation must be dropped: the writer says they are not the borrower, in
    so many words. Asking after someone else (「她欠多少」) or the model's guess alone is not that."""
    return says_not_the_borrower(entities, text) or DISOWNS.search(text or "") is not None


def asks_after_another(entities: Iterable[Mapping[str, Any]], text: str) -> bool:
    """Whether the message asks after another person's debt or for them: 「她欠多少」, 「帮我妈查一下欠款」,
    「我老婆让我问下还多少」. Said by a verified borrower, it is about someone else's account, not theirs."""
    text = text or ""
    if OWN_LOAN.search(text):
        return False
    if ASKS_ABOUT_ANOTHER.search(text) or TOLD_TO_ENQUIRE.search(text) or PAYS_FOR_ANOTHER.search(text):
        return True
    for e in _relations(entities):
        after = text[e["end"]:e["end"] + 10]
        if TOLD_TO_ENQUIRE_AFTER.search(after) or THEIR_DEBT_AFTER.search(after):
            return True
        if ON_BEHALF_BEFORE.search(text[max(0, e["start"] - 3):e["start"]]) and ENQUIRY_AFTER.search(after):
            return True
    return False


def _relations(entities: Iterable[Mapping[str, Any]]) -> list:
    return [e for e in entities or [] if e.get("entity") == "relation"
            and isinstance(e.get("start"), int) and isinstance(e.get("end"), int)]


def speaks_for_another(entities: Iterable[Mapping[str, Any]], text: str) -> bool:
    """Whether the writer says they are someone's relative, or asks after another person's debt."""
    entities = list(entities or [])
    return says_not_the_borrower(entities, text) or asks_after_another(entities, text)


def outranking_third_party(intent: str | None, entities: Iterable[Mapping[str, Any]], text: str) -> bool:
    """Whether this message, read as ``intent``, is not_borrower by the contract's precedence."""
    return intent not in ABOVE_THIRD_PARTY and speaks_for_another(list(entities), text)


def outranking_hardship(intent: str | None, entities: Iterable[Mapping[str, Any]], text: str) -> str | None:
    """The hardship category that makes a question-intent message inform_hardship, else None.
    ``entities`` are Rasa's entity dicts, their offsets into ``text``."""
    hardship = explained_hardship(entities, text)
    return hardship if after_precedence(intent, hardship) != intent else None


def explained_hardship(entities: Iterable[Mapping[str, Any]], text: str) -> str | None:
    """The hardship the message gives as the reason for not paying: a cannot-pay one, else
    ``forgot`` when the borrower says they forgot to pay; None if neither."""
    entities = list(entities)
    return cannot_pay_hardship(entities, text) or forgot_to_pay(entities, text)


def forgot_to_pay(entities: Iterable[Mapping[str, Any]], text: str) -> str | None:
    """``forgot`` if a (not negated) forgot entity was found and the words say forgetting to pay."""
    if any(e.get("entity") == "hardship_type" and e.get("value") == "forgot" for e in entities) \
            and FORGOT_TO_PAY.search(text or ""):
        return "forgot"
    return None


def after_precedence(intent: str | None, hardship: str | None) -> str | None:
    """The rule itself: a question with an explained hardship is inform_hardship (the component and
    ``bot nlu eval``'s ensemble sweep both apply it through here)."""
    return HARDSHIP_INTENT if hardship and intent in QUESTION_INTENTS else intent


def cannot_pay_hardship(entities: Iterable[Mapping[str, Any]], text: str) -> str | None:
    """The first hardship_type entity of a kind that stops someone paying, unless its words are
    ambiguous; None if there is none."""
    for e in entities:
        start, end = e.get("start"), e.get("end")
        words = text[start:end] if isinstance(start, int) and isinstance(end, int) else ""
        if (e.get("entity") == "hardship_type" and e.get("value") in HARDSHIP_CATEGORIES
                and words not in AMBIGUOUS_HARDSHIP_WORDS):
            return str(e["value"])
    return None


#: a question read behind the hardship words must be this sure (on sentences written for the test,
#: true ones scored 0.72-1.00: 「老家遭了水灾 逾期会不会上征信」 leaves 老家遭了, which still sounds like a
#: hardship; sentences asking none at most 0.07) and keep this many characters (「疫情期间店关了」 leaves
#: 期间: 0.55 ask_due_date)
QUESTION_BEHIND_HARDSHIP_MIN = 0.6
QUESTION_BEHIND_HARDSHIP_CHARS = 4


def question_behind_hardship(text: str, entities: Iterable[Mapping[str, Any]],
                             classify: Callable[[str], Mapping[str, float]]) -> str | None:
    """The question a hardship message also asks (「我失业了 会不会被起诉」 → ask_consequences): the text
    without its cannot-pay hardship words, classified by ``classify`` (intent → probability); None
    when there is no such hardship, too little is left, or no question is sure enough."""
    entities = list(entities)
    if cannot_pay_hardship(entities, text) is None:
        return None
    spans = [(e["start"], e["end"]) for e in entities if e.get("entity") == "hardship_type"
             and isinstance(e.get("start"), int) and isinstance(e.get("end"), int)]
    rest = "".join(ch for i, ch in enumerate(text or "") if not any(s <= i < e for s, e in spans))
    if len(re.sub(r"[\s了我的啊呀吧呢，,。.!！?？]", "", rest)) < QUESTION_BEHIND_HARDSHIP_CHARS:
        return None
    scores = classify(rest)
    best = max((i for i in scores if i in QUESTION_INTENTS), key=lambda i: scores[i], default=None)
    return best if best is not None and scores[best] >= QUESTION_BEHIND_HARDSHIP_MIN else None
