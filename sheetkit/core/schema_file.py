"""Reading schemas: sheetkit's own YAML format, checked key by key, into a :class:`Schema`.

pandera's own YAML loader silently drops a check name it does not know (PITFALLS.md), so
sheetkit parses its format itself and names the file, line and key of every mistake.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from sheetkit.core.schema import (
    AID_KINDS,
    BUNDLED_SCHEMA,
    CHECKS,
    COMPUTED_KINDS,
    FIELD_TYPES,
    WARNING_CHECKS,
    CheckSpec,
    ComputedColumn,
    Field,
    NonResponsiveRule,
    Schema,
    Severity,
    Status,
    SyncSettings,
    header_key,
)
from sheetkit.errors import SchemaFileError


def load_schema(source: str | Path | Schema | None = None) -> Schema:
    """Load a schema: None for the bundled default, a bundled name, or a path to a YAML file.

    Raises:
        SchemaFileError: the file is missing, not YAML, or breaks the format (line and key named).
    """
    if isinstance(source, Schema):
        return source
    if source is None:
        source = BUNDLED_SCHEMA
    path = Path(source)
    if not path.suffix and not path.exists():
        bundled = _bundled_schema_path(str(source))
        if bundled is None:
            raise SchemaFileError(
                f"no bundled schema named {str(source)!r} (bundled: {', '.join(bundled_schemas())}); "
                "give a path to a .yaml file instead",
                path=str(source),
            )
        path = bundled
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SchemaFileError("file not found", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemaFileError(f"cannot read the file: {exc}", path=str(path)) from None
    schema = parse_schema(text, path=str(path))
    folder = path.resolve().parent
    return dataclasses.replace(schema, bundled=any(folder == d.resolve() for d in _schema_dirs()))


def bundled_schemas() -> list[str]:
    """Names of the schemas that ship with sheetkit."""
    return sorted(p.stem for p in _schema_dirs_files())


def _schema_dirs_files() -> list[Path]:
    files: list[Path] = []
    for directory in _schema_dirs():
        files.extend(p for p in directory.glob("*.yaml"))
    return files


def _schema_dirs() -> list[Path]:
    """Where bundled schemas live: inside the installed package, or the repository's schemas/."""
    dirs = []
    packaged = Path(str(resources.files("sheetkit"))) / "schemas"
    if packaged.is_dir():
        dirs.append(packaged)
    repo = Path(__file__).resolve().parents[2] / "schemas"
    if repo.is_dir():
        dirs.append(repo)
    return dirs


def _bundled_schema_path(name: str) -> Path | None:
    for directory in _schema_dirs():
        candidate = directory / f"{name}.yaml"
        if candidate.is_file():
            return candidate
    return None


def parse_schema(text: str, *, path: str = "<schema>") -> Schema:
    """Parse schema YAML text; every mistake names its line and key."""
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # C parser when built
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise SchemaFileError(f"not valid YAML: {problem}", path=path, line=line) from None
    if node is None:
        raise SchemaFileError("the file is empty; a schema needs at least 'name' and 'fields'", path=path)
    constructor = yaml.SafeLoader("")  # builds scalar values; one for the whole file
    try:
        root = _Node.wrap(node, "", constructor=constructor)
    except SchemaFileError as exc:
        raise SchemaFileError(str(exc).split(": ", 1)[1], path=path, line=exc.line, key=exc.key) from None
    finally:
        constructor.dispose()
    return _SchemaBuilder(path).build(root)


@dataclass
class _Node:
    """A YAML value with the line it came from and its key path, for error messages."""

    value: Any
    line: int
    key: str

    @classmethod
    def wrap(cls, node: yaml.Node, key: str, line: int | None = None, *, constructor: yaml.SafeLoader) -> _Node:
        """Wrap a composed YAML node; a mapping value is placed on its key's line."""
        line = line or node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            mapping: dict[str, _Node] = {}
            for k_node, v_node in node.value:
                k = str(k_node.value)
                child_key = f"{key}.{k}" if key else k
                if k in mapping:
                    raise SchemaFileError("key appears twice", line=k_node.start_mark.line + 1, key=child_key)
                mapping[k] = cls.wrap(v_node, child_key, k_node.start_mark.line + 1, constructor=constructor)
            return cls(mapping, line, key)
        if isinstance(node, yaml.SequenceNode):
            items = [cls.wrap(item, f"{key}[{i}]", constructor=constructor) for i, item in enumerate(node.value)]
            return cls(items, line, key)
        return cls(constructor.construct_object(node, deep=True), line, key)

    def plain(self) -> Any:
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        return self.value


class _SchemaBuilder:
    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, node: _Node, message: str) -> SchemaFileError:
        return SchemaFileError(message, path=self.path, line=node.line, key=node.key)

    # -- typed accessors ------------------------------------------------------------------------
    def mapping(
        self, node: _Node, allowed: set[str], required: frozenset[str] | set[str] = frozenset()
    ) -> dict[str, _Node]:
        if not isinstance(node.value, dict):
            raise self.fail(node, f"expected a mapping of keys, got {_describe(node.value)}")
        for key, child in node.value.items():
            if key not in allowed:
                raise self.fail(child, f"unknown key {key!r}; expected one of: {', '.join(sorted(allowed))}")
        for key in sorted(required - node.value.keys()):
            raise self.fail(node, f"missing required key {key!r}")
        return node.value

    def text(self, node: _Node) -> str:
        if not isinstance(node.value, str) or not node.value.strip():
            raise self.fail(node, f"expected a non-empty text, got {_describe(node.value)}")
        return node.value.strip()

    def boolean(self, node: _Node) -> bool:
        if not isinstance(node.value, bool):
            raise self.fail(node, f"expected true or false, got {_describe(node.value)}")
        return node.value

    def day_first(self, node: _Node) -> bool | None:
        """true, false, or auto (None: decided per column by its own dates)."""
        if node.value == "auto":
            return None
        if not isinstance(node.value, bool):
            raise self.fail(node, f"expected true, false or auto, got {_describe(node.value)}")
        return node.value

    def integer(self, node: _Node, minimum: int = 0) -> int:
        if isinstance(node.value, bool) or not isinstance(node.value, int):
            raise self.fail(node, f"expected a whole number, got {_describe(node.value)}")
        if node.value < minimum:
            raise self.fail(node, f"expected a number >= {minimum}, got {node.value}")
        return node.value

    def text_list(self, node: _Node) -> tuple[str, ...]:
        if not isinstance(node.value, list):
            raise self.fail(node, f"expected a list, got {_describe(node.value)}")
        items = []
        for item in node.value:
            if isinstance(item.value, (int, float)) and not isinstance(item.value, bool):
                items.append(str(item.value))
            else:
                items.append(self.text(item))
        return tuple(items)

    # -- the schema -----------------------------------------------------------------------------
    def build(self, root: _Node) -> Schema:
        top = self.mapping(
            root,
            {
                "name",
                "description",
                "day_first",
                "timezone",
                "phone_region",
                "date_format",
                "header_search_rows",
                "footer_rows",
                "fields",
                "statuses",
                "blank_status",
                "non_responsive",
                "computed",
                "sync",
                "channels",
                "new_channel_for",
                "due_soon_days",
                "aids",
            },
            {"name", "fields"},
        )
        fields = self.fields(top["fields"])
        statuses = self.statuses(top["statuses"]) if "statuses" in top else {}
        if any(f.type == "status" for f in fields.values()) and not statuses:
            raise self.fail(top["fields"], "a field has type 'status' but the schema has no 'statuses' section")
        blank_status = None
        if "blank_status" in top and top["blank_status"].value is not None:
            blank_status = self.status_name(top["blank_status"], statuses)
        rule = self.non_responsive(top["non_responsive"], statuses) if "non_responsive" in top else None
        timezone = self.text(top["timezone"]) if "timezone" in top else "UTC"
        if "timezone" in top:
            self.check_timezone(top["timezone"], timezone)
        return Schema(
            name=self.text(top["name"]),
            description=self.text(top["description"]) if "description" in top else "",
            fields=fields,
            statuses=statuses,
            computed=self.computed(top["computed"], fields, statuses) if "computed" in top else {},
            non_responsive=rule or NonResponsiveRule(),
            blank_status=blank_status,
            day_first=self.day_first(top["day_first"]) if "day_first" in top else None,
            timezone=timezone,
            phone_region=self.phone_region(top["phone_region"]) if "phone_region" in top else None,
            date_format=self.text(top["date_format"]) if "date_format" in top else "yyyy-mm-dd",
            header_search_rows=self.integer(top["header_search_rows"], 1) if "header_search_rows" in top else 30,
            footer_rows=self.boolean(top["footer_rows"]) if "footer_rows" in top else True,
            sync=self.sync(top["sync"], fields) if "sync" in top else SyncSettings(),
            channels=self.channels(top["channels"]) if "channels" in top else {},
            new_channel_for=tuple(self.status_name(n, statuses) for n in self.sequence(top["new_channel_for"]))
            if "new_channel_for" in top
            else (),
            due_soon_days=self.integer(top["due_soon_days"], 1) if "due_soon_days" in top else 7,
            aids=self.aids(top["aids"]) if "aids" in top else None,
            path=self.path,
        )

    def sync(self, node: _Node, fields: Mapping[str, Field]) -> SyncSettings:
        spec = self.mapping(node, {"key", "id_header", "max_delete_fraction"})
        key = None
        if "key" in spec and spec["key"].value is not None:
            key = self.text(spec["key"])
            if key not in fields:
                raise self.fail(spec["key"], f"unknown field {key!r}; the key must be one of: {', '.join(fields)}")
        fraction = 0.5
        if "max_delete_fraction" in spec:
            value = spec["max_delete_fraction"].value
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
                raise self.fail(
                    spec["max_delete_fraction"], f"expected a fraction between 0 and 1, got {_describe(value)}"
                )
            fraction = float(value)
        return SyncSettings(
            key=key,
            id_header=self.text(spec["id_header"]) if "id_header" in spec else "Sheetkit ID",
            max_delete_fraction=fraction,
        )

    def check_timezone(self, node: _Node, name: str) -> None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail(node, f"unknown time zone {name!r}; use an IANA name like 'Europe/Berlin'") from None

    def phone_region(self, node: _Node) -> str | None:
        if node.value is None:
            return None
        from sheetkit.core.contacts import valid_region

        code = self.text(node).strip().upper()
        if not valid_region(code):
            raise self.fail(
                node, f"unknown phone region {code!r}; use a two-letter country code like US, GB or DE, or null"
            )
        return code

    def fields(self, node: _Node) -> dict[str, Field]:
        items = self.mapping(node, set(node.value) if isinstance(node.value, dict) else set())
        if not items:
            raise self.fail(node, "a schema needs at least one field")
        fields: dict[str, Field] = {}
        seen_keys: dict[str, str] = {}
        for name, child in items.items():
            if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                raise self.fail(child, f"field name {name!r} must be lower_snake_case (letters, digits, _)")
            f = self.field(name, child)
            for key in f.header_keys:
                if key in seen_keys and seen_keys[key] != name:
                    raise self.fail(
                        child, f"header spelling {key!r} of field {name!r} is also used by field {seen_keys[key]!r}"
                    )
                seen_keys[key] = name
            fields[name] = f
        for name, f in fields.items():
            for other in f.required_unless:
                if other not in fields:
                    raise self.fail(
                        items[name], f"required_unless names {other!r}, which is not a field ({', '.join(fields)})"
                    )
        return fields

    def field(self, name: str, node: _Node) -> Field:
        spec = self.mapping(
            node, {"header", "aliases", "type", "required", "required_unless", "allow_blank", "checks"}, {"type"}
        )
        type_ = self.text(spec["type"])
        if type_ not in FIELD_TYPES:
            raise self.fail(spec["type"], f"unknown type {type_!r}; expected one of: {', '.join(FIELD_TYPES)}")
        checks = tuple(self.check(item, type_) for item in self.sequence(spec["checks"])) if "checks" in spec else ()
        return Field(
            name=name,
            header=self.text(spec["header"]) if "header" in spec else name.replace("_", " ").title(),
            aliases=self.text_list(spec["aliases"]) if "aliases" in spec else (),
            type=type_,
            required=self.boolean(spec["required"]) if "required" in spec else False,
            allow_blank=self.boolean(spec["allow_blank"]) if "allow_blank" in spec else True,
            checks=checks,
            required_unless=self.text_list(spec["required_unless"]) if "required_unless" in spec else (),
        )

    def sequence(self, node: _Node) -> list[_Node]:
        if not isinstance(node.value, list):
            raise self.fail(node, f"expected a list, got {_describe(node.value)}")
        return node.value

    def check(self, node: _Node, field_type: str) -> CheckSpec:
        """A check is `name`, `{name: argument}` or `{name: {value: argument, severity: warning}}`."""
        if isinstance(node.value, str):
            name, arg_node = node.value, None
        elif isinstance(node.value, dict) and len(node.value) == 1:
            name, arg_node = next(iter(node.value.items()))
        else:
            raise self.fail(node, "a check is a name (- email) or one 'name: argument' pair (- min: 0)")
        if name not in CHECKS:
            raise self.fail(node, f"unknown check {name!r}; expected one of: {', '.join(sorted(CHECKS))}")
        types, arg_kind = CHECKS[name]
        if field_type not in types:
            raise self.fail(
                node, f"check {name!r} does not apply to a {field_type} field (only to: {', '.join(types)})"
            )
        severity: Severity = "warning" if name in WARNING_CHECKS else "error"
        argument: Any = None
        if arg_node is not None and isinstance(arg_node.value, dict):
            options = self.mapping(arg_node, {"value", "severity"})
            if "severity" in options:
                sev = self.text(options["severity"])
                if sev not in ("error", "warning"):
                    raise self.fail(options["severity"], f"severity must be 'error' or 'warning', got {sev!r}")
                severity = "warning" if sev == "warning" else "error"
            arg_node = options.get("value")
        if arg_kind is None:
            if arg_node is not None and arg_node.value is not None:
                raise self.fail(arg_node, f"check {name!r} takes no argument")
        elif arg_kind == "form":
            if arg_node is not None and arg_node.value is not None:
                argument = self.text(arg_node)
                if argument != "e164":
                    raise self.fail(
                        arg_node, f"check {name!r} takes e164 (numbers must be written +16175550100) or nothing"
                    )
        else:
            if arg_node is None:
                raise self.fail(node, f"check {name!r} needs an argument ({arg_kind})")
            argument = self.check_argument(arg_node, name, arg_kind)
        return CheckSpec(name=name, argument=argument, severity=severity)

    def check_argument(self, node: _Node, name: str, kind: str) -> Any:
        value = node.value
        if kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self.fail(node, f"check {name!r} needs a number, got {_describe(value)}")
            return value
        if kind == "int":
            return self.integer(node, 1)
        if kind == "list":
            return self.text_list(node)
        pattern = self.text(node)
        try:
            re.compile(pattern)
        except re.error as exc:
            raise self.fail(node, f"not a valid regular expression: {exc}") from None
        return pattern

    def statuses(self, node: _Node) -> dict[str, Status]:
        items = self.mapping(node, set(node.value) if isinstance(node.value, dict) else set())
        statuses: dict[str, Status] = {}
        spelled: dict[str, str] = {}
        for name, child in items.items():
            spec = self.mapping(child, {"meaning", "spellings", "cadence_days", "due", "suggestion", "label"})
            due_now = False
            if "due" in spec:
                if spec["due"].value != "now":
                    raise self.fail(spec["due"], f"'due' can only be 'now', got {_describe(spec['due'].value)}")
                due_now = True
            cadence: int | None = None
            if "cadence_days" in spec and spec["cadence_days"].value is not None:
                cadence = self.integer(spec["cadence_days"])
            elif "cadence_days" not in spec and not due_now:
                raise self.fail(child, "a status needs 'cadence_days' (a number, or null for never) or 'due: now'")
            spellings = self.text_list(spec["spellings"]) if "spellings" in spec else ()
            label = self.text(spec["label"]).strip() if "label" in spec else ""
            if label and header_key(label) not in {header_key(s) for s in (name, *spellings)}:
                spellings = (*spellings, label)  # what the dropdown offers is read back as this status
            status = Status(
                name=name,
                label=label,
                meaning=self.text(spec["meaning"]) if "meaning" in spec else "",
                spellings=spellings,
                cadence_days=cadence,
                due_now=due_now,
                suggestion=self.text(spec["suggestion"]) if "suggestion" in spec else "",
            )
            for spelling in (name, *status.spellings):
                key = header_key(spelling)
                if key in spelled and spelled[key] != name:
                    raise self.fail(child, f"spelling {spelling!r} is used by both {spelled[key]!r} and {name!r}")
                spelled[key] = name
            statuses[name] = status
        return statuses

    def aids(self, node: _Node) -> tuple[str, ...]:
        """`aids:` true (all of them), false (none: sheetkit's own are removed) or a list of their names."""
        if isinstance(node.value, bool):
            return AID_KINDS if node.value else ()
        names = self.text_list(node)
        for item, name in zip(node.value, names, strict=True):
            if name not in AID_KINDS:
                raise self.fail(
                    item, f"unknown aid {name!r}; expected true, false or a list of: {', '.join(AID_KINDS)}"
                )
        return tuple(kind for kind in AID_KINDS if kind in names)

    def status_name(self, node: _Node, statuses: Mapping[str, Status]) -> str:
        name = self.text(node)
        if name not in statuses:
            raise self.fail(node, f"unknown status {name!r}; the statuses are: {', '.join(statuses)}")
        return name

    def non_responsive(self, node: _Node, statuses: Mapping[str, Status]) -> NonResponsiveRule:
        spec = self.mapping(
            node, {"follow_ups_at_least", "min_distinct_channels", "never_for", "always_for", "cadence_days"}
        )
        default = NonResponsiveRule()

        def names(key: str, fallback: tuple[str, ...]) -> tuple[str, ...]:
            if key not in spec:
                return tuple(s for s in fallback if s in statuses)
            return tuple(self.status_name(item, statuses) for item in self.sequence(spec[key]))

        return NonResponsiveRule(
            follow_ups_at_least=self.integer(spec["follow_ups_at_least"], 1)
            if "follow_ups_at_least" in spec
            else default.follow_ups_at_least,
            min_distinct_channels=self.integer(spec["min_distinct_channels"], 1)
            if "min_distinct_channels" in spec
            else default.min_distinct_channels,
            never_for=names("never_for", default.never_for),
            always_for=names("always_for", default.always_for),
            cadence_days=self.integer(spec["cadence_days"]) if "cadence_days" in spec else default.cadence_days,
        )

    def computed(
        self, node: _Node, fields: Mapping[str, Field], statuses: Mapping[str, Status]
    ) -> dict[str, ComputedColumn]:
        items = self.mapping(node, set(node.value) if isinstance(node.value, dict) else set())
        computed: dict[str, ComputedColumn] = {}
        for name, child in items.items():
            spec = self.mapping(child, {"header", "kind", "enabled", "when_status", "unless"}, {"header"})
            kind = self.text(spec["kind"]) if "kind" in spec else name
            if kind not in COMPUTED_KINDS:
                where = spec.get("kind", child)
                raise self.fail(where, f"unknown computation {kind!r}; expected one of: {', '.join(COMPUTED_KINDS)}")
            header = self.text(spec["header"])
            for f in fields.values():
                if header_key(header) in f.header_keys:
                    raise self.fail(
                        spec["header"], f"computed header {header!r} is also a spelling of field {f.name!r}"
                    )
            when = (
                tuple(self.status_name(s, statuses) for s in self.sequence(spec["when_status"]))
                if "when_status" in spec
                else ()
            )
            unless: tuple[str, ...] = ()
            if "unless" in spec:
                unless = self.text_list(spec["unless"])
                for item, field_name in zip(self.sequence(spec["unless"]), unless, strict=True):
                    if field_name not in fields or fields[field_name].type != "boolean":
                        raise self.fail(item, f"{field_name!r} must be a boolean field of this schema")
            if kind == "flag" and not when:
                raise self.fail(child, "a flag needs 'when_status': the statuses it is raised for")
            computed[name] = ComputedColumn(
                kind=kind,
                header=header,
                name=name,
                enabled=self.boolean(spec["enabled"]) if "enabled" in spec else True,
                when_status=when,
                unless=unless,
            )
        return computed

    def channels(self, node: _Node) -> dict[str, tuple[str, ...]]:
        """Contact channels in the order to try them, each with the spellings people type."""
        items = self.mapping(node, set(node.value) if isinstance(node.value, dict) else set())
        return {name: self.text_list(spellings) if spellings.value else () for name, spellings in items.items()}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return f"{value!r} (a {type(value).__name__})"
