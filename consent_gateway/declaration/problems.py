"""pydantic's validation errors as ``sites check`` reports them: ``key.path: problem``.

A location such as ``("sites", "demo", "contact", "fields", 0, "pattern")`` becomes
``sites.demo.contact.fields[0].pattern``; each error type is worded as an operator reads it (the
allowed keys of a mapping, the range of a number), never as pydantic's generic text.
"""

from __future__ import annotations

from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from consent_gateway.declaration.document import UNION_TAGS, PiiCategoriesDoc, SiteDoc, SitesDocument, Text

TOP = "(top level)"
# Keys that were once part of the file (or that people expect): what to do instead.
MOVED: dict[tuple[type[BaseModel] | None, Any], str] = {
    (SiteDoc, "cookies"): "a site's cookies are its vendors' cookies: declare them once in the vendor "
                          "catalogue (top-level vendors) and list the vendors under the site",
}
AT_LEAST_ONE = {
    "sites": "must declare at least one site",
    "purposes": "must declare at least one purpose",
    "vendors": "must declare the vendor catalogue (a mapping of vendor ids)",
    "fields": "must declare at least one field",
}
RETENTION = ("the retention period in words is derived from retention_days; put what it runs from "
             "or any legal nuance in retention_note")


def key_path(loc: tuple[Any, ...]) -> str:
    """``("sites", "demo", "origins", 2)`` -> ``sites.demo.origins[2]``; ``()`` -> ``(top level)``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "[key]":
            continue
        else:
            out += f".{part}" if out else str(part)
    return out or TOP


def describe(error: ValidationError) -> list[str]:
    """Every problem of ``error``, one ``key.path: problem`` line each, in the file's order."""
    lines: list[str] = []
    for item in error.errors():
        loc = tuple(p for p in item["loc"] if p not in UNION_TAGS)
        line = f"{_path(loc, item['type'])}: {_message(loc, item)}"
        if line not in lines:
            lines.append(line)
    return lines


def _path(loc: tuple[Any, ...], kind: str) -> str:
    if len(loc) == 1 and kind in ("missing", "extra_forbidden"):
        return f"{TOP}.{loc[0]}"
    return key_path(loc)


def _message(loc: tuple[Any, ...], item: Any) -> str:
    kind = item["type"]
    owner, annotation = _resolve(loc)
    if kind == "declaration":
        return str(item["msg"])
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        key = loc[-1]
        if loc[0] == "purposes" and key == "retention":
            return RETENTION
        if (_model(owner), key) in MOVED:
            return MOVED[(_model(owner), key)]
        model = _model(owner)
        allowed = sorted(model.model_fields) if model else []
        return f"unknown key (allowed: {', '.join(allowed)})"
    if annotation is Text or (isinstance(annotation, type) and annotation is Text):
        return "must give the text in fr and en"
    if annotation is PiiCategoriesDoc and kind in ("model_type", "dict_type", "model_attributes_type"):
        return "must give the list in fr and en"
    if kind in ("string_type", "string_too_short"):
        return "must be a non-empty string"
    if kind == "bool_type":
        return "must be true or false"
    if kind == "list_type":
        return "must be a list"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "must be a mapping"
    if kind == "too_short":
        return AT_LEAST_ONE.get(str(loc[-1]), "must not be empty")
    return str(item["msg"])


def _model(annotation: Any) -> type[BaseModel] | None:
    """The model ``annotation`` is, or the one model among the members of a union."""
    annotation = _bare(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    models = [m for m in map(_model, get_args(annotation)) if m is not None]
    return models[0] if models else None


def _resolve(loc: tuple[Any, ...]) -> tuple[Any, Any]:
    """The model that holds the last key of ``loc`` and that key's annotation (or None)."""
    owner: Any = SitesDocument
    annotation: Any = SitesDocument
    for part in loc:
        owner = annotation
        annotation = _step(annotation, part)
    return owner, annotation


def _step(annotation: Any, part: Any) -> Any:
    annotation = _bare(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(part) if isinstance(part, str) else None
        return _bare(field.annotation) if field else None
    origin = get_origin(annotation)
    if origin is list and isinstance(part, int):
        return _bare(get_args(annotation)[0])
    if origin is dict:
        return _bare(get_args(annotation)[1])
    model = _model(annotation)
    return _step(model, part) if model else None


def _bare(annotation: Any) -> Any:
    """``X | None`` and ``Annotated[X, ...]`` as ``X``."""
    while True:
        args = get_args(annotation)
        if hasattr(annotation, "__metadata__"):
            annotation = args[0]
        elif args and type(None) in args and len(args) == 2:
            annotation = next(a for a in args if a is not type(None))
        else:
            return annotation
