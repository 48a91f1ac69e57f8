"""Sources: what dipkg reads before anything is extracted. Articles (plain text, Markdown,
HTML with its ``.meta.yaml`` -> :class:`kg.records.Document`, web noise cleaned), curated
codings (``.coding.yaml`` -> records), the actor registry, and the YAML reading they share."""
