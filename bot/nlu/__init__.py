"""Borrower NLU: text normalisation, rule-based entities, and the Rasa components that use them.

* ``bot.nlu.normalise`` - ``normalise(text)`` (Traditional->Simplified, full->half width, spaces).
* ``bot.nlu.entities`` - ``extract(text, today=None) -> list[Entity]`` (pure, Rasa-free).
* ``bot.nlu.components`` - ``TextNormaliser`` and ``BorrowerEntityExtractor`` for config.yml
  (imports Rasa; referenced there as ``bot.nlu.components.TextNormaliser`` etc.).

Importing this package is cheap: spaCy, jieba and OpenCC load on first use.
"""
