"""Every free-text answer is validated, with a message that says what would be valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import render

BAD_ANSWERS = [
    ("project_name", "", "must not be empty"),
    ("project_name", "   ", "must not be empty"),
    ("project_name", "x" * 81, "at most 80 characters"),
    ("project_name", "two\nlines", "one line without control characters"),
    ("project_name", "bell\x07", "one line without control characters"),
    ("package_name", "", "must start with a letter"),
    ("package_name", "Churn", "must start with a letter and contain only a-z, 0-9 and _"),
    ("package_name", "churn-model", "contain only a-z, 0-9 and _"),
    ("package_name", "1churn", "must start with a letter"),
    ("package_name", "_churn", "must start with a letter"),
    ("package_name", "churn model", "contain only a-z, 0-9 and _"),
    ("package_name", "c" * 33, "at most 32 characters"),
    ("package_name", "json", "standard-library module"),
    ("package_name", "test", "standard-library module"),
    ("package_name", "random", "standard-library module"),
    ("package_name", "class", "Python keyword"),
    ("package_name", "numpy", "dependency's name"),
    ("package_name", "tests", "dependency's name"),
    ("package_name", "torch", "dependency's name"),  # optional groups' packages too
    ("package_name", "dask", "dependency's name"),
    ("description", "d" * 501, "at most 500 characters"),
    ("description", "nul\x00byte", "must not contain control characters"),
    ("author_name", "", "must not be empty"),
    ("author_name", "Ada\nLovelace", "one line"),
    ("author_email", "", "must look like name@example.com"),
    ("author_email", "ada", "must look like name@example.com"),
    ("author_email", "ada@", "must look like name@example.com"),
    ("author_email", "ada@example", "must look like name@example.com"),
    ("author_email", "ada lovelace@example.com", "must look like name@example.com"),
    ("author_email", "a@b@example.com", "must look like name@example.com"),
    ("copyright_year", "26", "four-digit year"),
    ("copyright_year", "twenty", "four-digit year"),
    ("python_version", "3.10", "3.10"),
    ("license", "GPL", "GPL"),
    ("ci", "jenkins", "jenkins"),
    ("dvc_remote", "ftp", "ftp"),
]

BAD_REMOTES = [
    ("s3", "gs://bucket/x", "must look like s3://bucket-name"),
    ("s3", "s3://Bucket/x", "lowercase bucket name"),
    ("s3", "s3://bucket/x y", "must look like s3://"),
    ("gs", "s3://bucket", "must look like gs://bucket-name"),
    ("azure", "azure://", "must look like azure://container-name"),
    ("ssh", "user@host:/path", "must look like ssh://user@host/path"),
    ("ssh", "ssh://host", "must look like ssh://user@host/path"),
    ("local", "s3://bucket", "must be a folder path"),
    ("local", "storage # comment", "must be a folder path"),
    ("local", "", "must be a folder path"),
]


@pytest.mark.parametrize(("question", "answer", "message"), BAD_ANSWERS)
def test_bad_answer_is_refused_with_its_reason(
    template: Path, tmp_path: Path, question: str, answer: str, message: str
) -> None:
    """Copier stops before writing anything, naming the question and what is valid."""
    destination = tmp_path / "project"
    with pytest.raises(ValueError, match=question) as caught:
        render(template, destination, {question: answer})
    assert message in str(caught.value)
    assert not destination.exists()


@pytest.mark.parametrize(("remote", "url", "message"), BAD_REMOTES)
def test_bad_remote_url_is_refused(
    template: Path, tmp_path: Path, remote: str, url: str, message: str
) -> None:
    with pytest.raises(ValueError, match="dvc_remote_url") as caught:
        render(template, tmp_path / "p", {"dvc_remote": remote, "dvc_remote_url": url})
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("project_name", "Zoë's churn model"),
        ("project_name", "x" * 80),
        ("package_name", "churn2"),
        ("package_name", "c" * 32),
        ("package_name", "json_ml"),
        ("description", "Two lines,\nand a tab\there."),
        ("description", ""),
        ("author_name", "Zoë O'Brien"),
        ("author_email", "zoe.o-brien+ml@mail.example.co.uk"),
        ("copyright_year", "1999"),
    ],
)
def test_good_answer_is_accepted(
    template: Path, tmp_path: Path, question: str, answer: str
) -> None:
    """The pair of each rule: a valid answer passes and is recorded."""
    project = render(template, tmp_path / "p", {question: answer})
    assert (project / ".copier-answers.yml").exists()


def test_remote_url_has_a_working_default_per_scheme(template: Path, tmp_path: Path) -> None:
    """Choosing a remote without a URL gives a valid placeholder for that scheme."""
    for remote in ("local", "s3", "gs", "azure", "ssh"):
        project = render(template, tmp_path / remote, {"dvc_remote": remote})
        assert "url = " in (project / ".dvc" / "config").read_text()
