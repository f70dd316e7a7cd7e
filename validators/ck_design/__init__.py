"""ck-design: design, render and validate LLM fine-tuning experiments."""

# The single source of the version: pyproject.toml reads it (setuptools dynamic version),
# CHANGELOG.md records it and a release is the git tag `v<__version__>` (docs/releasing.md).
__version__ = "0.3.0"
