"""The `ogi` command line: one module per subcommand, each with `register(subparsers)`."""

from __future__ import annotations

import argparse
import atexit
import importlib
import os
import sys

# Subcommand modules under transforms/cli/, in the order `ogi --help` lists them.
COMMANDS = ("parse", "run", "status", "ui", "docs", "sql")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ogi",
        description="ogi: the open-government-information lakehouse (政府信息公开工作年度报告 as data).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"transforms.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    return int(args.handler(args) or 0)


def entry() -> None:
    """The `ogi` command: main(), then leave without Python's interpreter teardown.

    After a load, finalising the loaded libraries (deltalake's async runtime, DuckDB, polars'
    thread pool, thousands of modules) takes about two seconds, 7% of a nightly run, and
    does nothing for the user: output is flushed and the exit handlers (logging,
    multiprocessing) still run.
    """
    code = main()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
