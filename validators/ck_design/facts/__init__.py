"""Facts read from disk: the YAML loader (with line marks), resources (models, datasets, task
scripts), claude.local.md. See docs/design.md."""
