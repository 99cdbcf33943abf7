"""MkDocs hook: writes the project-file reference (docs/reference/project-file.md) from the pydantic settings in
alignkit/config.py, so each key's type, default and meaning are written once, in the code.

The page holds the marker `<!-- project-file-reference -->`; `on_page_markdown` replaces it with one section per
settings class, reached from `ProjectSettings` by walking `model_fields` depth first (a class met again, such as
the three CRM tables, points to its first section). A key without a description is a build warning, which
`mkdocs build --strict` turns into a failure: a new setting cannot reach a release undocumented.
"""

from __future__ import annotations

import logging
import re
import types
import typing
from typing import Any

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from alignkit.config import ProjectSettings

MARKER = "<!-- project-file-reference -->"
log = logging.getLogger("mkdocs.hooks.project_file_reference")

CONSTRAINTS = (
    (annotated_types.Gt, "gt", "> {}"),
    (annotated_types.Ge, "ge", "≥ {}"),
    (annotated_types.Lt, "lt", "< {}"),
    (annotated_types.Le, "le", "≤ {}"),
    (annotated_types.MinLen, "min_length", "at least {} items"),
)


def anchor(path: str) -> str:
    """Return the HTML id of a section: its dotted path with dots and brackets as dashes."""
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")


def model_in(annotation: Any) -> tuple[type[BaseModel], bool] | None:
    """Return the settings class a key holds and whether it holds a list of them; None for a plain value."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list and args:
        found = model_in(args[0])
        return (found[0], True) if found else None
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            if arg is not type(None) and (found := model_in(arg)):
                return found
    return None


def constraints(metadata: list[Any]) -> list[str]:
    """Return the constraints of annotated metadata in words (> 0, ≤ 1, at least 2 items)."""
    out = []
    for item in metadata:
        if isinstance(item, FieldInfo):  # Annotated[int, Field(ge=2)] inside a union keeps the Field
            out += constraints(item.metadata)
        for kind, attribute, text in CONSTRAINTS:
            if isinstance(item, kind):
                out.append(text.format(getattr(item, attribute)))
    return out


def type_text(annotation: Any, links: dict[type, str]) -> str:
    """Return a type annotation in words for the reference (`list of text`, `one of auto, kmeans`, a section link)."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is type(None):
        return "null"
    if origin is typing.Annotated:
        limits = constraints(list(annotation.__metadata__))
        inner = type_text(args[0], links)
        return f"{inner} ({', '.join(limits)})" if limits else inner
    if origin is typing.Literal:
        words = [f"`{a}`" for a in args]
        return words[0] if len(words) == 1 else "one of " + ", ".join(words)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(type_text(a, links) for a in args)
    if origin is list:
        return f"list of {type_text(args[0], links)}"
    if origin is tuple:
        return "[" + ", ".join(type_text(a, links) for a in args) + "]"
    if origin is dict:
        return f"mapping of {type_text(args[0], links)} → {type_text(args[1], links)}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in links:
            return annotation.__name__
        path, target = links[annotation]
        return f"[{path}]({target})"
    names = {str: "text", int: "integer", float: "number", bool: "true / false"}
    return names.get(annotation, getattr(annotation, "__name__", str(annotation)))


def default_text(field: FieldInfo) -> str:
    """Return a key's default as it would be written in the project file, or *required*."""
    if field.is_required():
        return "*required*"
    value = field.default_factory() if field.default_factory is not None else field.default
    if isinstance(value, BaseModel):
        return "its section's defaults"
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f"`{value}`" if value else '`""`'
    if isinstance(value, (list, tuple, dict)):
        return f"`{yaml_flow(value)}`"
    return f"`{value}`"


def yaml_flow(value: Any) -> str:
    """Return a value as YAML flow style with single-quoted strings (no escapes: a regex reads as written)."""
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(yaml_flow(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{yaml_flow(k)}: {yaml_flow(v)}" for k, v in value.items()) + "}"
    return str(value)


def model_summary(model: type[BaseModel], path: str) -> str:
    """Return the settings class's docstring without its leading `path:` (the section heading shows the path)."""
    text = " ".join((model.__doc__ or "").split())
    prefix = re.match(r"^([\w.\[\]]+): ", text)
    if prefix and path and prefix.group(1).rstrip("[]").endswith(path.split(".")[-1].rstrip("[]")):
        text = text[prefix.end() :]
    return text[:1].upper() + text[1:]


def cell(text: str) -> str:
    """Return text safe inside a Markdown table cell: a pipe outside a code span would end the cell (inside one,
    Python-Markdown's tables keep it, and a backslash would show)."""
    parts = text.replace("\n", " ").split("`")
    return "`".join(part if i % 2 else part.replace("|", "\\|") for i, part in enumerate(parts))


def sections(root: type[BaseModel] = ProjectSettings) -> list[tuple[list[str], type[BaseModel]]]:
    """Return every settings class reached from `root` in the file's order, each section followed by the sections
    inside it, each class once with the dotted paths that hold it (the first is its own; `crm.deals` and
    `crm.touches` are tables like `crm.contacts`)."""
    out: dict[type[BaseModel], list[str]] = {}

    def visit(path: str, model: type[BaseModel]) -> None:
        out[model] = [path]
        for name, field in model.model_fields.items():
            if field.exclude or not (found := model_in(field.annotation)):
                continue
            child = (f"{path}.{name}" if path else name) + ("[]" if found[1] else "")
            if found[0] in out:
                out[found[0]].append(child)
            else:
                visit(child, found[0])

    visit("", root)
    return [(paths, model) for model, paths in out.items()]


def render(root: type[BaseModel] = ProjectSettings) -> str:
    """Return the reference in Markdown: per settings class a heading, its docstring and a table of its keys."""
    found = sections(root)
    links = {model: (paths[0] or "top level", "#" + (anchor(paths[0]) or "top-level-keys")) for paths, model in found}
    lines: list[str] = []
    for paths, model in found:
        path = paths[0]
        title = ", ".join(paths) if path else "Top-level keys"
        summary = model_summary(model, path) if path else "The keys at the top of the file; each section below is one."
        lines += [f"## {title} {{#{anchor(path) or 'top-level-keys'}}}", "", summary, ""]
        lines += ["| key | type | default | meaning |", "|---|---|---|---|"]
        for name, field in model.model_fields.items():
            if field.exclude:
                continue
            nested = model_in(field.annotation)
            meaning = field.description
            if meaning is None and nested:
                meaning = model_summary(nested[0], name)
            if not meaning:
                log.warning(
                    "alignkit/config.py: %s.%s has no description: add Field(description=...)", model.__name__, name
                )
                meaning = ""
            annotation = field.annotation
            if field.metadata:
                annotation = typing.Annotated[(annotation, *field.metadata)]
            key = f"`{name}`"
            lines.append(
                f"| {key} | {cell(type_text(annotation, links))} | {cell(default_text(field))} | {cell(meaning)} |"
            )
        lines.append("")
    return "\n".join(lines)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any, **kwargs: Any) -> str:
    """Return the page's Markdown with the reference in place of its marker (other pages unchanged)."""
    if MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, render())
