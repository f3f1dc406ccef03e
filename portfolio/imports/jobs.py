"""Uploads kept on the server between preview and apply, each in a folder named by a random token.

A job folder contains the uploaded files (under fixed names, never the user's),
`job.json` with the job's owner, portfolio, state and progress, and
`summary.json` with the latest preview or apply summary. A job belongs to the
user who uploaded it and to one portfolio; any other user or portfolio gets
None from `job_load`, and a job older than UPLOAD_LIFETIME_SECONDS is deleted
when it is next loaded or when a new upload sweeps the folder.

The folder is `settings.IMPORT_WORK_DIR`, by default `var/imports` in the project.
Every process of one server must share it, so that any worker can serve a
job's status and apply.
"""

import json
import logging
import os
import re
import secrets
import shutil
import time
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path

from django.conf import settings

from portfolio.imports.limits import UPLOAD_LIFETIME_SECONDS
from portfolio.imports.parse import UploadedFile

logger = logging.getLogger(__name__)

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32}")
# A running job whose progress has not moved for this long is taken as dead (its process stopped).
STALE_SECONDS = 120
JOB_FILE = "job.json"
SUMMARY_FILE = "summary.json"
LOCK_FILE = "lock"


class JobState(StrEnum):
    PREVIEWING = "previewing"
    PREVIEWED = "previewed"
    APPLYING = "applying"
    APPLIED = "applied"
    FAILED = "failed"


RUNNING_STATES = (JobState.PREVIEWING, JobState.APPLYING)


def work_dir() -> Path:
    return Path(getattr(settings, "IMPORT_WORK_DIR", settings.BASE_DIR / "var" / "imports"))


@dataclass
class StoredFile:
    name: str
    stored_as: str
    size: int


@dataclass
class ImportJob:
    token: str
    portfolio_id: int
    user_id: int
    language: str
    files: list[StoredFile]
    state: str = JobState.PREVIEWING
    phase: str = ""
    done: int = 0
    total: int = 0
    message: str = ""
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)

    @property
    def directory(self) -> Path:
        return work_dir() / self.token

    @property
    def size(self) -> int:
        return sum(stored.size for stored in self.files)

    @property
    def file_names(self) -> list[str]:
        return [stored.name for stored in self.files]

    @property
    def expired(self) -> bool:
        return time.time() > self.created_at + UPLOAD_LIFETIME_SECONDS

    @property
    def running(self) -> bool:
        return self.state in RUNNING_STATES and not self.stale

    @property
    def stale(self) -> bool:
        return self.state in RUNNING_STATES and time.time() - self.updated_at > STALE_SECONDS

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    def save(self) -> None:
        self.updated_at = time.time()
        _write_json(self.directory / JOB_FILE, asdict(self))

    def uploaded_files(self) -> list[UploadedFile]:
        return [UploadedFile(stored.name, (self.directory / stored.stored_as).read_bytes())
                for stored in self.files]

    def summary(self) -> dict | None:
        path = self.directory / SUMMARY_FILE
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    def save_summary(self, summary: dict) -> None:
        _write_json(self.directory / SUMMARY_FILE, summary)


def _write_json(path: Path, data: dict) -> None:
    # Written aside and renamed, so that a reader in another request never reads half a file.
    partial = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
    partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, path)


def job_create(*, portfolio_id: int, user_id: int, language: str, files: list[UploadedFile]) -> ImportJob:
    """Store `files` in a new job folder and return the job, in the previewing state."""
    job_sweep()
    token = secrets.token_urlsafe(24)
    directory = work_dir() / token
    directory.mkdir(parents=True, mode=0o700)
    stored = []
    for index, upload in enumerate(files):
        name = f"upload-{index}"
        (directory / name).write_bytes(upload.data)
        stored.append(StoredFile(upload.name, name, len(upload.data)))
    job = ImportJob(token=token, portfolio_id=portfolio_id, user_id=user_id, language=language, files=stored)
    job.save()
    logger.info("Import job %s created by user %s for portfolio %s: %d files, %d bytes",
                token, user_id, portfolio_id, len(stored), job.size)
    return job


def job_load(token: str, *, portfolio_id: int, user_id: int) -> ImportJob | None:
    """Return the job `token` if it belongs to this user and portfolio and has not expired, else None."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    job = _read(token)
    if job is None or job.portfolio_id != portfolio_id or job.user_id != user_id:
        return None
    if job.expired:
        job_delete(job.token)
        return None
    return job


def _read(token: str) -> ImportJob | None:
    path = work_dir() / token / JOB_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    data["files"] = [StoredFile(**stored) for stored in data["files"]]
    return ImportJob(**data)


def job_transition(job: ImportJob, *, allowed: tuple[str, ...], to: str) -> ImportJob | None:
    """Move the job to state `to` if it is now in one of `allowed`; return the moved job, or None.

    The check and the change happen under a lock file, so that of two requests
    that try to apply the same job at once, only one gets it.
    """
    lock = job.directory / LOCK_FILE
    try:
        descriptor = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return None
    try:
        current = _read(job.token)
        if current is None or current.state not in allowed:
            return None
        current.state, current.message, current.phase, current.done, current.total = to, "", "", 0, 0
        current.save()
        return current
    finally:
        os.close(descriptor)
        lock.unlink(missing_ok=True)


def job_delete(token: str) -> None:
    shutil.rmtree(work_dir() / token, ignore_errors=True)


def job_sweep() -> None:
    """Delete job folders older than their lifetime, so that uploads do not pile up."""
    root = work_dir()
    if not root.exists():
        return
    cutoff = time.time() - UPLOAD_LIFETIME_SECONDS
    for directory in root.iterdir():
        if not (directory.is_dir() and TOKEN_PATTERN.fullmatch(directory.name)):
            continue
        if directory.stat().st_mtime < cutoff:
            shutil.rmtree(directory, ignore_errors=True)
            logger.info("Deleted expired import job %s", directory.name)
