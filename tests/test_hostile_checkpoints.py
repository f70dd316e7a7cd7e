"""Issue 21, item 6: a missing eval-only checkpoint is a prerequisite, named, everywhere the hook
reports: the closing summary, COMPLETE_DESIGN's Prerequisites and README.md's checklist (and the
wizard's plan, which uses the same list). A real `copier copy`."""

from __future__ import annotations

from copier_support import copied_experiment, log_actions


def _entries(dst):
    return (dst / "logs" / "design-experiment.log").read_text().split("\n\n")


def test_a_missing_checkpoint_is_a_prerequisite_everywhere(tmp_path):
    gone = tmp_path / "old" / "ck-out-rank8" / "epoch_0"
    dst, _ = copied_experiment(tmp_path, eval_checkpoints_wanted=True,
                               eval_checkpoints=[{"path": str(gone), "label": "old_rank8"}])
    sentence = (f"Checkpoint of eval-only run old_rank8: {gone} does not exist "
                "(train it first, or fix checkpoint_path).")
    complete = _entries(dst)[-1]
    assert "COMPLETE_DESIGN" in complete and "Prerequisites: 1" in complete, complete
    assert sentence in complete
    checkpoint = next(e for e in _entries(dst) if "eval-only run's checkpoint" in e)
    assert "Result: failure" in checkpoint and f"Path: {gone}" in checkpoint
    readme = (dst / "README.md").read_text()
    assert f"- [ ] {sentence}" in readme or sentence in readme, readme
    assert "every resource was found" not in readme
    assert log_actions(dst)[-1] == "COMPLETE_DESIGN"
