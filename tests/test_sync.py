"""Two-way sync of a real workbook and a Google Sheet (emulator over HTTP): no edit is ever lost."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import AS_OF

from sheetkit.errors import LockedError, MassDeleteError, SheetkitError, SyncLockedError, SyncStateError
from sheetkit.google.client import RequestStats, connect
from sheetkit.syncing.engine import lock_path, sync, sync_lock
from sheetkit.syncing.state import state_path

HEADER = ["First Name", "Email", "Status", "Last Contacted", "Follow-ups", "Notes"]
ROWS = [
    ["Ana", "ana@example.com", "Contacted", dt.date(2026, 11, 1), 1, "met at PyData"],
    ["Bo", "bo@example.com", "New", None, 0, "=not a formula"],
    ["Cy", "cy@example.com", "Keep warm", dt.date(2026, 9, 1), 2, "007"],
    ["Di", "di@example.com", "Contacted", dt.date(2026, 11, 10), 1, ""],
]
COMPUTED = ["Days Since Contact", "Non-Responsive", "Next Check-In"]


def workbook(path: Path, rows: list[list[Any]] = ROWS, header: list[str] = HEADER) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Contacts"
    ws.append(header)
    for row in rows:
        ws.append(row)
    for cell in ws[1]:
        cell.font = openpyxl.styles.Font(bold=True)
    for row_cells in ws.iter_rows(min_row=2):
        for cell in row_cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    book.save(path)
    return path


def local_rows(path: Path) -> list[list[Any]]:
    """The workbook's data as text (dates ISO), blank rows dropped (a deleted row is emptied)."""
    ws = openpyxl.load_workbook(path)["Contacts"]
    rows = []
    for row in ws.iter_rows(values_only=True):
        if any(v not in (None, "") for v in row):
            rows.append([_text(v) for v in row])
    return rows


def remote_rows(emulator: Any, key: str) -> list[list[Any]]:
    values = emulator.get_values(key, "Contacts")
    width = max(len(r) for r in values)
    header = values[0]
    dates = {i for i, h in enumerate(header) if h in ("Last Contacted", "Next Check-In")}
    out = []
    for row in values:
        row = row + [""] * (width - len(row))
        out.append(
            [
                _text(_date(v) if i in dates and isinstance(v, (int, float)) and not isinstance(v, bool) else v)
                for i, v in enumerate(row)
            ]
        )
    return out


def _date(serial: float) -> dt.date:
    return dt.date(1899, 12, 30) + dt.timedelta(days=int(serial))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def by_name(rows: list[list[Any]]) -> dict[str, list[Any]]:
    """Rows by first name, columns by header: the content, whatever the row order."""
    header = rows[0]
    return {row[0]: dict(zip(header, row, strict=False)) for row in rows[1:]}


def same_content(path: Path, emulator: Any, key: str) -> dict[str, Any]:
    local, remote = by_name(local_rows(path)), by_name(remote_rows(emulator, key))
    columns = set(next(iter(local.values()))) & set(next(iter(remote.values())))
    assert {n: {c: r[c] for c in columns} for n, r in local.items()} == {
        n: {c: r[c] for c in columns} for n, r in remote.items()
    }
    return local


@pytest.fixture
def pair(google_env: Any, tmp_path: Path) -> tuple[Path, str, Any]:
    """A workbook and a Google Sheet with the same content, synced once."""
    path = workbook(tmp_path / "contacts.xlsx")
    key = google_env.create_spreadsheet("Pipeline", {"Contacts": [HEADER, *ROWS]})
    first = sync(path, key, as_of=AS_OF)
    assert first.exit_code == 0, first.summary()
    return path, key, google_env


def gsheet(emulator: Any, key: str) -> Any:
    import gspread

    from sheetkit.testing import emulator_session

    return gspread.Client(auth=None, session=emulator_session(emulator.url)).open_by_key(key).worksheet("Contacts")


def edit_local(path: Path, **cells: Any) -> None:
    book = openpyxl.load_workbook(path)
    for ref, value in cells.items():
        book["Contacts"][ref] = value
    book.save(path)


def test_first_sync_adds_ids_and_computed_columns_on_both_sides(pair: tuple[Path, str, Any]) -> None:
    path, key, emulator = pair
    content = same_content(path, emulator, key)
    header = local_rows(path)[0]
    assert header == [*HEADER, "Sheetkit ID", *COMPUTED]
    assert content["Ana"]["Next Check-In"] == "2026-11-04" and content["Ana"]["Days Since Contact"] == "20"
    assert content["Bo"]["Notes"] == "=not a formula" and emulator.cell(key, "F3").formula is None
    assert content["Cy"]["Notes"] == "007"
    assert len({r["Sheetkit ID"] for r in content.values()}) == 4
    state = json.loads(state_path(path).read_text())
    assert state["format"] == "sheetkit-sync/2" and state["sides"]["spreadsheet_id"] == key
    assert state["sides"]["sheet"] == "Contacts" and state["sides"]["worksheet"] == "Contacts"


def test_edits_on_both_sides_meet_and_a_second_sync_does_nothing(pair: tuple[Path, str, Any]) -> None:
    path, key, emulator = pair
    edit_local(path, C3="Contacted", D3=dt.datetime(2026, 11, 20))  # Bo contacted, in the workbook
    ws = gsheet(emulator, key)
    ws.update([["Ana Maria"]], "A2", value_input_option="RAW")  # a teammate renames Ana in Google
    ws.append_row(["Eve", "eve@example.com", "New"], value_input_option="RAW")
    result = sync(path, key, as_of=AS_OF)
    assert result.exit_code == 0 and result.local_written and result.remote_written
    # read both (2), re-read before writing, and the one batchUpdate
    assert result.state == state_path(path) and result.requests == 4 and not result.dry_run
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.state = None  # type: ignore[misc]
    content = same_content(path, emulator, key)
    assert set(content) == {"Ana Maria", "Bo", "Cy", "Di", "Eve"}
    assert content["Bo"]["Status"] == "Contacted" and content["Bo"]["Next Check-In"] == "2026-11-23"
    assert content["Eve"]["Next Check-In"] == "2026-11-21" and content["Eve"]["Sheetkit ID"]
    emulator.clear_requests()
    mtime = path.stat().st_mtime_ns
    again = sync(path, key, as_of=AS_OF)
    assert again.plan.is_empty and not again.local_written and not again.remote_written
    assert [r.method for r in emulator.requests] == ["GET", "GET"]
    assert path.stat().st_mtime_ns == mtime


def test_conflict_is_left_alone_and_reported_then_prefer_decides(pair: tuple[Path, str, Any]) -> None:
    path, key, emulator = pair
    edit_local(path, F2="prefers email")
    gsheet(emulator, key).update([["call after 5pm"]], "F2", value_input_option="RAW")
    result = sync(path, key, as_of=AS_OF)
    assert result.exit_code == 1
    (conflict,) = result.plan.conflicts
    assert (conflict.base, conflict.local, conflict.remote) == ("met at PyData", "prefers email", "call after 5pm")
    assert "met at PyData" in result.summary() and "call after 5pm" in result.summary()
    assert by_name(local_rows(path))["Ana"]["Notes"] == "prefers email"
    assert by_name(remote_rows(emulator, key))["Ana"]["Notes"] == "call after 5pm"
    still = sync(path, key, as_of=AS_OF)  # not silently settled by the saved state
    assert len(still.plan.conflicts) == 1
    settled = sync(path, key, as_of=AS_OF, prefer="remote")
    assert settled.exit_code == 0
    assert same_content(path, emulator, key)["Ana"]["Notes"] == "call after 5pm"


def test_deletes_propagate_and_delete_edit_keeps_the_row(pair: tuple[Path, str, Any]) -> None:
    path, key, emulator = pair
    ws = gsheet(emulator, key)
    ws.delete_rows(5)  # Di deleted in Google
    edit_local(path, F4="rehire in spring")  # Cy edited locally...
    ws.delete_rows(4)  # ...and deleted in Google: a conflict; the row is kept
    result = sync(path, key, as_of=AS_OF)
    assert result.exit_code == 1
    assert [c.key for c in result.plan.row_conflicts] and result.plan.row_conflicts[0].kind == "delete/edit"
    content = same_content(path, emulator, key)
    assert set(content) == {"Ana", "Bo", "Cy"}
    assert content["Cy"]["Notes"] == "rehire in spring"


def test_mass_delete_needs_permission(pair: tuple[Path, str, Any]) -> None:
    path, key, emulator = pair
    ws = gsheet(emulator, key)
    ws.delete_rows(3, 5)  # three of four rows gone in Google
    before_local = path.read_bytes()
    with pytest.raises(MassDeleteError, match="--allow-mass-delete"):
        sync(path, key, as_of=AS_OF)
    assert path.read_bytes() == before_local
    result = sync(path, key, as_of=AS_OF, allow_mass_delete=True)
    assert set(same_content(path, emulator, key)) == {"Ana"} and result.exit_code == 0


def test_dry_run_prints_the_plan_and_writes_nothing(pair: tuple[Path, str, Any]) -> None:
    path, key, emulator = pair
    edit_local(path, A2="Anna")
    state_before, book_before = state_path(path).read_bytes(), path.read_bytes()
    emulator.clear_requests()
    result = sync(path, key, as_of=AS_OF, dry_run=True)
    assert "rows changed (1)" in result.summary() and "Dry run" in result.summary()
    assert [r.method for r in emulator.requests] == ["GET", "GET"]
    assert state_path(path).read_bytes() == state_before and path.read_bytes() == book_before


def test_lost_state_is_safe_and_damaged_state_is_explained(pair: tuple[Path, str, Any]) -> None:
    path, key, _ = pair
    state_path(path).unlink()
    result = sync(path, key, as_of=AS_OF)  # both sides equal: nothing to do, nothing lost
    assert result.plan.is_empty and result.exit_code == 0
    edit_local(path, F2="changed here")
    state_path(path).unlink()
    unknown = sync(path, key, as_of=AS_OF)  # without a base, a difference cannot be attributed
    assert [c.column for c in unknown.plan.conflicts] == ["notes"]
    state_path(path).write_text("{not json")
    with pytest.raises(SyncStateError, match="cannot be used .* delete it and run the sync again"):
        sync(path, key, as_of=AS_OF)


def test_a_second_sync_at_once_stops_with_a_message(pair: tuple[Path, str, Any]) -> None:
    path, key, _ = pair
    with sync_lock(path):
        assert lock_path(path).exists()
        with pytest.raises(SyncLockedError, match="another sheetkit sync or refresh on contacts.xlsx is in progress"):
            sync(path, key, as_of=AS_OF)
    assert not lock_path(path).exists()  # released with its holder, and no trace left
    sync(path, key, as_of=AS_OF)


def test_a_scheduled_sync_that_finds_another_run_skips_cleanly(pair: tuple[Path, str, Any], tmp_path: Path) -> None:
    path, key, emulator = pair
    assert issubclass(SyncLockedError, LockedError)  # one rule for refresh and sync: a busy target is skipped
    before = path.read_bytes()
    env = {**os.environ, "SHEETKIT_SHEETS_API_URL": emulator.url, "GSPREAD_CONFIG_DIR": str(tmp_path)}
    with sync_lock(path):
        result = subprocess.run(
            [sys.executable, "-m", "sheetkit", "sync", str(path), key, "--as-of", "2026-11-21"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
    assert result.returncode == 0, result.stderr
    assert "skipped: another sheetkit sync or refresh on contacts.xlsx is in progress" in result.stderr
    assert "Traceback" not in result.stderr and path.read_bytes() == before


def test_columns_added_on_one_side_appear_on_the_other(pair: tuple[Path, str, Any]) -> None:
    path, key, emulator = pair
    ws = gsheet(emulator, key)
    header = ws.row_values(1)
    ws.update(
        [["Desired Title"], ["Data Engineer"]],
        f"{chr(65 + len(header))}1:{chr(65 + len(header))}2",
        value_input_option="RAW",
    )
    sync(path, key, as_of=AS_OF)
    assert by_name(local_rows(path))["Ana"]["Desired Title"] == "Data Engineer"


def test_renamed_header_is_reported(pair: tuple[Path, str, Any]) -> None:
    path, key, _ = pair
    edit_local(path, F1="Comments about them")
    result = sync(path, key, as_of=AS_OF)
    assert any(c.kind == "renamed" for c in result.plan.column_changes)
    assert "renamed" in result.summary().lower() or "Comments about them" in result.summary()


def test_invalid_rows_are_still_merged_and_reported(pair: tuple[Path, str, Any]) -> None:
    path, key, emulator = pair
    edit_local(path, D2="next tuesday")
    result = sync(path, key, as_of=AS_OF)
    assert result.exit_code == 1 and any("'next tuesday' is a relative date" in p.message for p in result.report.problems)
    content = same_content(path, emulator, key)
    assert content["Ana"]["Last Contacted"] == "next tuesday" and content["Ana"]["Next Check-In"] == ""


def test_key_field_mode_reports_blank_and_duplicate_keys(google_env: Any, tmp_path: Path) -> None:
    from sheetkit.core.schema_file import load_schema, parse_schema

    text = Path(load_schema().path).read_text(encoding="utf-8").replace("  key: null", "  key: email")
    schema = parse_schema(text)
    rows = [*ROWS, ["Zed", "ana@example.com", "New", None, 0, ""], ["Yu", None, "New", None, 0, ""]]
    path = workbook(tmp_path / "contacts.xlsx", rows)
    key = google_env.create_spreadsheet("Pipeline", {"Contacts": [HEADER, *ROWS]})
    result = sync(path, key, schema=schema, as_of=AS_OF)
    assert result.exit_code == 1
    assert any("'ana@example.com' is used by more than one row" in p for p in result.key_problems)
    assert any("is blank" in p for p in result.key_problems)
    assert "Sheetkit ID" not in local_rows(path)[0]


def test_remote_edit_during_the_sync_is_not_overwritten(pair: tuple[Path, str, Any]) -> None:
    path, key, emulator = pair
    edit_local(path, F3="from the workbook")
    stats = RequestStats()
    client = connect(stats, sleep=lambda s: None)
    edits = {"done": False}

    def teammate(response: Any, *args: Any, **kwargs: Any) -> Any:
        if not edits["done"] and "values:batchGet" in response.url:
            edits["done"] = True  # right after sheetkit read the values, a teammate types in Google
            gsheet(emulator, key).update([["typed meanwhile"]], "F4", value_input_option="RAW")
        return response

    client.http.session.hooks["response"].append(teammate)
    result = sync(path, key, as_of=AS_OF, client=client)
    assert result.plans_made == 2
    content = same_content(path, emulator, key)
    assert content["Bo"]["Notes"] == "from the workbook" and content["Cy"]["Notes"] == "typed meanwhile"


# -- crash safety: fail every step, rerun, converge ------------------------------------------------


def scenario(google_env: Any, tmp_path: Path) -> tuple[Path, str]:
    path = workbook(tmp_path / "contacts.xlsx")
    key = google_env.create_spreadsheet("Pipeline", {"Contacts": [HEADER, *ROWS]})
    sync(path, key, as_of=AS_OF)
    edit_local(path, A2="Anna", A7="Fay", B7="fay@example.com", C7="New")  # rename + a new row locally
    ws = gsheet(google_env, key)
    ws.update([["call after 5pm"]], "F3", value_input_option="RAW")  # edit in Google
    ws.delete_rows(5)  # Di deleted in Google
    return path, key


EXPECTED = {"Anna", "Bo", "Cy", "Fay"}


@pytest.mark.parametrize("fault", [500, 429, "drop"])
def test_failure_at_every_request_then_rerun_converges(google_env: Any, tmp_path: Path, fault: Any) -> None:
    for n in range(1, 5):
        case = tmp_path / f"{fault}-{n}"
        case.mkdir()
        path, key = scenario(google_env, case)
        client = connect(RequestStats(), sleep=lambda s: None)
        for extra in range(6):  # keep failing that request, past the retries
            google_env.fail_at(n + extra, fault) if fault != "drop" or extra == 0 else None
        failed = False
        try:
            sync(path, key, as_of=AS_OF, client=client)
        except SheetkitError:
            failed = True
        # Requests: 1 sheet list, 2 values, 3 the re-read before writing, 4 the one write. Repeated
        # 500/429 exhaust the retries; a single dropped read is retried; the write is never repeated.
        assert failed == (fault != "drop" or n == 4), (fault, n)
        google_env.clear_faults()
        assert_whole(path, google_env, key)
        sync(path, key, as_of=AS_OF)
        content = same_content(path, google_env, key)
        assert set(content) == EXPECTED, (fault, n)
        assert content["Bo"]["Notes"] == "call after 5pm" and content["Anna"]["Next Check-In"] == "2026-11-04"
        assert sync(path, key, as_of=AS_OF).plan.is_empty


def assert_whole(path: Path, emulator: Any, key: str) -> None:
    """Each copy is either its old or its new content: readable, with every row whole."""
    names = {r[0] for r in local_rows(path)[1:]}
    assert names in ({"Anna", "Bo", "Cy", "Di", "Fay"}, EXPECTED)
    remote = {r[0] for r in remote_rows(emulator, key)[1:]}
    assert remote in ({"Ana", "Bo", "Cy"}, EXPECTED)


@pytest.mark.parametrize("step", ["local write", "state write"])
def test_failure_writing_locally_or_the_state_then_rerun_converges(
    google_env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    import sheetkit.syncing.engine as sync_module

    path, key = scenario(google_env, tmp_path)
    original_book = path.read_bytes()
    target = "_write_local" if step == "local write" else "save_state"

    def crash(*args: Any, **kwargs: Any) -> None:
        raise OSError(5, "Input/output error")

    with monkeypatch.context() as patch:
        patch.setattr(sync_module, target, crash)
        with pytest.raises(OSError):
            sync(path, key, as_of=AS_OF)
    if step == "local write":
        assert path.read_bytes() == original_book
    sync(path, key, as_of=AS_OF)
    content = same_content(path, google_env, key)
    assert set(content) == EXPECTED and content["Bo"]["Notes"] == "call after 5pm"
    assert sync(path, key, as_of=AS_OF).plan.is_empty


def test_cli_sync(google_env: Any, tmp_path: Path) -> None:
    path = workbook(tmp_path / "contacts.xlsx")
    key = google_env.create_spreadsheet("Pipeline", {"Contacts": [HEADER, *ROWS]})
    env = {**os.environ, "SHEETKIT_SHEETS_API_URL": google_env.url, "GSPREAD_CONFIG_DIR": str(tmp_path)}
    run = [sys.executable, "-m", "sheetkit", "sync", str(path), key, "--as-of", "2026-11-21"]
    first = subprocess.run(run, capture_output=True, text=True, env=env, timeout=120)
    assert first.returncode == 0, first.stderr
    edit_local(path, F2="local note")
    gsheet(google_env, key).update([["remote note"]], "F2", value_input_option="RAW")
    conflict = subprocess.run([*run, "--format", "json"], capture_output=True, text=True, env=env, timeout=120)
    assert conflict.returncode == 1
    data = json.loads(conflict.stdout)
    conflict = data["plan"]["conflicts"][0]
    assert (conflict["workbook"], conflict["google"]) == ("local note", "remote note")
    assert (conflict["name"], conflict["header"], conflict["field"]) == ("Ana <ana@example.com>", "Notes", "notes")
    assert (conflict["workbook_cell"], conflict["google_cell"]) == ("Contacts!F2", "Contacts!F2")
    text = subprocess.run([*run, "--dry-run"], capture_output=True, text=True, env=env, timeout=120).stdout
    assert (
        "Ana <ana@example.com>: Notes — workbook Contacts!F2 'local note', Google Sheet Contacts!F2 'remote note'; "
        "last synced: 'met at PyData'" in text
    )
    assert "sk-" not in text  # people by name, never by internal key
    locked = subprocess.run([*run, "--dry-run"], capture_output=True, text=True, env=env, timeout=120)
    assert locked.returncode == 1 and "conflict" in locked.stdout.lower()


# -- property: random edits on both sides, synced at random points -----------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

NAMES = ["Ana", "Bo", "Cy", "Di"]
edit_ops = st.lists(
    st.one_of(
        st.tuples(
            st.sampled_from(["local", "remote"]), st.just("note"), st.sampled_from(NAMES), st.sampled_from("abcxyz")
        ),
        st.tuples(st.sampled_from(["local", "remote"]), st.just("add"), st.sampled_from(["Gus", "Hal"]), st.just("")),
        st.tuples(st.just("both"), st.just("sync"), st.just(""), st.just("")),
    ),
    max_size=8,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=edit_ops)
def test_random_edits_synced_at_random_points_end_equal(google_env: Any, tmp_path_factory: Any, ops: list[Any]) -> None:
    folder = tmp_path_factory.mktemp("prop")
    path = workbook(folder / "contacts.xlsx")
    key = google_env.create_spreadsheet("Pipeline", {"Contacts": [HEADER, *ROWS]})
    sync(path, key, as_of=AS_OF)
    expected = {name: {"local": None, "remote": None} for name in NAMES}  # notes edited since the last sync
    conflicted: set[str] = set()
    added: set[str] = set()
    final: dict[str, str] = {n: r[5] for n, r in zip(NAMES, [[*r] for r in ROWS], strict=True)}

    def do_sync() -> None:
        sync(path, key, as_of=AS_OF)
        for name, sides in expected.items():
            if sides["local"] is not None and sides["remote"] is not None and sides["local"] != sides["remote"]:
                conflicted.add(name)
            elif sides["local"] is not None or sides["remote"] is not None:
                final[name] = sides["local"] if sides["local"] is not None else sides["remote"]
            sides["local"] = sides["remote"] = None

    for side, kind, name, value in ops:
        if kind == "sync":
            do_sync()
        elif kind == "note":
            row = {n: i + 2 for i, n in enumerate(NAMES)}[name]
            if side == "local":
                edit_local(path, **{f"F{row}": value})
            else:
                gsheet(google_env, key).update([[value]], f"F{row}", value_input_option="RAW")
            expected[name][side] = value
        elif name not in added:
            added.add(name)
            if side == "local":
                book = openpyxl.load_workbook(path)
                book["Contacts"].append([name, f"{name.lower()}@example.com", "New"])
                book.save(path)
            else:
                gsheet(google_env, key).append_row(
                    [name, f"{name.lower()}@example.com", "New"], value_input_option="RAW"
                )
    do_sync()
    local, remote = by_name(local_rows(path)), by_name(remote_rows(google_env, key))
    assert set(local) == set(remote) == set(NAMES) | added  # every added row on both sides, once
    for name in NAMES:
        if name in conflicted:
            continue
        assert local[name]["Notes"] == remote[name]["Notes"] == final[name], name
    assert sync(path, key, as_of=AS_OF).plan.is_empty or conflicted


def test_plan_is_shown_before_anything_is_written(pair: tuple[Path, str, Any]) -> None:
    path, key, emulator = pair
    edit_local(path, A2="Anna")
    book_before = path.read_bytes()
    emulator.clear_requests()
    seen: list[str] = []

    def show(plan: Any) -> None:
        seen.append(plan.summary())
        assert all(r.method == "GET" for r in emulator.requests)  # nothing sent to Google yet
        assert path.read_bytes() == book_before  # nor written locally

    result = sync(path, key, as_of=AS_OF, on_plan=show)
    assert seen and "rows changed (1)" in seen[0] and result.remote_written
