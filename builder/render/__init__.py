"""The one rendering step: the `Edition` (and, for the EPUB's page list, the print
edition's `PrintLayout`) to documents, with the shared templates. Writers package
what this makes; they render nothing themselves.

- `epub`: the EPUB's documents, navigation and files (`render_epub_book`);
- `print`: the print edition's HTML, whole or in parts, and its running heads;
- `templates`: the templates' environment both share.
"""

from .epub import render_epub, render_epub_book
from .print import Part, render_overlay, render_print, whole
from .templates import article_file, edition_title, environment, initial

__all__ = ["Part", "article_file", "edition_title",
           "environment", "initial", "render_epub", "render_epub_book", "render_overlay",
           "render_print", "whole"]
