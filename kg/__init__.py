"""dipkg's knowledge-graph core: documents -> records -> RDF -> store, validation, export, CLI.

This package never imports Flask; the HTTP surfaces live in `server`.
"""

from __future__ import annotations

__version__ = "0.1.0"
