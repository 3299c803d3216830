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

from .version import __version__

_EXPORTS = {
    "Problem": "qaudit.problems",
    "InvalidInput": "qaudit.problems",
    "QauditError": "qaudit.problems",
    "Standard": "qaudit.model.standard",
    "Section": "qaudit.model.standard",
    "Item": "qaudit.model.standard",
    "StandardLibrary": "qaudit.load.standards",
    "load_standards": "qaudit.load.standards",
    "lint_paths": "qaudit.lint",
    "Audit": "qaudit.load.audits",
    "Response": "qaudit.load.audits",
    "load_audit": "qaudit.load.audits",
    "AuditResult": "qaudit.scoring.scorer",
    "SectionResult": "qaudit.scoring.scorer",
    "ItemResult": "qaudit.scoring.scorer",
    "score": "qaudit.scoring.scorer",
    "NothingToScore": "qaudit.scoring.scorer",
    "ScoreRun": "qaudit.run.workspace",
    "score_paths": "qaudit.run.workspace",
    "SiteHistory": "qaudit.analytics.history",
    "site_histories": "qaudit.analytics.history",
    "SiteRegistry": "qaudit.load.registry",
    "load_sites": "qaudit.load.registry",
    "load_waivers": "qaudit.load.registry",
}

if TYPE_CHECKING:
    from .analytics.history import SiteHistory, site_histories
    from .lint import lint_paths
    from .load.audits import Audit, Response, load_audit
    from .load.registry import SiteRegistry, load_sites, load_waivers
    from .load.standards import StandardLibrary, load_standards
    from .model.standard import Item, Section, Standard
    from .problems import InvalidInput, Problem, QauditError
    from .run.workspace import ScoreRun, score_paths
    from .scoring.scorer import AuditResult, ItemResult, NothingToScore, SectionResult, score


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'qaudit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "Audit",
    "AuditResult",
    "ItemResult",
    "NothingToScore",
    "Response",
    "ScoreRun",
    "SectionResult",
    "SiteHistory",
    "SiteRegistry",
    "load_audit",
    "load_sites",
    "load_waivers",
    "score",
    "score_paths",
    "site_histories",
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
