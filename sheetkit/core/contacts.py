"""Contact details: what an email address, a phone number and a LinkedIn profile URL are.

One home for each: the validation checks ask here whether a cell holds one (and why not), and
duplicate detection compares people by the keys made here, so the two never disagree. The
field's own libraries decide: email-validator (syntax only, never a network lookup) and
phonenumbers (Google's libphonenumber metadata). Both are imported on first use.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

# An address email-validator certainly accepts (ASCII dot-atoms, a letters-only top-level domain
# that is not special-use): checked with two regular expressions, so a sheet of 100,000 ordinary
# addresses costs no library call. Anything else is email-validator's to judge
# (tests/test_contacts.py checks that everything this accepts, email-validator accepts).
# The part before the @ and the domain are checked apart: a sheet holds few domains, each
# checked once (0.15 -> 0.06 s for 100,000 addresses, against one expression for the whole).
_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*", re.IGNORECASE)
_EMAIL_DOMAIN = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
    r"(?<!\.test)(?<!\.local)(?<!\.localhost)(?<!\.invalid)(?<!\.onion)(?<!\.arpa)",
    re.IGNORECASE,
)
_GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})

# linkedin.com/in/<slug> (a vanity URL) or linkedin.com/pub/<name>/<a>/<b>/<c> (an old public
# one), with or without scheme, www or a country subdomain (de.linkedin.com), a trailing path
# (/details/experience, /en), a query (?trk=...) or a fragment.
_LINKEDIN = re.compile(
    r"^(?:https?://)?(?:(?:www|mobile|m|[a-z]{2,3})\.)?linkedin\.com"
    r"/(?P<kind>in|pub)/(?P<path>[^?#\s]+)(?:[?#]\S*)?$",  # greedy (a lazy path backtracks per character)
    re.IGNORECASE,
)
_UNDECODABLE = re.compile(r"[?#%\s]")  # characters a decoded profile name must not hold
_EXTENSION = re.compile(r"(?i)\s*(?:ext\.?|extension|x|#)\s*\d{1,6}\s*$")
_NOT_DIGIT = re.compile(r"\D")


def plain_email(text: str) -> bool:
    """Whether ``text`` is an ordinary address that needs no closer look (see _EMAIL_LOCAL)."""
    return plain_emails([text])[0]


def plain_emails(texts: Iterable[str]) -> list[bool]:
    """:func:`plain_email` of each text, in one loop: a column of 100,000 costs ~0.06 s."""
    local_part = _EMAIL_LOCAL.fullmatch
    domains: dict[str, bool] = {}
    out = []
    for text in texts:
        local, at, domain = text.partition("@")
        plain = at == "@" and 0 < len(local) <= 64 and 6 <= len(text) <= 254 and local_part(local) is not None
        if plain:
            known = domains.get(domain)
            plain = domains.setdefault(domain, _plain_domain(domain)) if known is None else known
        out.append(plain)
    return out


def _plain_domain(domain: str) -> bool:
    """Whether an address's domain is ordinary: letter-digit labels, no "--", not special-use."""
    return "--" not in domain and _EMAIL_DOMAIN.fullmatch(domain) is not None


@lru_cache(maxsize=8192)
def email_problem(text: str) -> str | None:
    """Why ``text`` is not an email address, in email-validator's words; None when it is one.

    Syntax and normalisation only: no DNS lookup, so nothing leaves the machine.
    """
    if plain_email(text):
        return None
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        reason = _lower_first(str(error).removeprefix("The email address is not valid. ").rstrip("."))
        return re.sub(r"^(?:an|the) email address ", "it ", reason)  # "'bo' is not an email address: it must..."
    return None


def email_key(text: Any) -> str | None:
    """An address as duplicates are compared: surrounding spaces, "mailto:" and case ignored.

    None for a cell that does not hold one address (blank, no @, spaces inside).
    """
    if not isinstance(text, str):
        return None
    folded = unicodedata.normalize("NFC", text.strip())
    if folded[:7].lower() == "mailto:":
        folded = folded[7:].strip()
    local, at, domain = folded.rpartition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in folded):
        return None
    return folded.lower()


def gmail_key(key: str | None) -> str | None:
    """A Gmail address without the dots and +tag of its name (Gmail delivers them all to one inbox).

    Takes an :func:`email_key`; None for other domains. A weaker sign than the same address:
    other people may use the same name with dots in it elsewhere.
    """
    if key is None:
        return None
    local, _, domain = key.rpartition("@")
    if domain not in _GMAIL_DOMAINS:
        return None
    return local.split("+", 1)[0].replace(".", "") + "@gmail.com"


def is_linkedin_profile(text: Any) -> bool:
    """Whether ``text`` is a LinkedIn profile URL (:func:`linkedin_key` is not None), without building its key."""
    return isinstance(text, str) and _LINKEDIN.match(text.strip()) is not None


def linkedin_key(text: Any) -> str | None:
    """A LinkedIn profile URL as duplicates are compared, or None when ``text`` is not one.

    Scheme, www and country subdomains, a trailing slash, the query and fragment are dropped
    and the profile name is percent-decoded and lower-cased (LinkedIn ignores its case):
    "https://de.linkedin.com/in/Ana-Ng/?trk=x" -> "linkedin.com/in/ana-ng". Applied to its own
    result it gives the same key.
    """
    if not isinstance(text, str):
        return None
    match = _LINKEDIN.match(text.strip())
    if match is None:
        return None
    kind, path = match["kind"].lower(), match["path"]
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]  # one trailing slash is not part of the name
    if kind == "in":
        path = path.split("/", 1)[0]  # /in/ana-ng/details/experience is ana-ng's profile
    if "%" not in path:  # nothing to decode (the pattern already keeps ?, # and spaces out)
        return f"linkedin.com/{kind}/{path.lower()}"
    decoded = unquote(path)
    if decoded.count("/") != path.count("/") or _UNDECODABLE.search(decoded):
        decoded = path  # an encoded separator stays encoded, so the key reads back the same
    return f"linkedin.com/{kind}/{decoded.lower()}"


# -- phone numbers --------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def phone_problem(text: str, region: str | None, e164: bool = False) -> str | None:
    """Why ``text`` cannot be a valid phone number, or None when it can be.

    ``region`` (the schema's ``phone_region``, e.g. "US") is the country of numbers written
    without a country code. With ``e164``, a valid number not written as E.164 is a problem
    too, and the message gives its E.164 form.
    """
    import phonenumbers
    from phonenumbers import NumberParseException

    shown = text.strip()
    national = not shown.startswith(("+", "00"))
    try:
        number = phonenumbers.parse(shown, region)
    except NumberParseException as error:
        return _unparsed(shown, region, national, error.error_type)
    where = region if national and region else _region_name(number.country_code or 0)
    reason = phonenumbers.is_possible_number_with_reason(number)
    reasons = phonenumbers.ValidationResult
    hint = (
        f"; numbers without a country code are read as {region} numbers (phone_region in the schema)"
        if national and region
        else ""
    )
    if reason == reasons.TOO_SHORT or (reason == reasons.IS_POSSIBLE_LOCAL_ONLY and not national):
        return f"{shown} is too short for a {where} number{hint}"
    if reason == reasons.TOO_LONG:
        return f"{shown} is too long for a {where} number{hint}"
    if reason == reasons.INVALID_LENGTH:
        return f"{shown} has the wrong number of digits for a {where} number{hint}"
    if reason == reasons.IS_POSSIBLE_LOCAL_ONLY:
        return f"{shown} is only a local number; write it with its area code{hint}"
    if reason == reasons.INVALID_COUNTRY_CODE:
        return f"{shown} does not start with a country code that exists"
    if not phonenumbers.is_valid_number(number):
        return f"{shown} is not a valid {where} number (no such area code or number range){hint}"
    if e164:
        formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if shown != formatted:
            return f"{shown} is not written in E.164 form, as the schema asks; write {formatted}"
    return None


def _unparsed(shown: str, region: str | None, national: bool, kind: int) -> str:
    from phonenumbers import NumberParseException as Error

    if kind == Error.INVALID_COUNTRY_CODE:
        if national and region is None:
            return (
                f"{shown} has no country code, so it cannot be checked; write it with one (e.g. +1 617 555 0100) "
                "or set phone_region in the schema (e.g. phone_region: US)"
            )
        return f"{shown} does not start with a country code that exists"
    if kind in (Error.TOO_SHORT_NSN, Error.TOO_SHORT_AFTER_IDD):
        return f"{shown} is too short to be a phone number"
    if kind == Error.TOO_LONG:
        return f"{shown} is too long to be a phone number"
    return f"'{shown}' is not a phone number"


def _region_name(country_code: int) -> str:
    """The main country of a calling code ("US" for +1), or "+800" for a code of no country."""
    import phonenumbers

    region = phonenumbers.region_code_for_country_code(country_code)
    return f"+{country_code}" if region in ("ZZ", "001") else region


def phone_keys(texts: list[Any], region: str | None) -> list[str | None]:
    """Each phone number in E.164 form ("+16175550100") where another one may be the same; else None.

    A number that cannot be read in ``region`` is keyed by its digits. Only numbers that share
    their last seven digits with another are parsed (a number can only equal one that ends like
    it), so a sheet of distinct numbers costs no library call.
    """
    import phonenumbers

    tails: dict[str, list[int]] = {}
    digits: dict[int, str] = {}
    for i, text in enumerate(texts):
        if isinstance(text, str) and text.strip():
            digits[i] = _NOT_DIGIT.sub("", _EXTENSION.sub("", text))
            if len(digits[i]) >= 4:
                tails.setdefault(digits[i][-7:], []).append(i)
    keys: list[str | None] = [None] * len(texts)
    for members in tails.values():
        if len(members) < 2:
            continue
        for i in members:
            try:
                number = phonenumbers.parse(str(texts[i]).strip(), region)
            except phonenumbers.NumberParseException:
                number = None
            if number is not None and phonenumbers.is_possible_number(number):
                keys[i] = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            elif len(digits[i]) >= 7:
                keys[i] = digits[i]  # not readable in the region: the same digits are still the same number
    return keys


def valid_region(code: str) -> bool:
    """Whether ``code`` is a region phonenumbers knows ("US", "GB", "DE")."""
    import phonenumbers

    return code in phonenumbers.SUPPORTED_REGIONS


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


# -- duplicates -----------------------------------------------------------------------------------

# How much each kind of evidence says two rows are one person (combined as independent signs:
# 1 - product of (1 - weight)). A name alone never groups: namesakes are common.
_WEIGHTS = {"email": 0.9, "linkedin": 0.9, "phone": 0.7, "gmail": 0.6, "name": 0.35, "location": 0.25}
_SAME_NAME = 88  # rapidfuzz token_sort_ratio at or above which two names are the same name
_OTHER_NAME = 60  # below this, two names are clearly different people's (a shared inbox or phone)
GROUP_AT = 0.5  # the least confidence at which two rows are listed as one person


@dataclass(frozen=True)
class Pair:
    """Two rows (0-based positions, ``first`` < ``second``) that are probably one person, and why."""

    first: int
    second: int
    evidence: tuple[str, ...]
    confidence: float


@dataclass(frozen=True)
class Group:
    """Rows that are probably one person: their positions (ascending), the pairs that joined them."""

    members: tuple[int, ...]
    pairs: tuple[Pair, ...]

    @property
    def confidence(self) -> float:
        """As sure as the weakest pair joining the group (a chain is as strong as its weakest link)."""
        return min(p.confidence for p in self.pairs)


def duplicate_groups(
    names: Sequence[Any],
    emails: Sequence[Any],
    linkedins: Sequence[Any],
    phones: Sequence[Any],
    locations: Sequence[Any],
    region: str | None,
) -> list[Group]:
    """Groups of rows that are probably the same person (one entry per row in each sequence).

    Rows are paired by a shared email (after :func:`email_key`), LinkedIn profile
    (:func:`linkedin_key`), phone number (E.164, :func:`phone_keys`) or Gmail inbox
    (:func:`gmail_key`, weaker), or by the same name (rapidfuzz) in the same location when
    nothing they both have disagrees. Two rows whose emails, profiles or phones both exist and
    differ, and that share none, are never paired: namesakes stay apart. A shared address or
    phone with clearly different names counts for less (a family inbox, an office line).
    """
    from rapidfuzz import fuzz

    n = len(names)
    keys = {
        "email": [email_key(v) for v in emails],
        "linkedin": [linkedin_key(v) for v in linkedins],
        "phone": phone_keys(list(phones), region),
    }
    keys["gmail"] = [gmail_key(k) for k in keys["email"]]
    shown_names = [" ".join(str(v).split()) if isinstance(v, str) and v.strip() else None for v in names]
    folded = [_fold(v) if v else None for v in shown_names]
    places = [_fold(v) if isinstance(v, str) and v.strip() else None for v in locations]
    candidates: dict[tuple[int, int], set[str]] = {}
    for kind, values in keys.items():
        for members in _by_value(values).values():
            for a, b in _pairs(members):
                candidates.setdefault((a, b), set()).add(kind)
    for members in _by_value(
        [f"{p}|{' '.join(sorted(k.split()))}" if p and k else None for p, k in zip(places, folded, strict=True)]
    ).values():
        namesakes = list(_pairs(members, every=len(members) <= 50))
        if any(_conflicts(keys, a, b) for a, b in namesakes):
            continue  # two different people of this name here: the name cannot say which one a row is
        for a, b in namesakes:
            candidates.setdefault((a, b), set())
    found: list[Pair] = []
    for (a, b), kinds in candidates.items():
        if "email" in kinds:
            kinds.discard("gmail")
        name_a, name_b = folded[a], folded[b]
        similarity = fuzz.token_sort_ratio(name_a, name_b) if name_a and name_b else None
        conflicts = [k for k in ("email", "linkedin", "phone") if k not in kinds and keys[k][a] and keys[k][b]]
        conflicts = [k for k in conflicts if keys[k][a] != keys[k][b] and not (k == "email" and "gmail" in kinds)]
        evidence = [_said(kind, keys[kind][a]) for kind in ("email", "linkedin", "phone", "gmail") if kind in kinds]
        weights = [_WEIGHTS[k] for k in kinds]
        if similarity is not None and similarity >= _SAME_NAME:
            evidence.append(
                (
                    f"same name ({shown_names[a]})"
                    if shown_names[a] == shown_names[b]
                    else f"same name ({shown_names[a]} / {shown_names[b]})"
                )
                if similarity == 100
                else f"similar names ({shown_names[a]} / {shown_names[b]}, {similarity:.0f}%)"
            )
            weights.append(_WEIGHTS["name"])
            if not kinds and places[a] and places[a] == places[b] and not conflicts:
                evidence.append(f"same location ({locations[a]}), and no email, phone or profile that differs")
                weights.append(_WEIGHTS["location"])
        if not kinds and (len(weights) < 2 or conflicts):
            continue  # a name (and a place) alone, or namesakes with their own contact details
        confidence = 1.0
        for weight in weights:
            confidence *= 1 - weight
        confidence = 1 - confidence
        if similarity is not None and similarity < _OTHER_NAME:
            evidence.append(f"but the names differ ({shown_names[a]} / {shown_names[b]})")
            confidence *= 0.6
        if conflicts and kinds:
            evidence.append(
                "but " + ", ".join(f"the {k if k != 'linkedin' else 'LinkedIn profile'} differs" for k in conflicts)
            )
            confidence *= 0.8
        if confidence >= GROUP_AT:
            found.append(Pair(a, b, tuple(evidence), round(confidence, 2)))
    return _join(found, n)


def _conflicts(keys: dict[str, list[str | None]], a: int, b: int) -> bool:
    """Whether two rows both have an email, profile or phone, and they differ (two people)."""
    return any(keys[k][a] and keys[k][b] and keys[k][a] != keys[k][b] for k in ("email", "linkedin", "phone"))


def _fold(text: str) -> str:
    """A name or place as compared: accents, case and extra spaces ignored ("José  Lima" = "jose lima")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _by_value(values: Sequence[str | None]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for i, value in enumerate(values):
        if value:
            groups.setdefault(value, []).append(i)
    return {k: v for k, v in groups.items() if len(v) > 1}


def _pairs(members: list[int], every: bool = False) -> Iterator[tuple[int, int]]:
    """Each row with the first of its kind (a group of n rows gives n - 1 pairs, not n²).

    With ``every``, each two rows (namesakes must each be compared with each: the first may be
    someone else).
    """
    if every:
        yield from itertools.combinations(members, 2)
        return
    first = members[0]
    for other in members[1:]:
        yield first, other


def _said(kind: str, a: str | None) -> str:
    if kind == "email":
        return f"same email ({a})"
    if kind == "linkedin":
        return f"same LinkedIn profile ({a})"
    if kind == "phone":
        return f"same phone number ({a})"
    return f"same Gmail inbox ({a}; Gmail ignores dots and +tags, a weaker sign)"


def _join(pairs: list[Pair], n: int) -> list[Group]:
    """Union the pairs into groups, in order of their first row."""
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for pair in pairs:
        ra, rb = root(pair.first), root(pair.second)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    by_root: dict[int, list[Pair]] = {}
    for pair in pairs:
        by_root.setdefault(root(pair.first), []).append(pair)
    groups = [
        Group(tuple(sorted({i for p in members for i in (p.first, p.second)})), tuple(members))
        for members in by_root.values()
    ]
    return sorted(groups, key=lambda g: g.members[0])


def person_details(frame: Any) -> tuple[list[Any], list[Any], list[Any], list[Any], list[Any]]:
    """Per row of a typed frame: (names, emails, LinkedIn URLs, phones, locations), as
    :func:`duplicate_groups` takes them. The name is First + Last Name, else a ``name`` field;
    a field the sheet lacks gives None for every row.
    """
    n = len(frame)

    def column(name: str) -> list[Any]:
        return frame[name].astype(object).tolist() if name in frame else [None] * n

    parts = [column(f) for f in ("first_name", "last_name") if f in frame]
    if parts:
        names: list[Any] = [
            " ".join(str(p) for p in ps if isinstance(p, str) and p.strip()) or None for ps in zip(*parts, strict=True)
        ]
    else:
        names = column("name")
    return names, column("email"), column("linkedin_url"), column("phone"), column("location")


def groups_in(frame: Any, schema: Any) -> list[Group]:
    """:func:`duplicate_groups` of a typed frame (rows by position), read through the schema's fields."""
    names, emails, urls, phones, places = person_details(frame)
    return duplicate_groups(names, emails, urls, phones, places, schema.phone_region)
