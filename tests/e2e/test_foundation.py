"""Issue 2's proof of the chain: Chinese in, ledger facts out, through both real servers."""
import requests


def test_servers_answer_in_chinese(chat):
    reply = chat.text("你好")
    assert "还款助手" in reply and "不是真人" in reply


def test_action_server_looks_up_the_ledger(chat):
    """B007: no e2e test gives it a plan (test_borrowers gives B001 one, which changes its balance)."""
    chat.say("你好")
    assert "验证成功" in chat.text("身份证后四位5828 生日1998年2月14日")
    balance = chat.text("我还欠多少钱")
    assert "387.84" in balance and "0.29" in balance


def test_status_reports_a_model(servers):
    status = requests.get(f"{servers.rasa_url}/status", timeout=10).json()
    assert status["model_id"] and status["model_file"].endswith(".tar.gz")


def test_a_conversation_survives_a_restart_of_both_servers(chat, servers):
    """Issue 2: conversations live in Rasa's SQL tracker store (SQLite in the demo profile)."""
    chat.say("你好")
    assert "验证成功" in chat.text("身份证后四位2048，生日是1992年7月8日")

    def user_texts() -> list[str]:
        events = requests.get(f"{servers.rasa_url}/conversations/{chat.sender}/tracker",
                              params={"include_events": "ALL"}, timeout=30).json()["events"]
        return [e["text"] for e in events if e["event"] == "user"]

    before = user_texts()
    servers.stop()
    servers.start()
    assert user_texts() == before == ["你好", "身份证后四位2048，生日是1992年7月8日"]
    # the context came back too: still verified, the ledger answers without asking again
    reply = chat.text("我还欠多少钱")
    assert "没有到期未还" in reply and "验证" not in reply, chat.transcript[-1]
