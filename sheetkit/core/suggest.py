"""Suggestions for a person: the schema field or status closest to what they typed.

A suggestion is shown ("did you mean engaged?"), never used to read a value: the person decides.
"""

from __future__ import annotations

import re
from collections.abc import Mapping


def closest(text: str, choices: Mapping[str, str], *, cutoff: float = 75) -> str | None:
    """The value of the choice (a spelling -> what it means) closest to ``text``, if close enough.

    Used to suggest a fix ("did you mean engaged?"), never to read a value: a suggestion is
    shown to a person, who decides.
    """
    from rapidfuzz import fuzz, process

    query = " ".join(str(text).split()).casefold()
    if not query or not choices:
        return None
    found = process.extractOne(query, list(choices), scorer=fuzz.WRatio, processor=str.casefold)
    return choices[found[0]] if found is not None and found[1] >= cutoff else None


COPY_SCHEMA_HINT = "`sheetkit init --copy-schema` gives an editable copy of the schema"


_WORD = re.compile(r"[^\W\d_]{3,}")


_FILLER = frozenset({"the", "and", "for", "they", "them", "with", "times", "want", "wants"})


def _stems(text: str) -> frozenset[str]:
    """The words of a header, each cut to 4 letters ("followed" and "follow-ups" share "foll")."""
    return frozenset(w[:4] for w in _WORD.findall(text.casefold()) if w not in _FILLER)


def closest_by_words(text: str, choices: Mapping[str, str]) -> str | None:
    """The one choice whose spelling shares the most words with ``text``; else a close typo; else None.

    Headers are phrases people make up ("Times followed up" for Follow-ups): shared words say more
    than letters. A tie between two meanings is no suggestion ("Last reached": last name or last
    contacted?).
    """
    stems = _stems(text)
    best: dict[str, int] = {}
    for spelling, meaning in choices.items():
        shared = len(stems & _stems(spelling))
        if shared:
            best[meaning] = max(best.get(meaning, 0), shared)
    if best:
        top = max(best.values())
        leaders = [meaning for meaning, score in best.items() if score == top]
        return leaders[0] if len(leaders) == 1 else None
    return closest(text, choices, cutoff=85)
