"""grade-order (error): grades are listed best first with strictly decreasing ``min``, the last at 0.

Also reported under this id: a grade name used twice. A last grade whose ``min``
is not 0 is reported as ``grade-last-min``, since some scores would get no grade.

Passing::

    grades: [{grade: A, min: 90}, {grade: B, min: 75}, {grade: C, min: 0}]

Failing::

    grades: [{grade: A, min: 90}, {grade: B, min: 95}, {grade: C, min: 10}]
    # B: min 95 is not below A's 90 (grade-order); C: last min must be 0 (grade-last-min)
"""

from collections.abc import Iterator

from ...problems import Problem
from ..context import Context

ID = "grade-order"
LAST_ID = "grade-last-min"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Problem]:
    if "grades" not in ctx.doc.data:
        return
    grades = ctx.standard.grades
    names: set[str] = set()
    for gi, grade in enumerate(grades):
        if grade.grade in names:
            yield ctx.error(("grades", gi, "grade"), ID, f"grade '{grade.grade}' is listed twice; name each grade once")
        names.add(grade.grade)
        if gi and grade.min >= grades[gi - 1].min:
            yield ctx.error(
                ("grades", gi, "min"),
                ID,
                f"grade '{grade.grade}' has min {grade.min:g}, not below '{grades[gi - 1].grade}' "
                f"({grades[gi - 1].min:g}); list grades best first with strictly decreasing min",
            )
    last = grades[-1]
    if last.min != 0:
        yield ctx.error(
            ("grades", len(grades) - 1, "min"),
            LAST_ID,
            f"the last grade '{last.grade}' has min {last.min:g}; it must be 0 so that every score gets a grade",
        )
