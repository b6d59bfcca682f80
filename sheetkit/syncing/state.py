"""The sync state file: what both copies held after the last sync, and which two sheets they were.

``.NAME.sheetkit-sync.json`` beside the workbook holds the base snapshot (every synced row:
names, emails, notes), so it gets the workbook's own permissions, never wider. It binds the two
sides it was made for: the workbook's sheet (its id in workbook.xml, name as a check) and the
Google worksheet (spreadsheet id and gid, title as a check). A sync against any other sheet stops
with a message instead of reading the difference as deletions; ``--rebase`` starts over on
purpose. A checksum over the content and both identities catches a damaged or hand-edited file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sheetkit.errors import SyncStateError
from sheetkit.syncing.plan import Snapshot

log = logging.getLogger("sheetkit.sync")

STATE_FORMAT = "sheetkit-sync/2"
_OLD_FORMAT = "sheetkit-sync/1"  # before the sides were bound: accepted once, then rewritten
_REBASE = (
    "run the sync again with --rebase to start over with these two sheets (both copies are then compared as "
    "new: equal values are in sync, different ones are reported as conflicts)"
)


@dataclass(frozen=True)
class Sides:
    """The two sheets a sync keeps in step: the workbook's sheet and the Google worksheet."""

    workbook: str
    sheet: str
    sheet_id: int | None  # the sheetId in workbook.xml: survives a rename of the tab
    spreadsheet_id: str
    gid: int
    worksheet: str

    def describe(self) -> str:
        return (
            f"{self.workbook} sheet {self.sheet!r} with Google spreadsheet {self.spreadsheet_id} "
            f"tab {self.worksheet!r} (gid {self.gid})"
        )


def state_path(workbook: Path) -> Path:
    """Where the base snapshot of the last successful sync is kept: .NAME.sheetkit-sync.json."""
    return workbook.with_name(f".{workbook.name}.sheetkit-sync.json")


def workbook_sheet_id(workbook: Path, sheet: str) -> int | None:
    """The sheetId workbook.xml gives the named sheet (stable across renames), or None."""
    from sheetkit.excel.parts import read_workbook

    try:
        with zipfile.ZipFile(workbook) as package:
            book = read_workbook(package)
    except Exception:  # the sheet was read a moment ago; an id is a check, not a requirement
        return None
    index = book.index(sheet) if book is not None else None
    if book is None or index is None:
        return None
    value = book.sheets[index].get("sheetId", "")
    return int(value) if value.isdigit() else None


def load_state(workbook: Path, sides: Sides, *, rebase: bool = False) -> Snapshot | None:
    """The base snapshot for these two sheets, or None when there is none (a first sync, or --rebase).

    Raises:
        SyncStateError: the file is damaged or was edited by hand, or it was made for other sheets.
    """
    path = state_path(workbook)
    if rebase or not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") == _OLD_FORMAT:
            return _old_state(path, data, sides)
        if data.get("format") != STATE_FORMAT:
            raise ValueError(f"unknown format {data.get('format')!r}")
        if data.get("checksum") != _checksum(data):
            raise ValueError("its checksum does not match its content: it was changed by hand or damaged")
        _check_sides(path, Sides(**data["sides"]), sides)
        return Snapshot.from_dict(data["base"])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SyncStateError(
            f"the sync state file {path} cannot be used ({exc}); delete it and run the sync again: the next "
            "sync treats both copies as new (equal values count as in sync, different ones are reported as "
            "conflicts)"
        ) from None


def save_state(workbook: Path, sides: Sides, base: Snapshot) -> Path:
    """Replace the state file atomically (written last, after both copies), as private as the workbook."""
    from sheetkit.runtime.atomic import atomic_replace

    path = state_path(workbook)
    payload: dict[str, Any] = {
        "format": STATE_FORMAT,
        "sides": asdict(sides),
        "synced_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "base": base.to_dict(),
    }
    payload["checksum"] = _checksum(payload)
    with atomic_replace(path, backup=False, like=workbook) as temporary:
        # Compact: json's C encoder (an indented file goes through the pure-Python one, seconds at 100,000 rows).
        temporary.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return path


def _checksum(data: dict[str, Any]) -> str:
    """SHA-256 of what the state claims: the two sides and the base (not the time it was written)."""
    claimed = {"format": data.get("format"), "sides": data.get("sides"), "base": data.get("base")}
    text = json.dumps(claimed, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _check_sides(path: Path, saved: Sides, now: Sides) -> None:
    """Stop when this sync's sheets are not the ones the state was made for (renames are fine)."""
    other_google = (saved.spreadsheet_id, saved.gid) != (now.spreadsheet_id, now.gid)
    if saved.sheet_id is not None and now.sheet_id is not None:
        other_local = saved.sheet_id != now.sheet_id
    else:
        other_local = saved.sheet != now.sheet
    if other_google or other_local:
        raise SyncStateError(
            f"{path.name} was made for {saved.describe()}, but this sync is between {now.describe()}; nothing "
            f"was read as deleted and nothing was written. If the URL or sheet is wrong (a link copied while "
            f"another tab was open), run again with the right one; if you mean these two sheets, {_REBASE}"
        )
    if (saved.sheet, saved.worksheet) != (now.sheet, now.worksheet):
        log.info("%s: a tab was renamed since the last sync (%s -> %s)", path.name, saved.describe(), now.describe())


def _old_state(path: Path, data: dict[str, Any], sides: Sides) -> Snapshot:
    """A state written before sides were bound: used when it names the same spreadsheet and tab."""
    if data.get("spreadsheet_id") != sides.spreadsheet_id or data.get("worksheet") != sides.worksheet:
        raise SyncStateError(
            f"{path.name} was made for Google spreadsheet {data.get('spreadsheet_id')} tab {data.get('worksheet')!r}, "
            f"but this sync is with {sides.spreadsheet_id} tab {sides.worksheet!r}; nothing was written. "
            f"If you mean these two sheets, {_REBASE}"
        )
    return Snapshot.from_dict(data["base"])
