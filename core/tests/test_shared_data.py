"""Finding the team's shared data from a checkout: the variable, a sibling folder, and the
repository a worktree or a clone comes from (real git, in temporary folders)."""

import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from core.shared_data import find_shared_data


def git(*args: str | Path) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *map(str, args)],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def team(tmp_path: Path) -> Path:
    """A team folder as on a developer's machine: a repository with one commit, and
    shared/data beside it."""
    (tmp_path / "team" / "shared" / "data").mkdir(parents=True)
    repo = tmp_path / "team" / "repo"
    git("init", "-q", repo)
    git("-C", repo, "commit", "-q", "--allow-empty", "-m", "start")
    return tmp_path / "team"


def test_the_variable_names_the_folder_whatever_is_beside_the_checkout(team, tmp_path):
    elsewhere = tmp_path / "data-elsewhere"
    elsewhere.mkdir()
    found = find_shared_data(team / "repo", environ={"NEWSROOM_SHARED_DATA": str(elsewhere)})
    assert found == elsewhere.resolve()


def test_a_variable_naming_no_folder_is_an_error_not_a_silent_skip(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="NEWSROOM_SHARED_DATA=.*is not a directory"):
        find_shared_data(tmp_path, environ={"NEWSROOM_SHARED_DATA": str(tmp_path / "missing")})


def test_shared_data_beside_the_checkout_is_found_without_git(tmp_path):
    (tmp_path / "shared" / "data").mkdir(parents=True)
    (tmp_path / "checkout").mkdir()
    assert find_shared_data(tmp_path / "checkout", environ={}) == (tmp_path / "shared" / "data").resolve()


def test_a_clone_elsewhere_finds_the_data_beside_the_repository_it_was_cloned_from(team, tmp_path):
    clone = tmp_path / "ci" / "build" / "clone"
    git("clone", "-q", team / "repo", clone)
    assert find_shared_data(clone, environ={}) == (team / "shared" / "data").resolve()


def test_a_clone_through_a_file_url_finds_it_too(team, tmp_path):
    clone = tmp_path / "ci" / "clone"
    git("clone", "-q", (team / "repo").as_uri(), clone)
    assert find_shared_data(clone, environ={}) == (team / "shared" / "data").resolve()


def test_a_worktree_elsewhere_finds_the_data_beside_its_main_checkout(team, tmp_path):
    worktree = tmp_path / "scratch" / "wt"
    git("-C", team / "repo", "worktree", "add", "-q", worktree)
    assert find_shared_data(worktree, environ={}) == (team / "shared" / "data").resolve()


def test_a_clone_of_a_worktree_finds_the_data_beside_the_worktrees_main_checkout(team, tmp_path):
    worktree = tmp_path / "scratch" / "wt"
    git("-C", team / "repo", "worktree", "add", "-q", worktree)
    clone = tmp_path / "ci" / "clone"
    git("clone", "-q", worktree, clone)
    assert find_shared_data(clone, environ={}) == (team / "shared" / "data").resolve()


def test_nothing_found_is_none(team, tmp_path):
    clone = tmp_path / "ci" / "clone"
    git("clone", "-q", team / "repo", clone)
    (team / "shared" / "data").rmdir()
    assert find_shared_data(clone, environ={}) is None
    assert find_shared_data(tmp_path / "not-a-repository", environ={}) is None


def test_a_machine_without_git_finds_nothing_and_raises_nothing(team, tmp_path, monkeypatch):
    clone = tmp_path / "ci" / "clone"
    git("clone", "-q", team / "repo", clone)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert find_shared_data(clone, environ={}) is None


@pytest.mark.parametrize("command", ["build_gazetteer", "evaluate_tagging"])
def test_a_command_answers_a_variable_naming_no_folder_with_its_own_error(command, tmp_path, monkeypatch):
    """The commands look the data up when they run, and a bad variable is a command error
    (a clear message, no traceback), not a failure to import the command."""
    monkeypatch.setenv("NEWSROOM_SHARED_DATA", str(tmp_path / "missing"))
    with pytest.raises(CommandError, match="NEWSROOM_SHARED_DATA=.*missing is not a directory"):
        call_command(command)
