"""claude.local.md: parsing, placeholders, and the lookup order of README step 2."""

from __future__ import annotations

from pathlib import Path

from ck_design.facts import localconfig

TEXT = """# claude.local.md
<!-- - **Scratch directory**: `/commented/out` -->
## Paths
- **Scratch directory**: `/scratch/me`
- **Models directory**: `models`
## SLURM Defaults
- **Account**: `<your-account>`
- **Partition**: `gpu`
- **Full GPU constraint**: `gpu80`
- **Shared/MIG partition**: `<mig-partition>`
- **Default GPUs**: `1`
* **Default project**: `ck-cap`
- **Unknown field**: `ignored`
- **Entity**: ``
"""


def write(p: Path, text: str = TEXT) -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


def test_parse_fields_placeholders_and_relative_paths(tmp_path):
    values = localconfig.parse(TEXT, tmp_path)
    assert values == {
        "scratch_dir": "/scratch/me",
        "models_dir": str(tmp_path / "models"),
        "partition": "gpu",
        "full_gpu_constraint": "gpu80",
        "default_gpus": "1",
        "wandb_project": "ck-cap",
    }
    assert "account" not in values and "shared_partition" not in values and "wandb_entity" not in values


def test_lookup_order(tmp_path, monkeypatch):
    home = tmp_path / "home"
    dst = tmp_path / "scratch" / "ck-experiments" / "exp"
    cwd = tmp_path / "work" / "sub"
    cwd.mkdir(parents=True)
    env: dict[str, str] = {}
    assert localconfig.load(dst, cwd, env, home).path is None  # no file: no defaults
    assert localconfig.load(dst, cwd, env, home).get("scratch_dir") == ""

    write(home / ".claude" / "claude.local.md", "- **Scratch directory**: `/home-level`\n")
    assert localconfig.load(dst, cwd, env, home).get("scratch_dir") == "/home-level"
    write(tmp_path / "work" / "claude.local.md", "- **Scratch directory**: `/cwd-ancestor`\n")
    assert localconfig.load(dst, cwd, env, home).get("scratch_dir") == "/cwd-ancestor"
    write(tmp_path / "scratch" / "claude.local.md", "- **Scratch directory**: `/dst-ancestor`\n")
    assert localconfig.load(dst, cwd, env, home).get("scratch_dir") == "/dst-ancestor"
    explicit = write(tmp_path / "elsewhere" / "my.md", "- **Scratch directory**: `/explicit`\n")
    env["CK_LOCAL_CONFIG"] = str(explicit)
    assert localconfig.load(dst, cwd, env, home).get("scratch_dir") == "/explicit"


def test_candidates_order(tmp_path):
    c = localconfig.candidates(tmp_path / "a" / "b", tmp_path / "c", {"CK_LOCAL_CONFIG": "/x.md"}, tmp_path / "h")
    assert c[0] == Path("/x.md")
    assert c[1] == tmp_path / "a" / "b" / "claude.local.md"
    assert c.index(tmp_path / "c" / "claude.local.md") > c.index(tmp_path / "a" / "claude.local.md")
    assert c[-1] == tmp_path / "h" / ".claude" / "claude.local.md"
