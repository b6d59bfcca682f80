"""Workbooks and CSV files: reading (calamine), the package editor, the openpyxl writer."""
