"""A test client that talks to the bot the way WeChat's servers do.

Per the Official Account docs (接入指南 / 消息加解密说明):
* every callback carries ``signature = sha1(sorted(token, timestamp, nonce))``, ``timestamp``, ``nonce``
  (and ``openid`` on message pushes);
* URL verification is a GET with ``echostr``, to be echoed back;
* safe mode adds ``encrypt_type=aes`` and ``msg_signature = sha1(sorted(token, timestamp, nonce,
  Encrypt))``; the body is ``<xml><ToUserName/><Encrypt/></xml>`` where Encrypt is
  AES-256-CBC(random16 + len + xml + appid), base64 — made here with wechatpy's own crypto;
  compatible mode sends the plaintext fields and Encrypt together;
* the reply in safe mode is ``<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>``.
"""
from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

import requests
import xmltodict
from wechatpy.crypto import PrpCrypto, WeChatCrypto

ACCOUNT = "gh_0123456789ab"  # the Official Account's original id (ToUserName)


def sha1_sorted(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def text_xml(openid: str, content: str, msg_id: int, create_time: int | None = None) -> str:
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{create_time or int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>")


def voice_xml(openid: str, recognition: str, msg_id: int) -> str:
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[voice]]></MsgType>"
            f"<MediaId><![CDATA[media_id_voice]]></MediaId><Format><![CDATA[amr]]></Format>"
            f"<Recognition><![CDATA[{recognition}]]></Recognition><MsgId>{msg_id}</MsgId></xml>")


def image_xml(openid: str, msg_id: int) -> str:
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[image]]></MsgType>"
            f"<PicUrl><![CDATA[http://mmbiz.example/pic.jpg]]></PicUrl><MediaId><![CDATA[media_id_img]]></MediaId>"
            f"<MsgId>{msg_id}</MsgId></xml>")


def location_xml(openid: str, msg_id: int) -> str:
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[location]]></MsgType>"
            f"<Location_X>23.134521</Location_X><Location_Y>113.358803</Location_Y><Scale>20</Scale>"
            f"<Label><![CDATA[位置信息]]></Label><MsgId>{msg_id}</MsgId></xml>")


def event_xml(openid: str, event: str, create_time: int | None = None) -> str:
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{create_time or int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[{event}]]></Event></xml>")


class WeChatSim:
    def __init__(self, base_url: str, token: str, app_id: str, aes_key: str) -> None:
        self.url = f"{base_url}/webhooks/wechat/webhook"
        self.token, self.app_id, self.aes_key = token, app_id, aes_key
        self.crypto = WeChatCrypto(token, aes_key, app_id)

    def _params(self, openid: str | None = None, forge: bool = False, timestamp: str | None = None) -> dict[str, str]:
        timestamp = timestamp or str(int(time.time()))
        nonce = str(secrets.randbelow(10**10))
        signature = sha1_sorted(self.token, timestamp, nonce)
        if forge:
            signature = sha1_sorted("not-the-token", timestamp, nonce)
        params = {"signature": signature, "timestamp": timestamp, "nonce": nonce}
        if openid:
            params["openid"] = openid
        return params

    def verify_url(self, echostr: str, forge: bool = False) -> requests.Response:
        return requests.get(self.url, params={**self._params(forge=forge), "echostr": echostr}, timeout=10)

    def post(self, xml: str | bytes, *, openid: str | None = None, mode: str = "plain", forge: bool = False,
             forge_msg_signature: bool = False, timestamp: str | None = None, timeout: float = 10) -> requests.Response:
        params = self._params(openid, forge, timestamp)
        body: Any = xml.encode("utf-8") if isinstance(xml, str) else xml
        if mode in {"safe", "compat"}:
            encrypt = PrpCrypto(self.crypto.key).encrypt(xml if isinstance(xml, str) else xml.decode(), self.app_id)
            encrypt = encrypt.decode() if isinstance(encrypt, bytes) else encrypt
            msg_signature = sha1_sorted(self.token, params["timestamp"], params["nonce"], encrypt)
            if forge_msg_signature:
                msg_signature = sha1_sorted("wrong", params["timestamp"], params["nonce"], encrypt)
            params.update({"encrypt_type": "aes", "msg_signature": msg_signature})
            if mode == "safe":
                body = f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
            else:  # compatible: plaintext fields and the ciphertext side by side
                inner = xml if isinstance(xml, str) else xml.decode()
                body = inner.replace("</xml>", f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>")
            body = body.encode("utf-8")
        return requests.post(self.url, params=params, data=body, timeout=timeout,
                             headers={"Content-Type": "text/xml"})

    def read_reply(self, response: requests.Response, encrypted: bool = False) -> dict[str, Any]:
        """The passive reply as a dict (decrypted and its MsgSignature checked in safe mode)."""
        xml = response.text
        if encrypted:
            outer = xmltodict.parse(xml)["xml"]
            expected = sha1_sorted(self.token, outer["TimeStamp"], outer["Nonce"], outer["Encrypt"])
            assert outer["MsgSignature"] == expected, "reply MsgSignature does not match"
            xml = PrpCrypto(self.crypto.key).decrypt(outer["Encrypt"], self.app_id)
            xml = xml.decode() if isinstance(xml, bytes) else xml
        return xmltodict.parse(xml)["xml"]
