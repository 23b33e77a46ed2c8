"""``python -m grader``: the kata command."""

from grader.cli import main

main()
