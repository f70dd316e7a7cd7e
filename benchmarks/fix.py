"""Time `ck-validate --fix` on the 1,000-run design (issue 12; issue 21 item 13: a fix costs in
proportion to what it changes, one mistake at most 3x plain validation).

    .venv/bin/python benchmarks/fix.py [--repeat 5] [--runs 1000]
    .venv/bin/python benchmarks/fix.py --repeat 1 --runs 10000   # the 9,999-fix --diff (528 s before)

Three timings, each the median wall time of a fresh `ck-validate` process (after a warm-up):
  validate   plain `ck-validate` on the clean design (the baseline every commit pays);
  fix-clean  `ck-validate --fix` on the clean design (nothing to fix: ruamel.yaml is not loaded);
  fix-one    `ck-validate --fix` with one matrix entry counted from 1 (the usual case: the cost
             is ruamel.yaml reading and writing the whole file), restored before each run;
  fix-all    `ck-validate --fix` on the design with every fine-tuned matrix entry counted from 1
             (one CK210 per entry: ~1,000 fixes), restored before each run;
  diff-all   `ck-validate --diff` on that design (nothing written).
Each is also printed as a ratio to `validate`. Fixes that change no structure are spliced into
the text (validate/fixes/splice.py); ruamel.yaml's round trip only does the rest.
The designs come from benchmarks/validate.py's generator (the wizard's builder).
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from validate import EPOCHS, write_design  # noqa: E402

BIN = Path(sys.executable).parent


def _ck_validate() -> str:
    found = BIN / "ck-validate"
    return str(found) if found.exists() else (shutil.which("ck-validate") or "ck-validate")


def one_indexed(text: str, count: int = 0) -> tuple[str, int]:
    """Every evaluated epoch list shifted to count from 1 (the mistake CK210 fixes)."""
    # The generator writes block lists: `epochs:` then one `- N` line per epoch.
    right = "".join(rf"(\s*)- {e}\n" for e in range(EPOCHS))
    wrong = "".join(rf"\g<{e + 2}>- {e + 1}\n" for e in range(EPOCHS))
    return re.subn(rf"^(\s*epochs:\n){right}", rf"\g<1>{wrong}", text, count=count, flags=re.M)


def timed(argv: list[str], repeat: int, reset: tuple[Path, str] | None = None) -> tuple[float, int, str]:
    """Median wall time of `repeat` runs after one warm-up; the file is reset before each run."""
    times, rc, err = [], 0, ""
    for i in range(repeat + 1):
        if reset is not None:
            reset[0].write_text(reset[1], encoding="utf-8")
        start = time.perf_counter()
        proc = subprocess.run(argv, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        rc, err = proc.returncode, proc.stderr
        if i:
            times.append(elapsed)
    return statistics.median(times), rc, err


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--runs", type=int, default=1000)
    args = parser.parse_args(argv)
    exe = _ck_validate()
    with tempfile.TemporaryDirectory() as tmp:
        path = write_design(Path(tmp), args.runs)
        clean = path.read_text(encoding="utf-8")
        broken, n = one_indexed(clean)
        assert n >= args.runs - 1, f"expected one epoch list per fine-tuned run, shifted {n}"
        base, rc0, _ = timed([exe, str(path)], args.repeat)
        assert rc0 == 0, "the generated design is not clean"
        fix_clean, rc1, _ = timed([exe, "--fix", str(path)], args.repeat)
        assert path.read_text(encoding="utf-8") == clean, "--fix changed a clean design"
        fix_one, _, _ = timed([exe, "--fix", str(path)], args.repeat, reset=(path, one_indexed(clean, 1)[0]))
        assert path.read_text(encoding="utf-8") == clean, "--fix did not restore the 0-indexed entry"
        fix_all, rc2, err = timed([exe, "--fix", str(path)], args.repeat, reset=(path, broken))
        assert path.read_text(encoding="utf-8") == clean, "--fix did not restore the 0-indexed design"
        assert rc2 == 0, err
        diff_all, rc3, _ = timed([exe, "--diff", str(path)], args.repeat, reset=(path, broken))
        assert rc3 == 1 and path.read_text(encoding="utf-8") == broken, "--diff wrote the file"
        lines = clean.count("\n")
    print(f"{args.runs} runs ({lines:,} lines), median of {args.repeat}:")
    print(f"  validate   {base:6.2f} s")
    print(f"  fix-clean  {fix_clean:6.2f} s   {fix_clean / base:4.1f}x   (--fix, nothing to fix)")
    print(f"  fix-one    {fix_one:6.2f} s   {fix_one / base:4.1f}x   (--fix, 1 CK210 fix)")
    print(f"  fix-all    {fix_all:6.2f} s   {fix_all / base:4.1f}x   (--fix, {n:,} CK210 fixes)")
    print(f"  diff-all   {diff_all:6.2f} s   {diff_all / base:4.1f}x   (--diff, {n:,} CK210 fixes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
