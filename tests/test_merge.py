"""The three-way merge behind ``sheetkit sync``: hand-written rules, then properties of random edit histories."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetkit.core.values import values_equal
from sheetkit.errors import MassDeleteError, SheetkitError, UsageError
from sheetkit.syncing.merge import apply, find_key_problems, merge
from sheetkit.syncing.plan import (
    CellChange,
    ColumnChange,
    Conflict,
    RowAdd,
    RowConflict,
    SideChanges,
    Snapshot,
    SyncPlan,
)

COLUMNS = ("name", "phone", "stage")


def snap(rows: dict[str, dict[str, Any]], columns: tuple[str, ...] = COLUMNS) -> Snapshot:
    return Snapshot(columns, rows)


BASE = snap(
    {
        "ana": {"name": "Ana", "phone": "100", "stage": "new"},
        "bo": {"name": "Bo", "phone": "200", "stage": "new"},
        "cy": {"name": "Cy", "phone": "300", "stage": "new"},
        "di": {"name": "Di", "phone": "400", "stage": "new"},
    }
)


def edited(snapshot: Snapshot, key: str, **values: Any) -> Snapshot:
    rows = {k: dict(row) for k, row in snapshot.rows.items()}
    rows[key].update(values)
    return Snapshot(snapshot.columns, rows)


def without(snapshot: Snapshot, *keys: str) -> Snapshot:
    return Snapshot(snapshot.columns, {k: row for k, row in snapshot.rows.items() if k not in keys})


def with_row(snapshot: Snapshot, key: str, values: dict[str, Any], after: str | None = None) -> Snapshot:
    rows = list(snapshot.rows.items())
    position = len(rows) if after is None else [k for k, _ in rows].index(after) + 1
    rows.insert(position, (key, values))
    return Snapshot(snapshot.columns, dict(rows))


def synced(plan: SyncPlan, local: Snapshot, remote: Snapshot) -> tuple[Snapshot, Snapshot]:
    return apply(local, plan.local), apply(remote, plan.remote)


# --- values and keys ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        (None, "", True),
        (None, float("nan"), True),
        (3, 3.0, True),
        ("Ana", "ana", False),
        ("3", 3, False),
        (True, 1, False),
        (True, True, True),
        (dt.date(2026, 1, 2), dt.date(2026, 1, 2), True),
        (dt.date(2026, 1, 2), dt.datetime(2026, 1, 2), True),
        (dt.datetime(2026, 1, 2, 9), dt.date(2026, 1, 2), False),
        (dt.date(2026, 1, 2), "2026-01-02", False),
        (" ", None, False),
    ],
)
def test_values_equal(a: Any, b: Any, equal: bool) -> None:
    assert values_equal(a, b) is equal
    assert values_equal(b, a) is equal


def test_find_key_problems_names_blank_and_duplicate_keys_by_row() -> None:
    problems = find_key_problems(["a@x.com", "", "b@x.com", "a@x.com", None, "a@x.com"], first_row=2)
    assert problems == [
        "row 3 has no key (a blank key cannot be synced; fill it in or delete the row)",
        "row 6 has no key (a blank key cannot be synced; fill it in or delete the row)",
        "key 'a@x.com' appears 3 times (rows 2, 5, 7); keys must be unique to sync",
    ]
    assert find_key_problems(["a", "b"]) == []


def test_snapshot_checks_columns_and_copies_rows() -> None:
    with pytest.raises(ValueError, match="unique"):
        Snapshot(("a", "a"), {})
    with pytest.raises(ValueError, match="'zz'"):
        Snapshot(("a",), {"k": {"zz": 1}})
    rows = {"k": {"a": 1}}
    snapshot = Snapshot(("a",), rows)
    rows["k"]["a"] = 2
    assert snapshot.value("k", "a") == 1
    assert snapshot.order == ("k",)
    assert repr(snapshot) == "<Snapshot: 1 column, 1 row>"


def test_snapshot_round_trips_through_json_with_types_and_missing_cells() -> None:
    snapshot = Snapshot(
        ("a", "b", "c"),
        {"k": {"a": dt.date(2026, 1, 2), "b": dt.datetime(2026, 1, 2, 9, 30), "c": 3.5}, "m": {"a": None, "b": True}},
    )
    again = Snapshot.from_dict(json.loads(json.dumps(snapshot.to_dict())))
    assert again == snapshot
    assert "c" not in again.rows["m"]  # "no base value" survives the state file


# --- cell edits ----------------------------------------------------------------------------------


def test_nothing_changed_plans_nothing() -> None:
    plan = merge(BASE, BASE, BASE)
    assert plan.is_empty
    assert not plan.conflicts
    assert plan.summary() == "local: no changes\nremote: no changes"


@pytest.mark.parametrize("side", ["local", "remote"])
def test_an_edit_on_one_side_is_copied_to_the_other(side: str) -> None:
    changed = edited(BASE, "bo", phone="201", name="BO")  # a case change must be carried too
    local, remote = (changed, BASE) if side == "local" else (BASE, changed)
    plan = merge(BASE, local, remote)
    target = plan.remote if side == "local" else plan.local
    assert target == SideChanges(
        update_cells=(CellChange("bo", "name", "BO", "Bo"), CellChange("bo", "phone", "201", "200"))
    )
    assert (plan.remote if side == "remote" else plan.local).is_empty
    assert plan.merged_local == plan.merged_remote == changed
    assert plan.next_base == changed


def test_the_same_edit_on_both_sides_is_fine() -> None:
    local = edited(BASE, "bo", stage="called", phone=201)
    remote = edited(BASE, "bo", stage="called", phone=201.0)
    plan = merge(BASE, local, remote)
    assert plan.is_empty and not plan.conflicts


def test_different_edits_conflict_and_stay_as_they_are() -> None:
    local = edited(BASE, "bo", phone="201", stage="called")
    remote = edited(BASE, "bo", phone="202")
    plan = merge(BASE, local, remote)
    assert plan.conflicts == (Conflict("bo", "phone", "200", "201", "202"),)
    assert plan.remote.update_cells == (CellChange("bo", "stage", "called", "new"),)
    assert plan.local.is_empty
    assert plan.merged_local.value("bo", "phone") == "201"
    assert plan.merged_remote.value("bo", "phone") == "202"
    assert plan.next_base.value("bo", "phone") == "200"  # the old base value, not one side's
    assert "bo / phone: base '200', local '201', remote '202'" in plan.summary()


def test_an_open_conflict_is_reported_again_until_settled() -> None:
    local, remote = edited(BASE, "bo", phone="201"), edited(BASE, "bo", phone="202")
    first = merge(BASE, local, remote)
    local, remote = synced(first, local, remote)
    second = merge(first.next_base, local, remote)
    assert second.is_empty
    assert second.conflicts == first.conflicts
    # the remote user goes back to the base value: the local edit now simply wins
    remote = edited(remote, "bo", phone="200")
    third = merge(second.next_base, local, remote)
    assert not third.conflicts
    assert third.remote.update_cells == (CellChange("bo", "phone", "201", "200"),)


def test_an_open_conflict_settles_when_both_sides_agree() -> None:
    local, remote = edited(BASE, "bo", phone="201"), edited(BASE, "bo", phone="202")
    first = merge(BASE, local, remote)
    remote = edited(remote, "bo", phone="201")
    second = merge(first.next_base, local, remote)
    assert second.is_empty and not second.conflicts
    assert second.next_base.value("bo", "phone") == "201"


@pytest.mark.parametrize(("prefer", "winner_value"), [("local", "201"), ("remote", "202")])
def test_prefer_settles_conflicts_and_records_them(prefer: Any, winner_value: str) -> None:
    local, remote = edited(BASE, "bo", phone="201"), edited(BASE, "bo", phone="202")
    plan = merge(BASE, local, remote, prefer=prefer)
    assert not plan.conflicts
    assert plan.resolved == (Conflict("bo", "phone", "200", "201", "202", winner=prefer),)
    loser = plan.remote if prefer == "local" else plan.local
    assert [c.value for c in loser.update_cells] == [winner_value]
    assert plan.merged_local == plan.merged_remote
    assert "Conflicts settled by --prefer (1)" in plan.summary()


def test_bad_arguments_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="prefer"):
        merge(BASE, BASE, BASE, prefer="both")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="max_delete_fraction"):
        merge(BASE, BASE, BASE, max_delete_fraction=1.5)


# --- rows ------------------------------------------------------------------------------------------


def test_an_added_row_goes_after_the_row_that_precedes_it() -> None:
    eve = {"name": "Eve", "phone": "500", "stage": "new"}
    fay = {"name": "Fay", "phone": None, "stage": "new"}
    local = with_row(with_row(BASE, "eve", eve, after="bo"), "fay", fay, after="eve")
    remote = without(BASE, "di")
    plan = merge(BASE, local, remote)
    assert plan.remote.add_rows == (
        RowAdd("eve", "bo", {"name": "Eve", "phone": "500", "stage": "new"}),
        RowAdd("fay", "eve", {"name": "Fay", "stage": "new"}),
    )
    assert plan.local.delete_rows == ("di",)
    assert plan.merged_remote.order == ("ana", "bo", "eve", "fay", "cy")
    assert plan.merged_local.order == plan.merged_remote.order


def test_a_row_added_at_the_top_goes_to_the_end_of_the_other_copy() -> None:
    remote = Snapshot(COLUMNS, {"zed": {"name": "Zed"}, **BASE.rows})
    plan = merge(BASE, BASE, remote)
    assert plan.local.add_rows == (RowAdd("zed", None, {"name": "Zed"}),)
    assert plan.merged_local.order[-1] == "zed"


def test_a_row_added_on_both_sides_is_merged_cell_by_cell_with_no_base() -> None:
    local = with_row(BASE, "eve", {"name": "Eve", "phone": "500", "stage": "new"})
    remote = with_row(BASE, "eve", {"name": "Eve", "phone": "501", "stage": None})
    plan = merge(BASE, local, remote)
    assert plan.conflicts == (
        Conflict("eve", "phone", None, "500", "501", in_base=False),
        Conflict("eve", "stage", None, "new", None, in_base=False),
    )
    assert plan.is_empty
    assert "eve / phone: base (none), local '500', remote '501'" in plan.summary()
    # the cells stay out of the next base, so the next sync reports them again
    assert plan.next_base.rows["eve"] == {"name": "Eve"}
    assert merge(plan.next_base, local, remote).conflicts == plan.conflicts
    settled = merge(BASE, local, remote, prefer="remote")
    assert settled.local.update_cells == (
        CellChange("eve", "phone", "501", "500"),
        CellChange("eve", "stage", None, "new"),
    )


@pytest.mark.parametrize("side", ["local", "remote"])
def test_a_row_deleted_on_one_side_and_untouched_on_the_other_is_deleted(side: str) -> None:
    deleted = without(BASE, "cy")
    local, remote = (deleted, BASE) if side == "local" else (BASE, deleted)
    plan = merge(BASE, local, remote)
    target = plan.remote if side == "local" else plan.local
    assert target == SideChanges(delete_rows=("cy",))
    assert plan.merged_local == plan.merged_remote == plan.next_base == deleted
    assert "rows deleted (1): cy" in plan.summary()


def test_a_row_deleted_on_both_sides_is_gone() -> None:
    plan = merge(BASE, without(BASE, "cy"), without(BASE, "cy"))
    assert plan.is_empty and "cy" not in plan.next_base.rows


def test_a_row_deleted_on_one_side_and_edited_on_the_other_is_kept() -> None:
    local, remote = without(BASE, "cy"), edited(BASE, "cy", stage="hired")
    plan = merge(BASE, local, remote)
    assert plan.row_conflicts == (RowConflict("cy", "delete/edit", "local", ("stage",), {"stage": "hired"}),)
    assert plan.local.add_rows == (RowAdd("cy", "bo", {"name": "Cy", "phone": "300", "stage": "hired"}),)
    assert plan.remote.is_empty
    assert plan.merged_local == plan.merged_remote == remote
    assert "cy: deleted on local, edited on remote (stage); kept (restored on local)" in plan.summary()
    assert merge(plan.next_base, *synced(plan, local, remote)).is_empty


def test_prefer_decides_a_delete_edit_conflict() -> None:
    local, remote = without(BASE, "cy"), edited(BASE, "cy", stage="hired")
    deleting = merge(BASE, local, remote, prefer="local")
    assert deleting.remote.delete_rows == ("cy",) and deleting.local.is_empty
    assert deleting.resolved == (RowConflict("cy", "delete/edit", "local", ("stage",), {"stage": "hired"}, "local"),)
    assert not deleting.row_conflicts
    keeping = merge(BASE, local, remote, prefer="remote")
    assert [a.key for a in keeping.local.add_rows] == ["cy"]
    assert keeping.resolved[0].kept  # type: ignore[union-attr]


# --- first sync ---------------------------------------------------------------------------------


def test_without_a_base_equal_cells_are_in_sync_and_different_ones_conflict() -> None:
    local = with_row(edited(BASE, "bo", phone="201"), "eve", {"name": "Eve"})
    remote = with_row(edited(without(BASE, "cy"), "di", phone=None), "gus", {"name": "Gus"})
    plan = merge(None, local, remote)
    assert {(c.key, c.column) for c in plan.conflicts} == {("bo", "phone"), ("di", "phone")}
    assert all(not c.in_base for c in plan.conflicts)
    assert not plan.local.delete_rows and not plan.remote.delete_rows  # never deletes without a base
    assert [a.key for a in plan.remote.add_rows] == ["cy", "eve"]
    assert [a.key for a in plan.local.add_rows] == ["gus"]
    again = merge(plan.next_base, *synced(plan, local, remote))
    assert again.is_empty and again.conflicts == plan.conflicts


# --- columns ------------------------------------------------------------------------------------


def test_a_column_added_on_one_side_is_added_to_the_other_with_its_values() -> None:
    remote = Snapshot(
        (*COLUMNS, "linkedin"),
        {k: {**row, "linkedin": f"in/{k}" if k != "cy" else None} for k, row in BASE.rows.items()},
    )
    local = with_row(BASE, "eve", {"name": "Eve"})
    plan = merge(BASE, local, remote)
    assert plan.column_changes == (ColumnChange("added", "remote", "linkedin"),)
    assert plan.local.add_columns == ("linkedin",)
    assert [(c.key, c.value) for c in plan.local.update_cells] == [("ana", "in/ana"), ("bo", "in/bo"), ("di", "in/di")]
    assert plan.merged_local.columns == (*COLUMNS, "linkedin")
    assert plan.merged_remote.value("eve", "linkedin") is None
    assert "column 'linkedin' is new in the remote copy" in plan.summary()
    assert merge(plan.next_base, plan.merged_local, plan.merged_remote).is_empty


def test_a_deleted_column_is_reported_not_propagated_and_reported_again() -> None:
    local = Snapshot(("name", "stage"), {k: {"name": r["name"], "stage": r["stage"]} for k, r in BASE.rows.items()})
    remote = edited(BASE, "bo", phone="201")
    plan = merge(BASE, local, remote)
    assert plan.column_changes == (ColumnChange("deleted", "local", "phone"),)
    assert plan.is_empty
    assert "phone" in plan.next_base.columns and plan.next_base.value("bo", "phone") == "200"
    again = merge(plan.next_base, local, remote)
    assert again.column_changes == plan.column_changes and again.is_empty


def test_a_renamed_header_is_reported_without_guessing_a_mapping() -> None:
    local = Snapshot(
        ("name", "mobile", "stage"),
        {k: {"name": r["name"], "mobile": r["phone"], "stage": r["stage"]} for k, r in BASE.rows.items()},
    )
    plan = merge(BASE, local, BASE)
    assert plan.column_changes == (ColumnChange("renamed", "local", "mobile", previous="phone"),)
    assert plan.remote.add_columns == ("mobile",)
    assert "phone" in plan.merged_remote.columns  # kept: the user decides
    assert "header 'phone' in the local copy is now 'mobile' (renamed?)" in plan.notes[0]


def test_ignored_columns_are_never_merged() -> None:
    columns = (*COLUMNS, "due")
    base = Snapshot(columns, {k: {**r, "due": dt.date(2026, 1, 1)} for k, r in BASE.rows.items()})
    local = Snapshot(columns, {k: {**r, "due": dt.date(2026, 2, 1)} for k, r in base.rows.items() if k != "cy"})
    remote = Snapshot((*columns, "score"), {k: {**r, "due": None, "score": 1} for k, r in base.rows.items()})
    remote = with_row(remote, "eve", {"name": "Eve", "due": dt.date(2026, 3, 1), "score": 2})
    plan = merge(base, local, remote, ignore=frozenset({"due", "score"}))
    assert not plan.conflicts and not plan.column_changes
    assert plan.local == SideChanges(add_rows=(RowAdd("eve", "di", {"name": "Eve"}),))
    assert plan.remote == SideChanges(delete_rows=("cy",))  # a recomputed column is not an edit
    assert "due" not in plan.next_base.columns


# --- mass delete --------------------------------------------------------------------------------


def test_a_mass_delete_raises_unless_allowed() -> None:
    local = without(BASE, "ana", "bo", "cy")
    with pytest.raises(MassDeleteError) as caught:
        merge(BASE, local, BASE)
    error = caught.value
    assert isinstance(error, SheetkitError)
    assert error.deletions == {"remote": 3} and error.base_rows == 4
    assert "delete 3 of 4 rows (75%) from the remote copy, more than the 50% limit" in str(error)
    assert "--allow-mass-delete" in str(error)
    assert merge(BASE, local, BASE, allow_mass_delete=True).remote.delete_rows == ("ana", "bo", "cy")
    assert merge(BASE, local, BASE, max_delete_fraction=0.75).remote.delete_rows == ("ana", "bo", "cy")
    assert merge(BASE, without(BASE, "ana", "bo"), BASE).remote.delete_rows == ("ana", "bo")  # 50% is the limit


# --- plan output --------------------------------------------------------------------------------


def test_the_plan_serialises_to_json_and_reads_well() -> None:
    local = edited(without(BASE, "cy"), "bo", phone="201", stage=dt.date(2026, 1, 5))
    remote = with_row(edited(BASE, "bo", phone="202"), "eve", {"name": "Eve"})
    plan = merge(BASE, local, remote)
    data = json.loads(json.dumps(plan.to_dict()))
    assert data["conflicts"] == [
        {
            "key": "bo",
            "column": "phone",
            "base": "200",
            "local": "201",
            "remote": "202",
            "in_base": True,
            "winner": None,
        }
    ]
    assert data["remote"]["update_cells"] == [{"key": "bo", "column": "stage", "value": "2026-01-05", "old": "new"}]
    assert data["remote"]["delete_rows"] == ["cy"]
    assert data["local"]["add_rows"] == [{"key": "eve", "after": "di", "values": {"name": "Eve"}}]
    assert data["is_empty"] is False
    assert plan.summary().splitlines()[:4] == [
        "local:",
        "  rows added (1): eve",
        "remote:",
        "  rows changed (1): bo",
    ]
    assert repr(plan) == "<SyncPlan: local +1/-0/~0, remote +0/-1/~1, 1 conflicts>"


def test_apply_refuses_changes_that_do_not_fit() -> None:
    with pytest.raises(ValueError, match="no such row"):
        apply(BASE, SideChanges(delete_rows=("zed",)))
    with pytest.raises(ValueError, match="no such row or column"):
        apply(BASE, SideChanges(update_cells=(CellChange("ana", "zip", 1),)))
    with pytest.raises(ValueError, match="already exists"):
        apply(BASE, SideChanges(add_rows=(RowAdd("ana", None, {}),)))
    with pytest.raises(ValueError, match="some already exist"):
        apply(BASE, SideChanges(add_columns=("name",)))


# --- properties: random edit histories on two copies with syncs in between ----------------------

KEYS = [f"k{i}" for i in range(6)]
IGNORED = "calc"
START_COLUMNS = ("a", "b", IGNORED)
VALUES = st.sampled_from([None, "", "x", "X", "y", 1, 1.0, 2, True, dt.date(2026, 1, 1)])

Model = tuple[list[str], dict[str, dict[str, Any]]]  # one copy being edited: columns, rows


def _row_values(columns: tuple[str, ...] | list[str], draw_values: list[Any]) -> dict[str, Any]:
    return {c: draw_values[i % len(draw_values)] for i, c in enumerate(columns)}


_set_cell = st.tuples(
    st.just("set"), st.sampled_from(["local", "remote"]), st.integers(0, 9), st.integers(0, 9), VALUES
)
operations = st.one_of(
    _set_cell,
    _set_cell,
    _set_cell,
    st.tuples(
        st.just("add"),
        st.sampled_from(["local", "remote"]),
        st.sampled_from(KEYS),
        st.lists(VALUES, min_size=1, max_size=4),
    ),
    st.tuples(st.just("delete"), st.sampled_from(["local", "remote"]), st.integers(0, 9)),
    st.tuples(st.just("add column"), st.sampled_from(["local", "remote"]), st.sampled_from(["c", "d"])),
    st.tuples(st.just("sync")),
)


@st.composite
def histories(draw: st.DrawFn) -> tuple[Snapshot, bool, list[tuple[Any, ...]], Any]:
    keys = draw(st.lists(st.sampled_from(KEYS), unique=True, min_size=1, max_size=5))
    base = Snapshot(
        START_COLUMNS, {k: _row_values(START_COLUMNS, draw(st.lists(VALUES, min_size=1, max_size=3))) for k in keys}
    )
    first_without_base = draw(st.booleans())
    ops = draw(st.lists(operations, min_size=4, max_size=30))
    prefer = draw(st.sampled_from([None, None, "local", "remote"]))
    return base, first_without_base, [*ops, ("sync",)], prefer


def _edit(model: Model, op: tuple[Any, ...]) -> None:
    columns, rows = model
    kind = op[0]
    if kind == "set" and rows:
        key = list(rows)[op[2] % len(rows)]
        rows[key][columns[op[3] % len(columns)]] = op[4]
    elif kind == "add" and op[2] not in rows:
        rows[op[2]] = _row_values(columns, op[3])
    elif kind == "delete" and rows:
        del rows[list(rows)[op[2] % len(rows)]]
    elif kind == "add column" and op[2] not in columns:
        columns.append(op[2])
        for row in rows.values():
            row[op[2]] = None


def _model(snapshot: Snapshot) -> Model:
    return list(snapshot.columns), {k: dict(row) for k, row in snapshot.rows.items()}


def _freeze(model: Model) -> Snapshot:
    return Snapshot(tuple(model[0]), model[1])


_MISSING: Any = object()


def _check_sync(base: Snapshot | None, local: Snapshot, remote: Snapshot, prefer: Any) -> SyncPlan:
    """Merge, then check every promise against the copies before and after."""
    ignore = frozenset({IGNORED})
    plan = merge(base, local, remote, prefer=prefer, ignore=ignore, allow_mass_delete=True)
    after = {"local": apply(local, plan.local), "remote": apply(remote, plan.remote)}
    assert after["local"] == plan.merged_local and after["remote"] == plan.merged_remote
    before = {"local": local, "remote": remote}
    old = base if base is not None else Snapshot((), {})
    open_cells = {(c.key, c.column) for c in plan.conflicts}
    won = {(c.key, c.column): c.winner for c in plan.resolved if isinstance(c, Conflict)}
    row_conflicts = {c.key: c for c in (*plan.row_conflicts, *plan.resolved) if isinstance(c, RowConflict)}
    assert all(c.winner == prefer for c in plan.resolved)
    if prefer is not None:
        assert not plan.conflicts and not plan.row_conflicts

    # both copies hold the same rows and columns, and the same values outside open conflicts
    assert set(after["local"].rows) == set(after["remote"].rows)
    visible = [c for c in after["local"].columns if c != IGNORED]
    assert set(visible) == {c for c in after["remote"].columns if c != IGNORED}
    for key in after["local"].rows:
        for column in visible:
            l_value, r_value = after["local"].value(key, column), after["remote"].value(key, column)
            if (key, column) in open_cells:  # left as it was on both sides
                assert l_value is local.value(key, column) and r_value is remote.value(key, column)
                assert not values_equal(l_value, r_value)
            else:
                assert values_equal(l_value, r_value), (key, column)

    # every edit made since the base (the last one, if a cell was set twice) reached both copies,
    # or is reported
    for side, copy in before.items():
        other = before["remote" if side == "local" else "local"]
        for key, row in copy.rows.items():
            base_row = old.rows.get(key)
            if base_row is not None and key not in other.rows:  # the other side deleted it
                edits = [c for c in copy.columns if c != IGNORED and not values_equal(row.get(c), base_row.get(c))]
                if not edits:
                    assert key not in after["local"].rows and key not in after["remote"].rows
                    continue
                assert row_conflicts[key].deleted_on != side and row_conflicts[key].edited == tuple(edits)
                if prefer is not None and prefer != side:
                    assert key not in after["local"].rows and key not in after["remote"].rows
                    continue
            assert key in after["local"].rows and key in after["remote"].rows
            for column in copy.columns:
                if column == IGNORED:
                    continue
                base_value = base_row.get(column, _MISSING) if base_row is not None else _MISSING
                if base_value is not _MISSING and values_equal(row.get(column), base_value):
                    continue  # not changed here
                if (key, column) in open_cells:
                    continue
                winner = won.get((key, column), side)
                expected = row.get(column) if winner == side else other.value(key, column)
                assert values_equal(after["local"].value(key, column), expected), (side, key, column)
                assert values_equal(after["remote"].value(key, column), expected), (side, key, column)
        for key in old.rows:  # deleted here
            if key not in copy.rows and key not in row_conflicts:
                assert key not in after["local"].rows and key not in after["remote"].rows

    # syncing again right away plans nothing and reports the same open conflicts
    again = merge(plan.next_base, after["local"], after["remote"], prefer=prefer, ignore=ignore)
    assert again.is_empty, again.summary()
    assert {(c.key, c.column) for c in again.conflicts} == open_cells
    assert not again.row_conflicts and not again.resolved
    assert again.next_base == plan.next_base

    # merge is symmetric
    mirror = merge(
        base,
        remote,
        local,
        prefer={"local": "remote", "remote": "local", None: None}[prefer],
        ignore=ignore,
        allow_mass_delete=True,
    )
    assert mirror.local == plan.remote and mirror.remote == plan.local
    assert set(mirror.conflicts) == {c.swapped() for c in plan.conflicts}
    assert {(c.key, c.deleted_on, c.edited) for c in mirror.row_conflicts} == {
        (c.key, "remote" if c.deleted_on == "local" else "local", c.edited) for c in plan.row_conflicts
    }
    assert len(mirror.resolved) == len(plan.resolved)
    return plan


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_random_edit_histories_sync_without_losing_edits(
    history: tuple[Snapshot, bool, list[tuple[Any, ...]], Any],
) -> None:
    start, first_without_base, ops, prefer = history
    base: Snapshot | None = None if first_without_base else start
    copies = {"local": _model(start), "remote": _model(start)}
    for op in ops:
        if op[0] != "sync":
            _edit(copies[op[1]], op)
            continue
        plan = _check_sync(base, _freeze(copies["local"]), _freeze(copies["remote"]), prefer)
        copies = {"local": _model(plan.merged_local), "remote": _model(plan.merged_remote)}
        base = plan.next_base


@settings(max_examples=200, deadline=None)
@given(histories(), st.sampled_from([0.0, 0.25, 0.5, 1.0]))
def test_mass_delete_guard_trips_exactly_above_the_limit(
    history: tuple[Snapshot, bool, list[tuple[Any, ...]], Any], fraction: float
) -> None:
    start, _, ops, _ = history
    copies = {"local": _model(start), "remote": _model(start)}
    for op in ops:
        if op[0] != "sync":
            _edit(copies[op[1]], op)
    local, remote = _freeze(copies["local"]), _freeze(copies["remote"])
    plan = merge(start, local, remote, prefer="local", allow_mass_delete=True)
    deleted = max(len(plan.local.delete_rows), len(plan.remote.delete_rows))
    if start.rows and deleted > fraction * len(start.rows):
        with pytest.raises(MassDeleteError):
            merge(start, local, remote, prefer="local", max_delete_fraction=fraction)
    else:
        assert merge(start, local, remote, prefer="local", max_delete_fraction=fraction) == plan
