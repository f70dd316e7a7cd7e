"""The post-copy / post-update hook: verification, the design log, git. See docs/design.md."""
