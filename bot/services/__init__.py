"""Service layer: use cases that combine the repository with the pure rules.

Each function takes a SQLAlchemy session and plain values and returns plain values; the Rasa
actions, the CLI and the channels call these and never the repository or the rules directly
for anything that needs both.
"""
