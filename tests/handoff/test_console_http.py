"""The console's HTTP surface against the real servers: access control, CSRF, roles, WeChat delivery,
two replicas, quick actions and the audit trail."""
from __future__ import annotations

import threading

import pytest
import requests
from sqlalchemy import select

from tests.handoff.conftest import COLLECTOR, COLLECTOR_2, SUPERVISOR, Console, Rest, WeChatUser, tracker

pytestmark = pytest.mark.servers

GET_ROUTES = ["/console/api/me", "/console/api/queue", "/console/api/handoffs/1", "/console/api/handoffs/1/transcript",
              "/console/api/collectors"]
POST_ACTIONS = ["claim", "reply", "note", "outcome", "promise", "handback", "close", "reassign"]


def _audit(database_url: str, action: str, conversation_id: str | None = None) -> list:
    from bot.db import models as m
    from bot.db.session import session_scope

    with session_scope(database_url) as s:
        q = select(m.AuditEntry).where(m.AuditEntry.action == action)
        if conversation_id:
            q = q.where(m.AuditEntry.conversation_id == conversation_id)
        return [(e.actor, e.detail, e.text) for e in s.scalars(q.order_by(m.AuditEntry.id))]


def _verified_handoff(base: str) -> Rest:
    chat = Rest(base)
    chat.say("你好")
    chat.say("身份证后四位3512，生日1988年3月12日")
    assert any("人工" in t for t in chat.say("转人工"))
    return chat


@pytest.fixture(scope="module")
def demo(stack) -> Console:
    console = Console(stack.url)
    assert console.login(*COLLECTOR).status_code == 303
    return console


def test_logged_out_requests_get_nothing(stack):
    base = stack.url
    page = requests.get(f"{base}/console", allow_redirects=False, timeout=10)
    assert page.status_code == 303 and page.headers["location"] == "/console/login"
    for path in GET_ROUTES:
        r = requests.get(base + path, timeout=10)
        assert r.status_code == 401, path
        assert set(r.json()) <= {"error", "login"}, path
    for action in POST_ACTIONS:
        r = requests.post(f"{base}/console/api/handoffs/1/{action}", json={"text": "x"}, timeout=10)
        assert r.status_code == 401, action
    # a forged or expired cookie is no better than none
    r = requests.get(f"{base}/console/api/queue", cookies={"hkzs_console": "forged-session-value"}, timeout=10)
    assert r.status_code == 401


def test_session_cookie_flags_and_login_page(stack):
    http = requests.Session()
    page = http.get(f"{stack.url}/console/login", timeout=10)
    assert page.status_code == 200 and 'name="csrf"' in page.text
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    console = Console(stack.url)
    r = console.login(*COLLECTOR)
    cookie = r.headers["set-cookie"]
    assert r.status_code == 303 and "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/console" in cookie
    # a new session id at login (the pre-login cookie is not reused)
    assert cookie.split(";")[0] != page.headers["set-cookie"].split(";")[0]


def test_csrf_missing_wrong_or_cross_site_is_refused(stack, demo):
    chat = _verified_handoff(stack.url)
    entry = demo.entry_for(chat.sender)
    path = f"/handoffs/{entry['id']}/claim"
    assert demo.post(path, csrf=False).status_code == 403                      # missing
    r = demo.http.post(f"{stack.url}/console/api{path}", json={}, headers={"X-CSRF-Token": "x" * 43}, timeout=10)
    assert r.status_code == 403                                                # wrong
    other = Console(stack.url)
    other.login(*COLLECTOR)
    r = demo.http.post(f"{stack.url}/console/api{path}", json={}, headers={"X-CSRF-Token": other.csrf}, timeout=10)
    assert r.status_code == 403                                                # another session's token
    r = demo.http.post(f"{stack.url}/console/api{path}", json={},
                       headers={"X-CSRF-Token": demo.csrf, "Origin": "https://evil.example"}, timeout=10)
    assert r.status_code == 403                                                # cross-site, even with the token
    assert demo.get(f"/handoffs/{entry['id']}").json()["summary"]["status"] == "waiting"  # nothing happened
    assert tracker(stack.url, chat.sender)["paused"] is False
    refused = [d["why"] for actor, d, _ in _audit(stack.database_url, "console_request_refused")]
    assert refused.count("csrf") >= 3 and "origin" in refused
    # the login form and logout need their token too
    r = requests.post(f"{stack.url}/console/login", data={"username": COLLECTOR[0], "password": COLLECTOR[1]},
                      allow_redirects=False, timeout=10)
    assert r.status_code == 403
    assert demo.http.post(f"{stack.url}/console/logout", allow_redirects=False, timeout=10).status_code == 403
    assert demo.get("/me").status_code == 200  # still logged in


def test_wrong_passwords_lock_the_account(stack):
    from bot.console import auth
    from bot.db.session import session_scope

    with session_scope(stack.database_url) as s:
        auth.add_user(s, "locktest", "lock-test-password", "collector", replace=True)
    console = Console(stack.url)
    for _ in range(auth.MAX_FAILED):
        r = console.login("locktest", "wrong-password!!")
        assert r.status_code == 401 and "用户名或密码不正确" in r.text
    r = console.login("locktest", "lock-test-password")
    assert r.status_code == 401 and "锁定" in r.text
    assert len(_audit(stack.database_url, "console_login_failed")) >= auth.MAX_FAILED


def test_wechat_borrower_gets_collector_replies_as_customer_service_messages(stack):
    lin = Console(stack.url)
    assert lin.login(*COLLECTOR_2).status_code == 303
    wx = WeChatUser(stack.url)
    assert wx.say("你好").status_code == 200
    assert "人工" in wx.say("转人工").text
    entry = lin.entry_for(wx.sender)
    assert entry["channel"] == "微信公众号" and entry["verified"] is False and entry["loan"] is None

    claim = lin.post(f"/handoffs/{entry['id']}/claim").json()
    assert claim["delivery"] == {"channel": "wechat", "sent": True, "error": None}
    assert any("人工客服" in t for t in stack.stub.wait_sent(wx.openid, "人工客服"))

    # while claimed: the bot is silent (plain "success", no passive reply), the message is recorded
    r = wx.say("我下周一定还")
    assert r.status_code == 200 and r.text == "success"
    events = tracker(stack.url, wx.sender)["events"]
    last_user = max(i for i, e in enumerate(events) if e["event"] == "user")
    assert events[last_user]["text"] == "我下周一定还"
    assert not any(e["event"] in ("bot", "action") for e in events[last_user:])  # no bot turn at all
    assert any(i["text"] == "我下周一定还" for i in lin.get(f"/handoffs/{entry['id']}/transcript").json()["items"])

    reply = "好的，收到。请问您方便哪一天还款？"
    assert lin.post(f"/handoffs/{entry['id']}/reply", {"text": reply}).json()["delivery"]["sent"] is True
    assert reply in stack.stub.wait_sent(wx.openid, reply)
    sends = [c for c in stack.stub.calls if c["path"] == "/cgi-bin/message/custom/send"]
    assert all(c["query"].get("access_token") == "STUB_TOKEN" and c["body"]["msgtype"] == "text" for c in sends)

    back = lin.post(f"/handoffs/{entry['id']}/handback").json()
    assert back["handoff"]["status"] == "returned"
    assert any("自动助手" in t for t in stack.stub.wait_sent(wx.openid, "自动助手"))
    # the bot answers again, in the passive reply
    r = wx.say("你好")
    assert r.status_code == 200 and "<Content>" in r.text and r.text != "success"


def test_two_replicas_share_sessions_and_claims(stack):
    chat = _verified_handoff(stack.url)
    on_a = Console(stack.url)
    assert on_a.login(*COLLECTOR).status_code == 303
    entry = on_a.entry_for(chat.sender)
    # the same cookie and CSRF token work on replica B (sessions are in the database)
    on_b = Console(stack.url_b)
    on_b.http.cookies = on_a.http.cookies
    on_b.csrf = on_a.csrf
    assert on_b.get("/me").json()["name"] == COLLECTOR[0]
    # two collectors race for the entry on two replicas: exactly one wins
    lin_b = Console(stack.url_b)
    lin_b.login(*COLLECTOR_2)
    results: dict[str, int] = {}

    def claim(name: str, console: Console) -> None:
        results[name] = console.post(f"/handoffs/{entry['id']}/claim").status_code

    threads = [threading.Thread(target=claim, args=("demo", on_a)), threading.Thread(target=claim, args=("lin", lin_b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values()) == [200, 409], results
    winner = on_a if results["demo"] == 200 else lin_b
    # a reply through replica B lands in the conversation the borrower has on replica A
    assert winner.post(f"/handoffs/{entry['id']}/reply", {"text": "您好，我在。"}).status_code == 200
    assert any(e.get("text") == "您好，我在。" for e in tracker(stack.url, chat.sender)["events"])
    assert chat.say("好的") == []  # paused, whichever replica the borrower reaches
    winner.post(f"/handoffs/{entry['id']}/close", {"outcome": "resolved_other"})


def test_need_to_know_supervisor_reassign_and_close(stack, demo):
    chat = _verified_handoff(stack.url)
    entry = demo.entry_for(chat.sender)
    hid = entry["id"]
    assert demo.post(f"/handoffs/{hid}/claim").status_code == 200
    lin = Console(stack.url)
    lin.login(*COLLECTOR_2)
    # another collector neither sees nor touches it
    assert hid not in [e["id"] for e in lin.get("/queue").json()["entries"]]
    assert lin.get(f"/handoffs/{hid}").status_code == 403
    assert lin.post(f"/handoffs/{hid}/reply", {"text": "你好"}).status_code == 403
    assert lin.post(f"/handoffs/{hid}/reassign", {"to": "lin"}).status_code == 403  # not a supervisor
    assert lin.get("/collectors").status_code == 403
    # the supervisor sees everything and reassigns
    boss = Console(stack.url)
    boss.login(*SUPERVISOR)
    assert hid in [e["id"] for e in boss.get("/queue").json()["entries"]]
    assert "lin" in [c["name"] for c in boss.get("/collectors").json()["collectors"]]
    assert boss.post(f"/handoffs/{hid}/reassign", {"to": "nobody"}).status_code == 422
    assert boss.post(f"/handoffs/{hid}/reassign", {"to": "lin"}).json()["handoff"]["claimed_by"] == "lin"
    assert demo.post(f"/handoffs/{hid}/reply", {"text": "你好"}).status_code == 403  # not theirs any more
    assert lin.post(f"/handoffs/{hid}/reply", {"text": "您好，我接手了您的问题。"}).status_code == 200
    # close needs an outcome; closing resumes the bot
    assert lin.post(f"/handoffs/{hid}/close", {}).status_code == 422
    assert lin.post(f"/handoffs/{hid}/close", {"outcome": "made-up"}).status_code == 422
    closed = lin.post(f"/handoffs/{hid}/close", {"outcome": "callback_scheduled"}).json()
    assert closed["handoff"]["status"] == "closed" and closed["handoff"]["outcome"] == "callback_scheduled"
    assert tracker(stack.url, chat.sender)["paused"] is False
    assert lin.post(f"/handoffs/{hid}/reply", {"text": "还在吗"}).status_code == 409  # closed: no more replies
    assert any("2794.19" in t for t in chat.say("我还欠多少"))


def test_quick_actions_promise_note_outcome_and_audit(stack, demo):
    from bot.db import models as m
    from bot.db.session import session_scope

    chat = _verified_handoff(stack.url)
    entry = demo.entry_for(chat.sender)
    hid = entry["id"]
    assert entry["verified"] and entry["loan"]["amount_due_now"] == "2794.19" and entry["loan"]["days_overdue"] == 21
    assert demo.post(f"/handoffs/{hid}/promise", {"date": "2026-12-10", "amount": "1000"}).status_code == 409  # claim first
    demo.post(f"/handoffs/{hid}/claim")
    r = demo.post(f"/handoffs/{hid}/promise", {"date": "2026-12-10", "amount": "1000"})
    assert r.status_code == 200, r.text
    promise = r.json()["promise"]
    again = demo.post(f"/handoffs/{hid}/promise", {"date": "2026-12-10", "amount": "1000"}).json()["promise"]
    assert again["id"] == promise["id"] and again["created"] is False  # idempotent
    assert demo.post(f"/handoffs/{hid}/promise", {"date": "2027-06-01", "amount": "1000"}).status_code == 422
    assert demo.post(f"/handoffs/{hid}/note", {"text": "说月中发工资，手机13812345678"}).status_code == 200
    assert demo.post(f"/handoffs/{hid}/outcome", {"outcome": "promise_to_pay"}).status_code == 200
    assert demo.post(f"/handoffs/{hid}/reply", {"text": "我们会上门找你家人"}).status_code == 422
    detail = demo.get(f"/handoffs/{hid}").json()
    assert any(p["id"] == promise["id"] for p in detail["summary"]["promises"])
    kinds = [h["kind"] for h in detail["history"]]
    assert kinds[:1] == ["claimed"] and {"promise", "note", "outcome", "reply_blocked"} <= set(kinds)
    note = next(h for h in detail["history"] if h["kind"] == "note")
    assert "13812345678" not in note["text"] and "138****5678" in note["text"]  # masked (rule 4)
    with session_scope(stack.database_url) as s:
        assert s.get(m.Promise, promise["id"]).conversation_id == chat.sender
    for action in ("console_view", "handoff_claimed", "collector_promise", "handoff_note", "handoff_outcome",
                   "collector_reply_blocked"):
        rows = _audit(stack.database_url, action, chat.sender)
        assert rows and all(actor == "collector:demo" for actor, _, _ in rows), action
    blocked = _audit(stack.database_url, "collector_reply_blocked", chat.sender)[-1]
    assert blocked[1]["category"] and "家人" in blocked[2]
    assert all("13812345678" not in (text or "") for _, _, text in _audit(stack.database_url, "handoff_note"))
    demo.post(f"/handoffs/{hid}/handback", {"outcome": "promise_to_pay"})


def test_unverified_conversation_shows_no_loan_figures_and_refuses_promises(stack, demo):
    chat = Rest(stack.url)
    chat.say("你好")
    chat.say("转人工")
    entry = demo.entry_for(chat.sender)
    assert entry["verified"] is False and entry["loan"] is None and "borrower_detail" not in entry
    assert entry["borrower"] == "未验证身份" and "尚未通过身份验证" in entry["notice"]
    demo.post(f"/handoffs/{entry['id']}/claim")
    r = demo.post(f"/handoffs/{entry['id']}/promise", {"date": "2026-12-10", "amount": "100"})
    assert r.status_code == 409 and "验证" in r.json()["error"]
    demo.post(f"/handoffs/{entry['id']}/handback")


def test_distress_while_a_collector_holds_the_conversation_gets_the_crisis_lines(stack):
    # found by a probe: 「我真的撑不下去了 想从楼上跳下去」 after the claim got nothing, and the entry stayed 普通
    lin = Console(stack.url)
    assert lin.login(*COLLECTOR_2).status_code == 303
    wx = WeChatUser(stack.url)
    wx.say("你好")
    assert "人工" in wx.say("转人工").text
    entry = lin.entry_for(wx.sender)
    assert entry["urgent"] is False
    lin.post(f"/handoffs/{entry['id']}/claim")
    quiet = wx.say("我再想想")
    assert quiet.status_code == 200 and quiet.text == "success"  # held: the bot is silent
    cared = wx.say("我真的撑不下去了 想从楼上跳下去")
    assert cared.status_code == 200 and "12356" in cared.text and "110" in cared.text
    assert "工作人员就在这里陪您" in cared.text
    held = lin.get(f"/handoffs/{entry['id']}").json()["summary"]
    assert held["urgent"] is True and held["distress"] is True and held["status"] == "claimed"  # the claim kept
    slots = tracker(stack.url, wx.sender)["slots"]
    assert slots["distress"] is True  # collection talk stays off after the hand-back
    assert wx.say("嗯").text == "success"  # once per message: silent again for what is not distress
    lin.post(f"/handoffs/{entry['id']}/handback", {"outcome": "wellbeing_support"})
    # a person attended to it and gave the conversation back: the bot answers again (found by a probe: every
    # request got 「现在先不谈还款的事…工作人员会尽快联系您」 with nobody queued)
    assert tracker(stack.url, wx.sender)["slots"]["distress"] is False


def test_a_read_back_before_the_handoff_is_not_signed_after_it(stack, demo):
    # found by a probe: a plan disclosed before the handoff, then 「那我考虑下」 to the collector, the hand-back,
    # and a bare 「确认」 signed the plan
    from bot.db import models as m
    from bot.db.session import session_scope

    def plans() -> int:
        with session_scope(stack.database_url) as s:
            return len(s.scalars(select(m.Plan).where(m.Plan.loan_id == "L005")).all())

    chat = Rest(stack.url)
    chat.say("你好")
    chat.say("身份证后四位6603，生日1985年1月19日")
    chat.say("我想分期")
    assert any("确认" in t for t in chat.say("12期"))
    assert tracker(stack.url, chat.sender)["slots"]["pending_confirmation"] == "plan"
    chat.say("转人工")
    entry = demo.entry_for(chat.sender)
    before = plans()
    demo.post(f"/handoffs/{entry['id']}/claim")
    assert tracker(stack.url, chat.sender)["slots"]["pending_confirmation"] is None
    demo.post(f"/handoffs/{entry['id']}/handback")
    after = chat.say("确认")
    assert not any("已为您办理" in t for t in after) and plans() == before


def _held_by_a_collector(stack, first: str) -> tuple[Console, WeChatUser, dict]:
    """A WeChat borrower who said ``first``, then asked for a person, whom a collector has claimed."""
    lin = Console(stack.url)
    assert lin.login(*COLLECTOR_2).status_code == 303
    wx = WeChatUser(stack.url)
    wx.say(first)
    assert "人工" in wx.say("转人工").text
    entry = lin.entry_for(wx.sender)
    lin.post(f"/handoffs/{entry['id']}/claim")
    return lin, wx, entry


def test_identity_given_to_the_collector_is_checked(stack):
    # found by a probe: a borrower who asked for a person first, then gave their ID tail and birth date to the
    # collector, stayed 「未验证身份」 in the console (no loan figures, no promise) for the whole conversation
    lin, wx, entry = _held_by_a_collector(stack, "你好")
    assert wx.say("身份证后四位3512").text == "success"  # held: the bot stays silent
    assert lin.entry_for(wx.sender)["verified"] is False
    assert tracker(stack.url, wx.sender)["slots"]["id_last4"] == "3512"  # kept for the other factor
    assert wx.say("生日1988年3月12日").text == "success"
    now = lin.entry_for(wx.sender)
    assert now["verified"] is True and now["loan"]["amount_due_now"] == "2794.19" and "B001" in now["borrower"]
    slots = tracker(stack.url, wx.sender)["slots"]
    assert slots["verified"] is True and slots["borrower_id"] == "B001"
    assert slots["id_last4"] is None and slots["birth_date"] is None  # factors are used once
    assert [a for a, _, _ in _audit(stack.database_url, "verification_passed", wx.sender)] == ["bot"]
    r = lin.post(f"/handoffs/{entry['id']}/promise", {"date": "2026-12-08", "amount": "100"})
    assert r.status_code == 200, r.text  # verified now: the collector may record a promise
    lin.post(f"/handoffs/{entry['id']}/handback")


def test_identity_given_to_the_collector_fails_like_any_other_attempt(stack):
    lin, wx, entry = _held_by_a_collector(stack, "你好")
    assert wx.say("身份证后四位3512 生日1990年1月1日").text == "success"
    assert wx.say("身份证后四位3512 生日2月30号").text == "success"  # no such date: matches nobody, no crash
    assert lin.entry_for(wx.sender)["verified"] is False
    assert len(_audit(stack.database_url, "verification_failed", wx.sender)) == 2  # counted towards the lock
    lin.post(f"/handoffs/{entry['id']}/handback")


def test_a_declared_third_party_is_not_verified_by_the_collector_route(stack):
    lin, wx, entry = _held_by_a_collector(stack, "我是张伟的老婆")
    wx.say("他身份证后四位3512 生日1988年3月12日")
    assert lin.entry_for(wx.sender)["verified"] is False
    assert not _audit(stack.database_url, "verification_passed", wx.sender)
    lin.post(f"/handoffs/{entry['id']}/handback")
