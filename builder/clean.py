"""Turn a reader's body HTML into safe, well-formed XHTML for both outputs.

Steps: sanitise with an allowlist (nh3); parse; take footnotes out as `Note`s; make
captioned figures and pull quotes; check and package images; keep ids unique across
the edition; drop links that lead out of the book's files; remove trailing site
furniture; serialise as polyglot XHTML (valid as XML for the EPUB, parsed the same by
WeasyPrint's HTML parser).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import nh3
from lxml import etree

from . import furniture
from .errors import BuildError, Report
from .models import BodyPart, Note, NoteRef, Removed, Resource
from .resources import Refused, read_image
from .text import FOOTNOTE_TOKEN, xml_safe

TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption",
    "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "small", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "time", "tr", "u", "ul", "var", "wbr",
}
ATTRIBUTES = {
    "*": {"lang", "dir", "title", "id"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start", "reversed"},
    "li": {"value"},
    "time": {"datetime"},
    "col": {"span"},
    "colgroup": {"span"},
    "details": {"open"},
}
# Python-Markdown marks footnotes with these classes; nothing else keeps a class.
CLASSES = {"a": {"footnote-ref", "footnote-backref"}, "div": {"footnote"}}
VOID = {"br", "hr", "img", "wbr", "col"}
MARK = "edition-noteref"
MARK_RE = re.compile(rf'<{MARK} data-n="(\d+)" data-k="(\d+)"></{MARK}>')
ALIGN = {"left", "right", "center"}
MAX_DEPTH = 48  # deeper nesting (lists in lists in quotes…) is refused, not typeset
MAX_SPAN = 100  # the widest colspan or rowspan kept
# A blockquote whose first line is this marker is a pull quote (the syntax of GitHub's
# and Obsidian's callouts, so other Markdown tools show a plain quote).
PULL_QUOTE = re.compile(r"^\s*\[!pullquote\][ \t]*\n?", re.IGNORECASE)


@dataclass(frozen=True)
class Cleaned:
    body: tuple[BodyPart, ...]
    notes: tuple[Note, ...]
    resources: tuple[Resource, ...]
    removed: tuple[Removed, ...]
    text: tuple[str, ...]  # the body's text and its notes' text, as readers see it


def sanitise(html: str) -> str:
    return nh3.clean(
        xml_safe(html), tags=TAGS, attributes=ATTRIBUTES, allowed_classes=CLASSES,
        # file, ftp and data pass here only so that the refusal below can name them;
        # links and images with any of them never reach the outputs.
        url_schemes={"http", "https", "mailto", "file", "ftp", "data"}, link_rel=None,
        strip_comments=True,
    )


def _parse(html: str) -> etree._Element:
    parser = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True, remove_comments=True)
    root = lxml.html.fragment_fromstring(
        f"<div>{html}</div>".encode(), parser=parser)
    return root


def clean_body(html: str, article_id: str, source: Path, root: Path,
               rules: tuple[furniture.Rule, ...], report: Report,
               remote: bool = False) -> Cleaned:
    tree = _parse(sanitise(html))
    _check_depth(tree, source)
    notes, marks = _take_notes(tree, article_id)
    _demote_headings(tree)
    _termless_definitions(tree)
    _figures(tree)
    _pull_quotes(tree)
    _unique_ids(tree, article_id, source, report)
    resources = _images(tree, source, root, report, remote)
    _links(tree, source, report)
    _table_cells(tree)
    _table_headers(tree, source, report)
    _name_tables(tree, article_id)
    removed = _remove_furniture(tree, rules)
    if not tree.text_content().strip() and not tree.findall(".//img"):
        raise BuildError("the article has no text", source)
    text = (tree.text_content(), *(note.inline for note in notes))
    return Cleaned(_split(_serialise(tree), marks), tuple(notes), tuple(resources),
                   tuple(removed), text)


def _check_depth(tree: etree._Element, source: Path) -> None:
    depth = {tree: 0}
    for el in tree.iterdescendants():
        depth[el] = depth[el.getparent()] + 1
        if depth[el] > MAX_DEPTH:
            raise BuildError(f"the article nests elements (lists, quotes, tables) more than "
                             f"{MAX_DEPTH} deep; flatten its structure", source)


def _polyglot(tree: etree._Element) -> None:
    """Write `<p></p>`, not `<p/>`, which an HTML parser (WeasyPrint's) leaves open."""
    for el in tree.iter():
        if el.tag not in VOID and el.text is None and len(el) == 0:
            el.text = ""


def _escape(text: str) -> str:
    holder = etree.Element("x")
    holder.text = text
    return etree.tostring(holder, encoding="unicode")[3:-4]


def _serialise(tree: etree._Element) -> str:
    _polyglot(tree)
    text = etree.tostring(tree, encoding="unicode", method="xml")
    return text[len("<div>"):-len("</div>")]


def _split(text: str, marks: dict[tuple[int, int], NoteRef]) -> tuple[BodyPart, ...]:
    parts: list[BodyPart] = []
    pos = 0
    for match in MARK_RE.finditer(text):
        parts.append(text[pos:match.start()])
        parts.append(marks[int(match[1]), int(match[2])])
        pos = match.end()
    parts.append(text[pos:])
    return tuple(p for p in parts if p != "")


def _inner(el: etree._Element) -> str:
    parts = [etree.tostring(child, encoding="unicode", method="xml") for child in el]
    return _escape(el.text or "") + "".join(parts)


def _take_notes(tree: etree._Element, article_id: str) -> tuple[list[Note], dict]:
    """Replace Markdown's footnote list and calls with `Note`s and call marks."""
    containers = []
    for div in tree.iter("div"):
        if "footnote" in div.get("class", "").split():
            genuine = any(a.get("title", "").startswith(FOOTNOTE_TOKEN) for a in div.iter("a"))
            if genuine:
                containers.append(div)
            else:
                del div.attrib["class"]
    items: dict[str, etree._Element] = {}
    for container in containers:
        for li in container.iter("li"):
            if li.get("id"):
                items.setdefault(li.get("id"), li)
    notes: dict[str, Note] = {}
    marks: dict[tuple[int, int], NoteRef] = {}
    calls: dict[str, int] = {}
    for ref in list(tree.iter("a")):
        if "footnote-ref" not in ref.get("class", "").split():
            continue
        target = ref.get("href", "").lstrip("#")
        li = items.get(target)
        if li is None or any(c in ref.iterancestors() for c in containers):
            ref.drop_tag()
            continue
        if target not in notes:
            notes[target] = _note(li, len(notes) + 1, article_id)
        note = notes[target]
        calls[target] = calls.get(target, 0) + 1
        k = calls[target]
        ref_id = note.ref_id if k == 1 else f"{note.ref_id}-{k}"
        marks[note.number, k] = NoteRef(note, ref_id, k == 1)
        holder = ref.getparent()
        if holder is not None and holder.tag == "sup" and len(holder) == 1 \
                and not (holder.text or "").strip():
            ref = holder
        mark = etree.Element(MARK, {"data-n": str(note.number), "data-k": str(k)})
        mark.text = ""
        mark.tail = ref.tail
        ref.getparent().replace(ref, mark)
    for container in containers:
        if container.getparent() is not None:
            container.getparent().remove(container)
    return list(notes.values()), marks


def _note(li: etree._Element, number: int, article_id: str) -> Note:
    for back in list(li.iter("a")):
        if "footnote-backref" in back.get("class", "").split():
            _remove_keep_tail(back)
    for el in li.iter():
        el.attrib.pop("id", None)
        el.attrib.pop("class", None)
    inline = []
    for child in li:
        if child.tag == "p":
            inline.append(_inner(child).strip())
        else:
            inline.append(_escape(" ".join(child.text_content().split())))
    _polyglot(li)
    if len(li) == 0:  # a note with bare text: give it a paragraph
        p = etree.SubElement(li, "p")
        p.text, li.text = (li.text or "").strip(), None
    prefix = f"{article_id}-fn"
    return Note(number, f"{prefix}-{number}", f"{article_id}-fnref-{number}",
                _inner(li).strip(), " ".join(i for i in inline if i))


def _remove_keep_tail(el: etree._Element) -> None:
    parent = el.getparent()
    tail = el.tail or ""
    previous = el.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(el)
    # the non-breaking space Markdown puts before the back-link
    if previous is not None and previous.tail:
        previous.tail = previous.tail.rstrip("\u00a0 ")
    elif parent.text:
        parent.text = parent.text.rstrip("\u00a0 ")


def _figures(tree: etree._Element) -> None:
    """A paragraph holding nothing but an image with a title (Markdown's
    `![alt](map.png "Caption")`) becomes a figure with that title as its caption.
    Made after sanitising, so authors' HTML cannot add anything else."""
    for p in list(tree.iter("p")):
        if len(p) != 1 or p[0].tag != "img" or (p.text or "").strip() \
                or (p[0].tail or "").strip():
            continue
        img = p[0]
        caption = " ".join(img.attrib.pop("title", "").split())
        if not caption:
            continue
        p.tag, p.text, img.tail = "figure", None, None
        etree.SubElement(p, "figcaption").text = caption


def _pull_quotes(tree: etree._Element) -> None:
    """`> [!pullquote]` on the first line of a blockquote: an aside set large, marked
    as a pull quote for assistive technology (`role="doc-pullquote"`)."""
    for quote in list(tree.iter("blockquote")):
        first = quote[0] if len(quote) else None
        if first is None or first.tag != "p" or (quote.text or "").strip() \
                or not PULL_QUOTE.match(first.text or ""):
            continue
        rest = PULL_QUOTE.sub("", first.text, count=1).lstrip()
        if not rest and len(quote) == 1 and not len(first):
            continue  # a marker and nothing to quote: left as it was written
        first.text = rest
        if not rest and not len(first):
            quote.remove(first)
        quote.tag = "aside"
        quote.attrib.pop("title", None)
        quote.set("class", "pullquote")
        quote.set("role", "doc-pullquote")


def _termless_definitions(tree: etree._Element) -> None:
    """A definition before any term (Markdown's `: text` under a heading, say) is not
    valid XHTML: it becomes a `div class="definition"` just before its list, which is
    dropped if nothing is left in it."""
    for dl in list(tree.iter("dl")):
        while len(dl) and dl[0].tag == "dd":
            dd = dl[0]
            dd.tag = "div"
            dd.set("class", " ".join(filter(None, (dd.get("class"), "definition"))))
            dl.addprevious(dd)  # lxml moves it, with its tail
        if len(dl) == 0 and not (dl.text or "").strip():
            _remove_keep_tail(dl)


def _demote_headings(tree: etree._Element) -> None:
    """The article title is the document's h1; body headings start at h2."""
    if tree.find(".//h1") is None:
        return
    for el in tree.iter("h1", "h2", "h3", "h4", "h5"):
        el.tag = f"h{int(el.tag[1]) + 1}"


def _unique_ids(tree: etree._Element, article_id: str, source: Path,
                report: Report) -> None:
    ids = {}
    for el in tree.iter():
        old = el.get("id")
        if old is None:
            continue
        # "-id-" keeps authors' ids apart from the note ids this module makes
        new = f"{article_id}-id-" + re.sub(r"[^A-Za-z0-9_.-]", "-", old)
        if new in ids.values():
            del el.attrib["id"]
            continue
        ids[old] = new
        el.set("id", new)
    for a in tree.iter("a"):
        href = a.get("href", "")
        if href.startswith("#"):
            target = ids.get(href[1:])
            if target:
                a.set("href", f"#{target}")
            else:
                report.warn(f"link to '{href}' goes nowhere: the article has no such "
                            f"anchor (the link is kept as text)", source, code="dead-link",
                            near=href)
                del a.attrib["href"]


def _images(tree: etree._Element, source: Path, root: Path, report: Report,
            remote: bool) -> list[Resource]:
    resources = {}
    for img in list(tree.iter("img")):
        src = img.get("src", "").strip()
        alt = " ".join(img.get("alt", "").split())
        if not alt:
            report.warn(f"image '{src}' has no alt text; describe it for readers who "
                        f"cannot see it", source, code="missing-alt", near=src or "<img")
        try:
            resource = read_image(src, source.parent, root, source, remote)
        except Refused as refused:
            report.warn(f"image left out: {refused}", source, code="image-refused",
                        near=src)
            stand_in = etree.Element("span", {"class": "image-missing"})
            stand_in.text = f"[{alt}]" if alt else ""
            stand_in.tail = img.tail
            img.getparent().replace(img, stand_in)
            continue
        resources[resource.name] = resource
        img.set("src", resource.name)
        img.set("alt", alt)
        for size in ("width", "height"):
            if not img.get(size, "").isdigit():
                img.attrib.pop(size, None)
    return list(resources.values())


def _links(tree: etree._Element, source: Path, report: Report) -> None:
    for a in tree.iter("a"):
        href = a.get("href")
        if href is None or href.startswith("#"):
            continue
        scheme = urlsplit(href).scheme.lower()
        if scheme not in ("http", "https", "mailto"):
            report.warn(f"link to '{href}' removed (only web and mail links leave the "
                        f"book)", source, code="link-removed", near=href)
            del a.attrib["href"]
    for el in tree.iter("a"):
        el.attrib.pop("class", None)


def _name_tables(tree: etree._Element, article_id: str) -> None:
    """Every table an anchor (`a003-table-1`): links can point at it, and `edition
    proof` finds the page it is on."""
    for number, table in enumerate(tree.iter("table"), 1):
        if table.get("id") is None:
            table.set("id", f"{article_id}-table-{number}")


def _table_cells(tree: etree._Element) -> None:
    """Alignment as classes; spans capped (a huge colspan makes layout take hours)."""
    for el in tree.iter("td", "th", "col", "colgroup"):
        for name in ("colspan", "rowspan", "span"):
            if name in el.attrib:
                value = el.attrib.pop(name).strip()
                if value.isdigit() and value.lstrip("0") not in ("", "1"):
                    el.set(name, str(min(int(value[:6]), MAX_SPAN)))
        align = el.attrib.pop("align", "").lower()
        if align in ALIGN:
            el.set("class", f"align-{align}")


def _table_headers(tree: etree._Element, source: Path, report: Report) -> None:
    """Header cells let a screen reader name each cell's column. A table with none gets
    the cells of its head row (`td` in `thead`) made headers, or a warning."""
    for number, table in enumerate(tree.iter("table"), 1):
        if table.find(".//th") is not None:
            continue
        head = table.find("thead/tr")
        if head is not None and head.find("td") is not None:
            for cell in head.findall("td"):
                cell.tag = "th"
                cell.set("scope", "col")
            continue
        report.warn(f"table {number} has no header cells; mark its header row with <th> "
                    f"(or put it in <thead>) so that screen readers can name each column",
                    source, code="table-headers", near="<table")


def _remove_furniture(tree: etree._Element, rules) -> list[Removed]:
    removed: list[Removed] = []
    while len(tree):
        last = tree[-1]
        text = " ".join(last.text_content().split())
        if not text and last.tag in ("hr", "br", "p", "div"):
            if last.find(".//img") is not None:
                break
            tree.remove(last)
            continue
        rule = furniture.match(text, rules)
        if rule is None:
            break
        removed.append(Removed(text, rule.name))
        tree.remove(last)
    removed.reverse()
    return removed
