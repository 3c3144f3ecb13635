"""Notes from other formats (Word's footnotes and endnotes, pandoc's notes) in the
shape Python-Markdown gives footnotes: the only shape cleaning takes for notes."""

from __future__ import annotations

from lxml import etree

from ..text import FOOTNOTE_TOKEN

BLOCKS = {"p", "ul", "ol", "dl", "table", "blockquote", "div", "pre", "figure", "hr",
          "h1", "h2", "h3", "h4", "h5", "h6"}


def markdown_notes(body: etree._Element, calls: list[tuple[etree._Element, str]],
                   notes: dict[str, etree._Element]) -> None:
    """Make notes of `body` as Python-Markdown writes them.

    `calls`: each element that calls a note (replaced by Markdown's call) and the key of
    the note it calls; `notes`: each note's content by key (an element whose text and
    children are the note's text), in order. Keys must be fit for an id (`footnote-3`).
    The notes' list is appended to `body`; calls of a key not in `notes` are left as
    they are, and cleaning warns about notes never called."""
    number = {key: n for n, key in enumerate(notes, 1)}
    seen: dict[str, int] = {}
    for call, key in calls:
        if key not in number or call.getparent() is None:
            continue
        seen[key] = seen.get(key, 0) + 1
        again = seen[key] if seen[key] > 1 else ""
        sup = etree.Element("sup", id=f"fnref{again}:{key}")
        link = etree.SubElement(sup, "a", {"class": "footnote-ref", "href": f"#fn:{key}"})
        link.text = str(number[key])
        sup.tail = call.tail
        call.getparent().replace(call, sup)
    if not notes:
        return
    holder = etree.SubElement(body, "div", {"class": "footnote"})
    etree.SubElement(holder, "hr")
    listed = etree.SubElement(holder, "ol")
    for key, content in notes.items():
        listed.append(_item(key, number[key], content))


def _item(key: str, n: int, content: etree._Element) -> etree._Element:
    """A note's list item: its blocks (bare text in a paragraph), then the back-link."""
    li = etree.Element("li", id=f"fn:{key}")
    loose = None  # the paragraph inline content outside any block goes in
    if (content.text or "").strip():
        loose = etree.SubElement(li, "p")
        loose.text = content.text.lstrip()
    for child in list(content):
        if child.tag in BLOCKS:
            li.append(child)
            loose = None
            continue
        if loose is None:
            loose = etree.SubElement(li, "p")
        loose.append(child)
    last = li[-1] if len(li) and li[-1].tag == "p" else etree.SubElement(li, "p")
    if len(last):
        last[-1].tail = (last[-1].tail or "").rstrip() + "\u00a0"
    else:
        last.text = (last.text or "").rstrip() + "\u00a0"
    back = etree.SubElement(last, "a", {"class": "footnote-backref", "href": f"#fnref:{key}",
                                        "title": f"{FOOTNOTE_TOKEN} {n}"})
    back.text = "\u21a9"
    return li
