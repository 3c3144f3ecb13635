"""What Word (.docx) and OpenDocument (.odt) articles share: the zip package they come
in, checked before anything unpacks it; their XML, parsed with no DTD and no entity;
their dates; their captions.

A package is refused, with one line saying why, when it is not a zip (an encrypted
Word file is an OLE file, as a Word 97-2003 file is), when its zip is damaged or
encrypted, or when it unpacks to far more than it holds (a zip bomb). Python's zip
module never unpacks an entry past the size the zip's directory gives it, so checking
those sizes bounds what reading the package can cost.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from ..errors import BuildError, Report
from ..text import human_size

LIMIT = 64 * 1024 * 1024  # the largest .docx or .odt file read (its images included)
MAX_UNPACKED = 256 * 1024 * 1024  # all of a package's entries, unpacked
MAX_RATIO = 100  # unpacked : packed, for an entry of more than RATIO_FROM bytes
RATIO_FROM = 1024 * 1024
MAX_ENTRIES = 10_000
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_OLE = "EncryptedPackage".encode("utf-16-le")
OTHER_FILES = (
    (b"%PDF", "a PDF"),
    (b"{\\rtf", "rich text (RTF)"),
    (b"<", "text (HTML or XML)"),
)


def open_package(path: Path, data: bytes, what: str) -> zipfile.ZipFile:
    """The zip an office file is, checked; `what`: "Word document", say."""
    if data.startswith(OLE):
        if ENCRYPTED_OLE in data:
            raise BuildError(f"the {what} is password-protected (encrypted); save a copy "
                             f"without a password", path)
        raise BuildError(f"the file is a Word 97-2003 (.doc) or other old Office file, not a "
                         f"{what}; open it in Word or LibreOffice and save it again", path)
    if not data.startswith(b"PK\x03\x04"):
        found = next((name for magic, name in OTHER_FILES
                      if data.lstrip().startswith(magic)), None)
        problem = f"it is {found}" if found else "it is not a zip package"
        raise BuildError(f"the file is not a {what}: {problem}", path)
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise BuildError(f"the {what} is damaged: its zip cannot be read ({exc})",
                         path) from None
    _check_entries(path, package, what)
    return package


def _check_entries(path: Path, package: zipfile.ZipFile, what: str) -> None:
    entries = package.infolist()
    if len(entries) > MAX_ENTRIES:
        raise BuildError(f"the {what} holds {len(entries)} files; the limit is "
                         f"{MAX_ENTRIES}", path)
    total = 0
    for entry in entries:
        if entry.flag_bits & 0x1:
            raise BuildError(f"the {what} is encrypted ('{entry.filename}' needs a "
                             f"password); save a copy without a password", path)
        total += entry.file_size
        if entry.file_size > RATIO_FROM \
                and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise BuildError(f"the {what} is refused: '{entry.filename}' unpacks to "
                             f"{human_size(entry.file_size)} from "
                             f"{human_size(entry.compress_size)}, as a zip bomb does", path)
    if total > MAX_UNPACKED:
        raise BuildError(f"the {what} is refused: it unpacks to {human_size(total)}; the "
                         f"limit is {human_size(MAX_UNPACKED)}", path)


def read_entry(path: Path, package: zipfile.ZipFile, name: str, what: str) -> bytes | None:
    """An entry's bytes (None if the package has no such entry); a damaged one is an error."""
    try:
        return package.read(name)
    except KeyError:
        return None
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, OSError,
            RuntimeError, ValueError) as exc:
        raise BuildError(f"the {what} is damaged: '{name}' cannot be unpacked ({exc})",
                         path) from None


def check_xml_entries(path: Path, package: zipfile.ZipFile, what: str) -> None:
    """Every XML entry unpacks and declares no DTD (no office program writes one; it
    is how entity tricks begin)."""
    for entry in package.infolist():
        if entry.filename.lower().endswith((".xml", ".rels")):
            data = read_entry(path, package, entry.filename, what) or b""
            if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00<", b"<\x00")):
                raise BuildError(f"the {what} is refused: '{entry.filename}' is not UTF-8 "
                                 f"XML, as office programs write it", path)
            if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
                raise BuildError(f"the {what} is refused: '{entry.filename}' declares a "
                                 f"DTD, which office files never do", path)


def parse_xml(path: Path, data: bytes, name: str, what: str) -> etree._Element:
    """An XML entry, parsed with no DTD, no entity expansion and no network."""
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True,
                             huge_tree=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise BuildError(f"the {what} is damaged: '{name}' is not well-formed XML "
                         f"({exc.msg})", path) from None


def own_date(value: str | None, path: Path, where: str, given: bool) -> dt.date | None:
    """The date a document's properties give (`2026-10-05T09:12:00Z`). One that does not
    exist is an error, unless the edition's article table gives the date (`given`)."""
    if not value or not value.strip() or given:
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise BuildError(f"{where} give the date {value.strip()[:40]!r}, which does not "
                         f"exist; correct it there, or give 'date' in the edition's article "
                         f"table", path) from None


def unwrap(el: etree._Element) -> None:
    """Put an element's text and children in its place, its tail after them."""
    parent, previous = el.getparent(), el.getprevious()
    lead = (el.text or "") + ("" if len(el) else (el.tail or ""))
    if lead and previous is not None:
        previous.tail = (previous.tail or "") + lead
    elif lead:
        parent.text = (parent.text or "") + lead
    if len(el):
        el[-1].tail = (el[-1].tail or "") + (el.tail or "")
    at = parent.index(el)
    parent[at:at + 1] = list(el)


def warn_headers(path: Path, texts: list[str], report: Report) -> None:
    """Page headers and footers belong to the document's pages, not to the article:
    left out, and said (with what they held) when they hold words (their fields, a
    page number say, already taken out of `texts`)."""
    texts = [" ".join(t.split()) for t in texts]
    texts = list(dict.fromkeys(t for t in texts if any(c.isalpha() for c in t)))
    if texts:
        shown = "; ".join(texts)
        shown = shown if len(shown) <= 80 else shown[:79] + "…"
        report.warn(f"page headers and footers left out (“{shown}”)", path,
                    code="headers-dropped")


def count(n: int, thing: str) -> str:
    """`1 comment`, `3 comments`."""
    return f"{n} {thing}{'s' if n != 1 else ''}"


def take_captions(root: etree._Element, captions: list[etree._Element]) -> None:
    """Put each caption paragraph with what it captions: an image alone in the paragraph
    before (or after) it gets it as its title, which cleaning makes a figure's caption;
    a table next to it gets it as its `caption`. A caption next to neither stays the
    paragraph it was."""
    for caption in captions:
        if caption.getparent() is None:
            continue
        image = _first(_lone_image(caption.getprevious()), _lone_image(caption.getnext()))
        table = _first(_table(caption.getnext()), _table(caption.getprevious()))
        if image is not None:
            image.set("title", " ".join(caption.text_content().split()))
            _drop(caption)
        elif table is not None:
            caption.tag = "caption"
            caption.attrib.clear()
            caption.tail = None
            table.insert(0, caption)
        else:
            caption.attrib.pop("class", None)


def _first(*found: etree._Element | None) -> etree._Element | None:
    return next((el for el in found if el is not None), None)


def _lone_image(el: etree._Element | None) -> etree._Element | None:
    if el is None or el.tag != "p" or el.text_content().strip():
        return None
    images = el.findall(".//img")
    return images[0] if len(images) == 1 and not images[0].get("title") else None


def _table(el: etree._Element | None) -> etree._Element | None:
    if el is None or el.tag != "table" or el.find("caption") is not None:
        return None
    return el


def stand_in(img: etree._Element) -> None:
    """A picture left out (and warned about): its alt text in brackets in its place."""
    alt = " ".join(img.get("alt", "").split())
    span = etree.Element("span")
    span.text = f"[{alt}]" if alt else ""
    span.tail = img.tail
    img.getparent().replace(img, span)


def title_from_heading(root: etree._Element) -> str | None:
    """For a document with no title (no Title paragraph, none in its properties, none
    from the edition): a level-1 heading it opens with, taken out, as in Markdown."""
    first = next((el for el in root if el.tag != "a" or el.text_content().strip()), None)
    if first is None or first.tag != "h1" or first.getnext() is None:
        return None
    text = " ".join(first.text_content().split())
    if not text:
        return None
    _drop(first)
    return text


def _drop(el: etree._Element) -> None:
    """Remove an element, keeping its tail text."""
    parent, previous = el.getparent(), el.getprevious()
    if el.tail and el.tail.strip():
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def take_first(root: etree._Element, matches: Callable[[etree._Element], bool]
               ) -> str | None:
    """The text of the first paragraph that `matches` (a Title-styled one, say), taken
    out of the body; None when there is none or it has no text."""
    for el in root.iter("p"):
        if matches(el):
            text = " ".join(el.text_content().split())
            if text:
                _drop(el)
                return text
    return None


def fragment(html: str) -> etree._Element:
    """An HTML fragment as a `div` to work on (see `serialise`)."""
    import lxml.html

    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, huge_tree=True)
    return lxml.html.fragment_fromstring(f"<div>{html}</div>".encode(), parser=parser)


def serialise(root: etree._Element) -> str:
    """The inside of a `fragment`, as HTML."""
    import lxml.html

    root.tail = None
    return lxml.html.tostring(root, encoding="unicode")[len("<div>"):-len("</div>")]
