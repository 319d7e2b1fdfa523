"""Bytes to a Report: decoding, layouts, tokens, tables, labels, numbers, repair, rules, metadata; one entry, parse.parse_document."""
