"""Spool-folder ingest: agencies drop files into INGEST_SPOOL_DIR (FTP, rsync) and the worker
imports them through the same batches as an admin upload.

A file goes through the folder like this, each step recorded on its SpoolFile row first:

    <spool>/name                       arriving: seen; waits until size and time stop changing
    <spool>/processing/<id>--name      claimed by an atomic rename; an ImportBatch reads it
    <spool>/done/<date>/name           imported (with name.reason.txt: the outcome, refusals)
    <spool>/failed/<date>/name         nothing in it could be imported (name.reason.txt says why)

Files still being written are never read: `*.tmp`, `*.part` and dotfiles (the
rename-when-complete convention) are ignored, and any other file must show the same size and
modification time at two looks INGEST_SPOOL_SETTLE_SECONDS apart. Every step can be
interrupted (worker killed, broker or database down) and is finished by the next scan: a
file left in processing/ is taken up again from its row, or from its name when the claim's
transaction never committed. How to run it: docs/ingest.md#spool-folder.
"""

import contextlib
import logging
import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from articles.models import ImportBatch, ImportItem, JobStatus, SpoolFile
from articles.services import SPOOL_PROCESSING, spool_dir
from core.locks import SPOOL_SCAN, try_advisory_lock

logger = logging.getLogger(__name__)

DONE, FAILED = "done", "failed"
IGNORED_SUFFIXES = (".tmp", ".part", ".filepart", ".crdownload")
REASON_SUFFIX = ".reason.txt"
MAX_NAME_CHARS = 200  # the stored name adds "<id>--"; longer names are refused in place
MAX_REASON_LINES = 200
_CLAIM_SEPARATOR = "--"


@dataclass
class ScanReport:
    seen: int = 0  # files in the folder still arriving
    claimed: list[int] = field(default_factory=list)  # batches to queue
    filed: int = 0  # files moved to done/ or failed/ by this scan (recovery)
    busy: bool = False  # another scan holds the folder


def spool_enabled() -> bool:
    return bool(settings.INGEST_SPOOL_DIR)


def scan_spool() -> ScanReport:
    """One look at the folder: finish what an interruption left half done, note new files,
    claim the settled ones. Returns the batches the caller queues. One scan at a time."""
    report = ScanReport()
    if not spool_enabled():
        return report
    with try_advisory_lock(SPOOL_SCAN, 0) as acquired:
        if not acquired:
            report.busy = True
            return report
        root = spool_dir()
        for sub in (root, root / SPOOL_PROCESSING, root / DONE, root / FAILED):
            sub.mkdir(parents=True, exist_ok=True)
        _recover(root, report)
        _look(root, report)
    return report


def _recover(root: Path, report: ScanReport) -> None:
    processing = root / SPOOL_PROCESSING
    for entry in sorted(os.scandir(processing), key=lambda e: e.name):
        if not entry.is_file(follow_symlinks=False):
            continue
        spool_id, _, name = entry.name.partition(_CLAIM_SEPARATOR)
        row = SpoolFile.objects.filter(id=int(spool_id)).first() if spool_id.isdigit() and name else None
        if row is None:
            # Claimed by a scan whose row is gone (a database restored from before the claim):
            # a row of its own, so the file is imported rather than forgotten.
            row = SpoolFile.objects.create(name=(name or entry.name)[:255], state=SpoolFile.State.ARRIVING)
            new_name = f"{row.id}{_CLAIM_SEPARATOR}{row.name}"
            os.rename(entry.path, processing / new_name)
            entry_name = new_name
        else:
            entry_name = entry.name
        if row.state == SpoolFile.State.ARRIVING:
            # Renamed into processing/ but the claim's transaction never committed.
            report.claimed.append(_start_import(row, entry_name))
        elif row.state == SpoolFile.State.IMPORTING:
            if row.batch_id is None:
                report.claimed.append(_start_import(row, entry_name))
            elif row.batch.is_finished:
                file_away(spool_file_id=row.id)  # the task ended before filing it
                report.filed += 1
            # else: the batch runs, or beat queues it again when it falls silent.
        else:
            _move_to_filed_place(row)  # filed in the database, not yet on disk
            report.filed += 1


def _look(root: Path, report: ScanReport) -> None:
    now = timezone.now()
    settle = timedelta(seconds=settings.INGEST_SPOOL_SETTLE_SECONDS)
    present = set()
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        if not is_delivery(entry):
            continue
        present.add(entry.name)
        stat = entry.stat(follow_symlinks=False)
        row = SpoolFile.objects.filter(name=entry.name, state=SpoolFile.State.ARRIVING).first()
        if row is None:
            if len(entry.name) > MAX_NAME_CHARS:
                logger.warning("spool: %r has a name over %s characters; left in place", entry.name, MAX_NAME_CHARS)
                continue
            SpoolFile.objects.create(name=entry.name, size=stat.st_size, mtime_ns=stat.st_mtime_ns)
            report.seen += 1
        elif (row.size, row.mtime_ns) != (stat.st_size, stat.st_mtime_ns):
            SpoolFile.objects.filter(id=row.id).update(size=stat.st_size, mtime_ns=stat.st_mtime_ns, checked_at=now)
            report.seen += 1
        elif row.checked_at > now - settle:
            report.seen += 1  # unchanged, but the two looks are too close to prove it finished
        else:
            batch_id = _claim(root, row)
            if batch_id is not None:
                report.claimed.append(batch_id)
    # Files that left before they were claimed (the agency took them back) are forgotten.
    SpoolFile.objects.filter(state=SpoolFile.State.ARRIVING).exclude(name__in=present).delete()


def is_delivery(entry: os.DirEntry) -> bool:
    name = entry.name
    if name.startswith(".") or name.lower().endswith(IGNORED_SUFFIXES):
        return False
    return entry.is_file(follow_symlinks=False)  # never a symlink: it could point anywhere


def _claim(root: Path, row: SpoolFile) -> int | None:
    stored = f"{row.id}{_CLAIM_SEPARATOR}{row.name}"
    try:
        # The claim is this rename: atomic in one file system, so a file is claimed once,
        # and from here a crash leaves it in processing/, where the next scan finds it.
        os.rename(root / row.name, root / SPOOL_PROCESSING / stored)
    except FileNotFoundError:
        SpoolFile.objects.filter(id=row.id).delete()  # gone between the look and the claim
        return None
    return _start_import(row, stored)


def _start_import(row: SpoolFile, stored: str) -> int:
    path = spool_dir() / SPOOL_PROCESSING / stored
    size = path.stat().st_size
    with transaction.atomic():
        batch = ImportBatch.objects.create(origin=ImportBatch.Origin.SPOOL, publish=settings.INGEST_SPOOL_PUBLISH)
        ImportItem.objects.create(batch=batch, position=0, name=row.name, stored_name=stored, size=size)
        SpoolFile.objects.filter(id=row.id).update(
            state=SpoolFile.State.IMPORTING, batch=batch, stored_name=stored, size=size, claimed_at=timezone.now()
        )
    return batch.id


def file_away(*, spool_file_id: int) -> SpoolFile:
    """File a spool file whose import has finished under done/<date>/ or failed/<date>/, with
    <name>.reason.txt beside it. Idempotent: the place is recorded first, then the file moved."""
    with transaction.atomic():
        row = SpoolFile.objects.select_for_update(of=("self",)).select_related("batch").get(id=spool_file_id)
        if row.state == SpoolFile.State.IMPORTING and row.batch is not None and not row.batch.is_finished:
            return row  # a duplicate task returned while another worker still runs the batch
        if row.state == SpoolFile.State.IMPORTING:
            failed, reason = _verdict(row.batch)
            folder = Path(FAILED if failed else DONE) / timezone.localdate().isoformat()
            row.state = SpoolFile.State.FAILED if failed else SpoolFile.State.DONE
            row.filed_as = str(folder / _free_name(spool_dir() / folder, row.name))
            row.reason = reason
            row.finished_at = timezone.now()
            row.save(update_fields=["state", "filed_as", "reason", "finished_at"])
    _move_to_filed_place(row)
    return row


def finish_spool_batch(*, batch_id: int) -> None:
    """After a batch finished: file its spool file away (nothing to do for other batches)."""
    spool_file_id = SpoolFile.objects.filter(batch_id=batch_id).values_list("id", flat=True).first()
    if spool_file_id is not None:
        file_away(spool_file_id=spool_file_id)


def _verdict(batch: ImportBatch | None) -> tuple[bool, str]:
    item = batch.items.first() if batch else None
    if item is None:
        return True, "the import of this file was lost"
    summary = (
        f"{item.created} created, {item.updated} updated, {item.unchanged} unchanged, {item.refused} refused"
        f" (import batch {item.batch_id})"
    )
    refusals = [f"{o['label']}: {o['reason']}" for o in item.outcomes if o.get("outcome") == "refused"]
    if batch.status == JobStatus.FAILED or item.status == JobStatus.FAILED:
        lines = [batch.error or item.error or "the import failed", summary, *refusals[:MAX_REASON_LINES]]
        return True, "\n".join(dict.fromkeys(lines))
    if item.created + item.updated + item.unchanged == 0:
        lines = ["nothing in the file could be imported", summary, *refusals[:MAX_REASON_LINES]]
        return True, "\n".join(dict.fromkeys(lines))
    return False, "\n".join([summary, *refusals[:MAX_REASON_LINES]])


def _free_name(folder: Path, name: str) -> str:
    """The name, or name-2, name-3... if that day's folder already holds a file of that name."""
    stem, dot, suffix = name.rpartition(".") if "." in name.lstrip(".") else (name, "", "")
    candidate, n = name, 2
    while (folder / candidate).exists() or (folder / (candidate + REASON_SUFFIX)).exists():
        candidate = f"{stem}-{n}{dot}{suffix}"
        n += 1
    return candidate


def _move_to_filed_place(row: SpoolFile) -> None:
    root = spool_dir()
    target = root / row.filed_as
    target.parent.mkdir(parents=True, exist_ok=True)
    reason = target.with_name(target.name + REASON_SUFFIX)
    if not reason.exists():
        partial = reason.with_name("." + reason.name + ".tmp")
        partial.write_text(row.reason + "\n", encoding="utf-8")
        os.replace(partial, reason)
    source = root / SPOOL_PROCESSING / row.stored_name
    if source.exists() and not target.exists():
        with contextlib.suppress(FileNotFoundError):  # a concurrent recovery moved it first
            os.rename(source, target)
