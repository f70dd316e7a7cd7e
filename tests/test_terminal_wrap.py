"""terminal.wrap_lines, the one wrapper of every line the wizard and the hook print (issue 22,
item 4): a command in a code span is never split across lines, so copying it keeps working."""

from __future__ import annotations

from ck_design.terminal import wrap_lines

# the wizard's opening line in a clone without tags, as it was cut at 80 columns:
# "... (`git fetch" / "--tags` then ..."
BANNER = ("ck-design 0.2.0, untagged commit c32dcb2: this clone has no release tag, so copier renders "
          "that commit and calls it 0.0.0.post354.dev0+c32dcb2 (`git fetch --tags` then `--vcs-ref "
          "v0.2.0` renders the release): design a fine-tuning + evaluation experiment in 9 steps.")


def test_a_code_span_is_never_split_across_lines() -> None:
    lines = wrap_lines([BANNER], 79)
    assert all(len(line) <= 79 for line in lines), lines
    assert all(line.count("`") % 2 == 0 for line in lines), lines
    assert any("`git fetch --tags`" in line for line in lines), lines
    assert " ".join(" ".join(lines).split()) == " ".join(BANNER.split())  # no word lost or changed


def test_a_code_span_wider_than_a_line_stands_alone_whole() -> None:
    cmd = "`git add -- " + " ".join(f"run_{i}/setup_finetune.yaml" for i in range(4)) + " && git commit`"
    assert len(cmd) > 79
    lines = wrap_lines([f"  next: review `git diff`, then {cmd} (pre-commit validates the design)"], 79)
    assert cmd in lines, lines
    assert all(line.count("`") % 2 == 0 for line in lines), lines

