"""Rasa's per-turn work, made cheaper where profiling found Rasa itself wasting it.

Installed in the Rasa server by ``GuardedNLG`` (the one NLG of every profile), so it is in place
before the first turn. Each change keeps Rasa's behaviour and was measured with py-spy on the demo
profile under ``bot bench`` load (README, "Measured figures").

- **The action server's reply is validated against a schema that is compiled once.** Rasa 3.6's
  ``RemoteAction._validate_action_result`` calls ``jsonschema.validate``, which checks the schema
  itself against the JSON-Schema meta-schema and builds a new validator on every custom action
  call: 21 % of the Rasa process's samples under load, more than NLU and dialogue prediction
  together. Same schema, same errors (best match, with Rasa's hint appended), checked once.
- **Calls to the action server reuse their connections.** Rasa 3.6's ``EndpointConfig.session``
  builds a new ``aiohttp.ClientSession`` with its own connector for every request, so each custom
  action call resolved ``localhost`` in a thread, opened a TCP connection and closed it again (12 %
  of the process in the profile). The sessions now share one connector per event loop, which
  keeps connections alive for ``KEEPALIVE_SECONDS``: less than Sanic's 5 s, so the client drops
  an idle connection before the action server does and never writes to one being closed.
- **An event's class is looked up by its type name in a table.** Rebuilding a conversation from
  the tracker store calls ``Event.resolve_by_type`` for every stored event, and Rasa's walks all
  ~40 ``Event`` subclasses (``inspect.isabstract`` on each) every time: 4 % of the process. The
  table is filled from Rasa's own lookup on first use of each name, so an event class defined
  later is still found.
"""
from __future__ import annotations

import asyncio
import atexit
import functools
import weakref
from typing import Any, Optional

import aiohttp
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig


@functools.lru_cache(maxsize=1)
def action_response_validator() -> Any:
    from jsonschema.validators import validator_for

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """What ``jsonschema.validate(result, spec)`` does in Rasa's method, minus the per-call schema work."""
    from jsonschema import exceptions

    error = exceptions.best_match(action_response_validator().iter_errors(result))
    if error is not None:
        error.message += (". Failed to validate Action server response from API, make sure your response from "
                          f"the Action endpoint is valid. For more information about the format visit "
                          f"{DOCS_BASE_URL}/custom-actions")
        raise error
    return True


_rasa_resolve_by_type = Event.resolve_by_type
_event_classes: dict[str, type[Event]] = {}


def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """Rasa's ``Event.resolve_by_type``, remembering each class it finds."""
    found = _event_classes.get(type_name)
    if found is not None:
        return found
    found = _rasa_resolve_by_type(type_name, default)
    if found is not None and found is not default:
        _event_classes[type_name] = found
    return found


_rasa_session = EndpointConfig.session
KEEPALIVE_SECONDS = 2.0  # below Sanic's KEEP_ALIVE_TIMEOUT (5 s), the action server's
_connectors: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aiohttp.TCPConnector]" = weakref.WeakKeyDictionary()


def shared_connector() -> Optional[aiohttp.TCPConnector]:
    """The running event loop's connector, made on first use; None outside an event loop."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    connector = _connectors.get(loop)
    if connector is None or connector.closed:
        connector = aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS)
        _connectors[loop] = connector
    return connector


def pooled_session(self: EndpointConfig) -> aiohttp.ClientSession:
    """Rasa's ``EndpointConfig.session`` (same headers, auth and timeout) on the shared connector.
    Closing the session, as Rasa does after each request, leaves the connector and its idle
    connections open for the next one."""
    auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
    connector = shared_connector()
    return aiohttp.ClientSession(headers=self.headers, auth=auth,
                                 timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                                 connector=connector, connector_owner=connector is None)


@atexit.register
def _close_connectors() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # close() hands back an awaitable nobody needs at exit
        for connector in list(_connectors.values()):
            try:
                waiter = connector.close()  # closes the idle connections synchronously (aiohttp 3.9)
                del waiter
            except Exception:  # the loop may be gone already; the process is ending anyway
                pass


def install() -> None:
    """Idempotent."""
    RemoteAction._validate_action_result = validate_action_result
    Event.resolve_by_type = staticmethod(resolve_by_type)
    EndpointConfig.session = pooled_session


def installed() -> bool:
    return (RemoteAction._validate_action_result is validate_action_result
            and Event.resolve_by_type is resolve_by_type
            and EndpointConfig.session is pooled_session)
