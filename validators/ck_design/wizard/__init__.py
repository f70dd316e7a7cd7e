"""The wizard: copier.yml's logic as plain functions, wired into Jinja by `jinja_ext`. See docs/design.md."""
