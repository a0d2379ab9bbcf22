"""A minimal JSON client for the GitHub REST API, on the standard library alone.

The Action installs nothing but dataops-diff, so no ``requests``. Redirects are not followed:
urllib would resend the token to whatever host a redirect names. Every failure (HTTP status,
network, a body that is not JSON) becomes one ``GitHubError`` naming the request and GitHub's
own message.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message as HTTPMessage
from typing import IO

from ..errors import DataopsDiffError

TIMEOUT = 30.0  # seconds per request
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')
_HINTS = {
    401: "the token is invalid or expired; check the action's github-token input",
    403: "give the job `permissions: pull-requests: write` (a pull request from a fork gets a "
    "read-only token)",
    404: "check GITHUB_REPOSITORY and that the token can read this repository",
}


class GitHubError(DataopsDiffError):
    """The GitHub API refused or could not be reached. Exit code 2."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> None:
        del req, fp, code, msg, headers, newurl  # urllib then raises HTTPError with the 3xx


@dataclass(frozen=True)
class Response:
    data: object  # the decoded JSON body
    next_url: str | None  # the Link header's rel="next", for pagination


@dataclass(frozen=True)
class Client:
    api_url: str  # e.g. https://api.github.com, without a trailing slash
    token: str

    def request(self, method: str, url: str, body: object = None) -> Response:
        """Send one request to ``url`` (which must lie under ``api_url``) and decode its JSON."""
        if not url.startswith(self.api_url + "/"):
            raise GitHubError(f"GitHub API: refusing to send the token to '{url}'")
        data = None if body is None else json.dumps(body).encode("utf-8")
        req = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (checked above)
        req.add_header("Accept", "application/vnd.github+json")
        req.add_header("Authorization", f"Bearer {self.token}")
        req.add_header("X-GitHub-Api-Version", "2022-11-28")
        req.add_header("User-Agent", "dataops-diff")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        where = f"GitHub API {method} {url.removeprefix(self.api_url)}"
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(req, timeout=TIMEOUT) as resp:
                raw = resp.read()
                link = resp.headers.get("Link") or ""
        except urllib.error.HTTPError as exc:
            hint = _HINTS.get(exc.code, "see the job log and GitHub's status page")
            raise GitHubError(f"{where}: HTTP {exc.code} {_message(exc)}; {hint}") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise GitHubError(
                f"{where}: cannot connect ({reason}); check GITHUB_API_URL '{self.api_url}'"
            ) from exc
        try:
            decoded: object = json.loads(raw) if raw else None
        except ValueError as exc:
            raise GitHubError(f"{where}: the answer is not JSON; check GITHUB_API_URL") from exc
        match = _NEXT.search(link)
        return Response(decoded, match.group(1) if match else None)


def _message(exc: urllib.error.HTTPError) -> str:
    """GitHub's ``message`` field when the error body has one, else the HTTP reason, one line."""
    try:
        body = json.loads(exc.read() or b"null")
    except (ValueError, OSError):
        body = None
    text = body.get("message") if isinstance(body, dict) else None
    if not isinstance(text, str) or not text:
        text = str(exc.reason)
    return " ".join(text.split())
