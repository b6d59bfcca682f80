"""The Python API: validate a sheet, compute its columns, refresh it in place.

    >>> import sheetkit
    >>> report = sheetkit.validate("contacts.xlsx")
    >>> result = sheetkit.refresh("contacts.xlsx", as_of="2026-11-21")

Everything the CLI does goes through these functions.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import pandas as pd

from sheetkit.core.aids import AidsOutcome, SheetAids, chosen_aids, plan_aids
from sheetkit.core.checked import Checked, check_table
from sheetkit.core.report import Report
from sheetkit.core.schema import DateLike, Schema, SchemaLike
from sheetkit.core.schema_file import load_schema
from sheetkit.core.table import Table, set_aside_footer
from sheetkit.core.validation import prepare as prepare_validation
from sheetkit.core.writeplan import WritePlan, plan_writes
from sheetkit.errors import PackageUnsupported, UsageError
from sheetkit.excel.parts import is_package
from sheetkit.excel.read import read_table
from sheetkit.google.sheets import GoogleSheet
from sheetkit.runtime.atomic import FileStamp
from sheetkit.runtime.text import counted

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

log = logging.getLogger("sheetkit")


@dataclass(frozen=True)
class RefreshResult:
    """What a refresh did: the report, the cells it changed, where it wrote.

    Attributes:
        report: the validation report.
        plan: the cell updates (empty when the sheet was already up to date).
        written: the file written (a Path) or the Google Sheet's URL, or None (dry run, or
            nothing changed).
        backup: where the previous version was kept, or None.
        engine: how it was written: "package" (direct edit), "openpyxl", "csv", "copy",
            "sheets-api", "unchanged" (an output copy already held it), or "" when nothing was written.
        fallback_reason: why openpyxl was used instead of the direct edit, if it was.
        checked: the sheet as read, validated and computed (``frame`` and ``as_of`` come from it).
        requests: Google API requests the refresh made (None for files).
    """

    report: Report
    plan: WritePlan
    written: Path | str | None
    backup: Path | None
    engine: str
    fallback_reason: str | None
    checked: Checked
    dry_run: bool = False
    requests: int | None = None
    aids: AidsOutcome | None = None

    @property
    def as_of(self) -> dt.date:
        return self.checked.as_of

    @property
    def frame(self) -> pd.DataFrame:
        """The table with its computed columns, as a DataFrame indexed by sheet row."""
        return self.checked.frame()

    @property
    def cells_changed(self) -> int:
        return self.plan.cells_changed

    def summary(self) -> str:
        cells = counted(self.cells_changed, "cell")
        aids = " " + self.aids.summary() if self.aids is not None else ""
        if self.dry_run:
            return f"Dry run: would change {cells} (as of {self.as_of.isoformat()}); nothing written.{aids}"
        if self.engine == "unchanged":
            return (
                f"Up to date as of {self.as_of.isoformat()}: the output already holds this refresh; "
                f"nothing written.{aids}"
            )
        if self.written is None:
            return f"Up to date as of {self.as_of.isoformat()}: nothing to write.{aids}"
        line = f"Wrote {cells} to {self.written} (as of {self.as_of.isoformat()}"
        line += f", via {self.engine}" if self.engine else ""
        line += ")."
        if self.fallback_reason:
            line += f" The direct edit was not possible ({self.fallback_reason}), so openpyxl wrote the file."
        if self.backup is not None:
            line += f" Previous version kept at {self.backup}."
        if self.requests is not None:
            line += f" {self.requests} Google API requests."
        return line + aids

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the report, what was written and where, and the Google request count."""
        return {
            "report": self.report.to_dict(),
            "as_of": self.as_of.isoformat(),
            "cells_changed": self.cells_changed,
            "written": str(self.written) if self.written else None,
            "backup": str(self.backup) if self.backup else None,
            "engine": self.engine or None,
            "fallback_reason": self.fallback_reason,
            "dry_run": self.dry_run,
            "requests": self.requests,
            "aids": self.aids.to_dict() if self.aids is not None else None,
            "summary": self.summary(),
        }

    def __repr__(self) -> str:
        return (
            f"<RefreshResult {self.report.source}: {counted(self.report.rows, 'row')}, "
            f"{counted(len(self.report.problems), 'problem')}, {counted(self.cells_changed, 'cell')} changed>"
        )

    def styled(self) -> Styler:
        """The refreshed table as a pandas Styler, overdue and non-responsive rows highlighted."""
        return self.checked.styled()

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self.summary())}</p>" + self.report._repr_html_()


def read_source(source: Any, schema: Schema, *, sheet: str | None = None, client: Any = None) -> Table:
    """Read any source: a file path, a DataFrame, a Google Sheets URL/id, or a gspread Worksheet.

    A totals row under the data is set aside (``table.footer``): it is not a person.
    """
    from sheetkit.google import sheets as gsheets

    if isinstance(source, gsheets.SheetRef) or gsheets.is_sheet_ref(source) or _is_worksheet(source):
        return set_aside_footer(gsheets.read_google_sheet(source, schema, sheet=sheet, client=client), schema)
    return set_aside_footer(read_table(source, schema, sheet=sheet), schema)


def _is_worksheet(source: Any) -> bool:
    return type(source).__name__ == "Worksheet" and type(source).__module__.startswith("gspread")


def check(
    source: Any,
    *,
    schema: SchemaLike = None,
    sheet: str | None = None,
    as_of: DateLike = None,
    client: Any = None,
    step: Callable[[str], None] = lambda name: None,
) -> Checked:
    """Read, normalize, validate and compute one sheet, without writing anything.

    Args:
        source: a path to an .xlsx/.xlsm/.xls/.csv file, a pandas DataFrame, a Google Sheets URL
            or spreadsheet id, or a gspread Worksheet.
        schema: a schema path, a bundled schema name, a Schema, or None for recruiter_contacts.
        sheet: the worksheet name (default: the first).
        as_of: "today" for dates (default: today in the schema's time zone).
        client: an authorised gspread Client for a Google Sheets source.
        step: told the name of each stage as it starts (progress bars use it).
    """
    from sheetkit.runtime.gc_pause import gc_paused

    loaded = load_schema(schema)
    day = loaded.as_of(as_of)
    prepare_validation(loaded)  # while a read started early is still parsing (sheetkit.excel.grid.prefetch)
    with gc_paused():  # the sheet becomes millions of Python objects; nothing here makes cycles
        step("read")
        table = read_source(source, loaded, sheet=sheet, client=client)
        log.info("read %s", table)
        return check_table(table, loaded, day, step=step)


def as_checked(
    source: Checked | Any,
    *,
    schema: SchemaLike = None,
    sheet: str | None = None,
    as_of: DateLike = None,
    client: Any = None,
) -> Checked:
    """``source`` itself when already checked, else :func:`check` of it (a path, DataFrame, URL, Worksheet).

    Raises:
        UsageError: a Checked was given with a different ``as_of`` (its computed columns would not match).
    """
    if isinstance(source, Checked):
        if as_of is not None and source.schema.as_of(as_of) != source.as_of:
            raise UsageError(
                f"this sheet was checked as of {source.as_of.isoformat()}, not {as_of}; "
                "check it again with that as_of (sheetkit.check(..., as_of=...))"
            )
        return source
    return check(source, schema=schema, sheet=sheet, as_of=as_of, client=client)


def validate(
    source: Any, *, schema: SchemaLike = None, sheet: str | None = None, as_of: DateLike = None, client: Any = None
) -> Report:
    """Check a sheet against a schema and report every problem, each by cell.

    Args:
        source: a path to an .xlsx/.xlsm/.xls/.csv file, a pandas DataFrame, a Google Sheets URL
            or spreadsheet id, or a gspread Worksheet.
        schema: a schema path, a bundled schema name, a Schema, or None for recruiter_contacts.
        sheet: the worksheet name (default: the first).
        as_of: "today" for date checks (default: today in the schema's time zone).
        client: an authorised gspread Client for a Google Sheets source (default: credentials
            are found the gspread way, see the README).
    """
    return check(source, schema=schema, sheet=sheet, as_of=as_of, client=client).report


def enrich(
    source: Any, *, schema: SchemaLike = None, sheet: str | None = None, as_of: DateLike = None, client: Any = None
) -> pd.DataFrame:
    """The sheet (or DataFrame) with its computed columns filled in, as a new DataFrame."""
    checked = check(source, schema=schema, sheet=sheet, as_of=as_of, client=client)
    frame = checked.frame()
    if isinstance(source, pd.DataFrame):
        frame.index = source.index
    return frame


def refresh(
    source: Any,
    *,
    schema: SchemaLike = None,
    sheet: str | None = None,
    as_of: DateLike = None,
    output: str | Path | None = None,
    dry_run: bool = False,
    backup: bool = True,
    engine: Literal["auto", "package", "openpyxl"] = "package",
    client: Any = None,
    progress: bool | None = None,
    lock: bool = True,
    aids: bool | Sequence[str] | None = None,
    allow_signed: bool = False,
) -> RefreshResult:
    """Validate a sheet and write its computed columns back into it (or into ``output``).

    Only computed cells whose value changes are written; everything else is left as it was.
    A workbook is written atomically and its previous version kept as a backup; a Google
    Sheet gets one RAW values:batchUpdate of the changed cells (and nothing when none change).
    While it runs, the target is locked (shared with sync), so scheduled runs never overlap.

    Args:
        progress: show a progress bar (None: when in a terminal or a notebook).
        lock: hold the target's run lock (a second run raises LockedError at once).
        aids: the sheet aids to keep (the Status dropdown, row highlights, problem notes: README
            "Sheet aids"): True for the schema's choice or all, a list of "dropdown",
            "highlights", "notes", False to remove sheetkit's own; None: as the schema's
            ``aids:`` says, and without it leave them as they are.
        allow_signed: write into a digitally signed workbook (its signature no longer holds;
            without it such a workbook is refused and nothing is written).

    Raises:
        LockedError: another sheetkit run holds this target's lock; nothing was changed.
        SheetkitError: the source cannot be read, or the result cannot be written (the
            original is then left exactly as it was).
    """
    from sheetkit.runtime import locks
    from sheetkit.runtime import progress as bars

    target = _lock_target(output if output is not None else source) if lock and not dry_run else None
    held = locks.exclusive(target[0], target[1], like=target[2]) if target is not None else contextlib.nullcontext()
    name = Path(str(source)).name if isinstance(source, (str, Path)) else type(source).__name__
    with held, bars.steps(f"refresh {name}", 4, progress) as step:
        return _refresh(source, schema, sheet, as_of, output, dry_run, backup, engine, client, step, aids, allow_signed)


def _lock_target(source: object) -> tuple[Path, str, Path | None] | None:
    """The lock file, display name and guarded file for a refresh target (a workbook or a Google Sheet)."""
    from sheetkit.google.sheets import SheetRef, is_sheet_ref, parse_sheet_ref
    from sheetkit.runtime import locks

    if isinstance(source, SheetRef) or (isinstance(source, str) and is_sheet_ref(source)):
        ref = source if isinstance(source, SheetRef) else parse_sheet_ref(source)
        return locks.sheet_lock_path(ref.spreadsheet_id), f"spreadsheet {ref.spreadsheet_id}", None
    if isinstance(source, (str, Path)):
        path = Path(source)
        return locks.workbook_lock_path(path), path.name, path
    return None


def _refresh(
    source: Any,
    schema: SchemaLike,
    sheet: str | None,
    as_of: DateLike,
    output: str | Path | None,
    dry_run: bool,
    backup: bool,
    engine: Literal["auto", "package", "openpyxl"],
    client: Any,
    step: Callable[[str], None],
    aids_option: bool | Sequence[str] | None = None,
    allow_signed: bool = False,
) -> RefreshResult:
    loaded = load_schema(schema)
    try:
        kinds = chosen_aids(aids_option, loaded.aids)
    except ValueError as error:
        raise UsageError(str(error)) from None
    stamp = None
    if isinstance(source, (str, Path)) and not _names_google_sheet(source):
        path = Path(source)
        if path.suffix.lower() in (".xls", ".xlsb", ".ods"):
            from sheetkit.excel.read import sniff_workbook

            sniff_workbook(path)  # a mislabelled file gets its real diagnosis first
        if not dry_run and path.is_file():
            stamp = FileStamp.of(path)  # what is read now; the write checks it still is
    checked = check(source, schema=loaded, sheet=sheet, as_of=as_of, client=client, step=step)
    plan = plan_writes(checked.normalized, checked.computed, loaded)
    aids = plan_aids(checked, plan, kinds) if kinds is not None else None
    step("write")
    origin = checked.table.origin
    if isinstance(origin, GoogleSheet):
        if output is not None:
            raise UsageError("--output is for files; to copy a Google Sheet into a workbook use `sheetkit pull`")
        written = _write_google(plan, origin, loaded) if not dry_run and plan else None
        aids_outcome = _google_aids(origin, aids, dry_run) if aids is not None else None
        if aids_outcome is not None and aids_outcome.changed and not dry_run:
            written = origin.url
        log.info("%s", origin.stats.summary())
        outcome = _Outcome(written, None, "sheets-api" if written else "", None, origin.stats.requests, aids_outcome)
    elif checked.table.kind == "frame":
        raise UsageError("refresh writes into a file or a Google Sheet; for a DataFrame use sheetkit.enrich()")
    else:
        target = Path(output) if output is not None else None
        sheet_name = checked.table.sheet
        not_kept = _aids_not_kept(target or Path(source), aids, dry_run) if aids is not None else None
        if not_kept is not None:  # a CSV: the cells are written, the aids said to be impossible
            aids = None
        if dry_run:
            aids_outcome = _aids_dry_run(Path(source), sheet_name, aids) if aids is not None else None
            outcome = _Outcome(None, None, "", None, None, aids_outcome)
        elif aids is not None and (plan or (target is not None and target != Path(source))):
            outcome = _write_with_aids(
                plan, Path(source), target, sheet_name, loaded, backup, engine, aids, stamp, allow_signed=allow_signed
            )
        elif aids is not None:  # in place, no cell changes
            outcome = _aids_in_place(Path(source), sheet_name, aids, backup, stamp)
        else:
            outcome = _write_file(
                plan, Path(source), target, sheet_name, loaded, backup, engine, stamp, allow_signed=allow_signed
            )
        if not_kept is not None:
            outcome = outcome._replace(aids=not_kept)
    return RefreshResult(
        report=checked.report,
        plan=plan,
        written=outcome.written,
        backup=outcome.backup,
        engine=outcome.engine,
        fallback_reason=outcome.fallback_reason,
        checked=checked,
        dry_run=dry_run,
        requests=outcome.requests,
        aids=outcome.aids,
    )


class _Outcome(NamedTuple):
    """Where and how a refresh wrote (the parts of a RefreshResult that the write decides)."""

    written: Path | str | None
    backup: Path | None
    engine: str
    fallback_reason: str | None
    requests: int | None
    aids: AidsOutcome | None = None


def _names_google_sheet(source: str | Path) -> bool:
    from sheetkit.google.sheets import is_sheet_ref

    return isinstance(source, str) and is_sheet_ref(source)


def _write_google(plan: WritePlan, origin: GoogleSheet, schema: Schema) -> str:
    """Send the plan's cells to the worksheet; returns its URL."""
    from sheetkit.google.sheets import write_updates

    write_updates(
        origin,
        plan.updates,
        new_columns=plan.new_columns,
        date_pattern=schema.date_format,
        format_dates=plan.new_date_cells,
    )
    log.info("wrote %d cells to %s", plan.cells_changed, origin.url)
    return origin.url


def _aids_not_kept(path: Path, aids: SheetAids, dry_run: bool) -> AidsOutcome | None:
    """Sheet aids for a file that cannot hold them (a CSV): none, and why; None for a workbook."""
    if is_package(path):
        return None
    why = f"{path.name} is not an .xlsx/.xlsm workbook, where dropdowns, colours and notes live"
    return AidsOutcome(aids.kinds, False, (why,), dry_run=dry_run, not_kept=why)


def _uneditable(error: PackageUnsupported, *, dry_run: bool = False) -> str:
    """The notice for aids a workbook's package cannot take (the cells are still written)."""
    verb = "would not be changed" if dry_run else "not changed"
    return f"sheet aids {verb}: the workbook cannot be edited in place ({error.reason})"


def _aids_dry_run(path: Path, sheet: str, aids: SheetAids) -> AidsOutcome:
    """What a refresh would do to the workbook's aids, writing nothing."""
    from sheetkit.excel.aids_xml import apply_aids

    try:
        notices = apply_aids(path, None, sheet, aids)
    except PackageUnsupported as error:
        return AidsOutcome(aids.kinds, False, (*aids.notices, _uneditable(error, dry_run=True)), dry_run=True)
    return AidsOutcome(aids.kinds, notices is not None, (*aids.notices, *(notices or [])), dry_run=True)


def _aids_in_place(path: Path, sheet: str, aids: SheetAids, backup: bool, stamp: FileStamp | None) -> _Outcome:
    """Only the aids change in the workbook: one package edit, or nothing at all when they are there."""
    from sheetkit.excel.aids_xml import apply_aids
    from sheetkit.runtime.atomic import atomic_replace, backup_path, real_path

    try:
        with atomic_replace(path, backup=backup, expect=stamp, like=path) as temporary:
            notices = apply_aids(path, temporary, sheet, aids)
            if notices is None:
                raise _Unchanged
    except _Unchanged:
        return _Outcome(None, None, "", None, None, AidsOutcome(aids.kinds, False, aids.notices))
    except PackageUnsupported as error:
        return _Outcome(None, None, "", None, None, AidsOutcome(aids.kinds, False, (*aids.notices, _uneditable(error))))
    log.info("sheet aids updated in %s", path)
    kept = backup_path(real_path(path)) if backup else None
    return _Outcome(path, kept, "package", None, None, AidsOutcome(aids.kinds, True, (*aids.notices, *notices)))


def _write_with_aids(
    plan: WritePlan,
    path: Path,
    output: Path | None,
    sheet: str,
    schema: Schema,
    backup: bool,
    engine: Literal["auto", "package", "openpyxl"],
    aids: SheetAids,
    stamp: FileStamp | None,
    *,
    allow_signed: bool = False,
) -> _Outcome:
    """Cells and aids in one replacement of the workbook (or of the output copy, left alone when it holds both)."""
    import shutil

    from sheetkit.excel.aids_xml import apply_aids
    from sheetkit.excel.write import write_plan
    from sheetkit.runtime.atomic import Replaced, atomic_replace, backup_path, real_path

    target = output if output is not None else path
    in_place = target == path
    had_target = target.exists()
    replaced = Replaced(replaced=in_place)  # in place there are cells to write: it always changes
    used, reason, notices = "copy", None, list(aids.notices)
    changed = False
    with atomic_replace(
        target,
        backup=backup,
        expect=stamp if in_place else None,
        like=path,
        if_changed=None if in_place else replaced,
    ) as staged:
        if plan:
            used, reason = write_plan(
                plan,
                source=path,
                target=staged,
                sheet=sheet,
                schema=schema,
                backup=False,
                engine=engine,
                expect=stamp,
                allow_signed=allow_signed,
            )
        else:
            shutil.copyfile(path, staged)
        try:
            with atomic_replace(staged, backup=False) as temporary:
                added = apply_aids(staged, temporary, sheet, aids)
                if added is None:
                    raise _Unchanged
                notices += added
                changed = True
        except _Unchanged:
            pass
        except PackageUnsupported as error:
            notices.append(_uneditable(error))
    result = AidsOutcome(aids.kinds, changed and replaced.replaced, tuple(notices))
    if not replaced.replaced:
        log.info("%s already holds this refresh; left as it is", target)
        return _Outcome(None, None, "unchanged", None, None, result)
    kept = backup_path(real_path(target)) if backup and had_target else None
    return _Outcome(target, kept, used, reason, None, result)


class _Unchanged(Exception):
    """The workbook already holds these aids: nothing to replace."""


def _google_aids(origin: GoogleSheet, aids: SheetAids, dry_run: bool) -> AidsOutcome:
    from sheetkit.google.aids import apply_google_aids

    return apply_google_aids(origin, aids, dry_run=dry_run)


def _write_file(
    plan: WritePlan,
    path: Path,
    output: Path | None,
    sheet: str,
    schema: Schema,
    backup: bool,
    engine: Literal["auto", "package", "openpyxl"],
    stamp: FileStamp | None,
    *,
    allow_signed: bool = False,
) -> _Outcome:
    """Write the plan into the workbook (or a copy at ``output``); nothing at all when up to date."""
    from sheetkit.excel.write import write_plan
    from sheetkit.runtime.atomic import Replaced, atomic_replace, backup_path, real_path

    target = output if output is not None else path
    if not plan and target == path:
        return _Outcome(None, None, "", None, None)
    had_target = target.exists()
    fallback_reason = None
    # A copy elsewhere that already holds exactly these bytes is left alone (same mtime), as in place.
    replaced = Replaced() if target != path else None
    if not plan:
        import shutil

        with atomic_replace(target, backup=backup, like=path, if_changed=replaced) as temporary:
            shutil.copyfile(path, temporary)
        used = "copy"
    else:
        used, fallback_reason = write_plan(
            plan,
            source=path,
            target=target,
            sheet=sheet,
            schema=schema,
            backup=backup,
            engine=engine,
            expect=stamp,
            if_changed=replaced,
            allow_signed=allow_signed,
        )
    if replaced is not None and not replaced.replaced:
        log.info("%s already holds this refresh; left as it is", target)
        return _Outcome(None, None, "unchanged", None, None)
    log.info("wrote %d cells to %s via %s", plan.cells_changed, target, used)
    kept = backup_path(real_path(target)) if backup and had_target else None  # beside the file a link names
    return _Outcome(target, kept, used, fallback_reason, None)
