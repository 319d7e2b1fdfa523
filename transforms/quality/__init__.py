"""Data quality: GX suites over silver and the marts, run incrementally from ledgers."""
