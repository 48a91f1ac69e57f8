"""Rebuild the detection model of extraction (kg/extract/models/detect/) from eval/train:

    python scripts/train.py                      # seeded: the same data give the same model
    python scripts/train.py --architecture bow --out var/detect-bow   # try another design

Labels each sentence of every training article from its curated coding, holds out a fixed,
seeded share of the articles as the development split, trains spaCy's textcat_multilabel on
the rest (CPU), chooses the cuts of each kind of fact on the development split, and writes
the model, its cuts (detection.yaml) and its recipe with the development scores
(training.yaml). Never reads eval/test. Exit 0 done, 2 could not run.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.config import Settings  # noqa: E402
from kg.errors import DipkgError  # noqa: E402
from kg.extract.detection import MODEL_DIRECTORY  # noqa: E402
from kg.flows.evaluate import gold_registry  # noqa: E402
from kg.flows.train import ARCHITECTURES, Recipe, build_model  # noqa: E402
from kg.rdf.ontology import load_vocabulary, scheme_notations  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    defaults = Recipe()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, default=ROOT / "eval" / "train")
    parser.add_argument("--out", type=Path, default=MODEL_DIRECTORY)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--dev-share", type=float, default=defaults.dev_share)
    parser.add_argument(
        "--architecture", choices=sorted(ARCHITECTURES), default=defaults.architecture
    )
    parser.add_argument("--epochs", type=int, default=defaults.epochs)
    args = parser.parse_args(argv)
    if "test" in args.gold.resolve().parts[-1:]:
        print("error: the sealed test set is never trained on.", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    recipe = Recipe(args.seed, args.dev_share, args.architecture, args.epochs)
    started = time.perf_counter()
    try:
        registry = gold_registry(args.gold, settings.corpus_dir / "registry.yaml")
        vocabulary = scheme_notations(load_vocabulary(settings.ontology_dir))
        record = build_model(args.gold, args.out, registry, vocabulary, recipe)
    except DipkgError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return 2
    print(f"wrote {args.out} in {time.perf_counter() - started:.0f} s")
    for key in ("sentences", "dev_sentence_f1", "dev_extraction_f1"):
        print(f"{key}: {record[key]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
