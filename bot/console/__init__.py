"""The collector console: a web app served by the Rasa server (``channel.ConsoleInput``), its
accounts, sessions and CSRF tokens (``auth``) and the ``bot console`` command (``cli``)."""
