"""Replay real Google API traffic (gspread's recorded cassettes, MIT) against the Sheets emulator.

For each cassette every recorded request is sent, in order, to a fresh emulator; ids that Google
generated (spreadsheet ids, sheetIds, named/protected range ids) are mapped to the ones the
emulator generated, learned from earlier responses; then the emulator's status and JSON body must
equal the recorded ones. Only timestamps are ignored everywhere; the few other known
differences are listed in ``KNOWN_DIFFERENCES`` with the reason, and cassettes the emulator cannot
replay are in ``UNSUPPORTED`` (xfail, strict). Run this file directly for a summary table:
``python tests/test_emulator_conformance.py``.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

import pytest
import requests

from sheetkit.testing import a1
from sheetkit.testing.batch import HANDLERS
from sheetkit.testing.emulator import SheetsEmulator

# The recordings shipped with the tests (tests/cassettes/gspread, gspread's MIT licence beside them);
# SHEETKIT_GSPREAD_CASSETTES points the replay at another folder of gspread cassettes.
CASSETTES = Path(os.environ.get("SHEETKIT_GSPREAD_CASSETTES", Path(__file__).resolve().parent / "cassettes" / "gspread"))
# The account the cassettes were recorded with: files it creates are owned by it, protected ranges list it.
RECORDING_ACCOUNT = "telegram-budgeter@telegram-budgeter.iam.gserviceaccount.com"
RECORDING_PROJECT = "1071851248496"  # the Cloud project its quota belongs to (named in quota errors)
GOOGLE = re.compile(r"^https://(sheets|www)\.googleapis\.com")
STRING_ID_KEYS = {"spreadsheetId", "id", "namedRangeId", "tableId", "bandedRangeReference"}
INT_ID_KEYS = {"sheetId", "protectedRangeId", "bandedRangeId", "filterViewId"}
IGNORED_KEYS = {"createdTime", "modifiedTime"}  # wall-clock timestamps differ on every run

# (cassette, request pattern "METHOD path", JSON path prefix to skip or "*" for the whole body, reason)
KNOWN_DIFFERENCES: list[tuple[str, str, str, str]] = [
    (
        "ClientTest.test_import_csv",
        r"^PUT /upload/drive/v2/files/",
        "*",
        "Drive v2 file resource full of account data (selfLink, etag, permission ids, thumbnails)",
    ),
    (
        "WorksheetTest.test_auto_resize_columns",
        r"^GET /v4/spreadsheets/[^/]+$",
        "sheets.data.columnMetadata",
        "auto-resize width depends on Google's font metrics (8691 px); the emulator estimates",
    ),
]

# Cassettes the emulator cannot replay, with the reason (xfail, strict).
UNSUPPORTED: dict[str, str] = {}


@dataclass
class Outcome:
    """What one interaction did: the call, both statuses, differences (empty = match)."""

    call: str
    expected_status: int
    status: int
    diffs: list[str] = field(default_factory=list)
    ignored: str | None = None
    unsupported: str | None = None


@dataclass
class Replay:
    name: str
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def mismatches(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.diffs]

    @property
    def unsupported_calls(self) -> list[str]:
        return sorted({o.unsupported for o in self.outcomes if o.unsupported})

    @property
    def category(self) -> str:
        if self.unsupported_calls:
            return "unsupported"
        if self.mismatches:
            return "mismatch"
        if any(o.ignored for o in self.outcomes):
            return "partial"
        return "full"


class IdMap:
    """Recorded id -> emulator id, learned by walking recorded and actual responses side by side."""

    def __init__(self) -> None:
        self.strings: dict[str, str] = {}
        self.ints: dict[int, int] = {}

    def learn(self, recorded: Any, actual: Any) -> None:
        if isinstance(recorded, dict) and isinstance(actual, dict):
            for key, rec in recorded.items():
                if key not in actual:
                    continue
                act = actual[key]
                if key in STRING_ID_KEYS and isinstance(rec, str) and isinstance(act, str):
                    self.strings.setdefault(rec, act)
                elif key in INT_ID_KEYS and isinstance(rec, int) and isinstance(act, int):
                    self.ints.setdefault(rec, act)
                else:
                    self.learn(rec, act)
            if "sheetId" not in recorded and "sheetId" not in actual and "properties" in recorded:
                return
        elif isinstance(recorded, list) and isinstance(actual, list):
            for rec, act in zip(recorded, actual, strict=False):
                self.learn(rec, act)

    def text(self, value: str) -> str:
        for rec, act in self.strings.items():
            if len(rec) >= 8 and rec in value:
                value = value.replace(rec, act)
        return value

    def apply(self, obj: Any, key: str | None = None) -> Any:
        if isinstance(obj, dict):
            return {k: self.apply(v, k) for k, v in obj.items()}
        if isinstance(obj, list):
            return [self.apply(v, key) for v in obj]
        if isinstance(obj, bool):
            return obj
        if isinstance(obj, int) and key in INT_ID_KEYS:
            return self.ints.get(obj, obj)
        if isinstance(obj, str):
            if key in STRING_ID_KEYS and obj in self.strings:
                return self.strings[obj]
            return self.text(obj)
        return obj


def _strip(obj: Any, skip: set[str], path: str = "") -> Any:
    if isinstance(obj, dict):
        return {
            k: _strip(v, skip, f"{path}.{k}".lstrip("."))
            for k, v in obj.items()
            if k not in IGNORED_KEYS and f"{path}.{k}".lstrip(".") not in skip
        }
    if isinstance(obj, list):
        return [_strip(v, skip, path) for v in obj]
    return obj


def _diff(expected: Any, actual: Any, path: str = "$") -> list[str]:
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = []
        for key in sorted(set(expected) | set(actual)):
            if key not in actual:
                out.append(f"{path}.{key}: missing (expected {json.dumps(expected[key])[:120]})")
            elif key not in expected:
                out.append(f"{path}.{key}: unexpected {json.dumps(actual[key])[:120]}")
            else:
                out.extend(_diff(expected[key], actual[key], f"{path}.{key}"))
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        if all(isinstance(x, dict) and "colorType" in x for x in expected + actual):
            # themeColors is a map from colour type to colour: Google's own answers list it in different orders
            expected, actual = (sorted(x, key=lambda c: str(c["colorType"])) for x in (expected, actual))
        if len(expected) != len(actual):
            return [f"{path}: expected {json.dumps(expected)[:200]}, got {json.dumps(actual)[:200]}"]
        return [
            d
            for i, (e, a) in enumerate(zip(expected, actual, strict=True))
            for d in _diff(e, a, f"{path}[{i}]")
        ]
    both_numbers = isinstance(expected, int | float) and isinstance(actual, int | float)
    if expected != actual or (type(expected) is not type(actual) and not both_numbers):
        return [f"{path}: expected {json.dumps(expected)[:200]}, got {json.dumps(actual)[:200]}"]
    return []


def _call_name(method: str, path: str, body: Any) -> str:
    path = re.sub(r"/spreadsheets/[^/:]+", "/spreadsheets/{id}", path)
    path = re.sub(r"/files/[^/]+", "/files/{id}", path)
    path = re.sub(r"/values/[^:]+", "/values/{range}", path)
    name = f"{method} {path}"
    if path.endswith(":batchUpdate") and "/values" not in path and isinstance(body, dict):
        kinds = sorted({k for r in body.get("requests") or [] for k in r})
        name += " [" + ",".join(kinds) + "]"
    return name


SHEETS_TARGET = re.compile(r"/v4/spreadsheets/([^/?:]+)")
DRIVE_TARGET = re.compile(r"/drive/v[23]/files/([^/?]+)|/upload/drive/v[23]/files/([^/?]+)")
READS = re.compile(r"(:getByDataFilter|:batchGetByDataFilter)$")


def _target(path: str) -> str | None:
    """The spreadsheet (Drive file) a request is about, if any."""
    match = SHEETS_TARGET.search(path) or DRIVE_TARGET.search(path)
    return next((g for g in match.groups() if g), None) if match else None


def _json_or_none(text: str | None) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


@dataclass
class Foreign:
    """A spreadsheet the recording account held before the recording began (other runs made it)."""

    spreadsheet_id: str
    first_seen: int
    resource: dict[str, Any] | None = None
    drive: dict[str, Any] = field(default_factory=dict)
    values: list[dict[str, Any]] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    grids: dict[str, tuple[int, int]] = field(default_factory=dict)  # title -> rows, columns
    title: str = ""
    gone_at: int | None = None  # deleted by someone else before this interaction
    exists: bool = False

    def _grid(self, title: str) -> dict[str, int]:
        rows, columns = self.grids.get(title, (1000, 26))
        return {"rowCount": rows, "columnCount": columns}

    def seed(self, emulator: SheetsEmulator) -> None:
        resource = self.resource or {
            "properties": {"title": self.title or self.drive.get("name") or "Untitled spreadsheet"},
            "sheets": [
                {"properties": {"sheetId": i, "title": t, "gridProperties": self._grid(t)}}
                for i, t in enumerate(self.titles or ["Sheet1"])
            ],
        }
        emulator.import_spreadsheet(
            resource,
            spreadsheet_id=self.spreadsheet_id,
            values=self.values,
            created=self.drive.get("createdTime"),
            modified=self.drive.get("modifiedTime"),
        )


def account_state(interactions: list[dict[str, Any]]) -> dict[str, Foreign]:
    """The spreadsheets a cassette uses but never creates, with what its recorded answers show of them.

    A spreadsheet is seeded when the recording first shows it (a request to it, or a Drive listing):
    cassettes recorded in several sittings list, in a later sitting, files other runs made in between.
    Its layout comes from a recorded GET of it made before the replay changes it, its cells from
    recorded value reads made before then, its name and times from Drive's answers.
    """
    created: set[str] = set()
    found: dict[str, Foreign] = {}
    written: set[str] = set()
    resized: set[str] = set()
    renamed: set[str] = set()
    made_titles: dict[str, set[str]] = {}
    for index, interaction in enumerate(interactions):
        req, rec = interaction["request"], interaction["response"]
        path = GOOGLE.sub("", req["uri"]).split("?")[0]
        status = rec["status"]["code"]
        body = _json_or_none(rec["body"]["string"])
        target = _target(path)
        if req["method"] == "POST" and status == 200 and isinstance(body, dict) and (
            path in ("/v4/spreadsheets", "/drive/v3/files", "/drive/v2/files") or path.endswith("/copy")
        ):
            created.add(str(body.get("spreadsheetId") or body.get("id")))
        listed = body.get("files") if isinstance(body, dict) and req["method"] == "GET" and target is None else None
        query = parse_qs(req["uri"].partition("?")[2]).get("q", [""])[0]
        if listed is not None and "name" not in query and not body.get("nextPageToken"):
            # A full listing: a file shown before and missing now was deleted outside the recording.
            shown = {entry.get("id") for entry in listed}
            for held in found.values():
                if held.exists and held.gone_at is None and held.spreadsheet_id not in shown:
                    held.gone_at = index
        for entry in listed or []:
            if entry.get("id") and entry["id"] not in created:
                foreign = found.setdefault(entry["id"], Foreign(entry["id"], index))
                foreign.exists = True
                foreign.drive = {**entry, **foreign.drive}
        if target is None or target in created:
            continue
        foreign = found.setdefault(target, Foreign(target, index))
        foreign.exists = foreign.exists or status in (200, 204, 429)
        if isinstance(body, dict) and path.startswith("/drive/") and status == 200:
            foreign.drive = {**body, **foreign.drive}
        is_read = req["method"] == "GET" or bool(READS.search(path))
        if "/values/" in path:
            title, cells = a1_sheet(unquote(path.split("/values/", 1)[1].rsplit(":", 1)[0]))
            if title and title not in foreign.titles and title not in made_titles.get(target, set()):
                foreign.titles.append(title)  # a sheet it had, not one the recording added or renamed
            answered = (body or {}).get("clearedRange") or (body or {}).get("range") if status == 200 else None
            extent = grid_extent(answered) if title and not cells and isinstance(answered, str) else None
            if extent and title not in foreign.grids and target not in resized:
                foreign.grids[title] = extent
        if not is_read:
            written.add(target)
            if not path.endswith(("clear", "Clear")):  # clearing values leaves the grid's size alone
                resized.add(target)
            if path.endswith(":batchUpdate") and "/values" not in path:
                made_titles.setdefault(target, set()).update(_titles_made(_json_or_none(req.get("body"))))
            if req["method"] == "PATCH" or "updateSpreadsheetProperties" in (req.get("body") or ""):
                renamed.add(target)
        elif target not in written and status == 200 and isinstance(body, dict):
            if path.endswith(target) and body.get("properties") and foreign.resource is None:
                foreign.resource = body
            ranges = body.get("valueRanges") or ([body] if "/values/" in path else [])
            foreign.values.extend(r for r in ranges if r.get("values"))
        if is_read and status == 200 and isinstance(body, dict) and target not in renamed and not foreign.title:
            foreign.title = str((body.get("properties") or {}).get("title") or "")  # a title outlives cell edits
    return {k: v for k, v in found.items() if v.exists}


def _titles_made(body: Any) -> set[str]:
    """Sheet titles a batchUpdate gives (added, duplicated or renamed sheets)."""
    out = set()
    for request in (body or {}).get("requests") or []:
        for kind, key in (("addSheet", "properties"), ("updateSheetProperties", "properties")):
            title = ((request.get(kind) or {}).get(key) or {}).get("title")
            if title:
                out.add(str(title))
        if (request.get("duplicateSheet") or {}).get("newSheetName"):
            out.add(str(request["duplicateSheet"]["newSheetName"]))
    return out


def a1_sheet(text: str) -> tuple[str | None, str]:
    """The sheet title of an A1 range and its cells ("'My sheet'!A1" -> ("My sheet", "A1"))."""
    try:
        title, cells = a1.split_sheet(text)
    except a1.A1Error:
        return None, ""
    if title is None and not a1.looks_like_cells(cells):
        return cells, ""  # a bare title: the whole sheet
    return title, cells


def grid_extent(answered: str) -> tuple[int, int] | None:
    """Rows and columns of a sheet from the range Google answers for the whole of it ("'D3'!A1:H8" -> 8, 8)."""
    _, cells = a1_sheet(answered)
    try:
        span = a1.parse_cells(cells)
    except a1.A1Error:
        return None
    if span.start_row or span.start_col or span.end_row is None or span.end_col is None:
        return None
    return span.end_row, span.end_col


def load_interactions(data: dict[str, Any]) -> list[dict[str, Any]]:
    """A cassette's interactions, in vcrpy's form (gspread's cassettes before 2021 are betamax's:
    ``http_interactions``, a request body as {"string": ...})."""
    out = []
    for interaction in data.get("interactions") or data.get("http_interactions") or []:
        req = dict(interaction["request"])
        if isinstance(req.get("body"), dict):
            req["body"] = req["body"].get("string") or None
        out.append({**interaction, "request": req})
    return out


def replay(cassette: Path) -> Replay:
    """Send every recorded request to a fresh emulator and compare answers."""
    data = json.loads(cassette.read_text())
    result = Replay(cassette.stem)
    ids = IdMap()
    interactions = load_interactions(data)
    foreign = account_state(interactions)
    with (
        SheetsEmulator(user_email=RECORDING_ACCOUNT, project_number=RECORDING_PROJECT) as emulator,
        requests.Session() as session,
    ):
        for index, interaction in enumerate(interactions):
            for held in foreign.values():
                if held.first_seen == index:
                    held.seed(emulator)
                if held.gone_at == index:
                    emulator.delete_spreadsheet(held.spreadsheet_id)
            req, rec = interaction["request"], interaction["response"]
            path_q = GOOGLE.sub("", req["uri"])
            path = path_q.split("?")[0]
            raw_body = req.get("body")
            try:
                json_body: Any = json.loads(raw_body) if raw_body else None
            except ValueError:
                json_body = None
            call = _call_name(req["method"], path, json_body)
            expected_status = rec["status"]["code"]
            url = emulator.url + ids.text(path_q)
            if json_body is not None:
                payload: bytes | None = json.dumps(ids.apply(json_body)).encode()
            else:
                payload = raw_body.encode() if isinstance(raw_body, str) else raw_body
            if expected_status == 429:
                # The recording account had spent its per-minute quota (other runs): so has the emulator's.
                emulator.fail_next(429)
            if expected_status == 403:
                # A spreadsheet the recording account could not open: tell the emulator so.
                match = re.search(r"/spreadsheets/([^/?:]+)", url)
                if match and match.group(1) not in ids.strings.values():
                    emulator.deny(match.group(1))
            headers = {
                k: v[0] for k, v in req["headers"].items() if k.lower() in ("content-type", "authorization")
            }
            resp = session.request(req["method"], url, data=payload, headers=headers, timeout=30)
            outcome = Outcome(call, expected_status, resp.status_code)
            result.outcomes.append(outcome)
            if resp.status_code == 404 and b"Method not found" in resp.content:
                outcome.unsupported = call
                continue
            if isinstance(json_body, dict) and "requests" in json_body:
                missing = [k for r in json_body["requests"] for k in r if k not in HANDLERS]
                if missing:
                    outcome.unsupported = f"batchUpdate {','.join(missing)}"
            recorded_text = rec["body"]["string"]
            try:
                expected: Any = json.loads(recorded_text) if recorded_text else None
                actual: Any = resp.json() if resp.content else None
            except ValueError:
                expected, actual = recorded_text, resp.text
            ids.learn(expected, actual)
            expected = ids.apply(expected)
            skip: set[str] = set()
            for name, pattern, json_path, reason in KNOWN_DIFFERENCES:
                if name == cassette.stem and re.search(pattern, f"{req['method']} {path}"):
                    outcome.ignored = reason
                    if json_path == "*":
                        expected = actual = None
                    else:
                        skip.add(json_path)
            if resp.status_code != expected_status:
                outcome.diffs.append(
                    f"status: expected {expected_status}, got {resp.status_code}: {resp.text[:300]}"
                )
            outcome.diffs.extend(_diff(_strip(expected, skip), _strip(actual, skip)))
    return result


def cassette_files() -> list[Path]:
    return sorted(CASSETTES.glob("*.json")) if CASSETTES.is_dir() else []


_RESULTS: dict[str, Replay] = {}


def _replay_cached(path: Path) -> Replay:
    if path.stem not in _RESULTS:
        _RESULTS[path.stem] = replay(path)
    return _RESULTS[path.stem]


def _params() -> list[Any]:
    out = []
    for path in cassette_files():
        marks = (
            [pytest.mark.xfail(strict=True, reason=UNSUPPORTED[path.stem])]
            if path.stem in UNSUPPORTED
            else []
        )
        out.append(pytest.param(path, id=path.stem, marks=marks))
    return out


def test_cassettes_are_there() -> None:
    """The recorded traffic ships with the tests: a fresh clone replays it, nothing skips."""
    assert len(cassette_files()) >= 100, f"expected the gspread cassettes at {CASSETTES}"
    assert (CASSETTES / "LICENSE.txt").is_file() or "SHEETKIT_GSPREAD_CASSETTES" in os.environ


def _interaction(method: str, uri: str, status: int, answer: Any) -> dict[str, Any]:
    text = json.dumps(answer) if answer is not None else ""
    return {"request": {"method": method, "uri": uri, "body": None}, "response": {"status": {"code": status}, "body": {"string": text}}}


def test_the_account_a_recording_assumes() -> None:
    """Files a recording lists or opens but never creates are seeded when first shown, dropped when a
    full listing no longer shows them; an id Google answered 404 for is not invented."""
    drive, sheets = "https://www.googleapis.com/drive/v3/files", "https://sheets.googleapis.com/v4/spreadsheets"
    listing = {"files": [{"id": "1Held", "name": "Held", "modifiedTime": "2023-01-01T00:00:00.000Z"}, {"id": "1Gone", "name": "Gone"}]}
    meta = {"spreadsheetId": "1Held", "properties": {"title": "Held"}, "sheets": [{"properties": {"sheetId": 5, "title": "Tab"}}]}
    state = account_state(
        [
            _interaction("POST", f"{drive}?supportsAllDrives=True", 200, {"id": "1Mine", "name": "Mine"}),
            _interaction("GET", f"{drive}?q=mimeType", 200, listing),
            _interaction("GET", f"{sheets}/1Held", 200, meta),
            _interaction("GET", f"{sheets}/1Held/values/Tab%21A1", 200, {"range": "Tab!A1", "values": [["x"]]}),
            _interaction("GET", f"{sheets}/1Missing", 404, {"error": {"code": 404}}),
            _interaction("GET", f"{drive}?q=mimeType", 200, {"files": [{"id": "1Mine"}, {"id": "1Held"}]}),
        ]
    )
    assert sorted(state) == ["1Gone", "1Held"]
    held, gone = state["1Held"], state["1Gone"]
    assert (held.first_seen, held.gone_at, held.resource, held.values) == (1, None, meta, [{"range": "Tab!A1", "values": [["x"]]}])
    assert (gone.first_seen, gone.gone_at) == (1, 5)
    with SheetsEmulator() as emulator:
        held.seed(emulator)
        assert emulator.get_values("1Held", "Tab!A1") == [["x"]]
        assert emulator.spreadsheet("1Held")["sheets"][0]["properties"]["sheetId"] == 5


def test_betamax_cassettes_read_like_vcrpy_ones() -> None:
    old = {"http_interactions": [{"request": {"method": "GET", "uri": "u", "body": {"encoding": "utf-8", "string": ""}}}]}
    assert load_interactions(old) == [{"request": {"method": "GET", "uri": "u", "body": None}}]


@pytest.mark.parametrize("cassette", _params())
def test_cassette_replays_like_google(cassette: Path) -> None:
    result = _replay_cached(cassette)
    problems = [f"#{i} {o.call}: " + "; ".join(o.diffs[:5]) for i, o in enumerate(result.outcomes) if o.diffs]
    assert not result.unsupported_calls, f"calls the emulator does not implement: {result.unsupported_calls}"
    assert not problems, "\n".join(problems[:15])


def _category(result: Replay) -> str:
    return "unsupported" if result.name in UNSUPPORTED else result.category


def summarize(results: list[Replay]) -> str:
    counts = {
        k: sum(1 for r in results if _category(r) == k)
        for k in ("full", "partial", "mismatch", "unsupported")
    }
    unsupported = sorted({c for r in results for c in r.unsupported_calls})
    unsupported += sorted({f"{r.name}: {UNSUPPORTED[r.name]}" for r in results if r.name in UNSUPPORTED})
    outcomes = [o for r in results for o in r.outcomes]
    matched = sum(1 for o in outcomes if not o.diffs and not o.unsupported)
    exact = sum(1 for o in outcomes if not o.diffs and not o.unsupported and not o.ignored)
    share = 100 * matched / len(outcomes) if outcomes else 0.0
    lines = [
        f"gspread cassettes replayed: {len(results)}; interactions: {len(outcomes)}",
        f"  interactions answered as Google did: {matched} ({share:.1f}%), "
        f"{exact} of them with no known difference ignored",
        f"  fully matching: {counts['full']}",
        f"  partial (known differences only): {counts['partial']} "
        f"{sorted(r.name for r in results if _category(r) == 'partial')}",
        f"  mismatching: {counts['mismatch']} {sorted(r.name for r in results if _category(r) == 'mismatch')}",
        f"  unsupported (xfail): {counts['unsupported']} "
        f"{sorted(r.name for r in results if _category(r) == 'unsupported')}",
        f"  unsupported calls: {unsupported or 'none'}",
    ]
    return "\n".join(lines)


def test_conformance_summary(capsys: pytest.CaptureFixture[str]) -> None:
    """Prints the replay summary; fails if a cassette not listed as unsupported needs an unsupported call."""
    results = [_replay_cached(p) for p in cassette_files()]
    with capsys.disabled():
        print("\n" + summarize(results))
    surprising = [
        r.name for r in results if _category(r) in ("unsupported", "mismatch") and r.name not in UNSUPPORTED
    ]
    assert not surprising, f"cassettes that stopped matching: {surprising}"
    fixed = [r.name for r in results if r.name in UNSUPPORTED and r.category in ("full", "partial")]
    assert not fixed, f"now supported, drop from UNSUPPORTED: {fixed}"


if __name__ == "__main__":
    all_results = [replay(p) for p in cassette_files()]
    print(summarize(all_results))
    for r in all_results:
        for i, o in enumerate(r.outcomes):
            if o.diffs:
                print(f"{r.name} #{i} {o.call}: {o.diffs[:4]}")
