"""Hostile or broken input through the real `ck-validate`: a one-line reason, no traceback, fast.

Each case runs the installed console script in a subprocess, as pre-commit would.
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest
from tools import CK_VALIDATE, unprivileged



def run(*args: str, cwd: Path | None = None) -> tuple[subprocess.CompletedProcess[str], None]:
    # The timeout only catches a hang; how fast bad input is refused is measured by
    # benchmarks/validate.py, not asserted here (a shared CI machine makes timings flaky).
    proc = subprocess.run([CK_VALIDATE, *args], capture_output=True, text=True, cwd=cwd, timeout=120)
    return proc, None


def _alias_bomb() -> bytes:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode()


def _twelve_mb() -> bytes:
    line = b"  - {name: run, type: fine-tuned, model: Llama-3.2-1B-Instruct, parameters: {}}\n"
    return b"runs:\n" + line * (12 * 1024 * 1024 // len(line) + 1)


CASES: dict[str, tuple[bytes, str]] = {
    # name: (file content, the code the one-line reason carries)
    "empty": (b"", "CK003"),
    "list": (b"- experiment\n- runs\n", "CK003"),
    "syntax-error": (b"experiment:\n  name: [unclosed\nruns: 1\n", "CK001"),
    "tabs": (b"experiment:\n\tname: x\n", "CK001"),
    "latin-1": ("experiment:\n  question: d\xe9j\xe0 vu?\n".encode("latin-1"), "CK003"),
    "alias-bomb": (_alias_bomb(), "CK003"),
    "deep-nesting": (b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n", "CK003"),
    "deep-block-nesting": (b"".join(b" " * i + b"k:\n" for i in range(3000)) + b" " * 3000 + b"v\n", "CK003"),
    "python-object-tag": (b"experiment: !!python/object/apply:os.system ['touch /tmp/ck-pwned']\n", "CK001"),
    "12MB": (_twelve_mb(), "CK003"),
    "utf-16": ("experiment:\n  name: x\n".encode("utf-16"), "CK003"),
    "huge-int": (b"controls:\n  epochs: " + b"9" * 5000 + b"\n", "CK001"),
    "two-documents": (b"a: 1\n---\nb: 2\n", "CK001"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_one_line_reason_no_traceback(name: str, tmp_path: Path) -> None:
    content, code = CASES[name]
    target = tmp_path / "experiment_summary.yaml"
    target.write_bytes(content)
    proc, elapsed = run(str(target))
    output = proc.stdout + proc.stderr
    assert proc.returncode in (1, 2), output
    assert "Traceback" not in output
    finding_lines = [line for line in proc.stdout.splitlines() if not line.startswith("  hint:")]
    assert len(finding_lines) == 1, proc.stdout
    assert finding_lines[0].startswith(f"{target}:") and f" {code} error: " in finding_lines[0]
    assert not Path("/tmp/ck-pwned").exists()


# Binary files (a NUL byte in the first 8000 bytes, as git decides) could not be read: exit 2
# and one line on stderr, like a missing file, not a finding (issue 9 item 12).
BINARY: dict[str, bytes] = {
    "random-binary": random.Random(1234).randbytes(64 * 1024),
    "nul-bytes": b"experiment:\n  name: x\x00\n",
}


@pytest.mark.parametrize("name", list(BINARY))
def test_binary_file_could_not_be_read(name: str, tmp_path: Path) -> None:
    target = tmp_path / "experiment_summary.yaml"
    target.write_bytes(BINARY[name])
    proc, _ = run(str(target))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.splitlines()[0] == f"ck-validate: {target}: could not be read: a binary file, not a YAML text file"
    assert "Traceback" not in proc.stderr


def test_missing_file_exits_2(tmp_path: Path) -> None:
    proc, _ = run(str(tmp_path / "nope.yaml"))
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[0] == f"ck-validate: {tmp_path / 'nope.yaml'}: no such file"
    assert "Traceback" not in proc.stderr


def test_directory_exits_2(tmp_path: Path) -> None:
    proc, _ = run(str(tmp_path))
    assert proc.returncode == 2
    assert "is a directory" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("flag", [[], ["--log"]])
def test_unreadable_file_exits_2_saying_permission_denied(tmp_path: Path, flag: list[str]) -> None:
    target = tmp_path / ("design-experiment.log" if flag else "experiment_summary.yaml")
    target.write_text("a: 1\n")
    target.chmod(0)
    proc = subprocess.run(unprivileged([CK_VALIDATE, *flag, str(target)]), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[0] == f"ck-validate: {target}: permission denied"


def test_default_path_missing_exits_2(tmp_path: Path) -> None:
    proc, _ = run(cwd=tmp_path)
    assert proc.returncode == 2
    assert "experiment_summary.yaml: no such file" in proc.stderr


def test_bad_log_input_is_one_line_reason(tmp_path: Path) -> None:
    target = tmp_path / "design-experiment.log"
    target.write_bytes(random.Random(99).randbytes(4096))
    proc, _ = run("--log", str(target))
    assert proc.returncode == 1
    assert "CK300 error" in proc.stdout and "Traceback" not in proc.stdout + proc.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize("flag", [[], ["--log"]])
def test_endless_device_is_refused_unread(flag: list[str]) -> None:
    # Not a regular file: refused before reading (exit 2, like a missing file; issue 13).
    proc, _ = run(*flag, "/dev/zero")
    assert proc.returncode == 2
    assert "is a character device, not a regular file" in proc.stderr and "Traceback" not in proc.stderr
