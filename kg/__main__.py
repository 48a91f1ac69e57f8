"""``python -m kg`` runs the dipkg command line."""

from kg.cli import main

main()
