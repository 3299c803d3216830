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
    "Standard": "qaudit.model",
    "Section": "qaudit.model",
    "Item": "qaudit.model",
    "StandardLibrary": "qaudit.standards",
    "load_standards": "qaudit.standards",
    "lint_paths": "qaudit.lint",
    "Audit": "qaudit.audits",
    "Response": "qaudit.audits",
    "load_audit": "qaudit.audits",
    "AuditResult": "qaudit.scoring",
    "SectionResult": "qaudit.scoring",
    "ItemResult": "qaudit.scoring",
    "score": "qaudit.scoring",
    "NothingToScore": "qaudit.scoring",
    "ScoreRun": "qaudit.workspace",
    "score_paths": "qaudit.workspace",
    "SiteHistory": "qaudit.history",
    "site_histories": "qaudit.history",
    "SiteRegistry": "qaudit.registry",
    "load_sites": "qaudit.registry",
    "load_waivers": "qaudit.registry",
}

if TYPE_CHECKING:
    from .audits import Audit, Response, load_audit
    from .history import SiteHistory, site_histories
    from .lint import lint_paths
    from .model import Item, Section, Standard
    from .problems import InvalidInput, Problem, QauditError
    from .registry import SiteRegistry, load_sites, load_waivers
    from .scoring import AuditResult, ItemResult, NothingToScore, SectionResult, score
    from .standards import StandardLibrary, load_standards
    from .workspace import ScoreRun, score_paths


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
