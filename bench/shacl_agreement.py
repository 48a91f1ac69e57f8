"""Agreement and speed of a faster SHACL engine against pySHACL, the reference.

    pip install pyshacl-turbo && python bench/shacl_agreement.py

Runs both engines over the valid minimal graph and every broken graph of the shape tests
(one mutation per rule, tests/shapes/) and compares the violations: same focus node, same
shape, same constraint component, same severity. pySHACL decides what conforms in dipkg; an
engine is only worth adopting where this shows agreement.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pyshacl
from rdflib import Graph
from rdflib.namespace import RDF, SH

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.shapes.test_shapes import ALL_CASES, minimal, shapes, vocabulary  # noqa: E402


def results(engine: object, data: Graph, shape_graph: Graph) -> set[tuple[str, ...]]:
    _, report, _ = engine.validate(  # type: ignore[attr-defined]
        data_graph=data,
        shacl_graph=shape_graph,
        inference="none",
        advanced=True,
        allow_warnings=True,
        allow_infos=True,
    )
    return {
        tuple(
            str(report.value(r, p))
            for p in (SH.focusNode, SH.sourceShape, SH.sourceConstraintComponent, SH.resultSeverity)
        )
        for r in report.subjects(RDF.type, SH.ValidationResult)
    }


def main() -> int:
    import pyshacl_turbo

    shape_graph = shapes()
    agree, differ, seconds = 0, [], {"pyshacl": 0.0, "pyshacl-turbo": 0.0}
    for case in [None, *ALL_CASES]:
        data = minimal()
        if case is not None:
            case.mutate(data)
        found = {}
        for name, engine in (("pyshacl", pyshacl), ("pyshacl-turbo", pyshacl_turbo)):
            start = time.perf_counter()
            found[name] = results(engine, data + vocabulary(), shape_graph)
            seconds[name] += time.perf_counter() - start
        if found["pyshacl"] == found["pyshacl-turbo"]:
            agree += 1
        else:
            differ.append((case.name if case else "valid graph", found))
    print(f"graphs: {agree + len(differ)}; same violations: {agree}; different: {len(differ)}")
    for name, found in differ:
        only_py = sorted(r[1].rsplit("#", 1)[-1] for r in found["pyshacl"] - found["pyshacl-turbo"])
        only_turbo = sorted(
            r[1].rsplit("#", 1)[-1] for r in found["pyshacl-turbo"] - found["pyshacl"]
        )
        print(f"- {name}: only pySHACL {only_py}; only turbo {only_turbo}")
    ratio = seconds["pyshacl"] / seconds["pyshacl-turbo"]
    print(
        f"seconds: pySHACL {seconds['pyshacl']:.1f}, pyshacl-turbo "
        f"{seconds['pyshacl-turbo']:.1f} ({ratio:.1f}x faster)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
