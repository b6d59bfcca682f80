"""Schema files: the bundled one loads; broken ones are reported by line and key."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetkit.core.schema import header_key
from sheetkit.core.schema_file import bundled_schemas, load_schema, parse_schema
from sheetkit.errors import SchemaFileError

MINIMAL = "name: mini\nfields:\n  email:\n    type: text\n"


def test_bundled_schema_describes_the_domain() -> None:
    schema = load_schema()
    assert schema.name == "recruiter_contacts"
    assert {"first_name", "email", "status", "last_contacted", "follow_ups", "linkedin_url"} <= set(schema.fields)
    assert schema.statuses["contacted"].cadence_days == 3
    assert schema.statuses["do_not_contact"].cadence_days is None
    assert schema.statuses["new"].due_now and schema.statuses["wrong_contact"].due_now
    assert schema.non_responsive.follow_ups_at_least == 3
    assert [c.header for c in schema.active_computed().values()] == ["Days Since Contact", "Non-Responsive", "Next Check-In"]
    assert {c.header: c.enabled for c in schema.computed.values()}["Suggested Channel"] is False  # an opt-in extra
    assert "recruiter_contacts" in bundled_schemas()


def test_load_by_name_path_and_object(tmp_path: Path) -> None:
    by_name = load_schema("recruiter_contacts")
    copy = tmp_path / "mine.yaml"
    copy.write_text(Path(by_name.path).read_text(encoding="utf-8"), encoding="utf-8")
    assert load_schema(copy).fields == by_name.fields
    assert load_schema(by_name) is by_name


@pytest.mark.parametrize(
    ("text", "line", "key", "words"),
    [
        ("name: x\nfields:\n  a:\n    type: txt\n", 4, "fields.a.type", "unknown type 'txt'"),
        (
            "name: x\nfields:\n  a:\n    type: text\n    checks: [emial]\n",
            5,
            "fields.a.checks[0]",
            "unknown check 'emial'",
        ),
        ("name: x\nfields:\n  a:\n    type: text\n    chekcs: []\n", 5, "fields.a.chekcs", "unknown key 'chekcs'"),
        (
            "name: x\nfields:\n  a:\n    type: integer\n    checks:\n      - min: zero\n",
            6,
            "fields.a.checks[0].min",
            "needs a number",
        ),
        (
            "name: x\nfields:\n  a:\n    type: date\n    checks: [email]\n",
            5,
            "fields.a.checks[0]",
            "does not apply to a date",
        ),
        (
            "name: x\nfields:\n  a:\n    type: text\n  b:\n    type: text\n    aliases: [A]\n",
            5,
            "fields.b",
            "also used by field 'a'",
        ),
        ("name: x\nfields:\n  a:\n    type: status\n", 2, "fields", "no 'statuses' section"),
        ("name: x\ntimezone: Mars/Olympus\nfields:\n  a:\n    type: text\n", 2, "timezone", "unknown time zone"),
        ("name: x\nfields:\n  a:\n    type: text\n  a:\n    type: text\n", 5, "fields.a", "key appears twice"),
        ("name: x\nday_first: maybe\nfields:\n  a:\n    type: date\n", 2, "day_first", "expected true, false or auto"),
        ("fields:\n  a:\n    type: text\n", 1, "", "missing required key 'name'"),
        ("name: x\nfields: [\n", 3, "", "not valid YAML"),
        ("", None, "", "the file is empty"),
    ],
)
def test_broken_schema_names_line_and_key(text: str, line: int | None, key: str, words: str) -> None:
    with pytest.raises(SchemaFileError) as caught:
        parse_schema(text, path="mine.yaml")
    error = caught.value
    assert words in str(error)
    assert error.line == line
    assert error.key == key
    assert str(error).startswith("mine.yaml")


def test_missing_schema_file_and_unknown_bundled_name(tmp_path: Path) -> None:
    with pytest.raises(SchemaFileError, match="file not found"):
        load_schema(tmp_path / "nope.yaml")
    with pytest.raises(SchemaFileError, match="no bundled schema named 'nope'"):
        load_schema("nope")


def test_check_with_severity_option() -> None:
    schema = parse_schema(MINIMAL + "    checks:\n      - email: {severity: warning}\n")
    assert schema.fields["email"].checks[0].severity == "warning"


@given(st.text(min_size=1, max_size=30))
def test_header_key_ignores_case_spaces_and_punctuation(header: str) -> None:
    noisy = f"  {header.upper()} -_#.  "
    assert header_key(noisy) == header_key(header.lower()) or not header.isascii()
    assert all(ch.isalnum() for ch in header_key(header))


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("# follow ups", "Follow-ups"),
        ("LAST TOUCH", "Last Touch"),
        ("e-mail", "E-mail"),
        (" Given name ", "Given Name"),
    ],
)
def test_alias_spellings_match(written: str, canonical: str) -> None:
    assert header_key(written) == header_key(canonical)


def test_derived_facts_are_computed_once_and_follow_a_replaced_schema() -> None:
    import dataclasses

    schema = load_schema()
    assert header_key("Last touch") in schema.date_header_keys  # an alias of a date field
    assert header_key("Next Check-In") in schema.date_header_keys  # a date computed column
    assert header_key("Email") not in schema.date_header_keys
    assert schema.status_lookup() is schema.status_lookup()  # built once
    fewer = dataclasses.replace(schema, computed={})
    assert header_key("Next Check-In") not in fewer.date_header_keys
    assert header_key("Next Check-In") not in fewer.known_header_keys


@pytest.mark.parametrize(("written", "read"), [("true", True), ("false", False), ("auto", None), (None, None)])
def test_day_first_is_true_false_or_left_to_each_column(written: str | None, read: bool | None) -> None:
    line = "" if written is None else f"day_first: {written}\n"
    assert parse_schema(f"name: x\n{line}fields:\n  a:\n    type: date\n").day_first is read


def test_bundled_schemas_leave_the_date_order_to_each_column(tmp_path: Path) -> None:
    for name in bundled_schemas():
        schema = load_schema(name)
        assert schema.day_first is None and schema.bundled, name
    copy = tmp_path / "mine.yaml"
    copy.write_text(Path(load_schema().path).read_text(encoding="utf-8"), encoding="utf-8")
    assert not load_schema(copy).bundled and not parse_schema("name: x\nfields:\n  a:\n    type: date\n").bundled
