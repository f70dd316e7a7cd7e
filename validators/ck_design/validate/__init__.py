"""Validation: the engine, the rule registry and its docs, the CLI (`ck-validate`). See docs/design.md."""
