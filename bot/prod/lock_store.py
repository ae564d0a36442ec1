"""A conversation lock that holds across processes: one Redis key per conversation, taken atomically.

Rasa's ``RedisLockStore`` issues its tickets by reading the lock from Redis, adding a ticket in
the replica's memory and writing it back. Two replicas doing that at once both get the same ticket
and process the same conversation at the same time; the second tracker save then drops the
first one's events (seen in ``tests/prod/test_replicas.py``: one of six concurrent messages lost).

Here the lock is a plain Redis mutex: ``SET key token NX PX lifetime`` to take it, a Lua
compare-and-delete to give it back (only by its holder), so exactly one replica at a time runs a
turn of a conversation. The ``PX`` lifetime frees the lock if its holder dies mid-turn. When Redis
is unreachable nothing is processed: ``lock`` raises ``LockStoreUnavailable`` before the turn.

Configured in the production profile's endpoints (``bot/prod/profile.py``)::

    lock_store:
      type: bot.prod.lock_store.AtomicRedisLockStore
      url: 127.0.0.1
      port: 6379
"""
from __future__ import annotations

import asyncio
import logging
import time
import uuid
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore

logger = logging.getLogger(__name__)

# delete the key only if it still holds our token (another holder's lock is never released)
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


class LockStoreUnavailable(LockError):
    """Redis could not be reached: the turn is refused before anything is processed."""


class AtomicRedisLockStore(RedisLockStore):
    """Mutual exclusion per conversation across replicas (see the module docstring)."""

    POLL_START_S = 0.005
    POLL_MAX_S = 0.1

    def __init__(self, endpoint_config: Any = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # Rasa passes its EndpointConfig for a custom lock store type
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs}
        kwargs.setdefault("socket_timeout", 5)
        super().__init__(**kwargs)

    def _key(self, conversation_id: str) -> str:
        return f"{self.key_prefix}{conversation_id}:mutex"

    def _try_take(self, key: str, token: str, lifetime_ms: int) -> bool:
        import redis

        try:
            return bool(self.red.set(key, token, nx=True, px=lifetime_ms))
        except redis.RedisError as err:
            raise LockStoreUnavailable(f"lock store (Redis) unavailable: {err}") from err

    def _release(self, key: str, token: str) -> None:
        import redis

        try:
            self.red.eval(_RELEASE, 1, key, token)
        except redis.RedisError as err:  # the turn is done; the key expires on its own
            logger.warning("could not release the conversation lock %s (%s); it expires by itself", key, err)

    @asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncGenerator[TicketLock, None]:
        """Hold the conversation's lock for one turn; wait (at most ``lock_lifetime``) for it, polling
        with a backoff from 5 ms to 100 ms (``wait_time_in_seconds``, Rasa's fixed 1 s poll, is not used)."""
        key, token = self._key(conversation_id), uuid.uuid4().hex
        lifetime_ms = max(1, int(lock_lifetime * 1000))
        deadline = time.monotonic() + lock_lifetime
        delay = self.POLL_START_S
        while not self._try_take(key, token, lifetime_ms):
            if time.monotonic() >= deadline:
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.POLL_MAX_S)
        try:
            yield TicketLock(conversation_id)
        finally:
            self._release(key, token)
