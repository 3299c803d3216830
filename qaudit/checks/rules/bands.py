"""band-order (error): a ``number`` item's band bounds, ``max`` and ``under`` alike, strictly increase;
band-catch-all (error): only the last band, and always the last band, has no bound;
band-max-under (error): a band has at most one of ``max`` and ``under``.

The first band whose bound holds wins (``max``: value ≤ max; ``under``: value <
under), so a band whose bound is not above the previous one would never be
reached, and a value above every bound needs a catch-all band. ``{under: 20}``
followed by ``{max: 20}`` is out of order too: write ``{max: 20}`` alone, or
bounds that increase. A ``number`` item keeps these bands (with their scores)
even with ``scored: false``.

Passing::

    bands: [{max: 0, score: 1}, {under: 10, score: 0.5}, {score: 0, flag: true}]

Failing::

    bands: [{under: 20, score: 1}, {max: 20, score: 0.5}, {max: 30, under: 40, score: 0}]
    # second band: 20 not above 20 (band-order); last band: both bounds (band-max-under),
    # and a bound on the last band (band-catch-all)
"""

from collections.abc import Iterator

from ...problems import Problem
from ..context import Context

ID = "band-order"
CATCH_ALL_ID = "band-catch-all"
BOTH_ID = "band-max-under"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Problem]:
    for path, item in ctx.items():
        if item.type != "number" or not item.bands:
            continue
        bands = item.bands
        previous: float | None = None
        for bi, band in enumerate(bands):
            bpath = path + ("bands", bi)
            last = bi == len(bands) - 1
            if band.max is not None and band.under is not None:
                yield ctx.error(
                    bpath + ("under",),
                    BOTH_ID,
                    f"band {bi + 1} of item '{item.id}' has both max ({band.max:g}) and under ({band.under:g}); "
                    "keep one: max is value <= max, under is value < under",
                    key=True,
                )
            bound = band.bound
            if bound is None:
                if not last:
                    yield ctx.error(
                        bpath,
                        CATCH_ALL_ID,
                        f"band {bi + 1} of item '{item.id}' has neither max nor under but is not the last band; "
                        "give it a max or an under, or move it to the end as the catch-all",
                    )
                continue
            key = "max" if band.max is not None else "under"
            if last:
                yield ctx.error(
                    bpath + (key,),
                    CATCH_ALL_ID,
                    f"the last band of item '{item.id}' has {key} {bound:g}; remove it so that the last band "
                    "catches every larger value",
                )
            if previous is not None and bound <= previous:
                yield ctx.error(
                    bpath + (key,),
                    ID,
                    f"band {bi + 1} of item '{item.id}' has {key} {bound:g}, not above the previous bound "
                    f"{previous:g}; list bands by strictly increasing bound (max and under alike)",
                )
            previous = bound if previous is None else max(previous, bound)
