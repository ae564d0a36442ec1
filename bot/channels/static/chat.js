/* 还款助手 web chat. Plain JS, no dependencies, no network access except this server's /chat/api.
 *
 * - The server issues a signed conversation token (POST /chat/api/session); it is kept in
 *   localStorage and sent as "Authorization: Bearer" on every call.
 * - On load the transcript is fetched from the server (GET /chat/api/history), so a reload keeps it.
 * - Messages go through a queue kept in localStorage: while the network is down they wait and are
 *   retried with exponential backoff (1 s … 30 s, with jitter) and at once when the browser comes
 *   back online. Each carries a client id, so a retry of a message the server already has is
 *   answered from the server's record instead of being processed twice.
 */
(function () {
  "use strict";

  var API = "/chat/api";
  var TOKEN_KEY = "hkzs.chat.token";
  var QUEUE_KEY = "hkzs.chat.queue";
  var MAX_BACKOFF = 30000;
  var POLL_MS = 3000;  // a person (collector) may write at any time: look for new messages this often

  var state = { token: null, queue: [], sending: false, attempts: 0, timer: null, note: null, connected: false,
                polling: false };
  var els = {};

  // ---------------------------------------------------------------- storage
  function save(key, value) {
    try {
      if (value === null || value === undefined) { localStorage.removeItem(key); }
      else { localStorage.setItem(key, JSON.stringify(value)); }
    } catch (e) { /* private mode: keep working without persistence */ }
  }
  function load(key) {
    try { return JSON.parse(localStorage.getItem(key)); } catch (e) { return null; }
  }
  function saveQueue() {
    save(QUEUE_KEY, state.queue.map(function (i) { return { id: i.id, text: i.text, display: i.display }; }));
  }

  function newId() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // ---------------------------------------------------------------- HTTP
  function api(method, path, body) {
    var ctrl = typeof AbortController !== "undefined" ? new AbortController() : null;
    var timer = setTimeout(function () { if (ctrl) { ctrl.abort(); } }, 30000);
    var headers = { "Accept": "application/json" };
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    if (state.token) { headers["Authorization"] = "Bearer " + state.token; }
    return fetch(API + path, {
      method: method, headers: headers, cache: "no-store", credentials: "omit",
      body: body === undefined ? undefined : JSON.stringify(body), signal: ctrl ? ctrl.signal : undefined
    }).then(function (res) {
      clearTimeout(timer);
      return res.json().catch(function () { return {}; }).then(function (data) {
        return { status: res.status, data: data || {} };
      });
    }, function (err) { clearTimeout(timer); throw err; });
  }

  // ---------------------------------------------------------------- rendering
  function scrollDown() { els.log.scrollTop = els.log.scrollHeight; }

  function addNote(text) {
    var p = document.createElement("p");
    p.className = "note";
    p.textContent = text;
    els.log.appendChild(p);
    scrollDown();
  }

  function addMessage(from, text, buttons, image) {
    var row = document.createElement("div");
    row.className = "msg " + from;
    var bubble = document.createElement("div");
    bubble.className = "bubble";
    var who = document.createElement("span");
    who.className = "sr-only";
    who.textContent = from === "user" ? "我：" : "助手：";
    bubble.appendChild(who);
    if (text) { bubble.appendChild(document.createTextNode(text)); } // text only, never HTML
    if (image && /^https?:\/\//.test(image)) {
      var img = document.createElement("img");
      img.src = image; img.alt = "图片";
      bubble.appendChild(img);
    }
    row.appendChild(bubble);
    if (from === "bot" && buttons && buttons.length) {
      var group = document.createElement("div");
      group.className = "quick";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "快捷回复");
      buttons.forEach(function (b) {
        var el = document.createElement("button");
        el.type = "button";
        el.className = "qr";
        el.textContent = b.title;
        el.addEventListener("click", function () {
          if (el.disabled) { return; }
          disableQuickReplies();
          send(b.payload, b.title);
        });
        group.appendChild(el);
      });
      row.appendChild(group);
    }
    els.log.appendChild(row);
    scrollDown();
    return row;
  }

  function disableQuickReplies() {
    Array.prototype.forEach.call(els.log.querySelectorAll(".qr"), function (b) { b.disabled = true; });
  }

  /* Only the buttons of the newest message, if it is the bot's, can be clicked. */
  function refreshQuickReplies() {
    var rows = els.log.querySelectorAll(".msg");
    var last = rows.length ? rows[rows.length - 1] : null;
    Array.prototype.forEach.call(els.log.querySelectorAll(".qr"), function (b) {
      b.disabled = !(last && last.classList.contains("bot") && last.contains(b));
    });
  }

  function setStatus(item, kind) {
    if (!item.row) { return; }
    var st = item.row.querySelector(".status");
    if (!st) {
      st = document.createElement("div");
      st.className = "status";
      item.row.appendChild(st);
    }
    st.className = "status" + (kind === "failed" ? " failed" : "");
    st.textContent = "";
    if (kind === "sent") { st.remove(); return; }
    if (kind === "sending") { st.textContent = "发送中…"; }
    if (kind === "queued") { st.textContent = "等待网络，恢复后自动发送"; }
    if (kind === "failed") {
      st.appendChild(document.createTextNode("未发送 "));
      var retry = document.createElement("button");
      retry.type = "button";
      retry.textContent = "重新发送";
      retry.setAttribute("aria-label", "重新发送这条消息");
      retry.addEventListener("click", function () {
        item.row.remove();
        send(item.text, item.display);
      });
      st.appendChild(retry);
    }
  }

  function showTyping(on) { els.typing.hidden = !on; if (on) { scrollDown(); } }

  function setConn(kind) {
    var text = "";
    if (kind === "offline") { text = "网络连接中断，正在重新连接…您输入的消息会在恢复后自动发送。"; }
    if (kind === "retry") { text = "服务暂时繁忙，正在重试…"; }
    els.conn.textContent = text;
    els.conn.hidden = !text;
  }

  // ---------------------------------------------------------------- session and history
  function ensureSession() {
    return api("POST", "/session", {}).then(function (r) {
      if (r.status === 200 && r.data.token) {
        if (state.token && r.data.new) {
          state.note = "为保护您的信息，之前的会话已过期，已为您开始新的对话。";
        }
        state.token = r.data.token;
        save(TOKEN_KEY, state.token);
        return;
      }
      var err = new Error("session " + r.status);
      err.status = r.status;
      throw err;
    });
  }

  function loadHistory(again) {
    return api("GET", "/history").then(function (r) {
      if ((r.status === 401 || r.status === 403) && !again) {
        state.note = r.data.message || null;
        return ensureSession().then(function () { return loadHistory(true); });
      }
      if (r.status !== 200) { throw new Error("history " + r.status); }
      els.log.textContent = "";
      var items = r.data.messages || [];
      items.forEach(function (m) { addMessage(m.from === "user" ? "user" : "bot", m.text, m.buttons, m.image); });
      if (!items.length) { addNote("您好！我是银行的自动还款助手。请发送“你好”开始，或直接告诉我您想办理的事情。"); }
      if (state.note) { addNote(state.note); state.note = null; }
      state.queue.forEach(function (item) {
        item.row = addMessage("user", item.display || item.text);
        setStatus(item, "queued");
      });
      refreshQuickReplies();
    });
  }

  function connect() {
    return ensureSession().then(function () { return loadHistory(false); }).then(function () {
      state.connected = true;
      state.attempts = 0;
      setConn(null);
      pump();
    }).catch(function () {
      state.connected = false;
      setConn("offline");
      retryLater();
    });
  }

  // ---------------------------------------------------------------- sending
  function send(text, display) {
    var item = { id: newId(), text: text, display: display || null };
    state.queue.push(item);
    saveQueue();
    item.row = addMessage("user", display || text);
    setStatus(item, state.connected ? "sending" : "queued");
    refreshQuickReplies();
    pump();
  }

  function finishItem(item, kind) {
    if (state.queue[0] === item) { state.queue.shift(); }
    saveQueue();
    setStatus(item, kind);
  }

  function pump() {
    if (state.sending || !state.connected || !state.token) { return; }
    var item = state.queue[0];
    if (!item) { return; }
    state.sending = true;
    setStatus(item, "sending");
    showTyping(true);
    api("POST", "/message", { text: item.text, display: item.display, client_id: item.id }).then(function (r) {
      state.sending = false;
      showTyping(false);
      var replies = r.data.messages || [];
      if (r.status === 200) {
        state.attempts = 0;
        setConn(null);
        finishItem(item, "sent");
        if (r.data.duplicate) {          // the server had it already: the transcript is the truth
          return loadHistory(false).then(pump);
        }
        replies.forEach(function (m) { addMessage("bot", m.text, m.buttons, m.image); });
        refreshQuickReplies();
        pump();
        return;
      }
      if (r.status === 409) { retryLater(); return; }                     // still being processed
      if (r.status === 401 || r.status === 403) {                          // expired or refused token
        state.note = r.data.message || null;
        state.connected = false;
        state.token = null;
        save(TOKEN_KEY, null);
        connect();
        return;
      }
      if (r.status === 429 || r.status === 400 || r.status === 413) {     // polite refusal: not queued
        finishItem(item, "failed");
        if (item.row) { item.row.classList.add("local"); }
        if (replies.length) { replies.forEach(function (m) { addMessage("bot", m.text, m.buttons).classList.add("local"); }); }
        else if (r.data.message) { addNote(r.data.message); }
        refreshQuickReplies();
        pump();
        return;
      }
      setConn("retry");                                                    // 5xx: keep it, try again
      setStatus(item, "queued");
      retryLater();
    }, function () {
      state.sending = false;
      showTyping(false);
      setConn("offline");
      setStatus(item, "queued");
      retryLater();
    });
  }

  // ---------------------------------------------------------------- live: poll history
  /* Messages can arrive without a message of ours (a collector's reply after a handoff): while the
   * page is visible and nothing is being sent, fetch the transcript and append what is new. Rows
   * shown only locally (polite refusals) and queued messages are not part of the server's
   * transcript, so they are left out of the count. */
  function shownCount() {
    return els.log.querySelectorAll(".msg:not(.local)").length - state.queue.length;
  }

  function pollHistory() {
    if (!state.connected || state.sending || state.queue.length || document.hidden || state.polling) { return; }
    state.polling = true;
    api("GET", "/history").then(function (r) {
      state.polling = false;
      if (r.status !== 200 || state.sending || state.queue.length) { return; }
      var items = r.data.messages || [];
      var shown = shownCount();
      if (items.length <= shown) { return; }
      items.slice(shown).forEach(function (m) { addMessage(m.from === "user" ? "user" : "bot", m.text, m.buttons, m.image); });
      refreshQuickReplies();
    }, function () { state.polling = false; });
  }

  function resume() {
    if (state.timer) { clearTimeout(state.timer); state.timer = null; }
    if (!state.connected || !state.token) { connect(); } else { pump(); }
  }

  function retryLater() {
    if (state.timer) { clearTimeout(state.timer); }
    var delay = Math.min(MAX_BACKOFF, 1000 * Math.pow(2, state.attempts));
    state.attempts = Math.min(state.attempts + 1, 10);
    delay = delay / 2 + Math.random() * delay / 2;
    state.timer = setTimeout(resume, delay);
  }

  // ---------------------------------------------------------------- wiring
  function submit(ev) {
    if (ev) { ev.preventDefault(); }
    var text = els.input.value.trim();
    if (!text) { els.input.focus(); return; }
    els.input.value = "";
    autosize();
    send(text, null);
    els.input.focus();
  }

  function autosize() {
    els.input.style.height = "auto";
    els.input.style.height = Math.min(els.input.scrollHeight + 2, 120) + "px";
  }

  function init() {
    els.log = document.getElementById("log");
    els.input = document.getElementById("input");
    els.form = document.getElementById("composer");
    els.typing = document.getElementById("typing");
    els.conn = document.getElementById("conn");
    state.token = load(TOKEN_KEY);
    state.queue = (load(QUEUE_KEY) || []).filter(function (i) { return i && i.id && i.text; });
    els.form.addEventListener("submit", submit);
    els.input.addEventListener("keydown", function (ev) {
      // Enter sends; Shift+Enter is a new line; never while an IME (拼音) is composing
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing && ev.keyCode !== 229) { submit(ev); }
    });
    els.input.addEventListener("input", autosize);
    window.addEventListener("online", function () { state.attempts = 0; resume(); });
    window.addEventListener("offline", function () { setConn("offline"); });
    connect();
    setInterval(pollHistory, POLL_MS);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
