"""Read labelled examples from Rasa NLU YAML files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    source: str


def read_examples(paths: list[Path]) -> list[Example]:
    """Every `- example` line of every intent block in `paths`."""
    examples: list[Example] = []
    for path in paths:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in document.get("nlu", []):
            if "intent" not in block:
                continue
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    examples.append(Example(line[2:].strip(), str(block["intent"]), path.name))
    return examples
