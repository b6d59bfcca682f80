"""Who fits a new role: ranking by title (and location), remote, exclusions, outputs, other schemas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import AS_OF, contact

from sheetkit.api import check
from sheetkit.core.schema_file import load_schema, parse_schema
from sheetkit.errors import UsageError
from sheetkit.lists.match import match, normalize_title, title_score


def person(first: str, title: str, where: str | None, status: str = "Not this role") -> dict[str, Any]:
    return contact(
        **{
            "First Name": first,
            "Email": f"{first.lower()}@example.com",
            "Desired Title": title,
            "Desired Location": where,
            "Status": status,
        }
    )


def pool() -> list[dict[str, Any]]:
    return [
        person("Exact", "Senior Data Engineer", "Boston"),  # row 2
        person("Shorter", "Data Engineer", "Boston, MA"),  # row 3
        person("Remote", "Data Engineer", "Remote"),  # row 4
        person("Abbrev", "Sr. Data Eng", "New York"),  # row 5
        person("Bare", "Engineer", "Boston"),  # row 6
        person("Other", "Product Designer", "Boston"),  # row 7
        person("Happy", "Senior Data Engineer", "Boston", status="Not looking"),  # row 8
        person("Never", "Senior Data Engineer", "Boston", status="Do not contact"),  # row 9
        person("Blank", "", "Boston"),  # row 10
    ]


def test_title_scores_by_hand() -> None:
    assert normalize_title("Sr. Data Eng") == "senior data engineer"
    assert title_score("Senior Data Engineer", "senior data engineer") == 100
    # token_set 100 (every word shared), token_sort 2*13/(20+13) = 78.8: mean 89
    assert title_score("Data Engineer", "Senior Data Engineer") == 89
    # token_set 100, token_sort 2*8/(8+20) = 57.1: mean 78.6; but only "engineer" of the role's defining
    # words "data engineer" is there (seniority words do not count): 78.6 * 1/2 = 39
    assert title_score("Engineer", "Senior Data Engineer") == 39
    assert title_score("ML Engineer", "Data Engineer") < 60  # sharing "engineer" is not enough
    assert title_score("Data Engineering Manager", "Data Engineer") < title_score("Big Data Engineer", "Data Engineer")
    assert title_score("Product Designer", "Senior Data Engineer") < 60


def test_ranked_by_title_alone(make_workbook: Any) -> None:
    found = match(check(make_workbook(pool()), as_of=AS_OF), title="Senior Data Engineer")
    assert [(m.name, m.score) for m in found] == [
        ("Exact Lima", 100),
        ("Abbrev Lima", 100),
        ("Shorter Lima", 89),
        ("Remote Lima", 89),
    ]  # "Engineer" alone (Bare) is not a data engineer
    first = found.rows[0]
    assert (first.row, first.cell, first.email, first.status) == (
        2,
        "Contacts!A2",
        "exact@example.com",
        "not_this_role",
    )
    assert first.location_score is None
    assert found.rows[2].why == "title 'Senior Data Engineer' ~ 'Data Engineer' (89); wants Boston, MA"


def test_location_weighs_in(make_workbook: Any) -> None:
    found = match(check(make_workbook(pool()), as_of=AS_OF), title="Senior Data Engineer", location="Boston")
    scores = {m.name: (m.score, m.title_score, m.location_score) for m in found}
    # 0.7 * title + 0.3 * location
    assert scores["Exact Lima"] == (100, 100, 100)
    assert scores["Shorter Lima"] == (92, 89, 100)  # 62.3 + 30
    assert "Bare Lima" not in scores  # the right place does not make up for the wrong role
    assert scores["Abbrev Lima"][0] < 92 and scores["Abbrev Lima"][2] < 50  # New York is not Boston
    assert "Remote Lima" in scores and scores["Remote Lima"][2] < 50  # remote not accepted: just a place
    assert [m.name for m in found][:2] == ["Exact Lima", "Shorter Lima"]
    assert found.rows[1].why == "title 'Senior Data Engineer' ~ 'Data Engineer' (89); wants Boston, MA (100)"


def test_remote_ok_matches_any_location(make_workbook: Any) -> None:
    found = match(
        check(make_workbook(pool()), as_of=AS_OF), title="Senior Data Engineer", location="Seattle", remote_ok=True
    )
    remote = next(m for m in found if m.name == "Remote Lima")
    assert (remote.score, remote.location_score) == (92, 100)
    assert remote.why.endswith("; wants Remote (remote OK)")
    assert found.rows[0].name == "Remote Lima"


def test_not_looking_excluded_unless_asked(make_workbook: Any) -> None:
    checked = check(make_workbook(pool()), as_of=AS_OF)
    assert "Happy Lima" not in [m.name for m in match(checked, title="Senior Data Engineer")]
    included = match(checked, title="Senior Data Engineer", include_not_looking=True)
    happy = next(m for m in included if m.name == "Happy Lima")
    assert (happy.score, happy.status) == (100, "not_looking")


def test_do_not_contact_and_blank_titles_never_listed(make_workbook: Any) -> None:
    checked = check(make_workbook(pool()), as_of=AS_OF)
    names = [m.name for m in match(checked, title="Senior Data Engineer", include_not_looking=True, min_score=0)]
    assert "Never Lima" not in names and "Blank Lima" not in names
    assert "Other Lima" in names  # min_score 0 lets a weak title through


def test_limit_and_min_score(make_workbook: Any) -> None:
    checked = check(make_workbook(pool()), as_of=AS_OF)
    assert [m.name for m in match(checked, title="Senior Data Engineer", limit=2)] == ["Exact Lima", "Abbrev Lima"]
    assert len(match(checked, title="Senior Data Engineer", min_score=90)) == 2
    assert len(match(checked, title="Chef")) == 0
    with pytest.raises(UsageError, match="limit"):
        match(checked, title="x", limit=0)
    with pytest.raises(UsageError, match="min_score"):
        match(checked, title="x", min_score=101)
    with pytest.raises(UsageError, match="title"):
        match(checked, title="  ")


def test_outputs(make_workbook: Any) -> None:
    found = match(check(make_workbook(pool()), as_of=AS_OF), title="Senior Data Engineer", location="Boston", limit=2)
    data = json.loads(found.to_json())
    assert (data["title"], data["location"], data["count"]) == ("Senior Data Engineer", "Boston", 2)
    assert data["rows"][0]["score"] == 100 and data["rows"][0]["desired_location"] == "Boston"
    csv_text = found.to_csv()
    assert csv_text is not None
    assert csv_text.splitlines()[0] == "Score,Row,Name,Desired Title,Desired Location,Status,Email,Phone,Why"
    text = found.to_text().splitlines()
    assert text[0] == "Matches for 'Senior Data Engineer' in Boston, min score 60"
    assert text[4].endswith("title 'Senior Data Engineer' ~ 'Data Engineer' (89); wants Boston, MA (100)")  # not cut
    assert list(found.to_frame()["score"]) == [100, 92]
    assert "<table>" in found._repr_html_() and len(found) == 2
    assert repr(found) == "<MatchList: 2 matches, Matches for 'Senior Data Engineer' in Boston, min score 60>"


def test_dataframe_source() -> None:
    frame = pd.DataFrame(
        {
            "First Name": ["Ana", "Bo"],
            "Status": ["Not this role", "Engaged"],
            "Last Contacted": [None, None],
            "Target Role": ["Staff Data Engineer", "Recruiter"],
        }
    )
    found = match(check(frame, as_of=AS_OF), title="Data Engineer")
    assert [m.name for m in found] == ["Ana"] and found.rows[0].desired_location is None


def test_job_search_schema_has_no_desired_title() -> None:
    frame = pd.DataFrame({"Company": ["Acme"], "Role": ["Data Engineer"], "Status": ["Applied"]})
    checked = check(frame, schema="job_search", as_of=AS_OF)
    with pytest.raises(UsageError, match=r"'desired_title' field, and the schema 'job_search' has none"):
        match(checked, title="Data Engineer")


def test_job_search_schema_with_the_fields_added_works() -> None:
    text = Path(load_schema("job_search").path).read_text(encoding="utf-8")
    extra = (
        "  desired_title:\n    header: Desired Title\n    type: text\n"
        "  desired_location:\n    header: Desired Location\n    type: text\n"
    )
    schema = parse_schema(text.replace("\nstatuses:\n", f"\n{extra}\nstatuses:\n", 1))
    frame = pd.DataFrame(
        {
            "Company": ["Acme", "Globex", "Initech"],
            "Role": ["x", "y", "z"],
            "Recruiter Email": ["a@acme.com", "g@globex.com", "i@initech.com"],
            "Status": ["Rejected", "Withdrawn", "Applied"],
            "Desired Title": ["Data Engineer", "Data Engineer", "Data Analyst"],
            "Desired Location": ["Boston", "Boston", "Remote"],
        }
    )
    found = match(check(frame, schema=schema, as_of=AS_OF), title="Data Engineer", location="Boston")
    # withdrawn has no cadence: never contacted again, so never matched
    assert [(m.name, m.score, m.email) for m in found] == [("Acme", 100, "a@acme.com")]


def test_missing_column_is_named(make_workbook: Any) -> None:
    headers = ["First Name", "Email", "Status", "Last Contacted", "Desired Title"]
    checked = check(make_workbook([contact()], headers=headers), as_of=AS_OF)
    with pytest.raises(UsageError, match="'Desired Location' column"):
        match(checked, title="Data Engineer", location="Boston")
    assert len(match(checked, title="Data Engineer")) == 1
