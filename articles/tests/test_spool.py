"""Spool-folder ingest, one scan at a time (the worker drills are in test_spool_worker.py):
a settled file is imported once and filed, a file still being written is not read, a bad
file ends in failed/ with its reason, and a scan finishes what an interruption left."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from articles import spool, tasks
from articles.models import Article, ImportBatch, SpoolFile
from articles.tests import hostile

pytestmark = pytest.mark.django_db


@pytest.fixture
def spool_dir(settings, tmp_path) -> Path:
    settings.INGEST_SPOOL_DIR = str(tmp_path / "spool")
    settings.INGEST_SPOOL_SETTLE_SECONDS = 0  # two looks are enough; the tests make them
    return tmp_path / "spool"


def scan() -> list[int]:
    """A beat tick: scan, then run each claimed batch as the worker would (in this process)."""
    report = spool.scan_spool()
    for batch_id in report.claimed:
        tasks.import_batch(batch_id)
    return report.claimed


def filed(spool_dir: Path, outcome: str) -> Path:
    return spool_dir / outcome / timezone.localdate().isoformat()


def feed(*numbers: int) -> bytes:
    return hostile.jsonl(*(hostile.good_record(n) for n in numbers))


def test_a_settled_file_is_imported_once_and_filed_under_done_with_its_outcome(spool_dir):
    spool_dir.mkdir()
    (spool_dir / "feed.jsonl").write_bytes(feed(1, 2, 3))
    assert scan() == []  # first look: noted, not read
    assert not Article.objects.exists()
    assert len(scan()) == 1  # unchanged at the second look: claimed and imported
    assert Article.objects.count() == 3
    done = filed(spool_dir, "done")
    assert (done / "feed.jsonl").read_bytes() == feed(1, 2, 3)
    assert (done / "feed.jsonl.reason.txt").read_text().startswith("3 created, 0 updated, 0 unchanged, 0 refused")
    assert not list(spool_dir.glob("*.jsonl")) and not list((spool_dir / "processing").iterdir())
    assert scan() == [] and scan() == []  # nothing is read twice
    assert SpoolFile.objects.get().state == SpoolFile.State.DONE


def test_a_file_still_being_written_is_not_read(spool_dir):
    spool_dir.mkdir()
    growing = spool_dir / "feed.jsonl"
    growing.write_bytes(feed(1))
    assert scan() == []
    with open(growing, "ab") as out:  # the delivery goes on between two looks
        out.write(feed(2, 3))
    assert scan() == []  # its size changed: still arriving
    assert not Article.objects.exists()
    assert len(scan()) == 1
    assert Article.objects.count() == 3  # the whole file, not the part seen first


def test_temporary_and_hidden_files_are_never_touched(spool_dir):
    spool_dir.mkdir()
    for name in ("feed.jsonl.tmp", ".feed.jsonl.X8k2", "story.xml.part"):
        (spool_dir / name).write_bytes(feed(1))
    assert scan() == [] and scan() == []
    assert not SpoolFile.objects.exists() and not Article.objects.exists()
    os.rename(spool_dir / "feed.jsonl.tmp", spool_dir / "feed.jsonl")  # the rename that says "complete"
    scan()
    assert len(scan()) == 1 and Article.objects.count() == 1


def test_a_bad_file_ends_in_failed_with_its_reason(spool_dir):
    spool_dir.mkdir()
    (spool_dir / "bomb.xml").write_bytes(hostile.xml_bomb())
    (spool_dir / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a story")
    scan()
    assert len(scan()) == 2
    failed = filed(spool_dir, "failed")
    assert (failed / "bomb.xml").exists() and (failed / "photo.jpg").exists()
    assert "declares its own entities" in (failed / "bomb.xml.reason.txt").read_text()
    assert "unsupported file type .jpg" in (failed / "photo.jpg.reason.txt").read_text()
    assert not Article.objects.exists()
    assert set(SpoolFile.objects.values_list("state", flat=True)) == {SpoolFile.State.FAILED}


def test_a_zip_is_imported_and_its_refused_members_are_listed_beside_it(spool_dir):
    spool_dir.mkdir()
    archive = hostile.zip_of({"feed.jsonl": feed(1, 2), "bomb.xml": hostile.xml_bomb()})
    (spool_dir / "delivery.zip").write_bytes(archive)
    scan()
    scan()
    done = filed(spool_dir, "done")
    reason = (done / "delivery.zip.reason.txt").read_text()
    assert reason.startswith("2 created, 0 updated, 0 unchanged, 1 refused")
    assert "delivery.zip › bomb.xml: the XML declares its own entities" in reason
    assert Article.objects.count() == 2


def test_the_same_name_delivered_twice_in_a_day_keeps_both_files(spool_dir):
    spool_dir.mkdir()
    for numbers in ((1,), (1, 2)):
        (spool_dir / "feed.jsonl").write_bytes(feed(*numbers))
        scan()
        scan()
    done = filed(spool_dir, "done")
    assert sorted(p.name for p in done.iterdir() if not p.name.endswith(".reason.txt")) == [
        "feed-2.jsonl",
        "feed.jsonl",
    ]
    assert (done / "feed-2.jsonl.reason.txt").read_text().startswith("1 created, 0 updated, 1 unchanged")
    assert Article.objects.count() == 2


def test_a_claim_whose_transaction_never_committed_is_taken_up_by_the_next_scan(spool_dir):
    spool_dir.mkdir()
    (spool_dir / "feed.jsonl").write_bytes(feed(1, 2))
    scan()
    row = SpoolFile.objects.get()
    # The scan renamed the file into processing/ and died before recording the claim.
    (spool_dir / "processing").mkdir(exist_ok=True)
    os.rename(spool_dir / "feed.jsonl", spool_dir / "processing" / f"{row.id}--feed.jsonl")
    assert len(scan()) == 1
    assert (filed(spool_dir, "done") / "feed.jsonl").exists()
    assert Article.objects.count() == 2 and ImportBatch.objects.count() == 1


def test_a_file_left_in_processing_without_any_record_is_imported(spool_dir):
    (spool_dir / "processing").mkdir(parents=True)
    (spool_dir / "processing" / "99--feed.jsonl").write_bytes(feed(1))  # a database restored from before
    assert len(scan()) == 1
    assert (filed(spool_dir, "done") / "feed.jsonl").exists()
    assert Article.objects.count() == 1


def test_a_file_recorded_as_filed_but_not_yet_moved_is_moved_by_the_next_scan(spool_dir, monkeypatch):
    spool_dir.mkdir()
    (spool_dir / "feed.jsonl").write_bytes(feed(1))
    scan()
    # The worker records where the file goes, then dies before moving it.
    monkeypatch.setattr(spool, "_move_to_filed_place", lambda row: None)
    scan()
    assert SpoolFile.objects.get().state == SpoolFile.State.DONE
    assert list((spool_dir / "processing").iterdir())
    monkeypatch.undo()
    scan()
    assert (filed(spool_dir, "done") / "feed.jsonl").exists()
    assert (filed(spool_dir, "done") / "feed.jsonl.reason.txt").exists()
    assert not list((spool_dir / "processing").iterdir())


def test_a_file_taken_back_before_it_settled_is_forgotten(spool_dir):
    spool_dir.mkdir()
    (spool_dir / "feed.jsonl").write_bytes(feed(1))
    scan()
    (spool_dir / "feed.jsonl").unlink()
    scan()
    assert not SpoolFile.objects.exists()


def test_the_spool_is_off_when_no_folder_is_configured(settings, tmp_path):
    settings.INGEST_SPOOL_DIR = ""
    assert spool.scan_spool().claimed == []
    assert tasks.scan_spool() == 0


SPOOL_PAGE = "/admin/articles/spoolfile/"


def staff(django_user_model, *, group: str | None = None):
    user = django_user_model.objects.create_user("desk", password="x", is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def test_the_admin_page_shows_waiting_files_todays_imports_and_failures_with_reasons(
    spool_dir, client, django_user_model
):
    spool_dir.mkdir()
    (spool_dir / "feed.jsonl").write_bytes(feed(1, 2))
    (spool_dir / "bomb.xml").write_bytes(hostile.xml_bomb())
    scan()
    scan()
    (spool_dir / "late.xml").write_bytes(hostile.nitf())
    (spool_dir / "late.xml.tmp").write_bytes(b"partial")
    client.force_login(staff(django_user_model, group="Reporters"))
    response = client.get(SPOOL_PAGE)
    assert response.status_code == 200
    page = " ".join(response.content.decode().split())
    assert "Waiting: 1 in the folder, 0 being imported" in page and "late.xml" in page
    assert "late.xml.tmp" not in page
    assert "Imported today: 1" in page and "2 created, 0 updated, 0 unchanged, 0 refused" in page
    assert "bomb.xml" in page and "declares its own entities" in page


def test_staff_without_the_view_permission_are_refused_the_spool_page(spool_dir, client, django_user_model):
    client.force_login(staff(django_user_model))
    assert client.get(SPOOL_PAGE).status_code == 403
