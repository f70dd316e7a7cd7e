"""ck-migrate: rewrite a seed-era experiment_summary.yaml as a cruijff_kit 0.3 one (spec/era.py)."""
