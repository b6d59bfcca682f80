"""Contact details: email (email-validator), phone (phonenumbers) and LinkedIn URLs, as checks and as keys."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import AS_OF, WorkbookFactory, contact
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

import sheetkit
from sheetkit.core.contacts import (
    email_key,
    email_problem,
    gmail_key,
    is_linkedin_profile,
    linkedin_key,
    phone_keys,
    phone_problem,
    plain_email,
)
from sheetkit.core.schema_file import load_schema, parse_schema
from sheetkit.errors import SchemaFileError

BUNDLED = Path(load_schema().path).read_text(encoding="utf-8")


def schema_text(*, phone_check: str = "[phone]", region: str = "US") -> str:
    """The bundled schema with the phone check on (and another phone region)."""
    text = BUNDLED.replace("phone_region: US", f"phone_region: {region}")
    return text.replace(
        "    aliases: [Phone Number, Mobile, Cell, Telephone, Tel]\n    type: text\n",
        f"    aliases: [Phone Number, Mobile, Cell, Telephone, Tel]\n    type: text\n    checks: {phone_check}\n",
    )


# -- email ---------------------------------------------------------------------------------------

_ATEXT = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-."
_LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)
_TLD = st.from_regex(r"[a-z]{1,8}", fullmatch=True) | st.sampled_from(["test", "local", "onion", "arpa", "invalid"])


@st.composite
def addresses(draw: st.DrawFn) -> str:
    local = draw(st.text(alphabet=_ATEXT, min_size=1, max_size=70))
    labels = draw(st.lists(_LABEL, min_size=0, max_size=3))
    return f"{local}@{'.'.join([*labels, draw(_TLD)])}"


@settings(max_examples=400, deadline=None)
@given(addresses() | st.text(max_size=40))
def test_every_address_the_fast_path_accepts_email_validator_accepts(text: str) -> None:
    if plain_email(text):
        validate_email(text, check_deliverability=False)  # raises if the fast path was wrong
    try:
        validate_email(text, check_deliverability=False)
        accepted = True
    except EmailNotValidError:
        accepted = False
    assert (email_problem(text) is None) == accepted


# The single expression plain_email used until 2026-12-04, kept as the reference for its faster form.
_ONE_EXPRESSION = re.compile(
    r"^(?=[^@]{1,64}@)(?=.{6,254}$)(?!.*@.*--)"
    r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
    r"(?<!\.test)(?<!\.local)(?<!\.localhost)(?<!\.invalid)(?<!\.onion)(?<!\.arpa)$",
    re.IGNORECASE,
)
# Characters where the two forms could part: case-folding lookalikes (Kelvin sign, long s, dotless i),
# a second @, dots, hyphens, digits, the set's other signs and a letter outside it.
_TRICKY = "aZ09._%+-@@--..\u212a\u017f\u0131\u0130\xe9 !"


@settings(max_examples=1500, deadline=None)
@given(
    addresses()
    | st.text(alphabet=_TRICKY, max_size=30)
    | st.builds(lambda a, b: f"{a}@{b}", st.text(alphabet=_TRICKY, max_size=70), st.text(alphabet=_TRICKY, max_size=12))
)
def test_the_plain_address_check_is_the_single_expression_it_replaced(text: str) -> None:
    assert plain_email(text) == (_ONE_EXPRESSION.match(text) is not None)


def test_the_plain_address_check_on_its_edges() -> None:
    assert plain_email("ana.ng@example.com") and plain_email("Ana_N+jobs@Mail.Example.CO")
    long_local, long_domain = "a" * 64, ".".join(["b" * 60] * 4) + ".com"  # 64-character local part; 247-char domain
    assert plain_email(f"{long_local}@ex.com") and not plain_email(f"a{long_local}@ex.com")
    assert len(f"abcdef@{long_domain}") == 254 and plain_email(f"abcdef@{long_domain}")
    assert not plain_email(f"abcdefg@{long_domain}")  # 255 characters: over the limit
    for text in ("a@b.c", "ana@ex--ample.com", "ana@example.test", "ana@@example.com", "ana@example", ".ana@ex.com"):
        assert not plain_email(text), text
    assert not plain_email("ana@example.com\n")  # the old expression's $ let a final newline through


@settings(max_examples=300, deadline=None)
@given(addresses(), addresses(), st.sampled_from(["", " ", "  \t"]), st.booleans())
def test_email_key_is_idempotent_and_never_merges_two_addresses(a: str, b: str, pad: str, shout: bool) -> None:
    key = email_key(pad + (a.upper() if shout else a) + pad)
    assert key is None or email_key(key) == key
    assert email_key(a) == email_key(a.upper()) == email_key(f" mailto:{a} ")
    if email_key(a) is not None and a.lower() != b.lower():
        assert email_key(a) != email_key(b)


def test_email_key_and_the_weaker_gmail_key() -> None:
    assert email_key(" Ana.Ng@Example.org ") == "ana.ng@example.org"
    assert email_key("not an address") is None and email_key("ana@") is None and email_key(None) is None
    assert gmail_key(email_key("Ana.Ng+jobs@googlemail.com")) == gmail_key(email_key("anang@gmail.com")) == "anang@gmail.com"
    assert gmail_key(email_key("ana.ng@example.org")) is None


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("bo@", "there must be something after the @-sign"),
        ("dana.kowalski.example.com", "it must have an @-sign"),
        ("a..b@example.com", "it cannot have two periods in a row"),
        ("ana@foo.test", "the part after the @-sign is a special-use or reserved name that cannot be used with email"),
        ("ana ng@example.com", "it contains invalid characters before the @-sign: SPACE"),
    ],
)
def test_email_messages_say_what_is_wrong(make_workbook: WorkbookFactory, text: str, why: str) -> None:
    report = sheetkit.validate(make_workbook([contact(Email=text)]), as_of=AS_OF)
    (problem,) = report.problems
    assert (problem.cell, problem.rule, problem.severity) == ("Contacts!C2", "email", "error")
    assert problem.message == f"'{text}' is not an email address: {why} (expected name@example.com)"


def test_international_and_unusual_addresses_are_emails(make_workbook: WorkbookFactory) -> None:
    rows = [
        contact(Email=email, **{"LinkedIn URL": None})
        for email in ("josé@exämple.de", "o'brien@example.com", "ana+jobs@example.co.uk", "x@b.io")
    ]
    for i, row in enumerate(rows):
        row["Phone"] = f"+1 617 555 01{i:02d}"
    assert sheetkit.validate(make_workbook(rows), as_of=AS_OF).problems == []


# -- LinkedIn -------------------------------------------------------------------------------------

_SLUG = st.from_regex(r"[a-zA-Z0-9][a-zA-Z0-9-]{1,28}[a-zA-Z0-9]", fullmatch=True) | st.text(
    alphabet="abcdéüßøñ漢字-", min_size=2, max_size=12
)


@st.composite
def profile_urls(draw: st.DrawFn, slug: str) -> str:
    scheme = draw(st.sampled_from(["", "http://", "https://", "HTTPS://"]))
    host = draw(st.sampled_from(["", "www.", "de.", "uk.", "mobile.", "WWW."]))
    case = draw(st.sampled_from([str, str.upper, str.lower, str.title]))
    tail = draw(st.sampled_from(["", "/", "?trk=public_profile", "/?originalSubdomain=de", "#about", "/details/experience/"]))
    return f"{scheme}{host}linkedin.com/in/{case(slug)}{tail}"


@settings(max_examples=300, deadline=None)
@given(st.data(), _SLUG, _SLUG)
def test_linkedin_key_is_idempotent_and_never_merges_two_profiles(data: st.DataObject, one: str, other: str) -> None:
    first, again = data.draw(profile_urls(one)), data.draw(profile_urls(one))
    key = linkedin_key(first)
    assert key is not None and linkedin_key(key) == key
    if str.upper(one).lower() == one.lower():  # a slug whose case folds back (not ß -> SS -> ss)
        assert linkedin_key(again) == key
    if one.lower() != other.lower() and one.upper().lower() == one.lower() and other.upper().lower() == other.lower():
        assert linkedin_key(data.draw(profile_urls(other))) != key


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://linkedin.com/in/ana-ng/", "linkedin.com/in/ana-ng"),
        ("www.linkedin.com/in/ana-ng?trk=people-guest", "linkedin.com/in/ana-ng"),
        ("https://de.linkedin.com/in/Ana-Ng", "linkedin.com/in/ana-ng"),
        ("linkedin.com/in/ana%2Dng/", "linkedin.com/in/ana-ng"),
        ("https://www.linkedin.com/in/jos%C3%A9-lima", "linkedin.com/in/josé-lima"),
        ("https://www.linkedin.com/pub/ana-ng/12/345/678", "linkedin.com/pub/ana-ng/12/345/678"),
        ("https://www.linkedin.com/company/acme", None),
        ("https://example.com/in/ana-ng", None),
        ("linkedin.com/in/", None),
    ],
)
def test_linkedin_urls(url: str, key: str | None) -> None:
    assert linkedin_key(url) == key
    assert is_linkedin_profile(url) == (key is not None)  # the check validation runs, without the key


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), st.none(), st.integers(), _SLUG.map(lambda s: f" linkedin.com/pub/{s} ")))
def test_the_profile_check_agrees_with_the_key(text: object) -> None:
    assert is_linkedin_profile(text) == (linkedin_key(text) is not None)


# -- phone ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "region", "problem"),
    [
        ("+1 617 555 0100", "US", None),
        ("(617) 555-0100", "US", None),
        ("617.555.0100", "US", None),
        ("+44 20 7946 0018", "US", None),
        ("020 7946 0018", "GB", None),
        ("+49 30 901820", "GB", None),
        ("030 901820", "DE", None),
        ("+33 1 42 68 53 00", None, None),
        ("+91 98765 43210", None, None),
        ("+81 3-3224-5000", None, None),
        ("+55 11 91234-5678", None, None),
        ("+61 2 9876 5432", None, None),
        ("+1 617 555 01", "US", "+1 617 555 01 is too short for a US number"),
        ("+1 617 555 01234", "US", "+1 617 555 01234 is too long for a US number"),
        ("+1 200 555 0100", "US", "+1 200 555 0100 is not a valid US number (no such area code or number range)"),
        (
            "020 7946 0018",
            "US",
            "020 7946 0018 is too long for a US number; numbers without a "
            "country code are read as US numbers (phone_region in the schema)",
        ),
        ("+44 20 7946", None, "+44 20 7946 is too short for a GB number"),
        ("+49 30 12", None, "+49 30 12 is not a valid DE number (no such area code or number range)"),
        ("+1 200 555 0100", None, "+1 200 555 0100 is not a valid US number (no such area code or number range)"),
        ("+999 1234 5678", "US", "+999 1234 5678 does not start with a country code that exists"),
        ("call me", "US", "'call me' is not a phone number"),
        (
            "555-0100",
            "US",
            "555-0100 is only a local number; write it with its area code; numbers without a country code are "
            "read as US numbers (phone_region in the schema)",
        ),
        (
            "617 555 0100",
            None,
            "617 555 0100 has no country code, so it cannot be checked; write it with one (e.g. +1 617 555 0100) "
            "or set phone_region in the schema (e.g. phone_region: US)",
        ),
    ],
)
def test_phone_numbers_from_several_regions(text: str, region: str | None, problem: str | None) -> None:
    assert phone_problem(text, region) == problem


def test_e164_form_is_offered_when_asked() -> None:
    assert phone_problem("+16175550100", "US", True) is None
    assert phone_problem("(617) 555-0100", "US", True) == (
        "(617) 555-0100 is not written in E.164 form, as the schema asks; write +16175550100"
    )


def test_phone_keys_compare_numbers_as_e164() -> None:
    keys = phone_keys(["+1 617 555 0100", "(617) 555-0100 ext. 12", "617.555.0199", "07700 900123", "07700-900123", None], "US")
    assert keys == ["+16175550100", "+16175550100", None, "07700900123", "07700900123", None]


def test_phone_check_through_the_cli(make_workbook: WorkbookFactory, tmp_path: Path) -> None:
    schema = tmp_path / "contacts.yaml"
    schema.write_text(schema_text(), encoding="utf-8")
    rows = [
        contact(),
        contact(Email="bo@example.com", Phone="+1 617 555 01"),
        contact(Email="cy@example.com", Phone="(617) 555-0101"),
        contact(Email="di@example.com", Phone="+44 20 7946 0018"),
    ]
    path = make_workbook(rows)
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    argv = [sys.executable, "-m", "sheetkit", "validate", str(path), "--schema", str(schema), "--as-of", "2026-11-21"]
    done = subprocess.run([*argv, "--format", "json"], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1, done.stderr
    (problem,) = json.loads(done.stdout)["problems"]
    assert problem["cell"] == "Contacts!D3" and problem["rule"] == "phone" and problem["severity"] == "warning"
    assert problem["message"] == "+1 617 555 01 is too short for a US number"
    text = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120).stdout
    assert "+1 617 555 01 is too short for a US number" in text

    strict = tmp_path / "strict.yaml"
    strict.write_text(schema_text(phone_check="[{phone: {value: e164, severity: error}}]"), encoding="utf-8")
    report = sheetkit.validate(path, schema=strict, as_of=AS_OF)
    assert {(p.cell, p.severity) for p in report.problems} == {
        (f"Contacts!D{r}", "error") for r in (2, 3, 4, 5)
    }
    assert "(617) 555-0101 is not written in E.164 form, as the schema asks; write +16175550101" in report.to_text()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("phone_region: US", "phone_region: XX"), "unknown phone region 'XX'; use a two-letter country code"),
        (("phone_region: US", "phone_region: [US]"), "expected a non-empty text"),
    ],
)
def test_schema_phone_region_is_checked(change: tuple[str, str], message: str) -> None:
    with pytest.raises(SchemaFileError, match=message) as caught:
        parse_schema(BUNDLED.replace(*change))
    assert "phone_region" in str(caught.value)


def test_schema_phone_check_argument_and_default_severity() -> None:
    schema = parse_schema(schema_text())
    (check,) = schema.fields["phone"].checks
    assert (check.name, check.argument, check.severity) == ("phone", None, "warning")
    assert parse_schema(schema_text(region="null")).phone_region is None
    assert parse_schema(schema_text(region="gb")).phone_region == "GB"
    with pytest.raises(SchemaFileError, match="check 'phone' takes e164"):
        parse_schema(schema_text(phone_check="[{phone: international}]"))
