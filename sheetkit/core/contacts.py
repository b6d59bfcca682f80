"""Contact details: what an email address, a phone number and a LinkedIn profile URL are.

One home for each: the validation checks ask here whether a cell holds one (and why not), and
duplicate detection compares people by the keys made here, so the two never disagree. The
field's own libraries decide: email-validator (syntax only, never a network lookup) and
phonenumbers (Google's libphonenumber metadata). Both are imported on first use.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

# An address email-validator certainly accepts (ASCII dot-atoms, a letters-only top-level domain
# that is not special-use): checked with one regular expression, so a sheet of 100,000 ordinary
# addresses costs no library call. Anything else is email-validator's to judge
# (tests/test_contacts.py checks that everything this accepts, email-validator accepts).
_PLAIN_EMAIL = re.compile(
    r"^(?=[^@]{1,64}@)(?=.{6,254}$)(?!.*@.*--)"
    r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
    r"(?<!\.test)(?<!\.local)(?<!\.localhost)(?<!\.invalid)(?<!\.onion)(?<!\.arpa)$",
    re.IGNORECASE,
)
_GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})

# linkedin.com/in/<slug> (a vanity URL) or linkedin.com/pub/<name>/<a>/<b>/<c> (an old public
# one), with or without scheme, www or a country subdomain (de.linkedin.com), a trailing path
# (/details/experience, /en), a query (?trk=...) or a fragment.
_LINKEDIN = re.compile(
    r"^(?:https?://)?(?:(?:www|mobile|m|[a-z]{2,3})\.)?linkedin\.com"
    r"/(?P<kind>in|pub)/(?P<path>[^?#\s]+?)/?(?:[?#]\S*)?$",
    re.IGNORECASE,
)
_EXTENSION = re.compile(r"(?i)\s*(?:ext\.?|extension|x|#)\s*\d{1,6}\s*$")
_NOT_DIGIT = re.compile(r"\D")


def plain_email(text: str) -> bool:
    """Whether ``text`` is an ordinary address that needs no closer look (see _PLAIN_EMAIL)."""
    return _PLAIN_EMAIL.match(text) is not None


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
    if kind == "in":
        path = path.split("/", 1)[0]  # /in/ana-ng/details/experience is ana-ng's profile
    decoded = unquote(path)
    if decoded.count("/") != path.count("/") or any(c in "?#%" or c.isspace() for c in decoded):
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
