"""The production profile (``BOT_PROFILE=prod``): PostgreSQL, Redis lock store, N replicas behind nginx.

See ``bot/prod/profile.py`` (``ProdCluster``) and ``deploy/README.md``.
"""
