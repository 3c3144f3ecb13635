"""The structure tree of a tagged PDF (`pdf/ua-1`), as PDF/UA-1 asks for it: WeasyPrint
70's own tagging (`weasyprint.pdf.tags`), reworked where it falls short, and installed
in its place for that version only (by `internals.install`).

What changes from WeasyPrint's:

- **One structure element per element of the book, whatever the pages.** WeasyPrint
  starts a new tree on every page, so an article over three pages became three
  articles. Here an element keeps its structure element from page to page (content on
  a later page is reached through marked-content references that name their page),
  and an anonymous box adds nothing of its own.
- **Running heads and page numbers are artifacts.** What the `@page` margin boxes draw
  (the edition's title, the section, the page number) is marked `/Artifact
  <</Type /Pagination>>` in the page's contents, not given to structure elements that
  no tree holds: a screen reader does not read "The Harbour Weekly WORLD 5" mid-text.
  The dots of a leader (the contents page's "Title . . . . 5") are `/Layout`
  artifacts.
- **Every link annotation sits in a `Link` element**: the one of its `a` element, which
  holds an object reference to each of the link's annotations (a link's text, the
  spans in it and its generated page number each get one from WeasyPrint), and not
  in the `Span` of a piece of its text.
- **A link says where it goes**: its `/Contents` is the title of its target inside the
  book (an article's or a section's heading, a heading, a note's text), or the address
  of a link out of it, instead of the target's id ("a001"). Link annotations are
  printable (`/F 4`).
- **A footnote is a `Note`** in the structure element of the paragraph that calls it,
  not a block of its own wherever its page's footnote area is.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
MAX_CONTENTS = 200  # characters of a note's text given as a link's description
_ARTIFACT = "_edition_artifact"  # on a box drawn as an artifact: its /Type

_installed = False


def install() -> None:
    """Put these in WeasyPrint 70's place (once per process): the structure tree,
    margin boxes drawn as artifacts."""
    global _installed
    if _installed:
        return
    import pydyf
    from weasyprint import document as wp_document
    from weasyprint import pdf as wp_pdf
    from weasyprint.formatting_structure import boxes
    from weasyprint.pdf.stream import Stream

    draw_page = wp_document.draw_page

    def draw_page_with_artifacts(page: Any, stream: Any) -> None:
        if stream._tags is not None:
            for child in page.children:
                kind = "/Pagination" if isinstance(child, boxes.MarginBox) else None
                _mark_artifacts(child, kind)
        draw_page(page, stream)

    marked = Stream.marked

    @contextlib.contextmanager
    def marked_or_artifact(self: Any, box: Any, tag: str) -> Iterator[None]:
        kind = getattr(box, _ARTIFACT, None)
        if self._tags is not None and kind:
            pydyf.Stream.begin_marked_content(
                self, "Artifact", pydyf.Dictionary({"Type": kind}))
            try:
                yield
            finally:
                pydyf.Stream.end_marked_content(self)
        else:
            with marked(self, box, tag):
                yield

    wp_document.draw_page = draw_page_with_artifacts
    Stream.marked = marked_or_artifact
    wp_pdf.add_tags = add_tags
    _installed = True


def _mark_artifacts(box: Any, kind: str | None) -> None:
    """Mark what `box` holds that is drawn as an artifact of `kind`: everything in a
    margin box (`/Pagination`), and a leader's dots (`/Layout`: the contents page reads
    "Title 5", not "Title . . . . 5")."""
    if kind is None and getattr(box, "is_leader", False):
        kind = "/Layout"
    if kind:
        setattr(box, _ARTIFACT, kind)
    for child in getattr(box, "children", ()):
        _mark_artifacts(child, kind)


def _text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


class _Targets:
    """What a link inside the book leads to, by id: its title."""

    def __init__(self, root: Any) -> None:
        self.ids: dict[str, Any] = {}
        self.parents: dict[Any, Any] = {}
        if root is not None:
            for element in root.iter():
                if isinstance(element.tag, str) and element.get("id"):
                    self.ids.setdefault(element.get("id"), element)
                for child in element:
                    self.parents[child] = element

    def title(self, name: str) -> str | None:
        element = self.ids.get(name)
        if element is None:
            return None
        if element.tag in HEADINGS:
            return _text(element) or None
        for heading in element.iter():
            if heading.tag in HEADINGS and (text := _text(heading)):
                return text
        text = _text(element)
        if len(text) > MAX_CONTENTS:
            text = text[:MAX_CONTENTS - 1].rstrip() + "…"
        return text or None


def _description(link_element: Any, targets: _Targets) -> str | None:
    href = link_element.get("href") if link_element is not None else None
    if href is None:
        return None
    if href.startswith("#"):  # else what the link says, if its target is not found
        return targets.title(href[1:]) or _text(link_element) or None
    return href


def _root(document: Any) -> Any:
    for page in document.pages:
        for box in page._page_box.children:
            if box.element is not None and box.element_tag == "html":
                return box.element
    return None


def add_tags(pdf: Any, document: Any, pdf_version: Any, page_streams: Any) -> None:
    """WeasyPrint's `add_tags`, with one tree for the whole book (see the module)."""
    import pydyf

    content_mapping = pydyf.Dictionary({})
    pdf.add_object(content_mapping)
    structure_root = pydyf.Dictionary({
        "Type": "/StructTreeRoot",
        "ParentTree": content_mapping.reference,
    })
    pdf.add_object(structure_root)
    structure_document = pydyf.Dictionary({
        "Type": "/StructElem",
        "S": "/Document",
        "K": pydyf.Array(),
        "P": structure_root.reference,
    })
    pdf.add_object(structure_document)
    structure_root["K"] = pydyf.Array([structure_document.reference])
    pdf.catalog["StructTreeRoot"] = structure_root.reference

    if str(pdf_version) >= "2.0":
        namespace = pydyf.Dictionary({
            "Type": "/Namespace",
            "NS": pydyf.String("http://iso.org/pdf2/ssn"),
        })
        pdf.add_object(namespace)
        structure_root["Namespaces"] = pydyf.Array([namespace.reference])
        structure_document["NS"] = namespace.reference

    tree = _Tree(pdf, _Targets(_root(document)))
    content_mapping["Nums"] = pydyf.Array()
    pages = zip(document.pages, page_streams, strict=True)
    for page_number, (page, stream) in enumerate(pages):
        tree.page(page_number, page._page_box, stream._tags, structure_document)
        content_mapping["Nums"].append(page_number)
        content_mapping["Nums"].append(pydyf.Array(
            [ref for _, ref in sorted(tree.nums.items())]))

    if tree.ids:  # every structure element's ID, found by the ID tree
        names = pydyf.Array()
        for name in sorted(tree.ids, key=lambda n: n.encode("utf-16-be")):
            names.extend([pydyf.String(name), tree.ids[name].reference])
        structure_root["IDTree"] = pydyf.Dictionary({"Names": names})

    start = len(document.pages)
    for i, (reference, annotation) in enumerate(tree.annotations, start=start):
        content_mapping["Nums"].append(i)
        content_mapping["Nums"].append(reference)
        annotation["StructParent"] = i

    pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})
    pdf.catalog["MarkInfo"] = pydyf.Dictionary({"Marked": "true"})
    if "Lang" not in pdf.catalog:
        pdf.catalog["Lang"] = pydyf.String()


def _pdf_tag(tag: str | None) -> str:
    """The structure type of an HTML element (WeasyPrint's `_get_pdf_tag`, but for
    the pseudo-elements of a link, which are part of its text)."""
    if tag is None:
        return "NonStruct"
    if tag in ("a::before", "a::after"):
        return "Span"
    from weasyprint.pdf.tags import _get_pdf_tag

    return _get_pdf_tag(tag)


class _Tree:
    """The book's structure tree, grown page by page."""

    def __init__(self, pdf: Any, targets: _Targets) -> None:
        self.pdf = pdf
        self.targets = targets
        self.elements: dict[tuple, Any] = {}  # (element, element_tag, structure type)
        self.by_element: dict[Any, Any] = {}  # HTML element -> its first structure element
        self.first_page: dict[int, int] = {}  # structure element's number -> its /Pg
        self.annotations: list[tuple[Any, Any]] = []
        self.ids: dict[str, Any] = {}  # structure element IDs, for the IDTree
        self.nums: dict[int, Any] = {}
        self.page_number = 0
        self.tags: dict = {}

    def page(self, number: int, page_box: Any, tags: dict, document: Any) -> None:
        self.page_number, self.tags, self.nums = number, tags, {}
        for element in self.build(page_box, document, None):
            document["K"].append(element.reference)

    def identify(self, element: Any, name: str | None) -> None:
        import pydyf

        name = name or f"note-{element.number}"
        while name in self.ids:
            name += "-"
        element["ID"] = pydyf.String(name)
        self.ids[name] = element

    def new(self, tag: str, parent: Any) -> Any:
        import pydyf

        element = pydyf.Dictionary({
            "Type": "/StructElem",
            "S": f"/{tag}",
            "K": pydyf.Array([]),
            "Pg": self.pdf.page_references[self.page_number],
            "P": parent.reference,
        })
        self.pdf.add_object(element)
        self.first_page[element.number] = self.page_number
        return element

    def content(self, element: Any, mcid: int) -> None:
        """Marked content `mcid` of this page, as a kid of `element`."""
        import pydyf

        if self.first_page[element.number] == self.page_number:
            element["K"].append(mcid)
        else:
            element["K"].append(pydyf.Dictionary({
                "Type": "/MCR", "MCID": mcid,
                "Pg": self.pdf.page_references[self.page_number]}))
        self.nums[mcid] = element.reference

    def link_annotation(self, box: Any, element: Any, link: Any) -> None:
        import pydyf

        annotation = box.link_annotation
        if link is None:  # a link that no `a` element makes: a Link of its own
            link = self.new("Link", element)
            element["K"].append(link.reference)
            link_element = None
        else:
            link_element = link[1]
            link = link[0]
        reference = pydyf.Dictionary({
            "Type": "/OBJR",
            "Obj": annotation.reference,
            "Pg": self.pdf.page_references[self.page_number],
        })
        self.pdf.add_object(reference)
        self.annotations.append((link.reference, annotation))
        link["K"].append(reference.reference)
        annotation["F"] = 4
        if description := _description(link_element, self.targets):
            annotation["Contents"] = pydyf.String(description)

    def build(self, box: Any, parent: Any, link: Any, note: bool = False) -> Iterator[Any]:
        """The structure elements made for `box` (with its descendants, under
        `parent`) that are new and go in `parent`'s kids. `link` is the enclosing
        link's structure element and HTML element, if any; `note`: the box is a
        footnote (a child of a page's footnote area)."""
        import pydyf
        from weasyprint.formatting_structure import boxes
        from weasyprint.layout.absolute import AbsolutePlaceholder

        if isinstance(box, AbsolutePlaceholder):
            box = box._box
        if isinstance(box, boxes.MarginBox):  # drawn as artifacts
            return
        element_tag = None if box.element is None else box.element_tag
        if isinstance(box, boxes.FootnoteAreaBox):  # its children are the notes
            for child in box.children:
                yield from self.build(child, parent, link, note=True)
            return
        if ((element_tag in ("html", "body") or isinstance(box, boxes.PageBox))
                and isinstance(box, boxes.ParentBox) and not isinstance(box, boxes.LineBox)):
            for child in box.children:
                yield from self.build(child, parent, link)
            return
        tag = _pdf_tag(element_tag)
        if tag in ("TD", "TH"):
            if parent["S"] in ("/TD", "/TH"):
                tag = "NonStruct"
        elif tag == "LI":
            dl_item = box.element_tag in ("dt", "dd")
            no_bullet_li = box.element_tag == "li" and (
                "list-item" not in box.style["display"] or
                box.style["list_style_type"] == "none")
            if parent["S"] == "/LI":
                tag = "LBody"
            elif parent["S"] == "/LBody":
                tag = "NonStruct"
            elif dl_item or no_bullet_li:
                key = (box.element, box.element_tag, "LI-item")
                item = self.elements.get(key)
                made = item is None
                if made:
                    item = self.elements[key] = self.new("LI", parent)
                for child in self.build(box, item, link):
                    item["K"].append(child.reference)
                if made:
                    yield item
                return
        if note:
            tag = "Note"

        key = (box.element, element_tag, tag) if box.element is not None else None
        element = self.elements.get(key) if key else None
        made = element is None  # else a later page's part, or an anonymous box, of it
        placed = False
        if made:
            host = (self.by_element.get(self.targets.parents.get(box.element))
                    if tag == "Note" else None)
            if host is not None:  # in the paragraph that calls it
                parent, placed = host, True
            element = self.new(tag, parent)
            if placed:
                host["K"].append(element.reference)
            if key:
                self.elements[key] = element
                self.by_element.setdefault(box.element, element)
            if tag == "Note":  # PDF/UA: a note has a unique ID
                self.identify(element, box.element.get("id") if box.element is not None
                              else None)

        if made and tag == "Figure":
            x1, y1 = box.content_box_x(), box.content_box_y()
            x2, y2 = x1 + box.width, y1 + box.height
            element["A"] = pydyf.Dictionary({
                "O": "/Layout", "BBox": pydyf.Array((x1, y1, x2, y2))})
            if box.element.tag == "{http://www.w3.org/2000/svg}svg":
                title = box.element.find("{http://www.w3.org/2000/svg}title")
                if title is not None and title.text:
                    element["Alt"] = pydyf.String(title.text)
            elif alt := box.element.attrib.get("alt"):
                element["Alt"] = pydyf.String(alt)
        elif tag == "Table":
            if box.is_table_wrapper:
                wrapper, table = box, box.get_wrapped_table()
                if table:
                    box = table.copy_with_children([])
                    for child in wrapper.children:
                        box.children.extend(child.children if child is table else [child])
        elif tag in ("TH", "TD"):
            if made:
                element["A"] = pydyf.Dictionary({"O": "/Table"})
                if box.colspan != 1:
                    element["A"]["ColSpan"] = box.colspan
                if box.rowspan != 1:
                    element["A"]["RowSpan"] = box.rowspan
            box.mark = element

        if tag == "Link" and box.element is not None:
            link = (element, box.element)
        if box.link_annotation:
            self.link_annotation(box, element, link)

        for child in box.children:
            children = child.children if isinstance(child, boxes.LineBox) else [child]
            for child in children:
                if isinstance(child, boxes.TextBox):
                    kid = self.tags.pop(child, None)
                    if kid is None:
                        continue
                    if tag == "Link":
                        self.content(element, kid["mcid"])
                    else:
                        kid_element = self.new(kid["tag"], element)
                        kid_element["K"].append(kid["mcid"])
                        element["K"].append(kid_element.reference)
                        self.nums[kid["mcid"]] = kid_element.reference
                else:
                    if child.element_tag in ("ul", "ol") and element["S"] == "/LI":
                        child_parent = parent
                    else:
                        child_parent = element
                    child_index = len(child_parent["K"])
                    child_parent["K"][child_index:child_index] = [
                        e.reference for e in self.build(child, child_parent, link)]

        if isinstance(box, boxes.ReplacedBox):
            kid = self.tags.pop(box, None)
            if kid is not None:
                self.content(element, kid["mcid"])

        if tag == "Table":
            _headers(box, element, self.page_number, self.ids)

        if made and not placed:
            yield element


def _headers(box: Any, element: Any, page: int, ids: dict[str, Any]) -> None:
    """WeasyPrint's table headers: each TH gets an ID (in `ids`), each TD the headers
    over it."""
    import pydyf

    def rows(table_box: Any) -> Iterator[Any]:
        for child in table_box.children:
            yield from [child] if child.element_tag == "tr" else rows(child)

    column_headers: dict = defaultdict(list)
    row_headers: dict = defaultdict(list)
    table_rows = tuple(rows(box))
    colspans: dict = defaultdict(int)
    for i, row in enumerate(table_rows):
        j = 0
        for cell in row.children:
            if cell.element is not None and cell.element_tag == "th":
                if "ID" not in cell.mark:  # (a header repeated on a later page has one)
                    name = f"{element.number}-{page}-{i}-{j}"
                    cell.mark["ID"] = pydyf.String(name)
                    ids[name] = cell.mark
                key = cell.mark["ID"]
                if cell.element.attrib.get("scope") == "row":
                    row_headers[i].append(key)
                else:
                    column_headers[j].append(key)
            for _ in range(cell.colspan):
                colspans[j] = cell.rowspan - 1
                j += 1
            if colspans[j]:
                j += 1
                colspans[j] -= 1
    colspans = defaultdict(int)
    for i, row in enumerate(table_rows):
        j = 0
        for cell in row.children:
            if cell.element is not None and cell.element_tag == "td":
                headers = [header for span in range(cell.rowspan)
                           for header in row_headers[i + span]]
                headers += [header for span in range(cell.colspan)
                            for header in column_headers[j + span]]
                cell.mark["A"]["Headers"] = pydyf.Array(headers)
            for _ in range(cell.colspan):
                colspans[j] = cell.rowspan - 1
                j += 1
            if colspans[j]:
                j += 1
                colspans[j] -= 1
