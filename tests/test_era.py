"""spec/era.py and the era conventions of spec/naming.py: the facts ck-validate, the wizard,
ck-migrate and ck-scaffold read designs of both cruijff_kit eras by (UPSTREAM.md section 1)."""

from __future__ import annotations

from ck_design.spec import era, naming

SEED_KEYS = {
    "experiment": {"name": "n", "directory": "/s/ck-experiments/n"},
    "data": {"training": {"label": "words"}},
    "output": {"base_directory": "/s/ck-outputs/n"},
    "evaluation": {"scorer": [{"name": "match"}], "sampling": False},
}
V03_KEYS = {
    "experiment": {"name": "n", "project": "cap", "dir": "/s/ck-projects/cap/n"},
    "data": {"training": {"dataset_label": "words"}},
    "evaluation": {"scorers": [{"name": "includes"}], "do_sample": True},
}


def test_detect_and_accessors_read_each_era_by_its_own_names() -> None:
    assert era.detect(SEED_KEYS) == era.SEED
    assert era.detect(V03_KEYS) == era.V03
    assert era.detect({}) == era.SEED  # neither era's keys: what ck-design always read
    assert era.experiment_dir(SEED_KEYS) == "/s/ck-experiments/n"
    assert era.experiment_dir(V03_KEYS) == "/s/ck-projects/cap/n"
    assert era.dataset_label(SEED_KEYS) == era.dataset_label(V03_KEYS) == "words"
    assert era.scorers(SEED_KEYS) == [{"name": "match"}]
    assert era.scorers(V03_KEYS) == [{"name": "includes"}]
    assert era.sampling(SEED_KEYS) is False and era.sampling(V03_KEYS) is True
    # An explicit era reads that era's name, whatever the data says.
    assert era.experiment_dir(V03_KEYS, era.SEED) is None


def test_a_mixed_file_is_none_and_is_read_by_seed_names_meanwhile() -> None:
    mixed = {"experiment": {"directory": "/a", "project": "p"}}
    assert era.detect(mixed) is None
    assert era.era_of(mixed) == era.SEED
    assert era.era_keys_present(mixed) == {era.SEED: [("experiment", "directory")], era.V03: [("experiment", "project")]}


def test_renames_and_drops_cover_every_seed_only_key() -> None:
    renamed = {seed for seed, _ in era.RENAMES}
    for path in era.ERA_KEYS[era.SEED]:
        assert path in renamed or path in era.DROPPED, path


def test_directory_conventions_of_each_era() -> None:
    assert naming.project_directory("/scratch/me/", "cap", "n") == "/scratch/me/ck-projects/cap/n"
    assert naming.project_parts("/scratch/me/ck-projects/cap/n/") == ("/scratch/me", "cap", "n")
    assert naming.project_parts("/scratch/me/ck-projects/cap") is None
    assert naming.project_parts("/scratch/me/ck-projects/cap/n/deeper") is None
    assert naming.project_parts("/scratch/me/ck-experiments/n") is None
    assert naming.scratch_from_directory("/scratch/me/ck-projects/cap/n") == "/scratch/me"
    assert naming.checkpoint_directory(era.SEED, "r1", 0, output_base="/s/ck-outputs/n") == "/s/ck-outputs/n/ck-out-r1/epoch_0"
    assert naming.checkpoint_directory(era.V03, "r1", 2, experiment_dir="/s/ck-projects/p/n/") == "/s/ck-projects/p/n/r1/artifacts/epoch_2"
