"""bot/tracker_store.py against Rasa's own SQLTrackerStore, on real SQLite and PostgreSQL databases:
the same rows stored, the same events published to the event broker, the same conversation read
back, with one read per save instead of Rasa's three."""
from __future__ import annotations

import asyncio
import uuid

import pytest
import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import ResilientSQLTrackerStore
from tests.conftest import ensure_postgres, project_domain

DOMAIN = project_domain()


class RecordingBroker(EventBroker):
    def __init__(self) -> None:
        self.published: list[dict] = []

    def publish(self, event: dict) -> None:
        self.published.append(event)


def _turn(tracker: DialogueStateTracker, text: str, intent: str, at: float, reply: str) -> None:
    tracker.update(UserUttered(text, {"name": intent, "confidence": 0.9}, timestamp=at))
    tracker.update(ActionExecuted("utter_greet", timestamp=at + 0.1))
    tracker.update(BotUttered(reply, timestamp=at + 0.2))
    tracker.update(ActionExecuted("action_listen", timestamp=at + 0.3))


def _session_start(tracker: DialogueStateTracker, at: float) -> None:
    """As Rasa's processor logs it: the action's SessionStarted is created before the
    ActionExecuted that is appended ahead of it (Rasa counts stored events from the newest
    SessionStarted by timestamp)."""
    tracker.update(ActionExecuted("action_session_start", timestamp=at + 0.02))
    tracker.update(SessionStarted(timestamp=at + 0.01))
    tracker.update(ActionExecuted("action_listen", timestamp=at + 0.03))


async def _conversation(store: SQLTrackerStore, sender: str) -> list[int]:
    """Saves after each turn (once with nothing new), across a new session. Returns the number of
    SELECTs each save issued."""
    selects: list[int] = []
    count = [0]

    def on_execute(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            count[0] += 1

    sa.event.listen(store.engine, "before_cursor_execute", on_execute)

    async def save(tracker):
        count[0] = 0
        await store.save(tracker)
        selects.append(count[0])

    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    _session_start(tracker, 1000.0)
    await save(tracker)
    _turn(tracker, "你好", "greet", 1001.0, "您好")
    await save(tracker)
    await save(tracker)  # nothing new
    tracker = await store.retrieve(sender)  # the next turn starts from what is stored
    tracker.update(SlotSet("verified", True, timestamp=1010.0))
    _turn(tracker, "我还欠多少", "ask_balance", 1011.0, "您还需还款 2794.19 元")
    await save(tracker)
    tracker = await store.retrieve(sender)
    _session_start(tracker, 5000.0)  # a new session: only its events are counted from here
    _turn(tracker, "在吗", "greet", 5001.0, "在的")
    await save(tracker)
    sa.event.remove(store.engine, "before_cursor_execute", on_execute)
    return selects


def _rows(store: SQLTrackerStore, sender: str) -> list[tuple]:
    with store.session_scope() as session:
        rows = session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender).order_by(store.SQLEvent.id)
        return [(r.type_name, r.timestamp, r.intent_name, r.action_name, r.data) for r in rows]


@pytest.fixture(params=["sqlite", "postgresql"])
def store_settings(request, tmp_path):
    """Keyword arguments for two tracker stores on two fresh databases of one kind."""
    if request.param == "sqlite":
        yield [{"dialect": "sqlite", "db": str(tmp_path / f"{n}.db")} for n in ("rasa", "ours")]
        return
    import psycopg2

    base = ensure_postgres()
    names = [f"bot_test_tracker_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    conn = psycopg2.connect(f"{base}/postgres")
    conn.autocommit = True
    for name in names:
        conn.cursor().execute(f"CREATE DATABASE {name}")
    yield [{"dialect": "postgresql", "host": "127.0.0.1", "port": 5432, "db": name, "username": "postgres"}
           for name in names]
    for name in names:
        conn.cursor().execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    conn.close()


def test_saves_exactly_what_rasa_saves_with_one_read_per_save(store_settings):
    rasa_broker, our_broker = RecordingBroker(), RecordingBroker()
    rasa_store = SQLTrackerStore(DOMAIN, event_broker=rasa_broker, **store_settings[0])
    our_store = ResilientSQLTrackerStore(DOMAIN, event_broker=our_broker, **store_settings[1])
    try:
        rasa_selects = asyncio.run(_conversation(rasa_store, "conv-1"))
        our_selects = asyncio.run(_conversation(our_store, "conv-1"))

        assert _rows(our_store, "conv-1") == _rows(rasa_store, "conv-1")
        assert len(_rows(our_store, "conv-1")) == 3 + 4 + 1 + 4 + 3 + 4  # every event once
        assert our_broker.published == rasa_broker.published
        assert [e["event"] for e in our_broker.published].count("user") == 3
        ours = asyncio.run(our_store.retrieve_full_tracker("conv-1"))
        theirs = asyncio.run(rasa_store.retrieve_full_tracker("conv-1"))
        assert [e.as_dict() for e in ours.events] == [e.as_dict() for e in theirs.events]
        ours_latest = asyncio.run(our_store.retrieve("conv-1"))  # the latest session only
        theirs_latest = asyncio.run(rasa_store.retrieve("conv-1"))
        assert [e.as_dict() for e in ours_latest.events] == [e.as_dict() for e in theirs_latest.events]
        assert 0 < len(ours_latest.events) < len(ours.events)
        # Rasa re-reads the conversation to publish, then counts it again; one count is enough
        assert our_selects == [1] * 5
        assert all(n >= 2 for n in rasa_selects)
    finally:
        rasa_store.engine.dispose()
        our_store.engine.dispose()


def test_a_save_of_many_events_is_split_into_statements_in_order(tmp_path, monkeypatch):
    import bot.tracker_store

    monkeypatch.setattr(bot.tracker_store, "INSERT_ROWS", 3)
    rasa_store = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "rasa.db"))
    our_store = ResilientSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "ours.db"))
    try:
        for store in (rasa_store, our_store):
            tracker = DialogueStateTracker("long", DOMAIN.slots)
            _session_start(tracker, 1000.0)
            for n in range(5):  # 3 + 20 events in one save
                _turn(tracker, f"第{n}句", "greet", 1001.0 + n, "您好")
            asyncio.run(store.save(tracker))
        assert _rows(our_store, "long") == _rows(rasa_store, "long") and len(_rows(our_store, "long")) == 23
    finally:
        rasa_store.engine.dispose()
        our_store.engine.dispose()


def test_reads_and_writes_build_no_orm_objects(tmp_path):
    """What the conversation costs per turn: Rasa's store makes an ORM object of every event it
    reads and writes; ours reads the data column and inserts rows (same results, test above)."""
    built = {"rasa": 0, "ours": 0}
    for name, cls in (("rasa", SQLTrackerStore), ("ours", ResilientSQLTrackerStore)):
        store = cls(DOMAIN, dialect="sqlite", db=str(tmp_path / f"{name}.db"))
        try:
            def count(*_args, name=name):
                built[name] += 1

            sa.event.listen(store.SQLEvent, "init", count)  # an object made to be inserted
            sa.event.listen(store.SQLEvent, "load", count)  # an object made from a row read
            tracker = DialogueStateTracker("conv-2", DOMAIN.slots)
            _session_start(tracker, 1000.0)
            _turn(tracker, "你好", "greet", 1001.0, "您好")
            asyncio.run(store.save(tracker))
            read = asyncio.run(store.retrieve("conv-2"))
            assert [e.as_dict() for e in read.events] == [e.as_dict() for e in tracker.events]
        finally:
            store.engine.dispose()
    assert built["ours"] == 0 and built["rasa"] >= 2 * 7


def test_a_sqlite_tracker_database_runs_in_wal_mode(tmp_path):
    store = ResilientSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    try:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    finally:
        store.engine.dispose()


def test_health_and_bereavement_details_are_stored_masked(tmp_path):
    """Compliance rule 3 (found by a probe: 「查出来肿瘤」 shown word for word in the collector console). The
    in-memory tracker the turn ran on keeps the words; what is stored, and read back, has them masked, at
    the same offsets, with the category kept as the entity's value."""
    store = ResilientSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))
    text = "我最近住院了 查出来肿瘤 没法上班 能分期吗"
    entity = {"entity": "hardship_type", "value": "illness", "start": 2, "end": 4, "text": "住院"}
    kept = {"text": "我爸去世了 能晚几天吗", "intent": "request_extension", "entities": []}
    try:
        tracker = DialogueStateTracker("health", DOMAIN.slots)
        tracker.update(UserUttered(text, {"name": "inform_hardship", "confidence": 0.9}, [entity], timestamp=1.0))
        tracker.update(SlotSet("pending_message", kept, timestamp=1.1))
        asyncio.run(store.save(tracker))
        assert tracker.latest_message.text == text  # the turn itself is not changed
        with store.session_scope() as session:
            stored = " ".join(r.data for r in session.query(store.SQLEvent))
        for word in ("住院", "肿瘤", "去世"):
            assert word not in stored
        back = asyncio.run(store.retrieve("health"))
        user = back.latest_message
        assert user.text == "我最近**了 查出来** 没法上班 能分期吗" and len(user.text) == len(text)
        assert user.entities[0]["value"] == "illness" and user.entities[0]["text"] == "**"
        assert back.get_slot("pending_message")["text"] == "我爸**了 能晚几天吗"
    finally:
        store.engine.dispose()
