"""Google's names for the Sheets API v4, taken from its discovery document, and the checks built on them.

Google rejects a request body with a misspelt field, an enum query value it does not know, a
``fields`` mask naming nothing, each with a specific 400. The emulator does the same from a table of
every schema's fields, types and enum values, every method's query parameters and the request
kinds, generated from the discovery document (a copy with its licence is in tests/data/)::

    python -m sheetkit.testing.discovery tests/data/sheets.v4.json

rewrites ``sheets_v4.json`` beside this module; a test checks that the two agree.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sheetkit.testing.model import ApiError

TABLE = Path(__file__).with_name("sheets_v4.json")
PROTO = "type.googleapis.com/google.apps.sheets.v4."
# Enum types whose proto name is not the CamelCase of their *_UNSPECIFIED value or of the field name.
_ENUM_NAMES = {"valueInputOption": "ValueInputOption", "majorDimension": "Dimension", "dimension": "Dimension"}
_SCALARS = {"int32": "TYPE_INT32", "int64": "TYPE_INT64", "double": "TYPE_DOUBLE", "float": "TYPE_FLOAT"}


# --------------------------------------------------------------------------- building the table


def _camel(words: str) -> str:
    return "".join(w.capitalize() for w in words.lower().split("_"))


def _enum_name(field: str, values: list[str]) -> str:
    if field in _ENUM_NAMES:
        return _ENUM_NAMES[field]
    first = values[0] if values else ""
    if first.endswith("_UNSPECIFIED"):
        return _camel(first.removesuffix("_UNSPECIFIED"))
    return field.removeprefix("response")[:1].upper() + field.removeprefix("response")[1:]


def _spec(field: str, prop: Mapping[str, Any]) -> list[Any]:
    """A discovery property as [kind, ...]: ref, array, map, enum, string, bool, any or a number type."""
    if "$ref" in prop:
        return ["ref", prop["$ref"]]
    kind = prop.get("type")
    if kind == "array":
        return ["array", _spec(field, prop["items"])]
    if kind == "object" and "additionalProperties" in prop:
        return ["map", _spec(field, prop["additionalProperties"])]
    if "enum" in prop:
        return ["enum", _enum_name(field, prop["enum"]), list(prop["enum"])]
    if kind == "string":
        return ["mask"] if prop.get("format") == "google-fieldmask" else ["string"]
    if kind == "boolean":
        return ["bool"]
    if kind in ("integer", "number"):
        return [prop.get("format") or ("int32" if kind == "integer" else "double")]
    return ["any"]


def build_table(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The emulator's table from a discovery document."""
    schemas = {
        name: {field: _spec(field, prop) for field, prop in sorted(schema.get("properties", {}).items())}
        for name, schema in sorted(doc["schemas"].items())
    }
    methods: dict[str, Any] = {}

    def walk(resource: Mapping[str, Any]) -> None:
        for method in resource.get("methods", {}).values():
            params = {
                name: {**({"enum": _spec(name, p)[1:]} if "enum" in p else {}), "type": p.get("type", "string")}
                | ({"repeated": True} if p.get("repeated") else {})
                for name, p in sorted(method.get("parameters", {}).items())
                if p.get("location") == "query"
            }
            methods[method["id"]] = {
                "httpMethod": method["httpMethod"],
                "path": method.get("flatPath", method["path"]),
                "request": method.get("request", {}).get("$ref"),
                "response": method.get("response", {}).get("$ref"),
                "query": params,
            }
        for sub in resource.get("resources", {}).values():
            walk(sub)

    walk(doc)
    return {
        "revision": doc.get("revision"),
        "commonParameters": sorted(doc.get("parameters", {})),
        "maskTargets": _mask_targets(schemas),
        "methods": dict(sorted(methods.items())),
        "schemas": schemas,
    }


_NOT_TARGETS = {"GridRange", "GridCoordinate", "DimensionRange", "DataFilter", "DataSourceSheetDimensionRange"}


def _mask_targets(schemas: Mapping[str, Mapping[str, list[Any]]]) -> dict[str, str]:
    """Request schema -> the schema its ``fields`` mask names fields of (RepeatCellRequest -> CellData)."""
    out: dict[str, str] = {}
    for name, fields in schemas.items():
        if ["mask"] not in fields.values():
            continue
        if "cell" in fields or fields.get("rows") == ["array", ["ref", "RowData"]]:
            out[name] = "CellData"
            continue
        refs = [spec[1] for spec in fields.values() if spec[0] == "ref" and spec[1] not in _NOT_TARGETS]
        if len(refs) == 1:
            out[name] = refs[0]
    return out


@functools.cache
def table() -> dict[str, Any]:
    return json.loads(TABLE.read_text(encoding="utf-8"))


def schema(name: str) -> dict[str, list[Any]]:
    return table()["schemas"][name]


def request_kinds() -> list[str]:
    """The 74-odd request kinds a spreadsheets.batchUpdate accepts (the fields of Request)."""
    return sorted(schema("Request"))


# --------------------------------------------------------------------------- errors in Google's words


def snake(name: str) -> str:
    """The proto name Google prints in locations: ``userEnteredFormat`` -> ``user_entered_format``."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def _violation(message: str, where: str | None) -> ApiError:
    violation = {"field": where, "description": message} if where else {"description": message}
    return ApiError(
        400, message, details=[{"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [violation]}]
    )


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else _json_scalar(value)


def _json_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)[:200]
    return str(value)


def unknown_name(name: str, where: str) -> ApiError:
    at = f" at '{where}'" if where else ""
    return _violation(f'Invalid JSON payload received. Unknown name "{name}"{at}: Cannot find field.', where)


def invalid_value(where: str, type_name: str, value: Any) -> ApiError:
    return _violation(f"Invalid value at '{where}' ({type_name}), {_shown(value)}", where)


# --------------------------------------------------------------------------- request bodies


def check_body(schema_name: str, body: Any, where: str = "") -> None:
    """Raise Google's 400 for the first unknown name, wrong type or enum value in a request body.

    The body is normalized in place the way Google reads it: proto names (``sheet_id``) become JSON
    names (``sheetId``) and null fields are dropped.
    """
    _check_object(schema(schema_name), schema_name, body, where)


def _check_object(fields: Mapping[str, list[Any]], name: str, value: Any, where: str) -> None:
    if not isinstance(value, dict):
        raise invalid_value(where, PROTO + name, value)
    for key, sub in list(value.items()):
        spec = fields.get(key)
        if spec is None:
            # Google accepts the proto name as well as the JSON name: the handlers see the JSON name.
            spec = fields.get(_lower_camel(key))
            if spec is None:
                raise unknown_name(key, where)
            del value[key]
            key = _lower_camel(key)
            value[key] = sub
        if sub is None:
            del value[key]  # null is "not set", as in Google's JSON reading
        else:
            _check_value(spec, sub, f"{where}.{snake(key)}" if where else snake(key))


def _lower_camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.capitalize() for w in rest)


def _check_value(spec: list[Any], value: Any, where: str) -> None:
    kind = spec[0]
    if kind == "ref":
        _check_object(schema(spec[1]), spec[1], value, where)
    elif kind == "array":
        if not isinstance(value, list):
            value = [value]  # Google reads a lone value given for a repeated field as a list of one
        item = spec[1]
        if item[0] in ("string", "mask") and all(isinstance(v, str) for v in value):
            return
        for i, sub in enumerate(value):
            if sub is not None:
                _check_value(item, sub, f"{where}[{i}]")
    elif kind == "map":
        if not isinstance(value, dict):
            raise invalid_value(where, "google.protobuf.Struct", value)
        for key, sub in value.items():
            _check_value(spec[1], sub, f"{where}[{key}]")
    elif kind == "enum":
        if value not in spec[2] and not (isinstance(value, int) and not isinstance(value, bool)):
            raise invalid_value(where, PROTO + spec[1], value)
    elif kind in ("string", "mask"):
        if not isinstance(value, str):
            raise invalid_value(where, "TYPE_STRING", value)
    elif kind == "bool":
        if not isinstance(value, bool):
            raise invalid_value(where, "TYPE_BOOL", value)
    elif kind in _SCALARS:
        _check_number(kind, value, where)


def _check_number(kind: str, value: Any, where: str) -> None:
    integral = kind.startswith("int")
    if isinstance(value, bool):
        raise invalid_value(where, _SCALARS[kind], value)
    if isinstance(value, int):
        return
    if isinstance(value, float):
        if integral and not value.is_integer():
            raise invalid_value(where, _SCALARS[kind], value)
        return
    if isinstance(value, str):
        try:
            int(value) if integral else float(value)
        except ValueError:
            raise invalid_value(where, _SCALARS[kind], value) from None
        return
    raise invalid_value(where, _SCALARS[kind], value)


# --------------------------------------------------------------------------- query parameters


def check_query(method_id: str, params: Mapping[str, list[str]]) -> None:
    """Unknown query parameters, bad enum and boolean values: Google's 400s."""
    method = table()["methods"][method_id]
    allowed = method["query"]
    common = table()["commonParameters"]
    for name, values in params.items():
        spec = allowed.get(name) or allowed.get(_lower_camel(name))
        if spec is None:
            if name in common:
                continue
            message = (
                f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query parameter. '
                f"Field '{name}' could not be found in request message."
            )
            raise _violation(message, None)
        for value in values:
            if "enum" in spec and value not in spec["enum"][1]:
                raise invalid_value(snake(name), PROTO + spec["enum"][0], value)
            if spec["type"] == "boolean" and value.lower() not in ("true", "false", "1", "0", ""):
                raise invalid_value(snake(name), "TYPE_BOOL", value)


# --------------------------------------------------------------------------- field masks


def mask_paths(fields: str) -> list[list[str]]:
    """``a.b,c(d,e/f)`` -> [["a","b"], ["c","d"], ["c","e","f"]] (``*`` kept as a name)."""
    from sheetkit.testing.meta import parse_mask

    out: list[list[str]] = []

    def walk(tree: Mapping[str, Any], prefix: list[str]) -> None:
        for key, sub in tree.items():
            if sub:
                walk(sub, [*prefix, key])
            else:
                out.append([*prefix, key])

    walk(parse_mask(fields), [])
    return out


def _resolve_path(schema_name: str, path: list[str]) -> str | None:
    """The first name of path that the schema does not have (None: all of them exist)."""
    fields: Mapping[str, list[Any]] | None = schema(schema_name)
    for part in path:
        if part == "*" or fields is None:
            return None
        spec = fields.get(part)
        if spec is None:
            return part
        while spec[0] in ("array", "map"):
            spec = spec[1]
        fields = schema(spec[1]) if spec[0] == "ref" else None
    return None


def check_response_mask(schema_name: str, fields: str | None) -> None:
    """A ``fields`` query parameter that names a field the response does not have: 400."""
    if not fields:
        return
    for path in mask_paths(fields):
        bad = _resolve_path(schema_name, path)
        if bad is not None:
            raise ApiError(400, f"Invalid field selection {bad}")


def check_update_mask(schema_name: str, fields: str, where: str) -> None:
    """The ``fields`` of an update request must name fields of what it updates."""
    for path in mask_paths(fields):
        if _resolve_path(schema_name, path) is not None:
            raise ApiError(400, f"Invalid {where}: Invalid field mask path: {'.'.join(path)}")


def dump_table(built: Mapping[str, Any]) -> str:
    """The table as JSON with one schema or method a line, so a new discovery revision diffs readably."""
    lines = ["{"]
    for i, (key, value) in enumerate(built.items()):
        end = "," if i < len(built) - 1 else ""
        if isinstance(value, dict):
            lines.append(f"{json.dumps(key)}: {{")
            items = list(value.items())
            lines += [
                f"  {json.dumps(k)}: {json.dumps(v)}" + ("," if j < len(items) - 1 else "")
                for j, (k, v) in enumerate(items)
            ]
            lines.append("}" + end)
        else:
            lines.append(f"{json.dumps(key)}: {json.dumps(value)}{end}")
    return "\n".join([*lines, "}"]) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m sheetkit.testing.discovery PATH/TO/sheets.v4.json", file=sys.stderr)
        return 2
    doc = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    TABLE.write_text(dump_table(build_table(doc)), encoding="utf-8")
    print(f"wrote {TABLE} (revision {doc.get('revision')})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
