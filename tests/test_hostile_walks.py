"""Issue 21, item 8: directory walks are bounded by the entries they visit, not by matches. A
checkpoint glob that matches nothing no longer walks a whole tree (several times per answer),
and a model path that is a big tree (/usr) is not measured whole. Real trees on disk; the real
wizard through copier's Python API; the bounds lowered so the trees stay small."""

from __future__ import annotations

import pytest
from copier import run_copy

from ck_design.facts import resources, walk
from copier_support import answers_for, make_scratch, shared_template


def _tree(root, fanout: int, depth: int) -> None:
    dirs = [root]
    for _ in range(depth):
        nxt = []
        for d in dirs:
            for i in range(fanout):
                (d / f"d{i}").mkdir(parents=True)
                nxt.append(d / f"d{i}")
        dirs = nxt


def test_a_glob_matching_nothing_stops_at_the_bound_and_the_wizard_says_so(tmp_path, monkeypatch):
    (tmp_path / "home").mkdir()  # the private HOME the copy runs with
    template = shared_template()
    res = make_scratch(tmp_path / "res")
    big = tmp_path / "outputs"
    _tree(big, 12, 3)  # 12 + 144 + 1728 folders
    monkeypatch.setattr(walk, "MAX_GLOB_ENTRIES", 1000)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    walk.bounded_glob.cache_clear()
    pattern = f"{big}/*/*/*/epoch_0"
    checkpoints = [{"path": pattern, "label": "old"}]
    with pytest.raises(ValueError) as exc:
        run_copy(str(template), tmp_path / "exp", data=answers_for(res, eval_checkpoints_wanted=True,
                 eval_checkpoints=checkpoints), defaults=True, unsafe=True, quiet=True)
    assert (f"checkpoint 1: the glob {pattern!r} stopped after visiting 1,000 files and folders without "
            "finishing: write more of the path out") in str(exc.value)
    assert walk.bounded_glob.cache_info().misses == 1  # evaluated once, however often it is asked
    assert not (tmp_path / "exp").exists()


def test_a_glob_within_the_bound_matches_as_glob_does(tmp_path):
    _tree(tmp_path / "o", 3, 2)
    for d in ("d0/d1", "d2/d0"):
        (tmp_path / "o" / d / "epoch_0").mkdir()
    (tmp_path / "o" / ".hidden" / "epoch_0").mkdir(parents=True)
    found = walk.bounded_glob(f"{tmp_path}/o/*/*/epoch_0")
    assert found == walk.GlobResult((f"{tmp_path}/o/d0/d1/epoch_0", f"{tmp_path}/o/d2/d0/epoch_0"), False)


def test_a_model_path_that_is_a_big_tree_is_not_measured_whole(tmp_path, monkeypatch):
    _tree(tmp_path / "usr", 10, 3)
    monkeypatch.setattr(walk, "MAX_MODEL_ENTRIES", 500)
    facts = resources.model_facts(tmp_path / "usr")
    assert facts.size_gb is None
    assert facts.error == (f"{str(tmp_path / 'usr')!r} holds more than 500 files and folders: its size is not "
                           "measured (is it the right folder?)")
