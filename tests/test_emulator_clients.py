"""Other real clients against the emulator: gspread-dataframe, gspread-formatting and gspread-pandas.

Each is used as its documentation shows, over real HTTP, and what it wrote is read back through
it; the emulator must answer every call these libraries make as Google would.
"""

from __future__ import annotations

import datetime as dt

import gspread
import pandas as pd

from sheetkit.testing import AnonymousCredentials, SheetsEmulator, emulator_session

Client = gspread.Client


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Name": ["Ana Ng", "Bo Li", "Cy Oh"],
            "Email": ["ana@example.org", "bo@example.org", ""],
            "Years": [3, 12, 7],
            "Score": [4.5, 3.25, 5.0],
        }
    )


def test_gspread_dataframe_round_trip(gspread_client: Client) -> None:
    from gspread_dataframe import get_as_dataframe, set_with_dataframe

    ws = gspread_client.create("frames").sheet1
    frame = _frame()
    set_with_dataframe(ws, frame, resize=True)
    assert (ws.row_count, ws.col_count) == (4, 4)
    back = get_as_dataframe(ws, evaluate_formulas=True).fillna("")
    assert back["Name"].tolist() == frame["Name"].tolist()
    assert back["Email"].tolist() == frame["Email"].tolist()
    assert back["Years"].tolist() == [3, 12, 7]
    assert back["Score"].tolist() == [4.5, 3.25, 5.0]
    set_with_dataframe(ws, frame.head(1), row=5, include_column_header=False)  # past the grid: it grows
    assert ws.row_values(5) == ["Ana Ng", "ana@example.org", "3", "4.5"]


def test_gspread_formatting_round_trip(gspread_client: Client) -> None:
    import gspread_formatting as gf

    ws = gspread_client.create("formats").sheet1
    ws.update([["Name", "Due"], ["Ana", "2024-05-01"]], "A1", value_input_option="USER_ENTERED")
    header = gf.CellFormat(
        backgroundColor=gf.Color(0.9, 0.9, 1), textFormat=gf.TextFormat(bold=True), horizontalAlignment="CENTER"
    )
    gf.format_cell_range(ws, "A1:B1", header)
    assert gf.get_user_entered_format(ws, "A1").textFormat.bold is True
    effective = gf.get_effective_format(ws, "B1")
    assert effective.textFormat.bold is True and effective.horizontalAlignment == "CENTER"
    gf.format_cell_ranges(ws, [("B2", gf.CellFormat(numberFormat=gf.NumberFormat("DATE", "yyyy-mm-dd")))])
    assert gf.get_user_entered_format(ws, "B2").numberFormat.pattern == "yyyy-mm-dd"
    gf.set_frozen(ws, rows=1)
    gf.set_column_width(ws, "A", 240)
    gf.set_row_height(ws, "1", 42)
    assert gf.get_frozen_row_count(ws) == 1
    rule = gf.DataValidationRule(gf.BooleanCondition("ONE_OF_LIST", ["open", "closed"]), showCustomUi=True)
    gf.set_data_validation_for_cell_range(ws, "C2:C5", rule)
    assert gf.get_data_validation_rule(ws, "C3").condition.type == "ONE_OF_LIST"
    rules = gf.get_conditional_format_rules(ws)
    rules.append(
        gf.ConditionalFormatRule(
            ranges=[gf.GridRange.from_a1_range("A2:A5", ws)],
            booleanRule=gf.BooleanRule(
                condition=gf.BooleanCondition("TEXT_CONTAINS", ["Ana"]),
                format=gf.CellFormat(textFormat=gf.TextFormat(italic=True)),
            ),
        )
    )
    rules.save()
    again = gf.get_conditional_format_rules(ws)
    assert len(again) == 1 and again[0].booleanRule.condition.type == "TEXT_CONTAINS"
    again.clear()
    again.save()
    assert len(gf.get_conditional_format_rules(ws)) == 0
    meta = ws.spreadsheet.fetch_sheet_metadata()["sheets"][0]
    assert meta["properties"]["gridProperties"]["frozenRowCount"] == 1


def test_gspread_pandas_round_trip(sheets_emulator: SheetsEmulator) -> None:
    from gspread_pandas import Client as PandasClient
    from gspread_pandas import Spread

    session = emulator_session(sheets_emulator.url)
    session.credentials = AnonymousCredentials()  # type: ignore[attr-defined]
    client = PandasClient(session=session)  # reads Drive's files/root to start
    assert client.root["name"] == "My Drive"
    sid = sheets_emulator.create_spreadsheet("pandas", ["Data"])
    spread = Spread(sid, sheet="Data", client=client)
    frame = _frame().set_index("Name")
    frame["Since"] = [dt.date(2024, 1, 2).isoformat(), "2023-06-30", "2022-12-01"]
    spread.df_to_sheet(frame, index=True, sheet="Data", replace=True)
    back = spread.sheet_to_df(index=1, sheet="Data")
    assert back.index.tolist() == ["Ana Ng", "Bo Li", "Cy Oh"]
    assert back["Email"].tolist() == ["ana@example.org", "bo@example.org", ""]
    assert back["Years"].tolist() == ["3", "12", "7"]
    spread.df_to_sheet(frame.head(2), index=True, sheet="Added", start="A3", replace=True)
    assert [ws.title for ws in spread.sheets] == ["Data", "Added"]
    assert spread.sheet_to_df(index=1, sheet="Added", start_row=3).index.tolist() == ["Ana Ng", "Bo Li"]
