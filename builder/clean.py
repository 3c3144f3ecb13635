"""Turn a reader's body HTML into safe, well-formed XHTML for both outputs.

Steps: sanitise with an allowlist (nh3); parse; take footnotes out of the body; make
captioned figures and pull quotes; check and package images; keep ids unique across
the edition; drop links that lead out of the book's files; remove trailing site
furniture; number the footnotes as `Note`s; serialise as polyglot XHTML (valid as XML
for the EPUB, parsed the same by WeasyPrint's HTML parser).

A footnote's text goes through the same steps as the body (its images, ids and links
are checked like any other), and its own calls of other footnotes are kept (see
`_number_notes`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import nh3
from lxml import etree

from . import furniture
from .errors import BuildError, Report
from .models import BodyPart, Note, NoteRef, Removed, Resource
from .resources import Refused, read_attached, read_image
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
# XML's whitespace. A no-break, thin or ideographic space is text, kept as written.
XML_SPACE = re.compile(r"[ \t\r\n]+")
ALIGN = {"left", "right", "center"}
MAX_DEPTH = 48  # deeper nesting (lists in lists in quotes…) is refused, not typeset
MAX_SPAN = 100  # the widest colspan or rowspan kept
# A blockquote whose first line is this marker is a pull quote (the syntax of GitHub's
# and Obsidian's callouts, so other Markdown tools show a plain quote).
# The opening letter of a drop cap, after an opening quotation mark if any; letters that
# join the next (Arabic, Syriac, Thaana, N'Ko…) cannot stand alone as one.
OPENING_LETTER = re.compile("[\"'\u00ab\u201a\u201c\u201e\u2018\u2039]?\\w")
JOINING = re.compile("[\u0600-\u08ff]")
PULL_QUOTE = re.compile(r"^\s*\[!pullquote\][ \t]*\n?", re.IGNORECASE)


@dataclass(frozen=True)
class Cleaned:
    body: tuple[BodyPart, ...]
    notes: tuple[Note, ...]
    resources: tuple[Resource, ...]
    removed: tuple[Removed, ...]
    text: tuple[str, ...]  # the body's text and its notes' text, as readers see it
    initial: int = 0  # characters of the opening paragraph a drop cap takes (0: none)


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


def squash_spaces(text: str) -> str:
    """Runs of XML whitespace (space, tab, line breaks) as one space, trimmed; every
    other space character (no-break, narrow no-break, thin, ideographic) kept."""
    return XML_SPACE.sub(" ", text).strip(" ")


def clean_body(html: str, article_id: str, source: Path, root: Path,
               rules: tuple[furniture.Rule, ...], report: Report,
               remote: bool = False, attachments: dict[str, bytes] | None = None) -> Cleaned:
    """`attachments`: images that came inside the article's file, by their address."""
    tree = _parse(sanitise(html))
    _check_depth(tree, source)
    taken = _take_notes(tree)
    parts = [tree, *taken.items.values()]  # the body, then each footnote's text
    for part in parts:
        _demote_headings(part)
        _termless_definitions(part)
    # (figures and pull quotes are body furniture: a note keeps its image inline)
    _figures(tree)
    _pull_quotes(tree)
    _unique_ids(parts, article_id, source, report)
    resources = _images(parts, source, root, report, remote, attachments or {})
    _links(parts, source, report)
    for part in parts:
        _table_cells(part)
    _table_headers(tree, source, report)
    for label, item in zip(taken.labels, taken.items.values(), strict=True):
        _table_headers(item, source, report, f"footnote '[^{label}]': ")
    _name_tables(tree, article_id)
    removed = _remove_furniture(tree, rules)
    if removed is None:  # all of it looks like site furniture: it is the article, kept
        removed = []
        report.warn("the whole article looks like site furniture (sign-ups, share or "
                    "related links); kept as it is", source, code="furniture-kept")
    if _empty(tree):
        raise BuildError("the article has no text", source)
    notes, marks = _number_notes(tree, taken, article_id, source, report)
    text = (tree.text_content(), *(note.inline for note in notes))
    return Cleaned(_split(_serialise(tree), marks), tuple(notes), tuple(resources),
                   tuple(removed), text, _initial(tree))


def _empty(tree: etree._Element) -> bool:
    return not tree.text_content().strip() and not tree.findall(".//img")


def _initial(tree: etree._Element) -> int:
    """How many characters open the body for a drop cap: its first letter (after an
    opening quotation mark, if any), when the body opens with a plain paragraph of text.
    None where a letter cannot stand alone: one that joins the next (Arabic, Syriac…),
    or one followed by a mark shaped with it (a Devanagari vowel sign, a Thai tone
    mark). Render serialises the body as `<p>` then this text, and wraps them."""
    first = tree[0] if len(tree) and not (tree.text or "").strip() else None
    if first is None or first.tag != "p" or first.attrib:
        return 0
    match = OPENING_LETTER.match(first.text or "")
    if match is None or JOINING.match(match[0][-1]):
        return 0
    after = (first.text or "")[match.end():match.end() + 1]
    if after and unicodedata.category(after)[0] == "M":
        return 0
    return match.end()


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


@dataclass
class _Taken:
    """Markdown's footnotes, out of the body and not yet numbered. `items`: each note's
    list item (its text), by Markdown's id for it, in the order written; `labels`: the
    label each was written with (`1` of `[^1]`), in the same order; `called`: the ids
    the body called before site furniture was removed."""

    items: dict[str, etree._Element]
    labels: list[str]
    called: set[str]


def _take_notes(tree: etree._Element) -> _Taken:
    """Take Markdown's footnote list out of the tree, and turn each call of a note (in
    the body or in another note) into a mark naming it, numbered by `_number_notes`."""
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
        for li in container.findall("ol/li"):
            if li.get("id"):
                items.setdefault(li.get("id"), li)
    in_items = set(items.values())
    in_lists = set(containers)
    called = set()
    for ref in list(tree.iter("a")):
        if "footnote-ref" not in ref.get("class", "").split():
            continue
        target = ref.get("href", "").lstrip("#")
        owner = next((el for el in ref.iterancestors() if el in in_items or el in in_lists),
                     None)
        if target not in items or (owner is not None and owner not in in_items):
            ref.drop_tag()
            continue
        if owner is None:
            called.add(target)
        holder = ref.getparent()
        if holder is not None and holder.tag == "sup" and len(holder) == 1 \
                and not (holder.text or "").strip():
            ref = holder
        mark = etree.Element(MARK, {"data-to": target})
        mark.text = ""
        mark.tail = ref.tail
        ref.getparent().replace(ref, mark)
    for li in items.values():
        _strip_backlinks(li)
    for container in containers:
        if container.getparent() is not None:
            container.getparent().remove(container)
    for back in list(tree.iter("a")):  # a back-link the author's HTML tore out of its note
        if back.get("title", "").startswith(FOOTNOTE_TOKEN):
            _remove_keep_tail(back)
    labels = [key.removeprefix("fn:") for key in items]
    return _Taken(items, labels, called)


def _strip_backlinks(li: etree._Element) -> None:
    """Markdown's links back to the calls (the template makes its own), and the paragraph
    Markdown opened for them after a note that ends with a list or a quote."""
    for back in list(li.iter("a")):
        if "footnote-backref" in back.get("class", "").split():
            holder = back.getparent()
            _remove_keep_tail(back)
            if holder is not li and holder.tag == "p" and holder.getparent() is li \
                    and len(holder) == 0 and not (holder.text or "").strip() \
                    and holder is li[-1] and len(li) > 1:
                _remove_keep_tail(holder)
    li.attrib.pop("id", None)
    if len(li) == 0:  # a note with bare text: give it a paragraph
        p = etree.SubElement(li, "p")
        p.text, li.text = (li.text or "").strip(), None


def _number_notes(tree: etree._Element, taken: _Taken, article_id: str, source: Path,
                  report: Report) -> tuple[list[Note], dict[tuple[int, int], NoteRef]]:
    """Number the footnotes and make their calls.

    Notes the body calls come first, in the order of their first calls. A note no call
    leads to (its call forgotten, or lost with site furniture) keeps its text: it is
    called at the end of the body, numbered on, and named in an `orphan-note` warning.
    Notes called only from other notes (`[^1]: see[^2]`) come last, each after the note
    that first calls it: the EPUB links to it and back like any note; print, where a
    footnote cannot hold another, sets it inside that note's footnote, after its text.
    (Print numbers the body's footnotes by counting them, so this order keeps its
    numbers and the EPUB's the same.)"""
    calls = {key: list(li.iter(MARK)) for key, li in taken.items.items()}
    body = list(tree.iter(MARK))
    roots = list(dict.fromkeys(m.get("data-to") for m in body))
    reached = _reach(roots, calls)
    orphans = []
    for key in taken.items:
        if key not in reached:
            orphans.append(key)
            reached |= _reach([key], calls)
    order, parent = _nested_order(roots + orphans, calls)
    number = {key: n for n, key in enumerate(order, 1)}
    for label, key in zip(taken.labels, taken.items, strict=True):
        if key in orphans:
            where = ("its only call was in site furniture removed from the end"
                     if key in taken.called else "no call in the text refers to it")
            report.warn(f"footnote '[^{label}]' is kept as note {number[key]}, called at "
                        f"the end of the article: {where}; put '[^{label}]' where the note "
                        f"belongs", source, code="orphan-note", near=f"[^{label}]:")
    body += _calls_at_end(tree, orphans)
    count: dict[str, int] = {}
    refs = [(m.get("data-to"), _number_call(m, number, count)) for m in body]
    for key in order:  # after the body's: a note's first call is in the body if any
        for mark in calls[key]:
            _number_call(mark, number, count)
    notes = _make_notes(taken.items, order, parent, article_id)
    marks = {(n, k): NoteRef(notes[key], _ref_id(article_id, n, k), k == 1)
             for key, (n, k) in refs}
    return list(notes.values()), marks


def _reach(keys: list[str], calls: dict[str, list[etree._Element]]) -> set[str]:
    """The notes these are, and those their text calls, and those theirs call…"""
    reached: set[str] = set()
    todo = list(keys)
    while todo:
        key = todo.pop()
        if key not in reached:
            reached.add(key)
            todo += [m.get("data-to") for m in calls[key]]
    return reached


def _nested_order(roots: list[str], calls: dict[str, list[etree._Element]]
                  ) -> tuple[list[str], dict[str, str]]:
    """The roots, then the notes only other notes call, each just after the note that
    first calls it and that note's earlier nested notes (depth first, in reading
    order); and, for each of those, the note that first calls it."""
    order, parent, seen = list(roots), {}, set(roots)
    for root in roots:
        stack, owners = [iter(calls[root])], [root]
        while stack:
            mark = next(stack[-1], None)
            if mark is None:
                stack.pop()
                owners.pop()
                continue
            key = mark.get("data-to")
            if key not in seen:
                seen.add(key)
                order.append(key)
                parent[key] = owners[-1]
                stack.append(iter(calls[key]))
                owners.append(key)
    return order, parent


def _calls_at_end(tree: etree._Element, keys: list[str]) -> list[etree._Element]:
    """Calls of these notes at the end of the body's last paragraph (or of a paragraph
    of their own, when the body ends with a list, a table…)."""
    marks = []
    end = tree[-1] if len(tree) and tree[-1].tag == "p" else None
    for key in keys:
        if end is None:
            end = etree.SubElement(tree, "p")
        if len(end) and end[-1].tag == MARK and not (end[-1].tail or "").strip():
            end[-1].tail = " "  # two calls side by side would read as one number
        mark = etree.SubElement(end, MARK, {"data-to": key})
        mark.text = ""
        marks.append(mark)
    return marks


def _number_call(mark: etree._Element, number: dict[str, int],
                 count: dict[str, int]) -> tuple[int, int]:
    """Mark a call with its note's number and its own (k: the note's kth call)."""
    key = mark.attrib.pop("data-to")
    count[key] = count.get(key, 0) + 1
    mark.set("data-n", str(number[key]))
    mark.set("data-k", str(count[key]))
    return number[key], count[key]


def _ref_id(article_id: str, n: int, k: int) -> str:
    return f"{article_id}-fnref-{n}" + (f"-{k}" if k > 1 else "")


def _make_notes(items: dict[str, etree._Element], order: list[str], parent: dict[str, str],
                article_id: str) -> dict[str, Note]:
    """Each note as the EPUB sets it (blocks) and as print does (inline, followed by the
    notes nested in it, each marked with its number)."""
    blocks, inline = {}, {}
    for key in order:
        li = items[key]
        _polyglot(li)
        blocks[key] = MARK_RE.sub(lambda m: _call(m, article_id, True), _inner(li).strip())
        inline[key] = MARK_RE.sub(lambda m: _call(m, article_id, False), _inline(li))
    nested: dict[str, list[str]] = {}
    for key in order:
        if key in parent:
            nested.setdefault(parent[key], []).append(key)
    notes = {}
    for n, key in reversed(list(enumerate(order, 1))):  # the innermost first
        for child in nested.get(key, ()):
            inline[key] += (f' <span id="{notes[child].id}"><sup>{notes[child].number}'
                            f'</sup> {notes[child].inline}</span>')
        notes[key] = Note(n, f"{article_id}-fn-{n}", _ref_id(article_id, n, 1), blocks[key],
                          inline[key])
    return {key: notes[key] for key in order}


def _call(match: re.Match, article_id: str, epub: bool) -> str:
    """A note's call inside another note: a link to it (in the EPUB with the id its
    back-link returns to)."""
    n, k = int(match[1]), int(match[2])
    own = f' id="{_ref_id(article_id, n, k)}"' if epub else ""
    kind = ' epub:type="noteref"' if epub else ""  # (as the template marks the body's)
    return (f'<a class="noteref"{own} href="#{article_id}-fn-{n}"{kind} '
            f'role="doc-noteref">{n}</a>')


def _inline(li: etree._Element) -> str:
    """The note as inline XHTML, for print's footnote: each paragraph's markup; of
    anything else (a list, a quote, a table), its text, images and calls."""
    inline = []
    for child in li:
        if child.tag == "p":
            inline.append(_inner(child).strip())
        else:
            inline.append(_flatten(child))
    return " ".join(i for i in inline if i)


def _flatten(el: etree._Element) -> str:
    """An element's text as one run of inline XHTML, keeping its images and calls."""
    copy = deepcopy(el)
    copy.tail = None
    for br in copy.iter("br"):
        br.tail = " " + (br.tail or "")
    etree.strip_tags(copy, *{e.tag for e in copy.iterdescendants()} - {MARK, "img"})
    copy.text = XML_SPACE.sub(" ", copy.text or "")
    for child in copy:
        child.tail = XML_SPACE.sub(" ", child.tail or "")
    return _inner(copy).strip(" ")


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


def _every(parts: list[etree._Element], *tags: str) -> Iterator[etree._Element]:
    for part in parts:
        yield from part.iter(*tags)


def _figures(tree: etree._Element) -> None:
    """A paragraph holding nothing but an image with a title (Markdown's
    `![alt](map.png "Caption")`) becomes a figure with that title as its caption.
    Made after sanitising, so authors' HTML cannot add anything else."""
    for p in list(tree.iter("p")):
        if len(p) != 1 or p[0].tag != "img" or (p.text or "").strip() \
                or (p[0].tail or "").strip():
            continue
        img = p[0]
        caption = squash_spaces(img.attrib.pop("title", ""))
        if not caption.strip():
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


def _unique_ids(parts: list[etree._Element], article_id: str, source: Path,
                report: Report) -> None:
    """One set of ids for an article's body and its notes, which share a document."""
    ids = {}
    for el in _every(parts):
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
    for a in _every(parts, "a"):
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


def _images(parts: list[etree._Element], source: Path, root: Path, report: Report,
            remote: bool, attachments: dict[str, bytes]) -> list[Resource]:
    resources = {}
    for img in list(_every(parts, "img")):
        src = img.get("src", "").strip()
        alt = " ".join(img.get("alt", "").split())
        if not alt:
            report.warn(f"image '{src}' has no alt text; describe it for readers who "
                        f"cannot see it", source, code="missing-alt", near=src or "<img")
        try:
            if src in attachments:
                resource = read_attached(src, attachments[src], source)
            else:
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


def _links(parts: list[etree._Element], source: Path, report: Report) -> None:
    for a in _every(parts, "a"):
        href = a.get("href")
        if href is None or href.startswith("#"):
            continue
        scheme = urlsplit(href).scheme.lower()
        if scheme not in ("http", "https", "mailto"):
            report.warn(f"link to '{href}' removed (only web and mail links leave the "
                        f"book)", source, code="link-removed", near=href)
            del a.attrib["href"]
    for el in _every(parts, "a"):
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


def _table_headers(tree: etree._Element, source: Path, report: Report,
                   where: str = "") -> None:
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
        report.warn(f"{where}table {number} has no header cells; mark its header row with <th> "
                    f"(or put it in <thead>) so that screen readers can name each column",
                    source, code="table-headers", near="<table")


def _remove_furniture(tree: etree._Element,
                      rules: tuple[furniture.Rule, ...]) -> list[Removed] | None:
    """Take trailing site furniture off the body; None (and the body left whole) when
    nothing would be left of an article that had text."""
    removed: list[Removed] = []
    gone: list[etree._Element] = []
    while len(tree):
        last = tree[-1]
        text = " ".join(last.text_content().split())
        if not text and last.tag in ("hr", "br", "p", "div"):
            if last.find(".//img") is not None:
                break
            gone.append(last)
            tree.remove(last)
            continue
        rule = furniture.match(furniture.block_of(last), rules)
        if rule is None:
            break
        removed.append(Removed(text, rule.name))
        gone.append(last)
        tree.remove(last)
    if removed and _empty(tree):
        tree.extend(reversed(gone))  # (each with its tail, as it was)
        return None
    removed.reverse()
    return removed
