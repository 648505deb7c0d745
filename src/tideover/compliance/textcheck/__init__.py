"""The message checker's parts: normalisation, the lexicon, the learned model, the corpus.

``tideover.compliance.text`` puts them together (``MessageChecker``, ``default_checker``,
``verdict_for``); see docs/compliance-text.md.  Nothing here imports ``text`` at module
level, so ``text`` can import these modules.
"""
