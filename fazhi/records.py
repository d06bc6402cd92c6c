"""The records a run passes between its steps: a batch's rows, a file that could not be loaded, the run's counts.

Nothing here imports the text stages, so the flow's process can hold these without loading the extractor.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class FileError:
    """A file that could not be loaded (a row of ingest_errors): where, at which stage, and why in one line."""

    source_name: str
    source_path: str
    stage: str  # discover, plan, ingest, process, budget or load
    error: str
    transient: bool = False  # a read that may succeed when the batch is retried

    def row(self) -> dict:
        return {"source_name": self.source_name, "source_path": self.source_path, "stage": self.stage,
                "error": self.error}


@dataclass
class RunCounts:
    """What a run did with the files it found: seen = loaded + skipped + failed."""

    seen: int = 0
    loaded: int = 0
    replaced: int = 0
    skipped: int = 0
    failed: int = 0
    figures: int = 0
    pruned: int = 0
    stale: int = 0
    not_walked: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass
class BatchResult:
    """Rows for each warehouse table from one batch of files, plus what happened to each file."""

    documents: list[dict] = field(default_factory=list)
    sentences: list[dict] = field(default_factory=list)
    tokens: list[dict] = field(default_factory=list)
    figures: list[dict] = field(default_factory=list)
    orgs: list[dict] = field(default_factory=list)  # the figures' organizations, classified (rows of orgs)
    errors: list[FileError] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
