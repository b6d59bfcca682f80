"""Who on the sheet fits a new role: desired title (and location) against the role, fuzzily.

"Looking, but not this role" people stay on the sheet with the title and location they want
next (DOMAIN.md); when a new role opens, this ranks them. Titles are compared word by word after
light normalisation ("Sr. Data Eng" reads as "senior data engineer"), with rapidfuzz:

- title score: the mean of token_set_ratio (shared words count fully, so "Data Engineer" fits
  "Senior Data Engineer") and token_sort_ratio (extra words cost something, so a bare
  "Engineer" ranks below "Data Engineer" for that role);
- location score (only when a location is given): token_set_ratio of the locations; a
  candidate who wants "Remote" fits any location when ``remote_ok``; no desired location is 50;
- score: 0.7 * title + 0.3 * location, or the title score alone. A person is listed when both
  the title score and the score reach ``min_score``, so a location alone never makes a match.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from sheetkit.api import as_checked
from sheetkit.core.checked import Checked
from sheetkit.core.facts import row_facts, text_or_none
from sheetkit.core.schema import DateLike, Schema, SchemaLike
from sheetkit.errors import UsageError
from sheetkit.lists.rowlist import Column, RowList

__all__ = ["MatchList", "MatchRow", "match", "normalize_title", "title_score"]

TITLE_WEIGHT = 0.7
LOCATION_WEIGHT = 0.3
UNKNOWN_LOCATION_SCORE = 50
_ABBREVIATIONS = {
    "sr": "senior",
    "snr": "senior",
    "jr": "junior",
    "mgr": "manager",
    "eng": "engineer",
    "engr": "engineer",
    "dev": "developer",
    "swe": "software engineer",
    "sde": "software engineer",
    "vp": "vice president",
    "dir": "director",
    "ops": "operations",
    "qa": "quality assurance",
    "pm": "product manager",
}


@dataclass(frozen=True)
class MatchRow:
    """One person who fits the role: how well (and why), and how to reach them."""

    score: int
    row: int
    cell: str
    name: str
    desired_title: str
    desired_location: str | None
    title_score: int
    location_score: int | None
    why: str
    status: str | None
    email: str | None
    phone: str | None
    owner: str | None


class MatchList(RowList[MatchRow]):
    """People ranked by how well their desired title and location fit a role (see :func:`match`)."""

    row_type = MatchRow
    noun = "match"
    empty_text = "Nobody on the sheet fits this role."
    columns: ClassVar[tuple[Column, ...]] = (
        Column("score", "Score", "int"),
        Column("row", "Row", "int"),
        Column("name", "Name"),
        Column("desired_title", "Desired Title"),
        Column("desired_location", "Desired Location"),
        Column("status", "Status"),
        Column("email", "Email"),
        Column("phone", "Phone"),
        Column("why", "Why"),
    )

    def __repr__(self) -> str:
        plural = "" if len(self) == 1 else "es"
        return f"<MatchList: {len(self)} match{plural}, {self.title()}>"

    def title(self) -> str:
        line = f"Matches for '{self.meta['title']}'"
        if self.meta.get("location"):
            line += f" in {self.meta['location']}" + (" (remote OK)" if self.meta.get("remote_ok") else "")
        return line + f", min score {self.meta['min_score']}"


_SENIORITY = frozenset(
    [
        "senior",
        "junior",
        "lead",
        "staff",
        "principal",
        "head",
        "chief",
        "associate",
        "intern",
        "entry",
        "level",
        "mid",
        "i",
        "ii",
        "iii",
        "iv",
        "of",
        "the",
        "and",
    ]
)


def normalize_title(text: str) -> str:
    """Lower case, punctuation as spaces, common abbreviations spelled out: "Sr. Data Eng" -> "senior data engineer"."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("&", " and ")
    words = re.sub(r"[^\w]+", " ", folded).split()
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


def title_score(wanted: str, role: str) -> int:
    """0-100: how well a desired title fits a role's title (see the module docstring)."""
    from rapidfuzz import fuzz

    a, b = normalize_title(wanted), normalize_title(role)
    if not a or not b:
        return 0
    similarity = (fuzz.token_set_ratio(a, b) + fuzz.token_sort_ratio(a, b)) / 2
    # Every word that defines the role ("data" and "engineer" in "Senior Data Engineer") must be
    # in the wanted title, give or take spelling: sharing "engineer" does not make an ML
    # engineer a data engineer. Seniority words do not define the role.
    defining = [w for w in b.split() if w not in _SENIORITY] or b.split()
    wanted_words = a.split()
    covered = sum(1 for w in defining if max(fuzz.ratio(w, x) for x in wanted_words) >= 80) / len(defining)
    return round(similarity * covered)


def match(
    source: Checked | Any,
    *,
    title: str,
    location: str | None = None,
    remote_ok: bool = False,
    include_not_looking: bool = False,
    limit: int | None = 20,
    min_score: int = 60,
    schema: SchemaLike = None,
    sheet: str | None = None,
    as_of: DateLike = None,
    client: Any = None,
) -> MatchList:
    """People whose desired title (and location) fit a role, best first, at most ``limit``.

    Never lists a person who must not be contacted (do_not_contact, or any status with no
    cadence); skips "not_looking" people unless ``include_not_looking``, and rows with no
    desired title.

    Args:
        source: a :class:`~sheetkit.Checked`, or anything :func:`sheetkit.check` reads, checked
            with ``schema``, ``sheet``, ``as_of`` and ``client``.

    Raises:
        UsageError: no title, a bad limit or min_score, or a schema or sheet without the
            desired_title field (or desired_location, when a location is given).
    """
    from rapidfuzz import fuzz

    if not title or not normalize_title(title):
        raise UsageError("give the role's title to match people against, e.g. title='Senior Data Engineer'")
    if limit is not None and limit < 1:
        raise UsageError(f"limit must be 1 or more (or None for no limit), got {limit}")
    if not 0 <= min_score <= 100:
        raise UsageError(f"min_score is a score from 0 to 100, got {min_score}")
    checked = as_checked(source, schema=schema, sheet=sheet, as_of=as_of, client=client)
    loaded = checked.schema
    typed = checked.normalized.frame
    wanted_titles = _column(loaded, typed, "desired_title")
    wanted_places = _column(loaded, typed, "desired_location") if location else _maybe(typed, "desired_location")
    facts = row_facts(checked)
    eligible = ~facts["empty"].to_numpy(dtype=bool) & ~facts["never_contact"].to_numpy(dtype=bool)
    if not include_not_looking:
        eligible &= (facts["status"] != "not_looking").to_numpy(dtype=bool)
    titles = wanted_titles.map(text_or_none)
    eligible &= titles.notna().to_numpy(dtype=bool)
    role_title, role_place = normalize_title(title), normalize_title(location or "")
    title_scores = {t: title_score(t, title) for t in titles[eligible].unique()}
    found: list[MatchRow] = []
    title_list, place_list = titles.tolist(), wanted_places.tolist()
    fact_lists = {name: facts[name].tolist() for name in facts.columns}
    for i in np.flatnonzero(eligible):
        desired = str(title_list[i])
        by_title = title_scores[desired]
        place = text_or_none(place_list[i])
        by_place: int | None = None
        why = f"title '{title.strip()}' ~ '{desired}' ({by_title})"
        if location:
            words = normalize_title(place or "").split()
            if place is None:
                by_place, why = UNKNOWN_LOCATION_SCORE, why + "; no desired location"
            elif remote_ok and "remote" in words and _remote_fits(words, role_place):
                by_place, why = 100, why + f"; wants {place} (remote OK)"
            else:
                where = [w for w in words if w not in _REMOTE_WORDS] if "remote" in words else words
                by_place = round(fuzz.token_set_ratio(" ".join(where), role_place)) if where else 0
                why += f"; wants {place} ({by_place})"
        elif place is not None:
            why += f"; wants {place}"
        score = by_title if by_place is None else round(TITLE_WEIGHT * by_title + LOCATION_WEIGHT * by_place)
        if by_title < min_score or score < min_score or not role_title:
            continue
        fact = {name: values[i] for name, values in fact_lists.items()}
        found.append(
            MatchRow(
                score=score,
                row=int(fact["row"]),
                cell=str(fact["cell"]),
                name=str(fact["name"]),
                desired_title=desired,
                desired_location=place,
                title_score=by_title,
                location_score=by_place,
                why=why,
                status=text_or_none(fact["status"]),
                email=text_or_none(fact["email"]),
                phone=text_or_none(fact["phone"]),
                owner=text_or_none(fact["owner"]),
            )
        )
    found.sort(key=lambda m: (-m.score, -m.title_score, m.row))
    meta = {
        "title": title.strip(),
        "location": location,
        "remote_ok": remote_ok,
        "include_not_looking": include_not_looking,
        "min_score": min_score,
        "as_of": checked.as_of,
    }
    return MatchList(found[:limit] if limit is not None else found, meta=meta)


# Words that say "remote, from anywhere"; any other word next to "remote" limits where ("Remote (US)").
_REMOTE_WORDS = frozenset({"remote", "only", "fully", "full", "100", "anywhere", "worldwide", "global", "first", "ok"})


def _remote_fits(words: list[str], role_place: str) -> bool:
    """Whether a person who wants remote work fits a role at ``role_place``: remote from anywhere, or
    remote limited to a region the role's location names ("Remote (US)" does not fit a Berlin role)."""
    limits = [w for w in words if w not in _REMOTE_WORDS]
    return not limits or bool(set(limits) & set(role_place.split()))


def _column(schema: Schema, typed: pd.DataFrame, field: str) -> pd.Series:
    """The typed column of ``field``, or a UsageError naming what is missing: the field, or its column."""
    if field not in schema.fields:
        raise UsageError(
            f"matching needs a {field!r} field, and the schema {schema.name!r} has none; "
            f"add {field} to the schema's fields (e.g. header: {field.replace('_', ' ').title()})"
        )
    if field not in typed:
        spec = schema.fields[field]
        raise UsageError(f"the sheet has no {spec.header!r} column (or one of its spellings); matching needs it")
    return typed[field].reset_index(drop=True)


def _maybe(typed: pd.DataFrame, field: str) -> pd.Series:
    if field in typed:
        return typed[field].reset_index(drop=True)
    return pd.Series(None, index=range(len(typed)), dtype=object)
