"""The rule engine: cell values, dates, schemas, tables, normalize, validate, compute, report, the write plan."""
