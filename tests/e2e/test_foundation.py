"""Issue 2's proof of the chain: Chinese in, ledger facts out, through both real servers."""
import requests


def test_servers_answer_in_chinese(chat):
    reply = chat.text("你好")
    assert "还款助手" in reply and "不是真人" in reply


def test_action_server_looks_up_the_ledger(chat):
    chat.say("你好")
    assert "验证成功" in chat.text("身份证后四位3512 生日1988年3月12日")
    balance = chat.text("我还欠多少钱")
    assert "2794.19" in balance and "40.22" in balance


def test_status_reports_a_model(servers):
    status = requests.get(f"{servers.rasa_url}/status", timeout=10).json()
    assert status["model_id"] and status["model_file"].endswith(".tar.gz")
