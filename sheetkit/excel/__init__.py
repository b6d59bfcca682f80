"""Workbooks and CSV files: reading (read, parallel_read, csv) and writing (write: the entry points;
package: the package editor, built on rows, deflate, part_edits and zip_writer; openpyxl_writer:
the fallback), over the package lookup (parts), the safety limits every package is checked against
(limits, used_range) and XML text helpers (xml_text) they share."""
