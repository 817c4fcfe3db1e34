"""``python -m newswatch`` runs the command line."""

from newswatch.cli import main

main()
