"""Build the spaCy pipeline Rasa loads: blank English plus an entity ruler.

The ruler's patterns live in `data/entity_patterns/*.jsonl` (one file per entity,
spaCy's pattern format). `make train` runs this module to write the pipeline to
`var/spacy/council_en`; nothing is downloaded.

    python -m bot.nlp.pipeline [--patterns DIR] [--output DIR]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import spacy
from spacy.language import Language

from bot.settings import PROJECT_ROOT, VAR_DIR

DEFAULT_PATTERNS = PROJECT_ROOT / "data" / "entity_patterns"
DEFAULT_OUTPUT = VAR_DIR / "spacy" / "council_en"


def load_patterns(directory: Path) -> list[dict]:
    """Every pattern in the `*.jsonl` files of `directory`, checked for shape."""
    patterns: list[dict] = []
    for path in sorted(directory.glob("*.jsonl")):
        for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            pattern = json.loads(line)
            if not isinstance(pattern, dict) or {"label", "pattern"} - pattern.keys():
                raise ValueError(f"{path}:{line_number}: a pattern needs 'label' and 'pattern'")
            patterns.append(pattern)
    if not patterns:
        raise ValueError(f"no entity patterns found in {directory}")
    return patterns


def build_pipeline(patterns_dir: Path = DEFAULT_PATTERNS) -> Language:
    """A blank English pipeline whose entity ruler knows our patterns."""
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"validate": True})
    ruler.add_patterns(load_patterns(patterns_dir))  # type: ignore[attr-defined]
    nlp.meta["name"] = "council_en"
    nlp.meta["description"] = "Blank English tokeniser with the council's entity patterns"
    return nlp


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patterns", type=Path, default=DEFAULT_PATTERNS)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    nlp = build_pipeline(args.patterns)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(args.output)
    print(f"spaCy pipeline written to {args.output}")


if __name__ == "__main__":
    main()
