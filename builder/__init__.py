"""Edition builder: articles in, EPUB 3 and print PDF out."""

__version__ = "0.1.0"
