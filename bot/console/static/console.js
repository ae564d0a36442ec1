/* 还款助手 collector console. Plain JS, no dependencies; talks only to /console/api.
 *
 * - The session is an HttpOnly cookie; the CSRF token comes from GET /console/api/me and goes back
 *   in X-CSRF-Token on every POST.
 * - The queue and the open conversation's transcript are polled every 2 s (borrower messages appear
 *   live); all text is inserted with textContent, never as HTML.
 */
(function () {
  "use strict";

  var API = "/console/api";
  var state = { me: null, csrf: null, selected: null, cursor: 0, canAct: false, status: null, timer: null,
                polling: false, loading: 0, gen: 0, outcomes: {} };
  var els = {};

  function $(id) { return document.getElementById(id); }

  function request(method, path, body) {
    var headers = { "Accept": "application/json" };
    if (method !== "GET") {
      headers["Content-Type"] = "application/json";
      headers["X-CSRF-Token"] = state.csrf || "";
    }
    return fetch(API + path, {
      method: method, headers: headers, credentials: "same-origin", cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (res) {
      if (res.status === 401) { window.location.assign("/console/login"); throw new Error("logged out"); }
      return res.json().catch(function () { return {}; }).then(function (data) {
        return { status: res.status, data: data || {} };
      });
    });
  }

  function flash(text, bad) {
    els.flash.textContent = text;
    els.flash.className = "flash" + (bad ? " bad" : "");
    els.flash.hidden = !text;
    if (text) { setTimeout(function () { if (els.flash.textContent === text) { els.flash.hidden = true; } }, 6000); }
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  // ------------------------------------------------------------------ queue
  function renderQueue(entries) {
    els.queue.textContent = "";
    els.queueCount.textContent = "（" + entries.length + "）";
    els.queueEmpty.hidden = entries.length > 0;
    entries.forEach(function (e) {
      var li = el("li", "entry" + (e.urgent ? " urgent" : "") + (state.selected === e.id ? " selected" : ""));
      li.setAttribute("data-id", e.id);
      li.setAttribute("data-reason", e.reason);
      li.tabIndex = 0;
      var head = el("div", "entry-head");
      head.appendChild(el("span", "badge p" + e.priority, e.priority_label));
      head.appendChild(el("span", "reason", e.reason_label));
      head.appendChild(el("span", "wait", "等待 " + e.waiting));
      li.appendChild(head);
      var body = el("div", "entry-body");
      body.appendChild(el("span", "borrower", e.borrower));
      body.appendChild(el("span", e.verified ? "ok" : "warn", e.verified ? "已验证" : "未验证"));
      body.appendChild(el("span", "channel", e.channel));
      body.appendChild(el("span", "state", e.status === "claimed" ? "已由 " + e.claimed_by + " 认领" : "待认领"));
      li.appendChild(body);
      li.addEventListener("click", function () { select(e.id); });
      li.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { select(e.id); } });
      els.queue.appendChild(li);
    });
  }

  function pollQueue() {
    return request("GET", "/queue").then(function (r) {
      if (r.status === 200) { renderQueue(r.data.entries || []); }
    }).catch(function () { /* next tick */ });
  }

  // ------------------------------------------------------------------ detail
  function kv(parent, label, value) {
    var row = el("div", "kv");
    row.appendChild(el("span", "k", label));
    row.appendChild(el("span", "v", value === null || value === undefined || value === "" ? "—" : value));
    parent.appendChild(row);
  }

  function renderSummary(s) {
    var box = els.summary;
    box.textContent = "";
    var top = el("div", "summary-head");
    top.appendChild(el("span", "badge p" + s.priority, s.priority_label));
    top.appendChild(el("strong", "", s.reason_label));
    top.appendChild(el("span", "wait", "等待 " + s.waiting));
    box.appendChild(top);
    kv(box, "借款人", s.borrower);
    kv(box, "身份验证", s.verified ? "已验证" : "未验证");
    kv(box, "渠道", s.channel);
    kv(box, "最近意图", (s.last_intents || []).join("、"));
    if (s.distress) { box.appendChild(el("p", "alert", "情绪危机：请先关心对方的安全，不谈还款；必要时提供 12356 / 110 / 120。")); }
    if (s.notice) { box.appendChild(el("p", "notice", s.notice)); }
    if (s.borrower_detail) {
      kv(box, "证件尾号", s.borrower_detail.id_tail);
      kv(box, "手机尾号", s.borrower_detail.phone_tail);
    }
    if (s.hardship) { kv(box, "困难类别", s.hardship.label); }
    if (s.loan) {
      var l = s.loan;
      box.appendChild(el("h4", "", "借款（截至 " + s.as_of + "）"));
      kv(box, "借款", l.product + " " + l.id);
      kv(box, "当前应还", l.amount_due_now + " 元（本金 " + l.principal_due + "，利息 " + l.interest_due + "，罚息 " + l.penalty_due + "）");
      kv(box, "逾期天数", l.days_overdue + " 天" + (l.in_grace ? "（宽限期内）" : ""));
      kv(box, "逾期期数", (l.overdue_installments || []).join("、"));
      kv(box, "提前结清", l.payoff + " 元");
      kv(box, "下期还款日", l.next_due_date);
      kv(box, "年化利率", l.apr);
      if (l.last_failed_attempt) { kv(box, "最近扣款失败", l.last_failed_attempt.date + " " + l.last_failed_attempt.label); }
      if (l.dispute_open) { box.appendChild(el("p", "notice", "该借款有未结异议：催收暂停。")); }
    }
    if (s.promises && s.promises.length) {
      box.appendChild(el("h4", "", "还款承诺"));
      s.promises.forEach(function (p) { kv(box, p.date, p.amount + " 元 · " + p.status); });
    }
    if (s.plans && s.plans.length) {
      box.appendChild(el("h4", "", "分期方案"));
      s.plans.forEach(function (p) { kv(box, p.accepted_on, p.term_months + "期 · 每月" + p.monthly + "元 · 年化" + p.apr + " · " + p.status); });
    }
    if (s.cases && s.cases.length) {
      box.appendChild(el("h4", "", "未结案件"));
      s.cases.forEach(function (c) { kv(box, c.kind === "dispute" ? "异议" : "投诉", c.reference); });
    }
  }

  var WHO = { borrower: "借款人", bot: "机器人", collector: "坐席", system: "系统" };

  function addTranscript(items) {
    items.forEach(function (m) {
      var row = el("div", "line " + m.from);
      var who = m.from === "collector" ? "坐席 " + (m.collector || "") : WHO[m.from] || m.from;
      row.appendChild(el("span", "who", who));
      var body = el("span", "body");
      body.appendChild(el("span", "text", m.text));
      if (m.buttons && m.buttons.length) { body.appendChild(el("span", "meta buttons", "［" + m.buttons.join(" | ") + "］")); }
      if (m.intent) { body.appendChild(el("span", "meta intent", m.intent)); }
      row.appendChild(body);
      els.transcript.appendChild(row);
    });
    if (items.length) { els.transcript.scrollTop = els.transcript.scrollHeight; }
  }

  function renderHistory(list) {
    els.history.textContent = "";
    (list || []).forEach(function (h) {
      var text = h.at.replace("T", " ") + " " + h.actor + " " + h.kind;
      if (h.detail && h.detail.outcome) { text += " " + (state.outcomes[h.detail.outcome] || h.detail.outcome); }
      if (h.text) { text += "：" + h.text; }
      els.history.appendChild(el("li", "", text));
    });
  }

  function setControls(status, claimedBy, canAct, paused) {
    state.status = status;
    state.canAct = canAct;
    els.claim.hidden = status !== "waiting";
    ["reply-text", "reply-send", "promise-save", "note-save", "outcome-save", "handback", "close"].forEach(function (id) {
      $(id).disabled = !canAct;
    });
    var line = { waiting: "待认领：认领后机器人暂停，由您回复。", claimed: "由 " + claimedBy + " 处理中",
                 returned: "已交还机器人", closed: "已结案" }[status] || status;
    els.statusLine.textContent = line;
    els.pausedFlag.textContent = paused ? "（机器人已暂停）" : "（机器人在线）";
  }

  function select(id) {
    state.selected = id;
    state.cursor = 0;
    state.loading = (state.loading || 0) + 1;   // the transcript poll waits until the detail is drawn
    state.gen = (state.gen || 0) + 1;           // and a poll already on its way is ignored
    els.replyError.textContent = "";
    Array.prototype.forEach.call(els.queue.querySelectorAll(".entry"), function (li) {
      li.classList.toggle("selected", Number(li.getAttribute("data-id")) === id);
    });
    return request("GET", "/handoffs/" + id).then(function (r) {
      state.loading -= 1;
      if (id !== state.selected) { return; }
      if (r.status !== 200) { flash(r.data.error || "无法打开这条会话。", true); return; }
      els.detail.hidden = false;
      els.detail.setAttribute("data-id", id);
      renderSummary(r.data.summary);
      renderHistory(r.data.history);
      els.transcript.textContent = "";
      addTranscript(r.data.transcript || []);
      state.cursor = r.data.cursor || 0;
      setControls(r.data.summary.status, r.data.summary.claimed_by, r.data.can_act, r.data.summary.bot_paused);
    }, function () { state.loading -= 1; });
  }

  function pollTranscript() {
    if (!state.selected || state.polling || state.loading) { return Promise.resolve(); }
    state.polling = true;
    var id = state.selected, gen = state.gen;
    return request("GET", "/handoffs/" + id + "/transcript?cursor=" + encodeURIComponent(state.cursor)).then(function (r) {
      state.polling = false;
      if (id !== state.selected || gen !== state.gen || state.loading || r.status !== 200) { return; }
      addTranscript(r.data.items || []);
      state.cursor = r.data.cursor || state.cursor;
      setControls(r.data.status, r.data.claimed_by, r.data.can_act, r.data.paused);
    }, function () { state.polling = false; });
  }

  function refreshDetail() { if (state.selected) { return select(state.selected); } }

  // ------------------------------------------------------------------ actions
  function act(path, body, okText) {
    if (!state.selected) { return Promise.resolve(null); }
    return request("POST", "/handoffs/" + state.selected + "/" + path, body || {}).then(function (r) {
      if (r.status === 200) {
        if (okText) { flash(okText); }
        var d = r.data.delivery;
        if (d && !d.sent && d.error) { flash(okText + "（" + d.error + "）", true); }
      } else {
        flash(r.data.error || ("操作失败（" + r.status + "）"), true);
      }
      return r;
    });
  }

  function onReply(ev) {
    ev.preventDefault();
    var text = els.replyText.value.trim();
    if (!text) { return; }
    els.replySend.disabled = true;
    act("reply", { text: text }, "已发送").then(function (r) {
      els.replySend.disabled = !state.canAct;
      if (!r) { return; }
      if (r.status === 200) {
        els.replyText.value = "";
        els.replyError.textContent = "";
        pollTranscript();
      } else if (r.data.blocked) {
        els.replyError.textContent = r.data.reason;   // not sent; the collector rewrites it
      } else {
        els.replyError.textContent = r.data.error || "发送失败";
      }
    });
  }

  function wire() {
    els.claim.addEventListener("click", function () {
      act("claim", {}, "已认领，机器人已暂停").then(function (r) { if (r && r.status === 200) { refreshDetail(); pollQueue(); } });
    });
    els.replyForm.addEventListener("submit", onReply);
    els.replyText.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { onReply(ev); }
    });
    $("promise-save").addEventListener("click", function () {
      act("promise", { date: $("promise-date").value, amount: $("promise-amount").value }, "还款承诺已记录")
        .then(function (r) { if (r && r.status === 200) { refreshDetail(); } });
    });
    $("note-save").addEventListener("click", function () {
      act("note", { text: $("note-text").value }, "备注已添加").then(function (r) {
        if (r && r.status === 200) { $("note-text").value = ""; refreshDetail(); }
      });
    });
    $("outcome-save").addEventListener("click", function () {
      act("outcome", { outcome: els.outcome.value }, "处理结果已保存").then(function (r) { if (r && r.status === 200) { refreshDetail(); } });
    });
    $("handback").addEventListener("click", function () {
      act("handback", els.outcome.value ? { outcome: els.outcome.value } : {}, "已交还机器人").then(function (r) {
        if (r && r.status === 200) { refreshDetail(); pollQueue(); }
      });
    });
    $("close").addEventListener("click", function () {
      act("close", { outcome: els.outcome.value }, "已结案").then(function (r) {
        if (r && r.status === 200) { refreshDetail(); pollQueue(); }
      });
    });
    $("reassign").addEventListener("click", function () {
      act("reassign", { to: $("reassign-to").value }, "已重新分配").then(function (r) {
        if (r && r.status === 200) { refreshDetail(); pollQueue(); }
      });
    });
    $("logout").addEventListener("click", function () {
      fetch("/console/logout", { method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": state.csrf || "" } })
        .then(function () { window.location.assign("/console/login"); });
    });
  }

  function init() {
    ["flash", "queue", "detail", "summary", "transcript", "history", "outcome"].forEach(function (id) { els[id] = $(id); });
    els.queueCount = $("queue-count"); els.queueEmpty = $("queue-empty"); els.claim = $("claim");
    els.statusLine = $("status-line"); els.pausedFlag = $("paused-flag"); els.replyForm = $("reply-form");
    els.replyText = $("reply-text"); els.replySend = $("reply-send"); els.replyError = $("reply-error");
    request("GET", "/me").then(function (r) {
      if (r.status !== 200) { return; }
      state.me = r.data; state.csrf = r.data.csrf; state.outcomes = r.data.outcomes || {};
      $("whoami").textContent = r.data.name + "（" + (r.data.role === "supervisor" ? "主管" : "坐席") + "）";
      els.outcome.appendChild(el("option", "", "— 选择处理结果 —")).value = "";
      Object.keys(state.outcomes).forEach(function (code) {
        var o = el("option", "", state.outcomes[code]); o.value = code; els.outcome.appendChild(o);
      });
      if (r.data.role === "supervisor") {
        document.querySelector(".supervisor-only").hidden = false;
        request("GET", "/collectors").then(function (c) {
          (c.data.collectors || []).forEach(function (x) {
            var o = el("option", "", x.name + (x.role === "supervisor" ? "（主管）" : "")); o.value = x.name;
            $("reassign-to").appendChild(o);
          });
        });
      }
      wire();
      pollQueue();
      var every = r.data.poll_ms || 2000;
      state.timer = setInterval(function () { pollQueue(); pollTranscript(); }, every);
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
