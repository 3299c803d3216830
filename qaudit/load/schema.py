"""JSON Schema (draft-07) of qaudit's file kinds, generated from the validating models."""

from __future__ import annotations

import json
from typing import Any

KINDS = ("standard", "audit", "sites", "waivers")


def _draft07(schema: dict[str, Any], kind: str) -> dict[str, Any]:
    """Rewrite pydantic's draft 2020-12 output into draft-07, which editors understand."""
    text = json.dumps(schema).replace('"#/$defs/', '"#/definitions/')
    out: dict[str, Any] = json.loads(text)
    defs = out.pop("$defs", None)
    result: dict[str, Any] = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": f"https://qaudit.dev/schema/{kind}.json",
    }
    result.update(out)
    if defs:
        result["definitions"] = defs
    return result


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of ``standard``, ``audit``, ``sites`` or ``waivers`` files."""
    if kind == "standard":
        from ..model.standard import Standard

        model: Any = Standard
    elif kind == "audit":
        from .audit_file import AuditFile

        model = AuditFile
    elif kind == "sites":
        from .registry import SitesFile

        model = SitesFile
    elif kind == "waivers":
        from .registry import WaiversFile

        model = WaiversFile
    else:
        raise ValueError(f"unknown schema kind {kind!r}; use one of {', '.join(KINDS)}")
    schema = model.model_json_schema(by_alias=True, mode="validation")
    schema["title"] = f"qaudit {kind} file"
    return _draft07(schema, kind)
