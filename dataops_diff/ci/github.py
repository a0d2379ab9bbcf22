"""One sticky pull-request comment with the Markdown report: created once, updated on re-runs.

action.yml runs ``python -m dataops_diff.ci.github comment --markdown FILE``. The comment is the
one whose body starts with a hidden marker (``<!-- dataops-diff -->``, or
``<!-- dataops-diff:ID -->`` with ``--id`` when several jobs comment on one pull request); any
other comment is never touched. Settings come from the variables GitHub Actions sets:
GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_EVENT_PATH (the pull request's number) and
GITHUB_TOKEN (from the action's github-token input).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import EXIT_ERROR, DataopsDiffError, UsageError
from .http import Client, GitHubError

MAX_BODY = 65_536  # GitHub refuses a longer comment body (characters)
_CLOSERS = (("<pre>", "</pre>"), ("<details>", "</details>"))  # innermost first


def marker(comment_id: str = "") -> str:
    return f"<!-- dataops-diff:{comment_id} -->" if comment_id else "<!-- dataops-diff -->"


@dataclass(frozen=True)
class PullRequest:
    api_url: str
    repository: str  # owner/name
    number: int
    token: str
    run_url: str | None  # this workflow run's page, where the artefact is


def pull_request_from_env(env: Mapping[str, str]) -> PullRequest:
    """Read the pull request from GitHub Actions' variables; say which one is missing and why."""
    token = env.get("GITHUB_TOKEN", "")
    if not token:
        raise UsageError(
            "GITHUB_TOKEN is not set; pass the action's github-token input "
            "(default ${{ github.token }}) or set comment: false"
        )
    repository = env.get("GITHUB_REPOSITORY", "")
    if repository.count("/") != 1 or not all(repository.split("/")):
        raise UsageError(
            f"GITHUB_REPOSITORY '{repository}' is not owner/name; run in GitHub Actions"
        )
    api_url = env.get("GITHUB_API_URL") or "https://api.github.com"
    if not api_url.startswith(("https://", "http://")):
        raise UsageError(f"GITHUB_API_URL '{api_url}' is not an http(s) URL; unset it or fix it")
    server, run_id = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_RUN_ID")
    run_url = f"{server}/{repository}/actions/runs/{run_id}" if server and run_id else None
    number = _pull_request_number(env)
    return PullRequest(api_url.rstrip("/"), repository, number, token, run_url)


def _pull_request_number(env: Mapping[str, str]) -> int:
    event_name = env.get("GITHUB_EVENT_NAME", "unknown")
    path = env.get("GITHUB_EVENT_PATH", "")
    if not path:
        raise UsageError(
            "GITHUB_EVENT_PATH is not set; run in GitHub Actions or set comment: false"
        )
    try:
        event = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"GITHUB_EVENT_PATH '{path}': cannot read the event ({exc})") from exc
    pr = event.get("pull_request") if isinstance(event, dict) else None
    number = pr.get("number") if isinstance(pr, dict) else None
    if not isinstance(number, int) or isinstance(number, bool):
        raise UsageError(
            f"the '{event_name}' event is not a pull_request event: there is no pull request "
            "to comment on; run on pull_request or set comment: false"
        )
    return number


# ------------------------------------------------------------------------------------ the body
def build_body(markdown: str, mark: str, artifact: str | None, run_url: str | None) -> str:
    """The marker, the report and where the full report is; cut to GitHub's limit when longer."""
    where = f"artefact `{artifact}`" if artifact else "the workflow run's artefacts"
    if run_url:
        where += f" of [this workflow run]({run_url})"
    footer = f"\n\n<sub>HTML, JSON and JUnit reports and the run logs: {where}.</sub>\n"
    body = f"{mark}\n{markdown.rstrip()}{footer}"
    if len(body) <= MAX_BODY:
        return body
    note = (
        f"\n\n**The report was cut here: it is longer than the {MAX_BODY:,} characters GitHub "
        f"allows in a comment. The full report is in {where}.**\n"
    )
    room = MAX_BODY - len(mark) - 1 - len(note)
    while True:
        kept = markdown[:room].rsplit("\n", 1)[0]  # whole lines only
        for opening, closing in _CLOSERS:  # close what the cut left open (the note must show)
            kept += f"\n{closing}" * max(0, kept.count(opening) - kept.count(closing))
        body = f"{mark}\n{kept}{note}"
        if len(body) <= MAX_BODY:
            return body
        room -= len(body) - MAX_BODY  # the closing tags took the room: cut earlier


# ------------------------------------------------------------------------------------ the API
def _comments(client: Client, pr: PullRequest) -> Iterator[dict[str, object]]:
    """Every comment of the pull request, following the Link header page by page."""
    url: str | None = f"{pr.api_url}/repos/{pr.repository}/issues/{pr.number}/comments?per_page=100"
    while url is not None:
        page = client.request("GET", url)
        if not isinstance(page.data, list):
            raise GitHubError(f"GitHub API GET {url}: expected a list of comments")
        yield from (c for c in page.data if isinstance(c, dict))
        url = page.next_url


def find_sticky(client: Client, pr: PullRequest, mark: str) -> int | None:
    """The id of the first comment whose body starts with ``mark``, if there is one."""
    for comment in _comments(client, pr):
        body, cid = comment.get("body"), comment.get("id")
        if isinstance(body, str) and body.startswith(mark) and isinstance(cid, int):
            return cid
    return None


def upsert(client: Client, pr: PullRequest, body: str, mark: str) -> tuple[str, str]:
    """Update the sticky comment, or create it: ("updated" | "created", its URL)."""
    base = f"{pr.api_url}/repos/{pr.repository}/issues"
    cid = find_sticky(client, pr, mark)
    if cid is None:
        answer = client.request("POST", f"{base}/{pr.number}/comments", {"body": body})
        action = "created"
    else:
        answer = client.request("PATCH", f"{base}/comments/{cid}", {"body": body})
        action = "updated"
    url = answer.data.get("html_url") if isinstance(answer.data, dict) else None
    return action, url if isinstance(url, str) else f"comment on #{pr.number}"


# ------------------------------------------------------------------------------------ the command
def comment(args: argparse.Namespace, env: Mapping[str, str]) -> str:
    pr = pull_request_from_env(env)
    path = Path(args.markdown)
    try:
        markdown = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if args.exit_code is None:
            raise UsageError(f"--markdown '{path}': no such file; pass the report's path") from None
        markdown = (
            "## ⛔ dataops-diff: no report\n\n`dataops-diff run` stopped with exit code "
            f"{args.exit_code} before it wrote a report; its error is in the job log."
        )
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--markdown '{path}': cannot read it ({exc})") from exc
    mark = marker(args.id)
    body = build_body(markdown, mark, args.artifact or None, pr.run_url)
    action, url = upsert(Client(pr.api_url, pr.token), pr, body, mark)
    return f"dataops-diff: {action} {url}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dataops_diff.ci.github")
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("comment", help="create or update the sticky pull-request comment")
    cmd.add_argument("--markdown", required=True, help="the report written by --markdown")
    cmd.add_argument("--id", default="", help="tells sticky comments of several jobs apart")
    cmd.add_argument("--artifact", default="", help="the artefact's name, named in the comment")
    cmd.add_argument(
        "--exit-code",
        type=int,
        default=None,
        help="the run's exit code, said when the report is missing",
    )
    return parser


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    """The one catch site of this command: an error is one line on stderr, exit code 2."""
    args = _parser().parse_args(argv)
    try:
        print(comment(args, os.environ if env is None else env))
    except DataopsDiffError as exc:
        print(f"dataops-diff: error: {exc.message}", file=sys.stderr)
        return EXIT_ERROR
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
