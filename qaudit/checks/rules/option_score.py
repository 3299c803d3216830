"""option-score (error): an option of a scored ``choice`` or ``multi_choice`` item has no ``score``.

The item score of a scored item is the score of the chosen option, so each of
its options needs one, including those of an option set it names. Options of
an unscored item (``scored: false``) and of a header field need only a
``value``.

Passing::

    - {id: dining-mode, type: choice, scored: false, options: [{value: stall}, {value: drive-thru}]}
    - {id: needs-identified, type: choice, options: [{value: full, score: 1}, {value: none, score: 0}]}

Failing::

    - {id: needs-identified, type: choice, options: [{value: full, score: 1}, {value: none}]}   # 'none'
"""

from collections.abc import Iterator

from ...problems import Problem
from ..context import Context

ID = "option-score"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Problem]:
    for path, item in ctx.items():
        if item.type not in ("choice", "multi_choice") or not item.is_scored or not isinstance(item.options, list):
            continue
        missing = [(oi, o.value) for oi, o in enumerate(item.options) if o.score is None]
        if not missing:
            continue
        name = ctx.set_name(path)
        if name is not None:
            shown = ", ".join(f"'{value}'" for _, value in missing)
            which = f"options {shown} have" if len(missing) > 1 else f"option {shown} has"
            yield ctx.error(
                path + ("options",),
                ID,
                f"scored {item.type} item '{item.id}' uses option set '{name}', whose {which} no score; "
                "give every option of the set a score in [0, 1], or make the item scored: false",
            )
            continue
        for oi, value in missing:
            yield ctx.error(
                path + ("options", oi),
                ID,
                f"option '{value}' of scored {item.type} item '{item.id}' has no score; give it a score in [0, 1], "
                "or make the item scored: false",
            )
