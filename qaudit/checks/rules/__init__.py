"""The registry of semantic lint rules, run in this order on every valid standard.

Structural rules (syntax, unknown and missing keys, types, ranges) are found
while loading; see :mod:`qaudit.lint.catalog` for the full list with examples.
"""

from types import ModuleType

from . import (
    bands,
    condition_item,
    condition_scope,
    condition_value,
    critical_na,
    critical_unscored,
    duplicate_id,
    empty_text,
    grades,
    guidance,
    multi_choice_zero,
    no_scored_item,
    option_score,
    option_sets,
    options,
    points_weight,
    repeat_bounds,
    requires_v2,
    reserved_id,
    scale,
    single_option,
    translations,
    type_keys,
    unscored_keys,
    untranslated,
)

RULES: list[ModuleType] = [
    requires_v2,
    duplicate_id,
    reserved_id,
    type_keys,
    unscored_keys,
    critical_unscored,
    no_scored_item,
    grades,
    bands,
    option_sets,
    options,
    option_score,
    multi_choice_zero,
    single_option,
    scale,
    repeat_bounds,
    condition_item,
    condition_scope,
    condition_value,
    points_weight,
    translations,
    empty_text,
    untranslated,
    critical_na,
    guidance,
]
