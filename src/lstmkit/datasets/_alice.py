"""The text of Lewis Carroll's *Alice's Adventures in Wonderland* (1865), public domain."""

from __future__ import annotations

from importlib import resources

_FILE = "alice_in_wonderland.txt"


def alice_in_wonderland() -> str:
    """Load *Alice's Adventures in Wonderland* as one string, for character-level models.

    The text of the book's character-level text generation lesson: the whole story from
    "CHAPTER I. Down the Rabbit-Hole" to "THE END", 144,342 characters of plain ASCII
    with ``"\\n"`` line ends (the Project Gutenberg header and footer removed, as the
    lesson does). 69 distinct characters, 43 once lower-cased. Source and licence:
    ``lstmkit/datasets/SOURCES.md``.

    Returns:
        The text, ending with a newline.

    Example:
        >>> text = alice_in_wonderland()
        >>> len(text), text.splitlines()[0], len(set(text.lower()))
        (144342, 'CHAPTER I. Down the Rabbit-Hole', 43)
    """
    path = resources.files("lstmkit.datasets").joinpath(_FILE)
    # newline="" keeps the file's "\n" exactly as stored, on every platform.
    with path.open("r", encoding="utf-8", newline="") as file:
        return file.read()
