"""inspect-ai task: capitalize an 8-letter word (the ck-design example task)."""

import json
from pathlib import Path

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.scorer import match
from inspect_ai.solver import generate, system_message


@task
def capitalization(data: str = str(Path(__file__).parent.parent / "data" / "words_8L_500.json"), split: str = "test", system_prompt: str = ""):
    rows = json.loads(Path(data).read_text())[split]
    samples = [Sample(input=r["input"], target=r["output"]) for r in rows]
    return Task(
        dataset=MemoryDataset(samples),
        solver=[system_message(system_prompt), generate()],
        scorer=match(location="exact"),
    )
