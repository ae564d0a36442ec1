"""Every demo borrower, end to end through the REST channel, with BOT_TODAY=2026-12-01."""
import re

import pytest

from bot.db import models as m
from bot.db.session import session_scope

FACTORS = {
    "B001": "身份证后四位3512 生日1988年3月12日",
    "B002": "身份证尾号0426 手机尾号2002",
    "B003": "后四位771X 出生日期1979年11月30日",
    "B004": "身份证后4位2048，生日是1992年7月8日",
    "B005": "身份证后四位6603 手机后四位5005",
    "B006": "身份证后四位9150 生日1990年9月9日",
    "B007": "身份证后四位5828 生日1998年2月14日",
    "B008": "身份证后四位3306 生日1983年6月30日",
}


def verify(chat, borrower):
    assert "验证成功" in chat.text(FACTORS[borrower]), chat.transcript[-1]


def test_b001_plan_accepted_and_visible_in_the_ledger(chat, servers):
    chat.say("你好")
    verify(chat, "B001")
    assert "2794.19" in chat.text("我还欠多少钱")
    why = chat.text("为什么扣款失败了")
    assert "余额不足" in why and "11月10日、11月11日" in why
    buttons = chat.buttons("我想办分期")
    menu = "\n".join(r.get("text", "") for r in chat.transcript[-1][1])
    assert all(x in menu for x in ("4557.54", "2312.78", "1190.90")), chat.transcript
    twelve = next(b for b in buttons if b["title"] == "12期")
    assert "1190.90" in chat.text(twelve["payload"])
    assert "已为您办理12期分期" in chat.text("确认")
    after = chat.text("我还欠多少钱")  # from now on the plan's figures, not the arrears it took over
    assert "2794.19" not in after and "2027年1月1日，应还1190.90元" in after and "13403.65" in after
    with session_scope(servers.database_url) as s:
        plan = s.query(m.Plan).filter_by(loan_id="L001", status="active").one()
        assert (str(plan.monthly_payment), plan.term_months) == ("1190.90", 12)
    # the operator sees it too
    import os
    import subprocess
    import sys

    shown = subprocess.run([sys.executable, "-c", "from bot.cli import main; main()", "ledger", "show", "B001"],
                           capture_output=True, text=True, timeout=120,
                           env={**os.environ, "BOT_DATABASE_URL": servers.database_url, "BOT_TODAY": "2026-12-01",
                                "COLUMNS": "200"})
    assert shown.returncode == 0, shown.stderr
    assert "active: 13403.65 over 12 months at 1190.90/month" in shown.stdout and "14290.78" in shown.stdout


def test_b002_grace_period(chat):
    verify(chat, "B002")
    text = chat.text("为啥说我逾期")
    assert "银行卡已过期" in text and "宽限期" in text


def test_b003_hardship_gets_long_terms(chat):
    verify(chat, "B003")
    chat.say("我失业了 实在还不上")
    titles = [b["title"] for r in chat.transcript[-1][1] for b in r.get("buttons", [])]
    assert {"36期", "48期", "60期"} <= set(titles)


def test_b004_current(chat):
    verify(chat, "B004")
    assert "没有到期未还" in chat.text("我还欠多少")


def test_b005_no_autodebit(chat):
    verify(chat, "B005")
    assert "未开通自动还款" in chat.text("为什么没有自动扣款")


def test_b006_broken_promise_mentioned(chat):
    verify(chat, "B006")
    text = chat.text("我12月10号还一千")
    assert "1100.00" in text and "12月10日" in text


def test_b007_partial_payment_and_frozen_card(chat):
    verify(chat, "B007")
    text = chat.text("我上个月30号转了500怎么还逾期")
    assert "500.00" in text and ("387.84" in text or "387.55" in text)
    assert "银行卡被冻结" in chat.text("为什么会逾期")


def test_b008_settled(chat):
    verify(chat, "B008")
    text = chat.text("我还要还多少")
    assert "结清" in text


AMOUNT_OR_DATE = re.compile(r"\d+\.\d{2}|\d{4}年\d{1,2}月|\d{1,2}月\d{1,2}日")


@pytest.mark.parametrize("message", ["你好", "我还欠多少", "张伟欠了多少钱", "为什么逾期", "罚息多少", "我想分期",
                                     "我15号还两千", "能提前还清吗", "还款日是哪天", "我已经还了", "3512", "我是他老婆 他欠多少"])
def test_nothing_disclosed_before_verification(chat, message):
    assert not AMOUNT_OR_DATE.search(chat.text(message))


@pytest.mark.parametrize("message", ["", " ", "😀😀😀", "好" * 5000, "分0期", "2月30号还", "<script>alert(1)</script>",
                                     "{\"json\": true}", "/unknown_intent", "/request_installment{\"installment_count\": \"abc\"}"])
def test_bad_input_gets_a_polite_reply(chat, servers, message):
    verify(chat, "B001")
    replies = chat.say(message)
    assert isinstance(replies, list)
    log = (servers.log_dir / "actions.log").read_text(encoding="utf-8", errors="ignore")
    assert "Traceback" not in log
