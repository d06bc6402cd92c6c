"""The load plan: before any batch, what a run does with every file of its folder and every document loaded from it."""
from __future__ import annotations

import os
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from pathlib import Path

from .ingest import IngestError, TransientReadError, doc_id_for, read_capped, source_name_for
from .preflight import InputError
from .records import FileError

# --prune removes at most this share of a folder's documents without --force: more looks like a folder that is
# empty, half copied or not mounted, not like reports that were deleted.
PRUNE_LIMIT = 0.5


class Action(str, Enum):
    """What the run does with one file or loaded document."""

    NEW = "new"              # no document under this name yet: processed and loaded
    CHANGED = "changed"      # other bytes than the document loaded under this name: processed, replaces it
    UNCHANGED = "unchanged"  # the bytes loaded under this name: nothing to do
    DUPLICATE = "duplicate"  # the same bytes as another document that stays loaded: skipped and recorded
    UNREADABLE = "unreadable"  # cannot become a document (not a regular file, too large, no permission): recorded
    GONE = "gone"            # loaded from this folder, its file no longer there: removed with --prune


@dataclass(frozen=True)
class LoadedDocument:
    """A document already in the warehouse, as the plan needs it."""

    source_name: str
    doc_id: str
    source_path: str


@dataclass(frozen=True)
class PlannedFile:
    """One file's (or one gone document's) place in the plan."""

    source_name: str
    action: Action
    path: Path | None = None       # None for a gone document
    doc_id: str | None = None      # hash of the bytes read while planning; None when they could not be read now
    loaded_id: str | None = None   # the document loaded under this name before the run
    reason: str | None = None      # why a file is skipped (duplicate, unreadable)

    def error(self) -> FileError:
        """The ingest error that records a skipped file."""
        stage = "plan" if self.action is Action.DUPLICATE else "ingest"
        return FileError(self.source_name, str(self.path), stage, self.reason or self.action.value)


@dataclass(frozen=True)
class LoadPlan:
    """Every file of the folder and every loaded document of it, each with what the run does with it."""

    root: Path
    files: tuple[PlannedFile, ...]
    documents_under_root: int  # documents read from under root before the run (what --prune may remove from)

    def with_action(self, *actions: Action) -> list[PlannedFile]:
        return [f for f in self.files if f.action in actions]

    # The plan never changes once made; the flow reads these per batch, so each is worked out once.
    @cached_property
    def to_process(self) -> list[Path]:
        """The files the batches read, in the folder's order."""
        return [f.path for f in self.with_action(Action.NEW, Action.CHANGED)]

    @cached_property
    def replaced(self) -> dict[str, str]:
        """source name -> the doc_id it held before, for files whose new version replaces it."""
        return {f.source_name: f.loaded_id for f in self.with_action(Action.CHANGED) if f.loaded_id}

    @cached_property
    def loaded_names(self) -> dict[str, str]:
        """source name -> loaded doc_id of every file of the plan that had a document before the run."""
        return {f.source_name: f.loaded_id for f in self.files if f.loaded_id and f.action is not Action.GONE}

    def counts(self) -> dict[str, int]:
        return {a.value: sum(1 for f in self.files if f.action is a) for a in Action}

    def check_prune(self, force: bool) -> None:
        """Refuse (InputError) to remove more than PRUNE_LIMIT of the folder's documents unless force."""
        gone = len(self.with_action(Action.GONE))
        total = self.documents_under_root
        if gone and not force and gone > PRUNE_LIMIT * total:
            found = len(self.files) - gone
            raise InputError(f"--prune would remove {gone} of the {total} documents read from {self.root} (more "
                             f"than {PRUNE_LIMIT:.0%}; {found} report files found there now): is the folder empty "
                             f"or not mounted? Nothing was removed; add --force to prune them anyway")


def _read_id(path: Path) -> tuple[str | None, str | None]:
    """(doc_id, None) for a file that can be read now; (None, reason) for one that never can; (None, None)
    when the read may succeed later (left to the batch, which retries and records why)."""
    try:
        return doc_id_for(read_capped(path)), None
    except TransientReadError:
        return None, None
    except IngestError as err:
        return None, str(err)
    except OSError:  # the batch reads it again and words the reason (permission, broken link, …)
        return None, None


def plan_load(paths: list[Path], root: Path, loaded: list[LoadedDocument], unwalked_folders: list[str],
              prune: bool) -> LoadPlan:
    """Decide, for every file found under root and every document loaded from it, what the run does.

    A file is a duplicate when its bytes are those of a document that stays loaded or of an earlier file of
    this run (one doc_id, one document). A document whose file is gone is GONE only with prune and only when
    its folder could be walked this time (otherwise we just could not look).
    """
    by_name = {d.source_name: d for d in loaded}
    planned: list[PlannedFile] = []
    for path in paths:
        name = source_name_for(path, root)
        before = by_name.get(name)
        doc_id, unreadable = _read_id(path)
        loaded_id = before.doc_id if before else None
        if unreadable:
            action = Action.UNREADABLE
        elif before is None:
            action = Action.NEW
        else:
            action = Action.UNCHANGED if doc_id == loaded_id else Action.CHANGED
        planned.append(PlannedFile(name, action, path, doc_id, loaded_id, unreadable))

    prefix = str(root).rstrip(os.sep) + os.sep
    present = {f.source_name for f in planned}
    under_root = [d for d in loaded if d.source_path.startswith(prefix)]
    gone = [PlannedFile(d.source_name, Action.GONE, loaded_id=d.doc_id) for d in under_root
            if d.source_name not in present
            and not any(d.source_path.startswith(f.rstrip(os.sep) + os.sep) for f in unwalked_folders)]

    # The doc_ids that stay loaded: a changed file's old bytes and (with --prune) a gone file's are leaving.
    leaving = {f.loaded_id for f in planned if f.action is Action.CHANGED} | \
        ({f.loaded_id for f in gone} if prune else set())
    owner = {d.doc_id: d.source_name for d in loaded if d.doc_id not in leaving}
    for i, f in enumerate(planned):
        if f.action not in (Action.NEW, Action.CHANGED) or f.doc_id is None:
            continue
        first = owner.setdefault(f.doc_id, f.source_name)
        if first != f.source_name:
            planned[i] = PlannedFile(f.source_name, Action.DUPLICATE, f.path, f.doc_id, f.loaded_id,
                                     f"same bytes as {first}, already loaded or loaded first; skipped")
    return LoadPlan(root, tuple(planned + (gone if prune else [])), len(under_root))
