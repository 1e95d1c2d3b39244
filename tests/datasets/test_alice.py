"""The bundled Alice text is the whole story, plain ASCII, with the counts SOURCES.md gives."""

import hashlib
from importlib import resources

from lstmkit.datasets import alice_in_wonderland


def test_first_and_last_lines_and_size():
    text = alice_in_wonderland()
    lines = text.split("\n")
    assert lines[0] == "CHAPTER I. Down the Rabbit-Hole"
    assert lines[2].startswith("Alice was beginning to get very tired of sitting by her sister")
    assert text.endswith("the happy summer days.\n\n              THE END\n")
    assert len(text) == 144342 and text.count("\n") == 3330


def test_characters():
    text = alice_in_wonderland()
    assert text.isascii() and "\r" not in text and "\ufeff" not in text
    assert len(set(text)) == 69 and len(set(text.lower())) == 43
    assert "gutenberg" not in text.lower()  # the Project Gutenberg header and footer are gone


def test_matches_the_bundled_file_byte_for_byte():
    data = resources.files("lstmkit.datasets").joinpath("alice_in_wonderland.txt").read_bytes()
    digest = "6bb048a0cabdaa3675daeeb8c23a157c4db086d55ff3bb8638ef73870a2ab2da"  # SOURCES.md
    assert hashlib.sha256(data).hexdigest() == digest
    assert alice_in_wonderland().encode("utf-8") == data
