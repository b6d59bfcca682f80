"""Rows that are probably the same person, with the evidence, a confidence and the row to keep.

    >>> import sheetkit
    >>> from sheetkit.lists.dedupe import dedupe
    >>> print(dedupe("contacts.xlsx").to_text())

The rules (what counts as the same email, profile, phone or name) live in
:mod:`sheetkit.core.contacts`, shared with the "Duplicate Of" column and the LinkedIn import.
Nothing is merged or deleted: the recruiter decides.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd

from sheetkit.api import as_checked
from sheetkit.core.checked import Checked
from sheetkit.core.contacts import Group, groups_in
from sheetkit.core.facts import date_or_none, row_facts
from sheetkit.core.schema import DateLike, SchemaLike
from sheetkit.lists.rowlist import Column, RowList
from sheetkit.runtime.text import counted, printable

__all__ = ["DuplicateGroup", "DuplicateList", "dedupe"]


@dataclass(frozen=True)
class DuplicateGroup:
    """Rows (sheet row numbers) that are probably one person, the evidence, and which row to keep."""

    rows: tuple[int, ...]
    names: tuple[str, ...]
    confidence: float
    evidence: tuple[str, ...]  # "rows 2 and 7: same email (ana@example.org), same name (Ana Ng)"
    keep: int  # the sheet row to keep
    why: str  # why that one: "contacted most recently (2026-11-01)"

    @property
    def row_list(self) -> str:
        return ", ".join(map(str, self.rows))


class DuplicateList(RowList[DuplicateGroup]):
    """Groups of probable duplicates, most certain first (see :func:`dedupe`)."""

    row_type = DuplicateGroup
    noun = "group"
    empty_text = "No probable duplicates."
    columns: ClassVar[tuple[Column, ...]] = (
        Column("row_list", "Rows"),
        Column("keep", "Keep", "int"),
        Column("confidence", "Confidence"),
        Column("why", "Why keep"),
        Column("evidence_text", "Evidence"),
    )

    def table_rows(self) -> list[list[Any]]:
        out: list[list[Any]] = [[c.header for c in self.columns]]
        out.extend([g.row_list, g.keep, g.confidence, g.why, "; ".join(g.evidence)] for g in self.rows)
        return out

    def to_json(self, indent: int | None = 2) -> str:
        """``{"groups": [{"rows": [...], "evidence": [...], "confidence": 0.94, "keep": 7, ...}]}``."""
        groups = [
            {
                "rows": list(g.rows),
                "evidence": list(g.evidence),
                "confidence": g.confidence,
                "keep": g.keep,
                "why": g.why,
                "names": list(g.names),
            }
            for g in self.rows
        ]
        return json.dumps({"groups": groups}, indent=indent, ensure_ascii=False)

    def to_text(self) -> str:
        """One paragraph per group: the rows and names, the row to keep and why, the evidence."""
        if not self.rows:
            return self.empty_text + " Nothing was changed."
        blocks = [
            f"{len(self.rows)} group{'s' if len(self.rows) != 1 else ''} of rows that are probably one person "
            "(nothing was changed):"
        ]
        for g in self.rows:
            people = ", ".join(
                f"row {r} ({printable(n, keep_newlines=False)})" for r, n in zip(g.rows, g.names, strict=True)
            )
            lines = [f"\n{people}, confidence {g.confidence:.2f}", f"  keep row {g.keep}: {g.why}"]
            lines += [f"  - {printable(e, keep_newlines=False)}" for e in g.evidence]
            blocks.append("\n".join(lines))
        return "\n".join(blocks)


def dedupe(
    source: Checked | Any,
    *,
    schema: SchemaLike = None,
    sheet: str | None = None,
    as_of: DateLike = None,
    client: Any = None,
) -> DuplicateList:
    """The groups of rows that are probably the same person (see :mod:`sheetkit.core.contacts`).

    Each group names the row to keep: the one contacted most recently, else the most complete
    (most cells filled), else the first.
    """
    checked = as_checked(source, schema=schema, sheet=sheet, as_of=as_of, client=client)
    facts = row_facts(checked)
    frame = checked.normalized.frame
    filled = frame.notna().sum(axis=1).to_numpy()
    groups = [_listed(g, facts, filled) for g in groups_in(frame, checked.schema) if not _all_empty(g, facts)]
    groups.sort(key=lambda g: (-g.confidence, g.rows[0]))
    return DuplicateList(groups, meta={"as_of": checked.as_of})


def _all_empty(group: Group, facts: pd.DataFrame) -> bool:
    return bool(facts["empty"].iloc[list(group.members)].any())


def _listed(group: Group, facts: pd.DataFrame, filled: Any) -> DuplicateGroup:
    sheet_rows = facts["row"].to_numpy(dtype=int)
    rows = [int(sheet_rows[i]) for i in group.members]
    contacted = {
        i: date_or_none(facts["last_contacted"].iat[i]) if "last_contacted" in facts else None for i in group.members
    }
    latest = max((d for d in contacted.values() if d is not None), default=None)
    recent = [i for i in group.members if latest is not None and contacted[i] == latest]
    if len(recent) == 1:
        keep, why = recent[0], f"contacted most recently ({latest})"
    else:
        pool = recent or list(group.members)
        most = max(int(filled[i]) for i in pool)
        fullest = [i for i in pool if int(filled[i]) == most]
        keep = fullest[0]
        tie = ", contacted as recently as the others" if recent else ""
        why = (
            f"most complete ({counted(most, 'cell')} filled){tie}"
            if len(fullest) == 1
            else f"the first of equally complete rows{tie}"
        )
    evidence = tuple(
        f"rows {sheet_rows[p.first]} and {sheet_rows[p.second]}: {', '.join(p.evidence)}" for p in group.pairs
    )
    names = tuple(str(facts["name"].iat[i]) for i in group.members)
    return DuplicateGroup(tuple(rows), names, group.confidence, evidence, int(sheet_rows[keep]), why)
