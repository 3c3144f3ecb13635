"""Writers package rendered HTML into an output format. They never parse Markdown."""
