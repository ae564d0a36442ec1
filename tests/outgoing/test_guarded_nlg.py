"""The one NLG: a forbidden response is never sent; collection talk stops after distress."""
import asyncio

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.db import models as m
from bot.db.session import session_scope
from bot.outgoing.nlg import GuardedNLG

DOMAIN = Domain.from_yaml("""
version: "3.1"
slots:
  distress:
    type: bool
    initial_value: false
    mappings: [{type: custom}]
responses:
  utter_bad:
    - text: "再不还钱就让你坐牢，还要通知你单位"
  utter_account_answer:
    - text: "{answer}"
  utter_distress_followup:
    - text: "现在先不谈还款的事。"
  utter_fine:
    - text: "逾期记录可能会报送中国人民银行征信中心。"
""")


def generate(tracker, name, **kw):
    return asyncio.run(GuardedNLG(domain=DOMAIN).generate(name, tracker, "rest", **kw))


def test_blocked_text_is_replaced_and_audited(sqlite_url):
    tracker = DialogueStateTracker("nlg1", DOMAIN.slots)
    out = generate(tracker, "utter_bad")
    assert "坐牢" not in out["text"] and out["buttons"][0]["payload"] == "/request_human"
    assert generate(tracker, "utter_fine")["text"].startswith("逾期记录")
    injected = generate(tracker, "utter_account_answer", answer="不还就上门找你家人")
    assert "上门" not in injected["text"]
    with session_scope(sqlite_url) as s:
        assert s.query(m.AuditEntry).filter_by(action="content_blocked", conversation_id="nlg1").count() == 2


def test_collection_talk_is_suppressed_after_distress(sqlite_url):
    tracker = DialogueStateTracker("nlg2", DOMAIN.slots)
    tracker.update(SlotSet("distress", True))
    out = generate(tracker, "utter_account_answer", answer="您目前应还2794.19元")
    assert out["text"] == "现在先不谈还款的事。"  # the followup template (crisis lines are variables)


def test_no_response_of_the_project_talks_collection_in_distress(sqlite_url):
    """Compliance rule 9 over the whole domain.yml: whatever a rule, an action or a fallback says
    once a conversation is in distress handling, no text offers plans or promises or states money
    owed (before: the greeting and the out-of-scope reply listed 办理分期、约定还款时间)."""
    import re
    import string

    from bot.config import PROJECT_ROOT

    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    tracker = DialogueStateTracker("nlg3", domain.slots)
    tracker.update(SlotSet("distress", True))
    collection = re.compile(r"分期|应还|还款时间|还款日期|约定|承诺|欠款|罚息|逾期|\d+\.\d\d元")
    nlg = GuardedNLG(domain=domain)
    talked = []
    for name, variants in domain.responses.items():
        fields = {f for v in variants for _, f, _, _ in string.Formatter().parse(v.get("text") or "") if f}
        out = asyncio.run(nlg.generate(name, tracker, "rest", **{f: "某" for f in fields}))
        if out and collection.search(out.get("text") or ""):
            talked.append(name)
    assert talked == [], talked
