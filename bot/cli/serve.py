"""``bot serve``: train if needed, then run the action server and the Rasa server."""
from __future__ import annotations


def serve() -> None:
    """Start both servers in the foreground (Ctrl-C stops both)."""
    from bot.serve import serve_forever

    serve_forever()
