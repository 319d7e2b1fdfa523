"""Definitions by concern: ingest (raw -> bronze -> silver), dbt (marts), quality (GX checks), publish."""
