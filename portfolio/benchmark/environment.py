"""The machine, database and software a benchmark ran on, for the record next to its numbers."""

import os
import platform
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import django
from django.db import connection


@dataclass(frozen=True)
class Environment:
    cpu: str
    cores: int
    memory: str
    database: str
    python: str
    django: str

    @classmethod
    def current(cls) -> "Environment":
        return cls(
            cpu=cpu_model(),
            cores=os.cpu_count() or 0,
            memory=memory_total(),
            database=database_version(),
            python=platform.python_version(),
            django=django.get_version(),
        )


def cpu_model() -> str:
    """Return the CPU model name from /proc/cpuinfo, or the processor name from `platform` elsewhere."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def memory_total() -> str:
    """Return the machine's total memory in GiB from /proc/meminfo, or "unknown"."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                kib = int(line.split()[1])
                return f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return "unknown"


def load_average() -> str:
    """Return the 1, 5 and 15 minute load averages, which show whether other work shared the CPUs."""
    try:
        return ", ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def database_version() -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    if connection.vendor == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    return connection.display_name
