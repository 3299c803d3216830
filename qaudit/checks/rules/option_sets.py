"""unknown-option-set (error): ``options`` names an option set that ``option_sets`` does not define.

An item's or field's ``options`` is either a list or the name of an option set
under ``option_sets``; a name that matches none is reported with the nearest
set name. Option set names are slugs, like ids.

Passing::

    option_sets:
      quality: [{value: good, score: 1}, {value: fair, score: 0.5}, {value: poor, score: 0}]
    ...
      - {id: bed-made, type: choice, options: quality}

Failing::

      - {id: bed-made, type: choice, options: qualty}   # did you mean 'quality'?
"""

import re
from collections.abc import Iterator

from ...io.yamlsrc import Path
from ...model.standard import SLUG_PATTERN
from ...model.validation import did_you_mean
from ...problems import Problem
from ..context import Context

ID = "unknown-option-set"
SEVERITY = "error"

_SLUG = re.compile(SLUG_PATTERN)


def check(ctx: Context) -> Iterator[Problem]:
    sets = ctx.standard.option_sets or {}
    for name in sets:
        if not _SLUG.match(name):
            yield ctx.error(
                ("option_sets", name),
                "invalid-id",
                f"option set name '{name}' is not a valid id; use lowercase letters, digits, '.', '_' and '-', "
                "starting with a letter or digit",
                key=True,
            )
    fields = ctx.standard.fields or ()
    owners: list[tuple[Path, str]] = [(("fields", fi), f"field '{f.id}'") for fi, f in enumerate(fields)]
    owners += [(path, f"item '{item.id}'") for path, item in ctx.items()]
    for path, owner in owners:
        named = ctx.set_name(path)
        if named is None or named in sets:
            continue
        if sets:
            hint = did_you_mean(named, sets) or f"; use one of: {', '.join(sets)}, or list the options"
        else:
            hint = "; define it under 'option_sets', or list the options here"
        yield ctx.error(
            path + ("options",), ID, f"the options of {owner} name the option set '{named}', which is not defined{hint}"
        )
