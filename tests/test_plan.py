"""The load plan: one decision per file and per loaded document, before any batch."""
from __future__ import annotations

import os
import threading

import pytest

from fazhi import ingest
from fazhi.ingest import discover, doc_id_for
from fazhi.plan import Action, LoadedDocument, plan_load
from fazhi.preflight import InputError


def _write(folder, files: dict[str, str]):
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


def _loaded(folder, name: str, text: str) -> LoadedDocument:
    return LoadedDocument(name, doc_id_for(text.encode("utf-8")), str(folder / name))


def _actions(plan) -> dict[str, Action]:
    return {f.source_name: f.action for f in plan.files}


SAME, OLD, NEW = "法院审结案件431件。", "检察院受理案件12件。", "公安局破获案件3起。"


@pytest.mark.parametrize("files, loaded, prune, expected", [
    # nothing here: an empty folder and an empty warehouse plan nothing
    ({}, [], False, {}),
    ({"a.txt": SAME}, [], False, {"a.txt": Action.NEW}),
    ({"a.txt": SAME}, [("a.txt", SAME)], False, {"a.txt": Action.UNCHANGED}),
    ({"a.txt": NEW}, [("a.txt", OLD)], False, {"a.txt": Action.CHANGED}),
    # the same bytes under a second name: one doc_id, one document
    ({"a.txt": SAME, "b.txt": SAME}, [], False, {"a.txt": Action.NEW, "b.txt": Action.DUPLICATE}),
    ({"b.txt": SAME}, [("a.txt", SAME)], False, {"b.txt": Action.DUPLICATE}),
    # a file renamed: without --prune the old document stays, so the new name is a duplicate of it
    ({"b.txt": SAME}, [("a.txt", SAME)], True, {"b.txt": Action.NEW, "a.txt": Action.GONE}),
    # a changed file's old bytes are leaving, so a new file holding them is not a duplicate
    ({"a.txt": NEW, "c.txt": OLD}, [("a.txt", OLD)], False, {"a.txt": Action.CHANGED, "c.txt": Action.NEW}),
    # gone documents are only planned with --prune
    ({"a.txt": SAME}, [("a.txt", SAME), ("b.txt", OLD)], False, {"a.txt": Action.UNCHANGED}),
])
def test_each_file_gets_one_action(tmp_path, files, loaded, prune, expected):
    _write(tmp_path, files)
    paths, _ = discover(tmp_path)
    plan = plan_load(paths, tmp_path, [_loaded(tmp_path, n, t) for n, t in loaded], [], prune)
    assert _actions(plan) == expected
    assert sorted(p.name for p in plan.to_process) == sorted(
        n for n, a in expected.items() if a in (Action.NEW, Action.CHANGED))


def test_a_changed_file_replaces_the_document_it_held(tmp_path):
    _write(tmp_path, {"a.txt": NEW})
    paths, _ = discover(tmp_path)
    before = _loaded(tmp_path, "a.txt", OLD)
    plan = plan_load(paths, tmp_path, [before], [], False)
    assert plan.replaced == {"a.txt": before.doc_id}
    assert plan.loaded_names == {"a.txt": before.doc_id}


def test_documents_of_other_folders_and_of_unwalked_folders_are_never_gone(tmp_path):
    _write(tmp_path, {"in/a.txt": SAME})
    root = tmp_path / "in"
    paths, _ = discover(root)
    loaded = [LoadedDocument("x.txt", "1" * 16, str(tmp_path / "elsewhere" / "x.txt")),
              LoadedDocument("locked/y.txt", "2" * 16, str(root / "locked" / "y.txt")),
              LoadedDocument("z.txt", "3" * 16, str(root / "z.txt"))]
    plan = plan_load(paths, root, loaded, [str(root / "locked")], prune=True)
    assert [f.source_name for f in plan.with_action(Action.GONE)] == ["z.txt"]
    assert plan.documents_under_root == 2


def test_pruning_most_of_a_folder_needs_force(tmp_path):
    _write(tmp_path, {"a.txt": SAME})
    paths, _ = discover(tmp_path)
    loaded = [LoadedDocument(f"{i}.txt", f"{i:016d}", str(tmp_path / f"{i}.txt")) for i in range(3)]
    plan = plan_load(paths, tmp_path, loaded, [], prune=True)
    with pytest.raises(InputError, match="--prune would remove 3 of the 3 documents"):
        plan.check_prune(force=False)
    plan.check_prune(force=True)


def test_the_plan_reads_no_fifo_and_nothing_over_the_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "MAX_BYTES", 64)
    text = b"x" * 10
    os.mkfifo(tmp_path / "fifo.txt")

    def write_once():  # were the FIFO read, it would give the loaded bytes and pass as unchanged
        try:
            with open(tmp_path / "fifo.txt", "wb") as f:
                f.write(text)
        except OSError:
            pass

    threading.Thread(target=write_once, daemon=True).start()
    (tmp_path / "big.txt").write_bytes(b"y" * 65)
    (tmp_path / "same.txt").write_bytes(text)
    loaded = [LoadedDocument(n, doc_id_for(b), str(tmp_path / n))
              for n, b in (("fifo.txt", text), ("big.txt", b"y" * 65), ("same.txt", text))]
    plan = plan_load([tmp_path / n for n in ("fifo.txt", "big.txt", "same.txt")], tmp_path, loaded, [], False)
    assert _actions(plan) == {"fifo.txt": Action.UNREADABLE, "big.txt": Action.UNREADABLE,
                              "same.txt": Action.UNCHANGED}
    reasons = {f.source_name: f.error() for f in plan.with_action(Action.UNREADABLE)}
    assert "not a regular file (a FIFO)" in reasons["fifo.txt"].error
    assert "too large" in reasons["big.txt"].error and reasons["big.txt"].stage == "ingest"
