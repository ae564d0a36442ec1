"""The conversation lock against the machine's real Redis, contended by separate processes."""
from __future__ import annotations

import asyncio
import multiprocessing as mp
import time
import uuid

import pytest

from bot.prod.lock_store import AtomicRedisLockStore, LockStoreUnavailable
from tests.prod.conftest import ensure_redis

PREFIX = "huankuantest"


def _store(**kw) -> AtomicRedisLockStore:
    return AtomicRedisLockStore(host="127.0.0.1", port=6379, db=0, key_prefix=PREFIX, **kw)


def _increment_under_lock(conversation: str, counter: str, times: int) -> None:
    """One 'replica': read-modify-write a shared counter, yielding inside, under the lock."""
    store = _store()

    async def run() -> None:
        for _ in range(times):
            async with store.lock(conversation, lock_lifetime=30):
                value = int(store.red.get(counter) or 0)
                await asyncio.sleep(0.002)  # a turn takes time; another replica would interleave here
                store.red.set(counter, value + 1)

    asyncio.run(run())


@pytest.fixture(scope="module", autouse=True)
def redis_up():
    ensure_redis()


def test_three_processes_never_hold_one_conversation_at_once():
    conversation, counter = f"c-{uuid.uuid4().hex}", f"{PREFIX}:counter:{uuid.uuid4().hex}"
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_increment_under_lock, args=(conversation, counter, 40)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    store = _store()
    try:
        assert int(store.red.get(counter)) == 120  # no lost update: the lock excluded the others
    finally:
        store.red.delete(counter)


def test_the_lock_is_released_after_the_turn_and_on_error():
    store, conversation = _store(), f"c-{uuid.uuid4().hex}"

    async def run() -> None:
        async with store.lock(conversation):
            assert store.red.exists(store._key(conversation))
        assert not store.red.exists(store._key(conversation))
        with pytest.raises(RuntimeError):
            async with store.lock(conversation):
                raise RuntimeError("the turn failed")
        assert not store.red.exists(store._key(conversation))

    asyncio.run(run())


def test_a_dead_holders_lock_expires_and_a_waiter_gets_it():
    store, conversation = _store(), f"c-{uuid.uuid4().hex}"
    store.red.set(store._key(conversation), "a-replica-that-died", px=400)  # held, never released

    async def run() -> float:
        start = time.monotonic()
        async with store.lock(conversation, lock_lifetime=5):
            return time.monotonic() - start

    waited = asyncio.run(run())
    assert 0.2 < waited < 2.0


def test_a_holder_never_releases_someone_elses_lock():
    store, conversation = _store(), f"c-{uuid.uuid4().hex}"
    store._release(store._key(conversation), "not-my-token")
    store.red.set(store._key(conversation), "other", px=5000)
    store._release(store._key(conversation), "mine")
    assert store.red.get(store._key(conversation)) == b"other"
    store.red.delete(store._key(conversation))


def test_redis_unreachable_refuses_the_turn_quickly_with_a_clear_error():
    store = AtomicRedisLockStore(host="127.0.0.1", port=1, db=0, socket_timeout=1)  # nothing listens
    ran = []

    async def run() -> None:
        async with store.lock("c-x"):
            ran.append(True)

    start = time.monotonic()
    with pytest.raises(LockStoreUnavailable, match="Redis"):
        asyncio.run(run())
    assert not ran and time.monotonic() - start < 5


def test_rasa_creates_it_from_the_endpoints_file(tmp_path):
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import read_endpoint_config

    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("lock_store:\n  type: bot.prod.lock_store.AtomicRedisLockStore\n  url: 127.0.0.1\n"
                         "  port: 6379\n  db: 0\n  key_prefix: huankuan\n", encoding="utf-8")
    store = LockStore.create(read_endpoint_config(str(endpoints), "lock_store"))
    assert isinstance(store, AtomicRedisLockStore) and store.key_prefix.startswith("huankuan")
    assert store.red.ping()
