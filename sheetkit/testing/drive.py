"""The slice of Drive v3 (and one v2 upload) that gspread uses, over the emulator's spreadsheets.

gspread creates, finds, copies, exports and deletes spreadsheets through Drive: ``create``,
``open``/``openall`` (a ``q`` search), ``open_by_key`` (files.get for metadata), ``copy``,
``export`` and ``import_csv``. Every file in the emulator is a spreadsheet.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from sheetkit.testing.meta import apply_mask, parse_mask
from sheetkit.testing.model import ApiError, Sheet, Spreadsheet, new_spreadsheet_id, now_rfc3339
from sheetkit.testing.values import parse_user_entered

SHEETS_MIME = "application/vnd.google-apps.spreadsheet"


def _drive_error(code: int, message: str, reason: str, location: str) -> ApiError:
    """Drive v3 errors have no "status" but an "errors" list."""
    detail = {
        "message": message,
        "domain": "global",
        "reason": reason,
        "location": location,
        "locationType": "parameter",
    }
    return ApiError(code, message, raw={"error": {"code": code, "message": message, "errors": [detail]}})


def not_found(file_id: str) -> ApiError:
    return _drive_error(404, f"File not found: {file_id}.", "notFound", "fileId")


def invalid(message: str, location: str = "q") -> ApiError:
    return _drive_error(400, message, "invalid", location)


def file_resource(book: Spreadsheet) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": "drive#file",
        "id": book.spreadsheet_id,
        "name": book.title,
        "mimeType": SHEETS_MIME,
        "createdTime": book.created,
        "modifiedTime": book.modified,
        "trashed": False,
        "webViewLink": f"https://docs.google.com/spreadsheets/d/{book.spreadsheet_id}/edit?usp=drivesdk",
        "owners": [{"kind": "drive#user", "emailAddress": book.owner, "me": True}],
    }
    if book.parents:
        out["parents"] = list(book.parents)
    return out


FOLDER_MIME = "application/vnd.google-apps.folder"
ROOT_ID = "0AEmulatorRootFolderUk9PVA"  # the shape of a My Drive id ("...Uk9PVA" is base64 for "ROOT")


def root_folder(fields: str | None) -> dict[str, Any]:
    """files/root: the account's My Drive folder (gspread-pandas reads it to start)."""
    full = {"kind": "drive#file", "id": ROOT_ID, "name": "My Drive", "mimeType": FOLDER_MIME, "trashed": False}
    if not fields:
        return {k: full[k] for k in ("kind", "id", "name", "mimeType")}
    return apply_mask(full, parse_mask(fields))


def about(email: str, fields: str | None) -> dict[str, Any]:
    """about.get: who the account is; Drive requires a fields mask here."""
    if not fields:
        raise _drive_error(400, "The 'fields' parameter is required for this method.", "required", "fields")
    full = {
        "kind": "drive#about",
        "user": {
            "kind": "drive#user",
            "displayName": email.split("@")[0],
            "me": True,
            "permissionId": "00000000000000000000",
            "emailAddress": email,
        },
        "storageQuota": {"limit": "16106127360", "usage": "0", "usageInDrive": "0", "usageInDriveTrash": "0"},
        "importFormats": {"text/csv": [SHEETS_MIME], "text/tab-separated-values": [SHEETS_MIME]},
        "exportFormats": {SHEETS_MIME: ["text/csv", "text/tab-separated-values"]},
        "rootFolderId": ROOT_ID,
    }
    return apply_mask(full, parse_mask(fields))


def render_file(book: Spreadsheet, fields: str | None) -> dict[str, Any]:
    full = file_resource(book)
    if not fields:
        return {k: full[k] for k in ("kind", "id", "name", "mimeType")}
    return apply_mask(full, parse_mask(fields))


def new_book(title: str, owner: str) -> Spreadsheet:
    book = Spreadsheet(new_spreadsheet_id(), title or "Untitled spreadsheet", owner=owner)
    book.sheets.append(Sheet(0, "Sheet1"))
    return book


def create(books: dict[str, Spreadsheet], body: dict[str, Any], owner: str) -> Spreadsheet:
    mime = body.get("mimeType") or SHEETS_MIME
    if mime != SHEETS_MIME:
        raise invalid(f"The emulator stores spreadsheets only, not {mime}.", "mimeType")
    book = new_book(body.get("name") or "Untitled spreadsheet", owner)
    book.parents = list(body.get("parents") or [])
    books[book.spreadsheet_id] = book
    return book


def copy_file(books: dict[str, Spreadsheet], source: Spreadsheet, body: dict[str, Any]) -> Spreadsheet:
    book = source.fork()
    book.spreadsheet_id = new_spreadsheet_id()
    book.title = body.get("name") or f"Copy of {source.title}"
    book.created = book.modified = now_rfc3339()
    if body.get("parents"):
        book.parents = list(body["parents"])
    books[book.spreadsheet_id] = book
    return book


_CLAUSE_RE = re.compile(r"""^\s*(\w+)\s*(=|!=|contains)\s*(['"])(.*)\3\s*$""", re.S)
_PARENT_RE = re.compile(r"""^\s*(['"])(.*)\1\s+in\s+parents\s*$""")
_BOOL_RE = re.compile(r"^\s*(trashed|starred)\s*=\s*(true|false)\s*$", re.I)


def _split_and(q: str) -> list[str]:
    parts, current, quote = [], "", ""
    i = 0
    while i < len(q):
        ch = q[i]
        if quote:
            if ch == "\\" and i + 1 < len(q):
                current += q[i : i + 2]
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif q[i : i + 5].lower() == " and ":
            parts.append(current)
            current = ""
            i += 5
            continue
        current += ch
        i += 1
    parts.append(current)
    return [p for p in parts if p.strip()]


def matches(book: Spreadsheet, q: str) -> bool:
    """Evaluate the Drive query subset gspread sends (mimeType/name =, contains, in parents, trashed)."""
    for clause in _split_and(q):
        if m := _PARENT_RE.match(clause):
            if m.group(2) not in book.parents:
                return False
            continue
        if m := _BOOL_RE.match(clause):
            if m.group(2).lower() == "true":
                return False
            continue
        m = _CLAUSE_RE.match(clause)
        if not m:
            raise invalid("Invalid Value")
        key, op, value = m.group(1), m.group(2), m.group(4).replace("\\'", "'").replace('\\"', '"')
        actual = {"mimeType": SHEETS_MIME, "name": book.title}.get(key)
        if actual is None:
            raise invalid("Invalid Value")
        ok = value in actual if op == "contains" else actual == value
        if ok == (op == "!="):
            return False
    return True


def list_files(books: dict[str, Spreadsheet], params: dict[str, list[str]]) -> dict[str, Any]:
    q = (params.get("q") or [""])[0]
    found = [b for b in books.values() if matches(b, q)]
    found.sort(key=lambda b: b.modified, reverse=True)
    size = int((params.get("pageSize") or ["100"])[0] or 100)
    start = int((params.get("pageToken") or ["0"])[0] or 0)
    page = found[start : start + size]
    fields = (params.get("fields") or [""])[0]
    out: dict[str, Any] = {"kind": "drive#fileList", "incompleteSearch": False}
    if start + size < len(found):
        out["nextPageToken"] = str(start + size)
    if fields:
        out["files"] = [file_resource(b) for b in page]
        return apply_mask(out, parse_mask(fields))
    out["files"] = [render_file(b, None) for b in page]
    return out


def export(book: Spreadsheet, mime: str) -> tuple[bytes, str]:
    """text/csv or text/tab-separated-values of the first sheet's formatted values."""
    if mime not in ("text/csv", "text/tab-separated-values"):
        raise invalid(f"The emulator exports text/csv and text/tab-separated-values only, not {mime}.", "mimeType")
    sheet = book.sheets[0]
    from sheetkit.testing.model import Window

    rows = book.read(Window(sheet, 0, sheet.row_count, 0, sheet.col_count), "ROWS", "FORMATTED_VALUE", "SERIAL_NUMBER")
    width = max((len(r) for r in rows), default=0)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter="," if mime == "text/csv" else "\t", lineterminator="\r\n")
    for row in rows:
        writer.writerow([*row, *[""] * (width - len(row))])
    return buf.getvalue().removesuffix("\r\n").encode(), mime


# Drive converts an upload in the account's time zone; an account without one (a service account,
# the emulator's) gets Google's default: every recording of gspread's import_csv, 2018 to 2023, shows it.
CONVERSION_TIME_ZONE = "America/Los_Angeles"


def import_csv(book: Spreadsheet, data: bytes) -> dict[str, Any]:
    """Drive v2 media upload with convert=True: the CSV replaces the spreadsheet's content and time zone."""
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    sheet = Sheet(book.sheets[0].sheet_id if book.sheets else 0, book.title)
    sheet.row_count = max(1000, len(rows))
    sheet.col_count = max(26, max((len(r) for r in rows), default=0))
    for r, row in enumerate(rows):
        for c, raw in enumerate(row):
            cell = parse_user_entered(raw)
            if cell.has_value():
                sheet.cells[(r, c)] = cell
    book.sheets = [sheet]
    book.time_zone = CONVERSION_TIME_ZONE
    book.touch()
    return v2_file(book)


def v2_file(book: Spreadsheet) -> dict[str, Any]:
    """The few fields of a Drive v2 file resource that clients read (v2 names a file's name "title")."""
    return {
        "kind": "drive#file",
        "id": book.spreadsheet_id,
        "title": book.title,
        "mimeType": SHEETS_MIME,
        "createdDate": book.created,
        "modifiedDate": book.modified,
        "editable": True,
    }
