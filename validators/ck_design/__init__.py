"""ck-design: design, render and validate LLM fine-tuning experiments."""

__version__ = "0.1.0"
