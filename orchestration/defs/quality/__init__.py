"""Quality: the GX suites of expectations/ as asset checks, and silver.statutory_findings."""
