"""The Action's sticky comment, against a local stub of the GitHub API that records requests."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from github_stub import PR, REPO, GitHubStub, github_stub

from dataops_diff.ci import github
from dataops_diff.ci.http import Client, GitHubError

MARK = "<!-- dataops-diff -->"
TOKEN = "test-token-123"
REPORT = "## ✅ dataops-diff: PASS\n\n**production** main → **candidate** feature · 1 dataset\n"


@pytest.fixture(autouse=True)
def _loopback_without_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1")


@pytest.fixture
def stub() -> Iterator[GitHubStub]:
    with github_stub() as s:
        yield s


def env_for(stub: GitHubStub, tmp_path: Path, event: object = None) -> dict[str, str]:
    path = tmp_path / "event.json"
    path.write_text(json.dumps({"pull_request": {"number": PR}} if event is None else event))
    return {
        "GITHUB_API_URL": stub.url,
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(path),
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_SERVER_URL": "https://github.test",
        "GITHUB_RUN_ID": "42",
    }


def write(tmp_path: Path, text: str, name: str = "report.md") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def comment(env: dict[str, str], *args: str) -> int:
    return github.main(["comment", *args], env)


def test_first_run_creates_the_comment(
    stub: GitHubStub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = stub.add("Looks good to me")
    assert comment(env_for(stub, tmp_path), "--markdown", write(tmp_path, REPORT)) == 0
    [post] = stub.writes()
    assert post.method == "POST"
    assert post.path == f"/repos/{REPO}/issues/{PR}/comments"
    assert post.headers["Authorization"] == f"Bearer {TOKEN}"
    assert isinstance(post.body, dict)
    body = post.body["body"]
    assert body.startswith(MARK + "\n" + REPORT.rstrip())
    assert "https://github.test/octo/pipeline/actions/runs/42" in body
    assert stub.body_of(other) == "Looks good to me"
    assert len(stub.comments) == 2
    out = capsys.readouterr().out
    assert out.startswith("dataops-diff: created https://github.test/")


def test_second_run_updates_the_same_comment(stub: GitHubStub, tmp_path: Path) -> None:
    env = env_for(stub, tmp_path)
    assert comment(env, "--markdown", write(tmp_path, REPORT), "--artifact", "reports") == 0
    created = stub.comments[-1]["id"]
    again = REPORT.replace("PASS", "FAIL")
    assert comment(env, "--markdown", write(tmp_path, again, "again.md")) == 0
    assert [r.method for r in stub.writes()] == ["POST", "PATCH"]
    assert stub.writes()[1].path == f"/repos/{REPO}/issues/comments/{created}"
    assert len(stub.comments) == 1  # no duplicate
    body = stub.body_of(int(str(created)))
    assert isinstance(body, str)
    assert "FAIL" in body
    assert "PASS" not in body


def test_the_marker_is_found_on_a_later_page_and_nothing_else_is_touched(
    stub: GitHubStub, tmp_path: Path
) -> None:
    stub.page_size = 2
    unrelated = {
        stub.add("first"): "first",
        stub.add(f"quoting the marker later: {MARK}"): f"quoting the marker later: {MARK}",
        stub.add("<!-- dataops-diff:nightly -->\nanother job's"): (
            "<!-- dataops-diff:nightly -->\nanother job's"
        ),
    }
    ours = stub.add(f"{MARK}\nold report")
    unrelated[stub.add("after")] = "after"
    assert comment(env_for(stub, tmp_path), "--markdown", write(tmp_path, REPORT)) == 0
    pages = [r.path for r in stub.requests if r.method == "GET"]
    assert len(pages) == 2
    assert "page=2" in pages[1]
    [patch] = stub.writes()
    assert patch.method == "PATCH"
    assert patch.path.endswith(f"/comments/{ours}")
    for cid, body in unrelated.items():
        assert stub.body_of(cid) == body


def test_an_id_keeps_one_comment_per_job(stub: GitHubStub, tmp_path: Path) -> None:
    env = env_for(stub, tmp_path)
    md = write(tmp_path, REPORT)
    for _ in range(2):
        assert comment(env, "--markdown", md, "--id", "nightly") == 0
        assert comment(env, "--markdown", md) == 0
    assert [r.method for r in stub.writes()] == ["POST", "POST", "PATCH", "PATCH"]
    starts = sorted(str(c["body"]).split("\n", 1)[0] for c in stub.comments)
    assert starts == [MARK, "<!-- dataops-diff:nightly -->"]


def test_a_long_report_is_cut_to_githubs_limit_with_a_note(
    stub: GitHubStub, tmp_path: Path
) -> None:
    lines = ["## ❌ dataops-diff: FAIL", "", "<details><summary>samples</summary>", "", "<pre>"]
    lines += [f"row {i:06d} | value {i * 7}" for i in range(6000)]  # ~150,000 characters
    lines += ["</pre>", "</details>", "", "the end"]
    markdown = "\n".join(lines)
    assert comment(env_for(stub, tmp_path), "--markdown", write(tmp_path, markdown)) == 0
    [post] = stub.writes()
    assert isinstance(post.body, dict)
    body = post.body["body"]
    assert len(body) <= github.MAX_BODY
    assert len(body) > github.MAX_BODY - 200  # cut near the limit, not far below it
    assert body.startswith(MARK + "\n## ❌ dataops-diff: FAIL")
    assert "the end" not in body
    kept, note = body.split("**The report was cut here", 1)
    assert "65,536" in note
    assert "https://github.test/octo/pipeline/actions/runs/42" in note
    # whole lines only, and the note is outside the <pre> and <details> the cut left open
    assert all(line in lines for line in kept.strip().splitlines()[1:])
    assert kept.count("<pre>") == kept.count("</pre>") == 1
    assert kept.count("<details>") == kept.count("</details>") == 1


def test_a_short_report_is_kept_whole() -> None:
    body = github.build_body(REPORT, MARK, "dataops-diff", None)
    assert body.startswith(f"{MARK}\n{REPORT.rstrip()}\n")
    assert "artefact `dataops-diff`" in body
    assert "cut here" not in body


def test_a_missing_report_with_an_exit_code_says_so_on_the_pull_request(
    stub: GitHubStub, tmp_path: Path
) -> None:
    env = env_for(stub, tmp_path)
    missing = str(tmp_path / "absent.md")
    assert comment(env, "--markdown", missing, "--exit-code", "2") == 0
    [post] = stub.writes()
    assert isinstance(post.body, dict)
    assert "no report" in post.body["body"]
    assert "exit code 2" in post.body["body"]


def assert_one_error(capsys: pytest.CaptureFixture[str], code: int, *fragments: str) -> None:
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("dataops-diff: error: ")
    for fragment in fragments:
        assert fragment in err


def test_missing_token_is_one_error_line_and_no_request(
    stub: GitHubStub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = env_for(stub, tmp_path)
    del env["GITHUB_TOKEN"]
    code = comment(env, "--markdown", write(tmp_path, REPORT))
    assert_one_error(capsys, code, "GITHUB_TOKEN is not set", "github-token")
    assert stub.requests == []


@pytest.mark.parametrize(
    "event",
    [
        {"ref": "refs/heads/main", "commits": []},  # push
        {"pull_request": {"number": "7"}},  # not a number
        ["not", "an", "object"],
    ],
    ids=["push", "bad-number", "not-an-object"],
)
def test_an_event_without_a_pull_request_is_one_error_line(
    stub: GitHubStub, tmp_path: Path, capsys: pytest.CaptureFixture[str], event: object
) -> None:
    env = env_for(stub, tmp_path, event) | {"GITHUB_EVENT_NAME": "push"}
    code = comment(env, "--markdown", write(tmp_path, REPORT))
    assert_one_error(capsys, code, "'push' event is not a pull_request event", "comment: false")
    assert stub.requests == []


def test_an_unreadable_event_file_is_one_error_line(
    stub: GitHubStub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = env_for(stub, tmp_path) | {"GITHUB_EVENT_PATH": str(tmp_path / "nope.json")}
    code = comment(env, "--markdown", write(tmp_path, REPORT))
    assert_one_error(capsys, code, "GITHUB_EVENT_PATH", "nope.json")


def test_http_403_names_the_status_githubs_message_and_the_fix(
    stub: GitHubStub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stub.fail = (403, "Resource not accessible by integration")
    code = comment(env_for(stub, tmp_path), "--markdown", write(tmp_path, REPORT))
    assert_one_error(
        capsys,
        code,
        f"GET /repos/{REPO}/issues/{PR}/comments",
        "HTTP 403 Resource not accessible by integration",
        "pull-requests: write",
    )
    assert stub.writes() == []


def test_a_missing_report_without_an_exit_code_is_an_error(
    stub: GitHubStub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = comment(env_for(stub, tmp_path), "--markdown", str(tmp_path / "absent.md"))
    assert_one_error(capsys, code, "--markdown", "absent.md")
    assert stub.writes() == []


def test_an_unreachable_api_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with github_stub() as stub:
        env = env_for(stub, tmp_path)
    # the stub is stopped: its port now refuses connections
    code = comment(env, "--markdown", write(tmp_path, REPORT))
    assert_one_error(capsys, code, "cannot connect", "GITHUB_API_URL")


def test_the_token_is_never_sent_outside_the_api_url() -> None:
    client = Client("http://127.0.0.1:9", TOKEN)
    with pytest.raises(GitHubError, match="refusing to send the token"):
        client.request("GET", "http://example.invalid/repos/x/y/issues/1/comments")


def test_runs_as_a_module(stub: GitHubStub, tmp_path: Path) -> None:
    env = env_for(stub, tmp_path) | {"PATH": "/usr/bin:/bin", "no_proxy": "127.0.0.1"}
    done = subprocess.run(
        [sys.executable, "-m", "dataops_diff.ci.github", "comment", "--markdown",
         write(tmp_path, REPORT)],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("dataops-diff: created ")
    assert [r.method for r in stub.writes()] == ["POST"]


def test_a_cut_that_leaves_many_blocks_open_still_fits_and_closes_them() -> None:
    filler = [f"line {i:05d} " + "x" * 50 for i in range(1000)]  # ~61,000 characters
    opened = ["<details><summary>s</summary>", "<pre>"] * 200  # ~7,000 characters
    markdown = "\n".join([*filler, *opened, *filler])
    body = github.build_body(markdown, MARK, "dataops-diff", None)
    assert len(body) <= github.MAX_BODY
    assert "cut here" in body
    kept = body.split("**The report was cut here", 1)[0]
    assert kept.count("<pre>") == kept.count("</pre>") > 0
    assert kept.count("<details>") == kept.count("</details>") > 0


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        ({"GITHUB_REPOSITORY": "just-a-name"}, ("GITHUB_REPOSITORY 'just-a-name'", "owner/name")),
        ({"GITHUB_REPOSITORY": "a/b/c"}, ("GITHUB_REPOSITORY 'a/b/c'",)),
        ({"GITHUB_API_URL": "ftp://example.invalid"}, ("GITHUB_API_URL", "http(s)")),
        ({"GITHUB_EVENT_PATH": ""}, ("GITHUB_EVENT_PATH is not set",)),
    ],
    ids=["repository-without-owner", "repository-too-deep", "api-url-not-http", "no-event-path"],
)
def test_a_bad_environment_is_one_error_line_and_no_request(
    stub: GitHubStub,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: dict[str, str],
    fragments: tuple[str, ...],
) -> None:
    env = env_for(stub, tmp_path) | change
    code = comment(env, "--markdown", write(tmp_path, REPORT))
    assert_one_error(capsys, code, *fragments)
    assert stub.requests == []


def test_an_event_file_that_is_not_json_is_one_error_line(
    stub: GitHubStub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = env_for(stub, tmp_path)
    Path(env["GITHUB_EVENT_PATH"]).write_text("{not json")
    code = comment(env, "--markdown", write(tmp_path, REPORT))
    assert_one_error(capsys, code, "GITHUB_EVENT_PATH", "cannot read the event")
    assert stub.requests == []


@pytest.mark.parametrize(
    ("status", "message", "hint"),
    [
        (401, "Bad credentials", "github-token"),
        (404, "Not Found", "GITHUB_REPOSITORY"),
        (502, "Server Error\n  try again", "status page"),
    ],
)
def test_each_http_error_names_the_status_the_message_and_a_fix(
    stub: GitHubStub,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    status: int,
    message: str,
    hint: str,
) -> None:
    stub.fail = (status, message)
    code = comment(env_for(stub, tmp_path), "--markdown", write(tmp_path, REPORT))
    assert_one_error(capsys, code, f"HTTP {status} {' '.join(message.split())}", hint)
    assert stub.writes() == []
