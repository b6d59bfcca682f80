"""Google Sheets: the client and its transport, reading and writing worksheets, request bodies."""
