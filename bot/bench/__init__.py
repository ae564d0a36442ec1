"""``bot bench``: load tests of the prod cluster against a bare Rasa baseline (see bot/cli/bench.py)."""
