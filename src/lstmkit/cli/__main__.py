"""``python -m lstmkit.cli``: the same as the ``lstmkit`` console script."""

from lstmkit.cli import main

if __name__ == "__main__":
    main()
