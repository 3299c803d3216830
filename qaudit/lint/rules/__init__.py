"""The registry of semantic lint rules, run in this order on every valid standard.

Structural rules (syntax, unknown and missing keys, types, ranges) are found
while loading; see :mod:`qaudit.lint.catalog` for the full list with examples.
"""

from types import ModuleType

from . import (
    bands,
    critical_na,
    duplicate_id,
    empty_text,
    grades,
    guidance,
    options,
    scale,
    single_option,
    translations,
    type_keys,
    untranslated,
)

RULES: list[ModuleType] = [
    duplicate_id,
    type_keys,
    grades,
    bands,
    options,
    single_option,
    scale,
    translations,
    empty_text,
    untranslated,
    critical_na,
    guidance,
]
