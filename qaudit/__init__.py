"""qaudit: service-standards quality audits.

The library comes first; the ``qaudit`` command is a thin layer over it::

    import qaudit

    library = qaudit.load_standards("standards")
    audit = qaudit.load_audit("audits/yvn-01-2026-11-20.yaml", library)
    result = qaudit.score(library.get(audit.standard, audit.standard_version), audit)
    print(result.score, result.grade, result.passed)

Names are imported lazily so that ``import qaudit`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Problem": "qaudit.problems",
    "InvalidInput": "qaudit.problems",
    "QauditError": "qaudit.problems",
    "Standard": "qaudit.model",
    "Section": "qaudit.model",
    "Item": "qaudit.model",
    "StandardLibrary": "qaudit.standards",
    "load_standards": "qaudit.standards",
    "lint_paths": "qaudit.lint",
}

if TYPE_CHECKING:
    from .lint import lint_paths
    from .model import Item, Section, Standard
    from .problems import InvalidInput, Problem, QauditError
    from .standards import StandardLibrary, load_standards


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'qaudit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "InvalidInput",
    "Item",
    "Problem",
    "QauditError",
    "Section",
    "Standard",
    "StandardLibrary",
    "__version__",
    "lint_paths",
    "load_standards",
]
