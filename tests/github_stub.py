"""A local stub of the GitHub REST API (issue comments only), on 127.0.0.1 and an ephemeral port.

It keeps the comments of one pull request in memory, serves them in pages of ``page_size`` with
a real ``Link`` header, and records every request (method, path, headers, JSON body) so a test
can assert exactly what the client sent. ``fail`` makes every request answer that HTTP status
with a GitHub-style ``{"message": ...}`` body.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

REPO = "octo/pipeline"
PR = 7


@dataclass
class Recorded:
    method: str
    path: str  # with the query string
    headers: dict[str, str]
    body: object


@dataclass
class GitHubStub:
    url: str = ""
    comments: list[dict[str, object]] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    page_size: int = 100
    fail: tuple[int, str] | None = None
    _next_id: int = 1000

    def add(self, body: str, login: str = "someone") -> int:
        self._next_id += 1
        self.comments.append({"id": self._next_id, "body": body, "user": {"login": login}})
        return self._next_id

    def body_of(self, cid: int) -> object:
        return next(c["body"] for c in self.comments if c["id"] == cid)

    def writes(self) -> list[Recorded]:
        return [r for r in self.requests if r.method != "GET"]

    # -- served by the handler below
    def answer(self, rec: Recorded) -> tuple[int, object, dict[str, str]]:
        self.requests.append(rec)
        if self.fail is not None:
            return self.fail[0], {"message": self.fail[1]}, {}
        parts = urlsplit(rec.path)
        base = f"/repos/{REPO}/issues"
        if rec.method == "GET" and parts.path == f"{base}/{PR}/comments":
            page = int(parse_qs(parts.query).get("page", ["1"])[0])
            start = (page - 1) * self.page_size
            headers = {}
            if start + self.page_size < len(self.comments):
                headers["Link"] = (
                    f"<{self.url}{base}/{PR}/comments?per_page={self.page_size}&page={page + 1}>; "
                    f'rel="next", <{self.url}{base}/{PR}/comments?page=1>; rel="first"'
                )
            return 200, self.comments[start : start + self.page_size], headers
        if rec.method == "POST" and parts.path == f"{base}/{PR}/comments":
            assert isinstance(rec.body, dict)
            cid = self.add(str(rec.body["body"]), login="github-actions[bot]")
            return 201, self._public(cid), {}
        if rec.method == "PATCH" and parts.path.startswith(f"{base}/comments/"):
            cid = int(parts.path.rsplit("/", 1)[1])
            assert isinstance(rec.body, dict)
            for c in self.comments:
                if c["id"] == cid:
                    c["body"] = rec.body["body"]
                    return 200, self._public(cid), {}
        return 404, {"message": "Not Found"}, {}

    def _public(self, cid: int) -> dict[str, object]:
        return {"id": cid, "html_url": f"https://github.test/{REPO}/pull/{PR}#issuecomment-{cid}"}


def _handler(stub: GitHubStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            rec = Recorded(self.command, self.path, dict(self.headers.items()), body)
            status, data, headers = stub.answer(rec)
            out = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(out)

        do_GET = do_POST = do_PATCH = _serve

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the test asserts on the recorded requests instead."""

    return Handler


@contextmanager
def github_stub() -> Iterator[GitHubStub]:
    """Serve a fresh stub on 127.0.0.1 (loopback only) until the ``with`` block ends."""
    stub = GitHubStub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
