"""`copier update` on a rendered design: update equals a fresh copy; hand edits
survive; the hook's writes never make the next update conflict; the log only grows; conflicts
are detected and refused. Real copier, real git, real pre-commit (installed by the hook)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from ck_design.post_copy.git import conflicts

from copier_support import (
    CK_VALIDATE,
    answers_for,
    copier_copy,
    copier_update,
    git,
    log_actions,
    make_scratch,
    tree,
)


def _copy(setup, name: str, **overrides):
    tmp, env, template, _ = setup
    res = make_scratch(tmp / name)
    dst = Path(res["scratch"]) / "ck-experiments" / "cap_lora_rank_comparison_2026-11-25"
    r = copier_copy(template, dst, answers_for(res, **overrides), env, tmp)
    assert r.returncode == 0, r.stderr
    return res, dst


def _design(dst):
    return yaml.safe_load((dst / "experiment_summary.yaml").read_text())


def test_update_equals_fresh_copy(setup):
    tmp, env, template, _ = setup
    res, dst = _copy(setup, "eq")
    # B is a complete answer set. experiment_factor is pinned: a stored answer wins over a default on
    # update (copier's rule), so its default, derived from the variables, would stay A's.
    b = {"variables": {"lora_rank": [4, 8, 16], "lr": [1e-05, 0.0001]}, "epochs": 3, "eval_epochs": "last",
         "question": "Does rank or learning rate matter more?", "experiment_factor": "lora_rank_lr_comparison"}
    u = copier_update(dst, env, answers_for(res, **b), tmp)
    assert u.returncode == 0, u.stderr
    updated = dst.with_name(dst.name + "-updated")
    dst.rename(updated)
    r = copier_copy(template, dst, answers_for(res, **b), env, tmp)
    assert r.returncode == 0, r.stderr
    a_files, b_files = tree(updated), tree(dst)
    assert sorted(a_files) == sorted(b_files)
    # copier orders the answers file by where each answer came from (stored, given, default): the
    # same answers, in another order. Everything else must be byte-identical.
    answers = ".copier-answers.yml"
    assert yaml.safe_load(a_files.pop(answers)) == yaml.safe_load(b_files.pop(answers))
    for name in a_files:
        assert a_files[name] == b_files[name], f"{name} differs between update and fresh copy"


def _commit_hand_edit(dst, env, message):
    """A hand edit of the design: the first commit stops when ck-plan rewrote README.md's plan
    (review it), the same command again commits both."""
    c = git(["commit", "-qam", message], dst, env, check=False)
    if c.returncode != 0:
        assert "ck-plan" in c.stdout + c.stderr, c.stdout + c.stderr
        c = git(["commit", "-qam", message], dst, env, check=False)
    return c


def test_hand_edit_survives_a_third_lora_rank(setup):
    tmp, env, template, _ = setup
    res, dst = _copy(setup, "hand")
    summary = dst / "experiment_summary.yaml"
    text = summary.read_text()
    assert text.count("Rank 4 is enough.") == 1
    summary.write_text(text.replace("Rank 4 is enough.", "Rank 4 is enough (hand edit)."))
    c = _commit_hand_edit(dst, env, "sharpen the hypothesis")
    assert c.returncode == 0, c.stdout + c.stderr  # the pre-commit gate passes a valid design
    log = dst / "logs" / "design-experiment.log"
    log_before = log.read_text()
    u = copier_update(dst, env, {"variables": {"lora_rank": [4, 8, 16]}}, tmp)
    assert u.returncode == 0, u.stderr
    design = _design(dst)
    assert design["experiment"]["hypothesis"] == "Rank 4 is enough (hand edit)."
    names = [r["name"] for r in design["runs"]]
    assert "Llama-3.2-1B-Instruct_rank16" in names and "Llama-3.2-1B-Instruct_rank4" in names
    assert any(m["run"] == "Llama-3.2-1B-Instruct_rank16" for m in design["evaluation"]["matrix"])
    assert "rank16" in (dst / "README.md").read_text()
    assert conflicts(dst) == []  # no unmerged paths, no *.rej, no <<<<<<< / >>>>>>> lines
    after = log.read_text()
    assert after.startswith(log_before) and len(after) > len(log_before)  # only grows
    assert "UPDATE_DESIGN" in after[len(log_before):]
    v = subprocess.run([CK_VALIDATE, str(summary)], capture_output=True, text=True, env=env)
    assert v.returncode == 0, v.stdout
    v = subprocess.run([CK_VALIDATE, "--log", str(log)], capture_output=True, text=True, env=env)
    assert v.returncode == 0, v.stdout
    c = git(["commit", "-qam", "third rank"], dst, env, check=False)
    assert c.returncode == 0, c.stdout + c.stderr


def test_no_spurious_changes_and_repeated_updates_never_conflict(setup):
    tmp, env, template, _ = setup
    res, dst = _copy(setup, "noop")
    for i in range(2):
        u = copier_update(dst, env)
        assert u.returncode == 0, u.stderr
        changed = git(["status", "--porcelain"], dst).stdout.splitlines()
        assert changed == [" M logs/design-experiment.log"], changed
        c = git(["commit", "-qam", f"log after update {i}"], dst, env, check=False)
        assert c.returncode == 0, c.stdout + c.stderr
    # a template change in between: still only the template's change and the log
    (template / "README.md").write_text((template / "README.md").read_text() + "\nchange\n")
    git(["commit", "-qam", "template readme change"], template, env)
    u = copier_update(dst, env)
    assert u.returncode == 0, u.stderr
    assert git(["ls-files", "-u"], dst).stdout == ""
    assert log_actions(dst).count("UPDATE_DESIGN") == 3


def test_conflict_is_reported_logged_and_refused_by_pre_commit(setup):
    tmp, env, template, _ = setup
    res, dst = _copy(setup, "conflict")
    summary = dst / "experiment_summary.yaml"
    text = summary.read_text()
    assert text.count("Does LoRA rank matter for capitalization?") == 1
    summary.write_text(text.replace("Does LoRA rank matter for capitalization?",
                                    "Does LoRA rank matter for capitalisation (hand)?"))
    assert _commit_hand_edit(dst, env, "hand edit of the question").returncode == 0
    u = copier_update(dst, env, {"question": "Does LoRA rank matter at all?"}, tmp)
    assert u.returncode == 0, u.stderr  # copier exits 0 with conflicts left in the files
    assert "<<<<<<<" in summary.read_text()
    assert "MERGE CONFLICTS" in u.stderr and "experiment_summary.yaml" in u.stderr
    log_text = (dst / "logs" / "design-experiment.log").read_text()
    update = log_text[log_text.rindex("UPDATE_DESIGN"):].split("\n\n")[0]
    # README.md's plan (regenerated by ck-plan from the hand edit) conflicts on the same line too.
    conflicts_line = next(line for line in update.splitlines() if line.startswith("Conflicts: "))
    assert "experiment_summary.yaml" in conflicts_line and update.endswith("Result: warning")
    git(["add", "-A"], dst, env)
    c = git(["commit", "-qm", "commit with markers"], dst, env, check=False)
    assert c.returncode != 0
    assert "ck-no-conflict-markers" in c.stdout + c.stderr


def test_update_names_the_variables_a_new_mapping_dropped(setup):
    """`--data 'variables={lora_rank: [4, 8, 16]}'` replaces the mapping whole: a rank x lr
    design loses lr, and the hook's summary says so (issue 10, item 8)."""
    tmp, env, template, _ = setup
    res, dst = _copy(setup, "gone", variables={"lora_rank": [4, 8], "lr": [1e-05, 0.0001]})
    u = copier_update(dst, env, answers_for(res, variables={"lora_rank": [4, 8, 16]}), tmp)
    assert u.returncode == 0, u.stderr
    out = u.stdout + u.stderr
    assert "no longer swept: lr (was [1e-05, 0.0001])" in out, out
    assert "variables is replaced whole" in out


def test_update_keeps_a_destination_off_the_convention(setup):
    """experiment.directory records where the files are when the copy went elsewhere than
    {scratch}/ck-experiments/<name>; an update (which renders the old and new versions into
    temporary folders) keeps it (docs/wizard.md, "experiment.directory")."""
    tmp, env, template, _ = setup
    res = make_scratch(tmp / "off")
    dst = tmp / "off" / "projects" / "exp"
    r = copier_copy(template, dst, answers_for(res), env, tmp)
    assert r.returncode == 0, r.stderr
    assert _design(dst)["experiment"]["directory"] == str(dst)
    r = copier_update(dst, env, {"question": "Another question?"}, tmp)
    assert r.returncode == 0, r.stderr
    assert _design(dst)["experiment"]["question"] == "Another question?"
    assert _design(dst)["experiment"]["directory"] == str(dst)
    assert yaml.safe_load((dst / ".copier-answers.yml").read_text())["experiment_directory"] == str(dst)


def test_the_generated_plan_never_conflicts_on_update(setup):
    """Issue 22 item 3: a hand edit of a run's compute.time, committed with the plan ck-plan
    rewrote from it, then `copier update` adding a value. The plan's lines differ on both sides
    of the merge; they are generated, so the hook regenerates them from the merged design and
    says so - no MERGE CONFLICTS. ck-plan by hand exits 0 after rewriting the plan."""
    tmp, env, template, _ = setup
    res, dst = _copy(setup, "plan")
    summary = dst / "experiment_summary.yaml"
    text = summary.read_text()
    edited = text.replace("time: '00:30:00'", "time: '02:00:00'", 1)
    assert edited != text
    summary.write_text(edited)
    p = subprocess.run([str(Path(CK_VALIDATE).with_name("ck-plan"))], cwd=dst, env=env, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr  # by hand: the plan is rewritten, nothing failed
    assert "regenerated the plan" in p.stderr
    readme = (dst / "README.md").read_text()
    assert "02:00:00" in readme
    # The run's job file follows its compute time too (the ck-scaffold-sync hook would rewrite it).
    s = subprocess.run([str(Path(CK_VALIDATE).with_name("ck-scaffold"))], cwd=dst, env=env, capture_output=True, text=True)
    assert s.returncode == 0, s.stderr
    git(["add", "-A"], dst, env)
    c = git(["commit", "-qm", "longer time for one run"], dst, env, check=False)
    assert c.returncode == 0, c.stdout + c.stderr  # the plan was already regenerated: the hook passes
    u = copier_update(dst, env, {"variables": {"lora_rank": [4, 8, 16]}}, tmp)
    assert u.returncode == 0, u.stderr
    assert "MERGE CONFLICTS" not in u.stderr, u.stderr
    assert conflicts(dst) == []
    readme = (dst / "README.md").read_text()
    assert "<<<<<<<" not in readme and "02:00:00" in readme and "Llama-3.2-1B-Instruct_rank16" in readme
    said = " ".join((u.stdout + u.stderr).split())
    assert re.search(r"README\.md: the plan's merge conflicts \(\d+\) resolved: it is generated text, "
                     r"regenerated from the merged experiment_summary\.yaml", said), said
    from ck_design.plan.sync import sync

    assert sync(dst) == (0, "")  # the plan is the merged design's
    assert "02:00:00" in summary.read_text()


def test_ck_plan_stops_the_commit_only_from_the_hook(setup):
    """The rendered hook passes --exit-non-zero-on-fix: the commit stops after a rewrite."""
    tmp, env, template, _ = setup
    res, dst = _copy(setup, "planhook")
    summary = dst / "experiment_summary.yaml"
    summary.write_text(summary.read_text().replace("time: '00:30:00'", "time: '03:00:00'", 1))
    c = git(["commit", "-qam", "edit without the plan"], dst, env, check=False)
    assert c.returncode != 0 and "ck-plan" in c.stdout + c.stderr
    assert "03:00:00" in (dst / "README.md").read_text()
