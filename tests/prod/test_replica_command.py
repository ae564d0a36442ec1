"""The replica's command line, read back by Rasa's own argument parser (no processes started)."""
from __future__ import annotations

from pathlib import Path

from bot.prod.profile import ProdCluster, ProdSettings


def test_a_token_that_starts_with_a_dash_still_reaches_rasa(monkeypatch, tmp_path):
    """secrets.token_urlsafe gives a leading '-' one time in 64; `--auth-token -x…` made argparse
    stop the replica ("expected one argument") and failed a CI run."""
    from rasa.__main__ import create_argument_parser

    token = "-Abc_def-1234567890xyz"
    cfg = ProdSettings(database_url="postgresql+psycopg2://u:p@127.0.0.1:5432/l",
                       tracker_url="postgresql://u:p@127.0.0.1:5432/t", redis_url="redis://127.0.0.1:6379/0", rasa_token=token, web_secret="s" * 40, replicas=1,
                       rasa_port=5305, action_port=5355, lb_port=5390)
    cluster = ProdCluster(model=Path("models/x.tar.gz"), cfg=cfg, run_dir=tmp_path)
    spawned = {}
    monkeypatch.setattr(cluster, "_spawn", lambda name, args, env, exe=None: spawned.setdefault(name, args))
    cluster.start_replica(0)
    args = spawned["rasa-0"]
    assert args[0] == "rasa"
    parsed = create_argument_parser().parse_args(args[1:])
    assert parsed.auth_token == token and parsed.port == 5305 and parsed.enable_api
