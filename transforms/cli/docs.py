"""`ogi docs`: Data Docs and dbt docs of a data directory over HTTP, for browsers and Dagster's links.

A browser refuses the file:// links the Dagster UI would otherwise offer (its page is http),
so the docs are served: `/data-docs/` (Great Expectations; `findings.html` every open finding),
`/dbt/` (dbt docs' single page) and `/` a page linking both. Read-only, static files, nothing
from outside the two folders: the handler maps each prefix to its folder and refuses the rest.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import threading
from urllib.parse import unquote, urlsplit

from transforms.lake.dbt_docs import PAGE as DBT_PAGE
from transforms.lake.dbt_docs import docs_dir
from transforms.lake.settings import DOCS_PORT, DataPaths

_HOME = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>ogi docs</title></head>
<body style="font-family: sans-serif; margin: 2em"><h1>ogi docs</h1><p>Data directory: {root}</p><ul>
<li><a href="/data-docs/index.html">Data Docs</a>: Great Expectations validations; <a href="/data-docs/findings.html">every open finding</a></li>
<li><a href="/dbt/">dbt docs</a>: models, columns and lineage of the marts</li></ul></body></html>
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("docs", help="serve Data Docs and dbt docs over HTTP (the Dagster UI links here)")
    p.add_argument("--data-dir", help="data directory (default: $OGI_DATA_DIR or the repository's data/)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=DOCS_PORT)
    p.set_defaults(handler=handle)


class _Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, paths: DataPaths, **kwargs):
        self.paths = paths
        super().__init__(*args, directory=str(paths.data_docs), **kwargs)

    def translate_path(self, path: str) -> str:
        route = unquote(urlsplit(path).path)
        if route.startswith("/data-docs/"):
            folder, rest = self.paths.data_docs, route[len("/data-docs/"):]
        elif route == "/dbt/" or route == "/dbt/index.html":
            return str(docs_dir(self.paths) / DBT_PAGE)
        else:
            return str(self.paths.root / ".no-such-page")  # 404, never a file outside the docs
        target = (folder / rest).resolve()
        return str(target) if target.is_relative_to(folder.resolve()) else str(folder / ".no-such-page")

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        route = urlsplit(self.path).path
        if route in ("/", "/index.html"):
            body = _HOME.format(root=self.paths.root).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if route in ("/data-docs", "/dbt"):
            self.send_response(301)
            self.send_header("Location", route + "/")
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, format: str, *args) -> None:  # quiet: the UI's terminal is for Dagster
        pass


def server(paths: DataPaths, host: str = "127.0.0.1", port: int = DOCS_PORT) -> http.server.ThreadingHTTPServer:
    return http.server.ThreadingHTTPServer((host, port), functools.partial(_Handler, paths=paths))


def serve_in_background(paths: DataPaths, host: str = "127.0.0.1", port: int = DOCS_PORT) -> http.server.ThreadingHTTPServer:
    httpd = server(paths, host, port)
    threading.Thread(target=httpd.serve_forever, name="ogi-docs", daemon=True).start()
    return httpd


def handle(args: argparse.Namespace) -> int:
    paths = DataPaths.from_env(args.data_dir)
    httpd = server(paths, args.host, args.port)
    print(f"ogi docs on http://{args.host}:{args.port}/ (Data Docs /data-docs/, dbt docs /dbt/; data {paths.root}; Ctrl-C stops it)", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0
