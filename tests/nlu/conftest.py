"""The project's trained model (config.yml, data/nlu), loaded once for every test that parses with it."""
import pytest


@pytest.fixture(scope="session")
def project_agent():
    from rasa.core.agent import Agent

    from bot.training import ensure_model

    return Agent.load(str(ensure_model()))
