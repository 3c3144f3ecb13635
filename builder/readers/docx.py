"""Word (.docx) articles, read with mammoth.

Headings, paragraphs, emphasis, lists, tables, links and block quotes (Word's Quote,
Intense Quote and Block Text styles) become their HTML; footnotes and endnotes become
notes; pictures inside the file become attachments, with their alt text (Word's
description) and caption (a Caption-styled paragraph next to them). The Title and
Subtitle paragraphs are the article's title and subtitle, and leave the body; the
document's properties give author, date (created, else modified), summary
(description, else subject) and tags (keywords), which the edition's article table
overrides.

Tracked changes are read accepted (insertions kept, deletions dropped) and comments
are left out: each said in a warning. What mammoth could not read is a warning too.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

from lxml import etree

from ..errors import BuildError, Report
from .meta import Draft, merge
from .notes import markdown_notes
from .office import (
    check_xml_entries,
    count,
    fragment,
    open_package,
    own_date,
    parse_xml,
    read_entry,
    serialise,
    stand_in,
    take_captions,
    take_first,
    title_from_heading,
    unwrap,
    warn_headers,
)

WHAT = "Word document"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W, "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
      "dc": "http://purl.org/dc/elements/1.1/", "dcterms": "http://purl.org/dc/terms/"}
PREFIX = "docx-"  # mammoth's ids: notes are `docx-footnote-3`, `docx-endnote-1`
TITLE, SUBTITLE, CAPTION = "docx-title", "docx-subtitle", "docx-caption"
STYLE_MAP = f"""
p[style-name='Title'] => p.{TITLE}:fresh
p[style-name='Subtitle'] => p.{SUBTITLE}:fresh
p[style-name='Quote'] => blockquote > p:fresh
p[style-name='Intense Quote'] => blockquote > p:fresh
p[style-name='Block Text'] => blockquote > p:fresh
p[style-name='Caption'] => p.{CAPTION}:fresh
p[style-name='Image Caption'] => p.{CAPTION}:fresh
p[style-name='Table Caption'] => p.{CAPTION}:fresh
"""
IMAGE_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif",
               "image/webp": ".webp"}
# Mammoth's messages that lose nothing (a style it has no mapping for keeps its text).
HARMLESS = ("Unrecognised paragraph style", "Unrecognised run style",
            "Unrecognised table style", "Unsupported break type", "Ignoring complex field",
            "Image of type", "Paragraph style with ID", "Run style with ID",
            "Table style with ID", "Numbering style with ID")
UNREAD = re.compile(r"An unrecognised element was ignored: (\S+)")
LINKED = re.compile(r"could not (?:open|find) external image '([^']*)'")
# What an element mammoth does not read is, by its local name.
ELEMENTS = {"oMath": "an equation", "oMathPara": "an equation",
            "altChunk": "an embedded document (HTML or another file pasted in)",
            "object": "an embedded object"}
TEXT_PARTS = ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml")
# Names office programs put in a file's author property by themselves.
NO_AUTHOR = {"", "author", "user", "windows user", "microsoft office user", "python-docx",
             "unknown", "administrator"}


def read_docx(path: Path, data: bytes, overrides: dict, defaults: dict,
              report: Report) -> Draft:
    package = open_package(path, data, WHAT)
    _check_word(path, package)
    check_xml_entries(path, package, WHAT)
    data = _prepared(path, package, data, report)
    attachments: dict[str, bytes] = {}
    html = _convert(path, data, attachments, report)
    root = fragment(html)
    title = take_first(root, lambda p: TITLE in p.get("class", "").split())
    subtitle = take_first(root, lambda p: SUBTITLE in p.get("class", "").split())
    for img in root.xpath(".//img[not(@src) or @src='']"):  # left out, and warned about
        stand_in(img)
    take_captions(root, [p for p in root.iter("p") if CAPTION in p.get("class", "").split()])
    _notes(root)
    own = _properties(path, package, report, "date" in overrides)
    if title:
        own["title"] = title
    if subtitle:
        own["subtitle"] = subtitle
    if "title" not in own and "title" not in overrides:
        title = title_from_heading(root)
        if title:
            own["title"] = title
    meta, extra = merge(path, own, {}, overrides, defaults, report)
    return Draft(path, meta, serialise(root), extra, attachments)


def _check_word(path: Path, package: zipfile.ZipFile) -> None:
    names = set(package.namelist())
    if "word/document.xml" in names:
        return
    for part, kind in (("xl/workbook.xml", "an Excel workbook"),
                       ("ppt/presentation.xml", "a PowerPoint presentation"),
                       ("content.xml", "an OpenDocument file (give it its .odt extension)")):
        if part in names:
            raise BuildError(f"the file is {kind}, not a {WHAT}", path)
    if not any(name.endswith("document.xml") for name in names):
        raise BuildError(f"the file is a zip but not a {WHAT} (it has no "
                         f"word/document.xml)", path)


def _convert(path: Path, data: bytes, attachments: dict[str, bytes],
             report: Report) -> str:
    """The document's HTML, as mammoth makes it; its pictures into `attachments`."""
    import io

    import mammoth

    def image(picture: Any) -> dict[str, str]:
        return {"src": _attach(path, picture, attachments, report)}

    try:
        result = mammoth.convert_to_html(
            io.BytesIO(data), style_map=STYLE_MAP, id_prefix=PREFIX,
            convert_image=mammoth.images.img_element(image),
            include_embedded_style_map=False, external_file_access=False)
    except BuildError:
        raise
    except Exception as exc:  # mammoth's many ways of meeting a broken file
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BuildError(f"the {WHAT} cannot be read: {reason[:200]}", path) from None
    _report_messages(path, result.messages, report)
    return result.value


def _attach(path: Path, picture: Any, attachments: dict[str, bytes],
            report: Report) -> str:
    """The address a picture inside the file is given (its bytes attached), or ""
    for one of a kind the book cannot hold (left out, with a warning)."""
    try:
        with picture.open() as stream:  # a linked picture raises: mammoth reports it
            data = stream.read()
    except KeyError:
        report.warn(f"image left out: a picture whose file is missing from the document "
                    f"({picture.alt_text or 'no alt text'})", path, code="image-refused")
        return ""
    extension = IMAGE_TYPES.get(picture.content_type or "")
    if extension is None:
        kind = (picture.content_type or "unknown").split("/")[-1].removeprefix("x-").upper()
        report.warn(f"image left out: a {kind} picture ({picture.alt_text or 'no alt text'});"
                    f" save it as PNG or JPEG and insert that instead", path,
                    code="image-refused")
        return ""
    src = f"media/image{len(attachments) + 1}{extension}"
    attachments[src] = data
    return src


def _report_messages(path: Path, messages: list[Any], report: Report) -> None:
    """Mammoth's messages that mean something was lost, as warnings (once each, with a
    count); the others only with --verbose."""
    counts = Counter(m.message for m in messages)
    for message, times_seen in counts.items():
        times = f" ({times_seen} times)" if times_seen > 1 else ""
        linked = LINKED.search(message)
        unread = UNREAD.match(message)
        if linked:
            report.warn(f"image left out: '{linked[1]}' is a picture linked to a file "
                        f"outside the document{times}; insert the picture itself", path,
                        code="image-refused")
        elif unread:
            local = re.split(r"[}:]", unread[1])[-1]
            what = ELEMENTS.get(local, f"Word content of a kind not read ({local})")
            report.warn(f"{what} left out{times}", path, code="docx-content-dropped")
        elif message.startswith(HARMLESS):
            report.note(f"{path.name}: {message}{times}")
        else:
            report.warn(f"Word document: {message}{times}", path, code="docx-content-dropped")


def _prepared(path: Path, package: zipfile.ZipFile, data: bytes, report: Report) -> bytes:
    """The file for mammoth: its simple fields' text kept (mammoth drops a `w:fldSimple`
    and what it holds, a caption's number say). Tracked changes and comments are
    counted and said in warnings: mammoth reads insertions and skips deletions and
    comments."""
    inserted = deleted = comments = 0  # (moved text: a deletion and an insertion)
    unread: list[str] = []
    changed = {}
    for name in TEXT_PARTS:
        part = read_entry(path, package, name, WHAT)
        if part is None:
            continue
        tree = parse_xml(path, part, name, WHAT)
        inserted += len(tree.xpath(".//w:ins | .//w:moveTo", namespaces=NS))
        deleted += len(tree.xpath(".//w:del | .//w:moveFrom", namespaces=NS))
        comments += len(tree.xpath(".//w:commentReference", namespaces=NS))
        fields = tree.xpath(".//w:fldSimple | .//w:dir | .//w:bdo", namespaces=NS)
        for field in reversed(fields):  # the innermost first (right-to-left runs too)
            unwrap(field)
        rubies = tree.xpath(".//w:ruby", namespaces=NS)
        for ruby in rubies:
            _ruby_as_text(ruby)
        unread += _unread_boxes(tree)
        if fields or rubies:
            changed[name] = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    if inserted or deleted:
        report.warn(f"the document has tracked changes ({count(inserted, 'insertion')}, "
                    f"{count(deleted, 'deletion')}): read as if all were accepted (inserted "
                    f"text kept, deleted text left out); accept or reject them in Word to be "
                    f"sure", path, code="tracked-changes")
    if comments:
        report.warn(f"{count(comments, 'comment')} left out (comments are not printed)",
                    path, code="comments-dropped")
    for text in unread:
        shown = text if len(text) <= 60 else text[:57] + "…"
        report.warn(f"text in a text box or chart left out (mammoth cannot read it): "
                    f"“{shown}”; put it in the body", path, code="docx-content-dropped")
    warn_headers(path, _header_texts(path, package), report)
    return _repacked(path, package, changed) if changed else data


def _header_texts(path: Path, package: zipfile.ZipFile) -> list[str]:
    texts = []
    for name in sorted(package.namelist()):
        if re.fullmatch(r"word/(header|footer)\d*\.xml", name):
            part = parse_xml(path, read_entry(path, package, name, WHAT) or b"<x/>", name, WHAT)
            texts += [_unfielded(p) for p in part.iterfind(".//w:p", NS)]
    return texts


def _unfielded(paragraph: etree._Element) -> str:
    """A paragraph's text without its fields (a page number, the date)."""
    text, depth = [], 0
    for el in paragraph.iter(f"{{{W}}}t", f"{{{W}}}fldChar"):
        kind = el.get(f"{{{W}}}fldCharType")
        if kind == "begin":
            depth += 1
        elif kind == "end":
            depth = max(depth - 1, 0)
        elif el.tag == f"{{{W}}}t" and not depth \
                and not any(a.tag == f"{{{W}}}fldSimple" for a in el.iterancestors()):
            text.append(el.text or "")
    return "".join(text)


def _ruby_as_text(ruby: etree._Element) -> None:
    """Ruby (a reading over its base text, as Japanese uses it), which mammoth drops
    whole: its base's runs, then the reading in brackets."""
    reading = "".join(ruby.xpath("./w:rt//w:t/text()", namespaces=NS))
    runs = ruby.xpath("./w:rubyBase/w:r", namespaces=NS)
    if reading:
        run = etree.Element(f"{{{W}}}r")
        etree.SubElement(run, f"{{{W}}}t").text = f"({reading})"
        runs.append(run)
    parent = ruby.getparent()
    parent[parent.index(ruby):parent.index(ruby) + 1] = runs


WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"


def _unread_boxes(tree: etree._Element) -> list[str]:
    """What mammoth will not read: text boxes with no older (VML) copy beside them, and
    charts; each by its text (a chart by its name)."""
    found = []
    for box in tree.iter(f"{{{WPS}}}txbx"):
        choice = next((a for a in box.iterancestors(f"{{{MC}}}Choice")), None)
        if choice is not None and choice.getparent().find(f"{{{MC}}}Fallback") is not None:
            continue  # mammoth reads the fallback's copy
        text = " ".join("".join(box.itertext()).split())
        if text:
            found.append(text)
    return found + ["a chart"] * sum(1 for _ in tree.iter(f"{{{CHART}}}chart"))


def _repacked(path: Path, package: zipfile.ZipFile, changed: dict[str, bytes]) -> bytes:
    """The package again, with some entries changed."""
    import io

    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as new:
        for entry in package.infolist():
            if not entry.is_dir():
                new.writestr(entry.filename, changed.get(entry.filename)
                             or read_entry(path, package, entry.filename, WHAT) or b"")
    return stream.getvalue()


def _notes(root: etree._Element) -> None:
    """Mammoth's footnotes and endnotes (a list after the body, each with a link back)
    as notes."""
    notes: dict[str, etree._Element] = {}
    for li in root.xpath("./ol/li[starts-with(@id, $p)]", p=PREFIX):
        key = li.get("id").removeprefix(PREFIX)
        if re.fullmatch(r"(foot|end)note--?\d+", key):
            _strip_back_link(li, key)
            notes[key] = li
    for li in notes.values():
        holder = li.getparent()
        holder.remove(li)
        if not len(holder) and holder.getparent() is not None:
            holder.getparent().remove(holder)
    calls = []
    for link in root.xpath(".//a[starts-with(@href, $p)]", p=f"#{PREFIX}"):
        key = link.get("href")[1 + len(PREFIX):]
        if key in notes:
            holder = link.getparent()
            whole = holder is not None and holder.tag == "sup" and len(holder) == 1
            calls.append((holder if whole else link, key))
    markdown_notes(root, calls, notes)


def _strip_back_link(li: etree._Element, key: str) -> None:
    """A note's text without mammoth's link back to its call (and the paragraph it
    made for it, after a note that ends with a table or a list)."""
    back = f"#{PREFIX}{key.replace('note', 'note-ref', 1)}"  # footnote-3: footnote-ref-3
    for link in li.xpath(".//a[@href=$back]", back=back):
        link.drop_tree()
    for p in li.findall("p")[1:]:
        if not p.text_content().strip() and p.find(".//img") is None:
            p.drop_tree()
    li.text = (li.text or "").lstrip()
    if len(li) and li[0].tag == "p":
        li[0].text = (li[0].text or "").lstrip()


def _properties(path: Path, package: zipfile.ZipFile, report: Report,
                dated: bool) -> dict[str, Any]:
    """Metadata from the document's core properties (docProps/core.xml)."""
    data = read_entry(path, package, "docProps/core.xml", WHAT)
    if not data:
        return {}
    core = parse_xml(path, data, "docProps/core.xml", WHAT)

    def value(name: str) -> str:
        found = core.find(name, NS)
        return " ".join((found.text or "").split()) if found is not None else ""

    own: dict[str, Any] = {}
    if value("dc:title"):
        own["title"] = value("dc:title")
    if value("dc:creator").lower() not in NO_AUTHOR:
        own["author"] = value("dc:creator")
    when = value("dcterms:created") or value("dcterms:modified")
    date = own_date(when, path, "the document's properties", dated)
    if date:
        own["date"] = date
    summary = value("dc:description") or value("dc:subject")
    if summary:
        own["summary"] = summary
    tags = [t.strip() for t in re.split(r"[,;]", value("cp:keywords")) if t.strip()]
    if tags:
        own["tags"] = tags
    return own
