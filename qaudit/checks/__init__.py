"""Semantic checks of a standard: everything its model alone cannot say.

One module per rule in :mod:`qaudit.checks.rules`, each seeing a
:class:`~qaudit.checks.context.Context`; :func:`qaudit.checks.semantic.semantic_problems`
runs them all. Checks read models and their located documents; they never read files.
"""
