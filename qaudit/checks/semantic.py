"""Run every registered semantic rule over a structurally valid standard."""

from __future__ import annotations

from ..io.yamlsrc import Document
from ..model.standard import Standard
from ..problems import Problem
from .context import Context
from .rules import RULES


def semantic_problems(standard: Standard, doc: Document) -> list[Problem]:
    """Run every registered rule over a structurally valid standard."""
    ctx = Context(standard, doc)
    problems: list[Problem] = []
    for rule in RULES:
        problems.extend(rule.check(ctx))
    return problems
