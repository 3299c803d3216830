"""multi-choice-zero (error): a scored ``multi_choice`` item whose option scores sum to 0.

Its item score is the sum of the chosen options' scores divided by the sum of
all its options' scores, which cannot be computed when that sum is 0. Give the
options that count a score above 0, or make the item ``scored: false``.

Passing::

    {id: extras-offered, type: multi_choice, options: [{value: dessert, score: 1}, {value: drink, score: 1}]}

Failing::

    {id: extras-offered, type: multi_choice, options: [{value: dessert, score: 0}, {value: drink, score: 0}]}
"""

from collections.abc import Iterator

from ...problems import Problem
from ..context import Context

ID = "multi-choice-zero"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Problem]:
    for path, item in ctx.items():
        if item.type != "multi_choice" or not item.is_scored or not isinstance(item.options, list):
            continue
        scores = [o.score for o in item.options]
        # No options (duplicate-option) or an option without a score (option-score) is reported elsewhere.
        if not scores or any(score is None for score in scores):
            continue
        if sum(score or 0.0 for score in scores) == 0:
            name = ctx.set_name(path)
            source = f" (from option set '{name}')" if name else ""
            yield ctx.error(
                path + ("options",),
                ID,
                f"the option scores of scored multi_choice item '{item.id}'{source} sum to 0, so it cannot be "
                "scored; give the options that count a score above 0, or make the item scored: false",
            )
