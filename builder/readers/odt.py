"""OpenDocument text (.odt) articles, read through pandoc (the one pypandoc-binary
ships).

The package is checked and its content prepared here before pandoc sees it: the Title
and Subtitle paragraphs are taken out (they are the article's title and subtitle),
caption paragraphs are marked, comments and the deleted text of tracked changes are
removed (each said in a warning: the text is read as if every change were accepted),
and pictures linked outside the file are refused. Pandoc then writes HTML; its notes
become ours (notes.py), its pictures attachments with the alt text the document gives
them. The metadata (meta.xml) gives author, date, summary and tags, which the
edition's article table overrides.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
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
    title_from_heading,
    unwrap,
    warn_headers,
)

WHAT = "OpenDocument text"
MIMETYPE = "application/vnd.oasis.opendocument.text"
NS = {"office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
      "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
      "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
      "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
      "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
      "xlink": "http://www.w3.org/1999/xlink",
      "dc": "http://purl.org/dc/elements/1.1/",
      "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
      "manifest": "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"}
CAPTION_STYLES = {"Caption", "Illustration", "Figure", "Table", "Drawing", "Text",
                  "FigureCaption", "TableCaption", "ImageCaption"}
CAPTION_MARK = "\ue000edition-caption\ue000"  # private use: no document holds it
PANDOC_SECONDS = 120
FIELDS = {f"{{{NS['text']}}}{name}" for name in (
    "page-number", "page-count", "date", "time", "file-name", "chapter", "title",
    "sender-firstname", "author-name", "page-continuation")}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
OTHER_KINDS = {"spreadsheet": "a spreadsheet (.ods)", "presentation": "a presentation (.odp)",
               "graphics": "a drawing (.odg)", "text-template": "a template (.ott): save "
               "it as a document (.odt)"}


def read_odt(path: Path, data: bytes, overrides: dict, defaults: dict,
             report: Report) -> Draft:
    package = open_package(path, data, WHAT)
    _check_odt(path, package)
    check_xml_entries(path, package, WHAT)
    content = parse_xml(path, _entry(path, package, "content.xml"), "content.xml", WHAT)
    own = _properties(path, package, report, "date" in overrides)
    _drop_changes(path, content, report)
    _unhide(content)
    styles = _style_parents(content)
    for key, style in (("title", "Title"), ("subtitle", "Subtitle")):
        text = _take_styled(content, styles, style)
        if text:
            own[key] = text
    warn_headers(path, _header_texts(path, package), report)
    alts = _pictures(path, package, content, report)
    _mark_captions(content, styles)
    root, attachments = _pandoc(path, package, content, alts, report)
    if "title" not in own and "title" not in overrides:
        title = title_from_heading(root)
        if title:
            own["title"] = title
    meta, extra = merge(path, own, {}, overrides, defaults, report)
    return Draft(path, meta, serialise(root), extra, attachments)


def _entry(path: Path, package: zipfile.ZipFile, name: str) -> bytes:
    data = read_entry(path, package, name, WHAT)
    if data is None:
        raise BuildError(f"the {WHAT} is damaged: it has no {name}", path)
    return data


def _check_odt(path: Path, package: zipfile.ZipFile) -> None:
    mimetype = (read_entry(path, package, "mimetype", WHAT) or b"").decode("ascii", "replace")
    if mimetype.strip() != MIMETYPE:
        kind = mimetype.strip().rsplit(".", 1)[-1]
        if kind in OTHER_KINDS:
            raise BuildError(f"the file is {OTHER_KINDS[kind]}, not an {WHAT}", path)
        if "word/document.xml" in package.namelist():
            raise BuildError(f"the file is a Word document, not an {WHAT}; give it its .docx "
                             f"extension", path)
        raise BuildError(f"the file is a zip but not an {WHAT} (its mimetype is "
                         f"{mimetype.strip()[:80]!r})", path)
    manifest = read_entry(path, package, "META-INF/manifest.xml", WHAT) or b""
    if b"encryption-data" in manifest:
        raise BuildError(f"the {WHAT} is password-protected (encrypted); save a copy without "
                         f"a password", path)


def _style_parents(content: etree._Element) -> dict[str, str]:
    """Each automatic paragraph style's parent (LibreOffice writes `P3`, based on
    `Title`, for a title with its own direct formatting)."""
    parents = {}
    for style in content.iterfind(".//office:automatic-styles/style:style", NS):
        parent = style.get(f"{{{NS['style']}}}parent-style-name")
        if parent:
            parents[style.get(f"{{{NS['style']}}}name")] = parent
    return parents


def _style(p: etree._Element, parents: dict[str, str]) -> str:
    name = p.get(f"{{{NS['text']}}}style-name", "")
    return parents.get(name, name).replace("_20_", " ")


def _take_styled(content: etree._Element, parents: dict[str, str], style: str) -> str | None:
    """The text of the first paragraph of this style, taken out of the body."""
    for p in content.iterfind(".//office:text//text:p", NS):
        if _style(p, parents) == style:
            text = " ".join("".join(p.itertext()).split())
            if text:
                _remove(p)
                return text
    return None


def _remove(el: etree._Element) -> None:
    """Take an element out, keeping the text after it."""
    parent, previous = el.getparent(), el.getprevious()
    if el.tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


SHAPES = ("text-box", "custom-shape", "rect", "ellipse", "circle", "polygon", "polyline",
          "path", "regular-polygon", "caption", "line", "connector")


def _unhide(content: etree._Element) -> None:
    """Text pandoc would drop without a word, put where it reads: a text box's or a
    shape's paragraphs after the paragraph it stands in (a sidebar after the text it
    sits beside); ruby as its base then the reading in brackets; a picture that is a
    link, the picture."""
    draw, text = f"{{{NS['draw']}}}", f"{{{NS['text']}}}"
    for ruby in content.iter(f"{text}ruby"):
        base = "".join(ruby.xpath("string(text:ruby-base)", namespaces=NS))
        reading = "".join(ruby.xpath("string(text:ruby-text)", namespaces=NS))
        span = etree.Element(f"{text}span")
        span.text, span.tail = base + (f"({reading})" if reading else ""), ruby.tail
        ruby.getparent().replace(ruby, span)
    for link in list(content.iter(f"{draw}a")):
        unwrap(link)
    shapes = [el for el in content.iter(*(draw + name for name in SHAPES))]
    for shape in reversed(shapes):  # the innermost first
        blocks = [el for el in shape if el.tag in (f"{text}p", f"{text}h", f"{text}list")]
        anchor = next((a for a in shape.iterancestors(f"{text}p", f"{text}h")), None)
        if not blocks or anchor is None or next(shape.iter(f"{draw}image"), None) is not None:
            continue  # (a picture's captioned frame is pandoc's to read: a figure)
        after = anchor
        for block in blocks:
            after.addnext(block)
            after = block
        holder = shape.getparent()
        gone = holder if shape.tag == f"{draw}text-box" and holder.tag == f"{draw}frame" \
            and len(holder) == 1 else shape
        if gone.getparent() is not None:
            _remove(gone)


def _drop_changes(path: Path, content: etree._Element, report: Report) -> None:
    """Comments and tracked deletions out (pandoc would print them as text)."""
    regions = content.findall(".//text:tracked-changes/text:changed-region", NS)
    if regions:
        deleted = sum(1 for r in regions if r.find("text:deletion", NS) is not None)
        report.warn(f"the document has {count(len(regions), 'tracked change')}: read as if "
                    f"all were accepted (inserted text kept, {count(deleted, 'deletion')} "
                    f"left out); accept or reject them to be sure", path,
                    code="tracked-changes")
    for el in content.findall(".//text:tracked-changes", NS):
        _remove(el)
    comments = content.findall(".//office:annotation", NS)
    if comments:
        report.warn(f"{count(len(comments), 'comment')} left out (comments are not "
                    f"printed)", path, code="comments-dropped")
    for el in [*comments, *content.findall(".//office:annotation-end", NS)]:
        _remove(el)


def _header_texts(path: Path, package: zipfile.ZipFile) -> list[str]:
    data = read_entry(path, package, "styles.xml", WHAT)
    if not data:
        return []
    styles = parse_xml(path, data, "styles.xml", WHAT)
    found = styles.xpath(".//style:master-page/*[local-name()='header' or local-name()="
                         "'footer' or local-name()='header-first' or local-name()="
                         "'footer-first']//text:p", namespaces=NS)
    return [_unfielded(p) for p in found]


def _unfielded(paragraph: etree._Element) -> str:
    """A paragraph's text without its fields (a page number, the date)."""
    text = [paragraph.text or ""]
    for el in paragraph.iterdescendants():
        if not any(a.tag in FIELDS for a in (el, *el.iterancestors())):
            text.append(el.text or "")
        if not any(a.tag in FIELDS for a in el.iterancestors()):
            text.append(el.tail or "")
    return "".join(text)


def _pictures(path: Path, package: zipfile.ZipFile, content: etree._Element,
              report: Report) -> dict[str, str]:
    """The alt text of each picture inside the file, by its name in the package; a
    picture linked to a file outside it is left out, with a warning."""
    names = set(package.namelist())
    alts = {}
    for image in content.findall(".//draw:frame/draw:image", NS):
        frame = image.getparent()
        href = image.get(f"{{{NS['xlink']}}}href", "")
        alt = " ".join((frame.findtext("svg:desc", "", NS)
                        or frame.findtext("svg:title", "", NS)).split())
        if href.removeprefix("./") in names and _safe_name(href):
            alts[href.removeprefix("./")] = alt
            continue
        if image.find("office:binary-data", NS) is not None and not href:
            continue  # a picture inside the XML itself: pandoc extracts it
        report.warn(f"image left out: '{href}' is a picture linked to a file outside the "
                    f"document; insert the picture itself", path, code="image-refused")
        stand_in = etree.Element(f"{{{NS['text']}}}span")
        stand_in.text = f"[{alt}]" if alt else ""
        stand_in.tail = frame.tail
        frame.getparent().replace(frame, stand_in)
    return alts


def _mark_captions(content: etree._Element, parents: dict[str, str]) -> None:
    """Caption paragraphs begin with a mark pandoc passes on as text."""
    for p in content.iterfind(".//office:text//text:p", NS):
        if _style(p, parents).replace(" ", "") in CAPTION_STYLES:
            p.text = CAPTION_MARK + (p.text or "")


def _pandoc(path: Path, package: zipfile.ZipFile, content: etree._Element,
            alts: dict[str, str], report: Report) -> tuple[etree._Element, dict[str, bytes]]:
    """The body pandoc makes of the prepared document, and its pictures."""
    with tempfile.TemporaryDirectory(prefix="edition-odt-") as temp:
        folder = Path(temp)
        source = folder / "article.odt"
        _repack(path, package, content, source)
        media = folder / "media"
        html = _run_pandoc(path, [source.name, "--extract-media", media.name], folder,
                           report)
        root = fragment(html)
        attachments = _media(path, root, media, alts, report)
    _notes(root)
    take_captions(root, _captions(root))
    _figure_captions(root)
    return root, attachments


def _repack(path: Path, package: zipfile.ZipFile, content: etree._Element,
            target: Path) -> None:
    """The package again, with the prepared content: pandoc reads only what was
    checked (each entry unpacked no further than its declared size)."""
    with zipfile.ZipFile(target, "w") as new:
        new.writestr("mimetype", MIMETYPE, zipfile.ZIP_STORED)
        for entry in package.infolist():
            if entry.filename in ("mimetype", "content.xml") or entry.is_dir() \
                    or not _safe_name(entry.filename):
                continue
            new.writestr(entry.filename, read_entry(path, package, entry.filename, WHAT)
                         or b"", zipfile.ZIP_DEFLATED)
        new.writestr("content.xml", etree.tostring(content, xml_declaration=True,
                                                   encoding="UTF-8"), zipfile.ZIP_DEFLATED)


def _safe_name(name: str) -> bool:
    """A name that stays inside the folder pandoc extracts pictures to."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return bool(parts) and not name.startswith(("/", "\\")) and ".." not in parts \
        and ":" not in parts[0] and "%" not in name  # (pandoc decodes %2F…)


def _run_pandoc(path: Path, arguments: list[str], folder: Path, report: Report) -> str:
    """Pandoc's HTML of the document. `--sandbox`: it reads no file but the document
    and makes no network request, whatever the document points to; what it could not
    take is a warning."""
    try:
        import pypandoc

        binary = pypandoc.get_pandoc_path()
    except (ImportError, OSError):
        raise BuildError("reading .odt articles needs pandoc, which the pypandoc-binary "
                         "package provides (pip install pypandoc-binary)", path) from None
    try:
        done = subprocess.run([binary, "--sandbox", "-f", "odt", "-t", "html5",
                               "--wrap=none", *arguments], cwd=folder, capture_output=True,
                              timeout=PANDOC_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise BuildError(f"pandoc took more than {PANDOC_SECONDS} s to read the "
                         f"{WHAT}", path) from None
    except OSError as exc:
        raise BuildError(f"pandoc could not be run to read the {WHAT}: {exc.strerror}",
                         path) from None
    if done.returncode != 0:
        problem = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise BuildError(f"the {WHAT} cannot be read: pandoc says "
                         f"{(problem or ['nothing'])[0][:200]}", path)
    for line in done.stderr.decode("utf-8", "replace").splitlines():
        if line.startswith("[WARNING]"):
            report.warn(f"pandoc, reading the {WHAT}: {line.removeprefix('[WARNING]').strip()}",
                        path, code="odt-content-dropped")
    return done.stdout.decode("utf-8", "replace")


def _media(path: Path, root: etree._Element, media: Path, alts: dict[str, str],
           report: Report) -> dict[str, bytes]:
    """Pandoc's extracted pictures as attachments, by `media/<name in the package>`; a
    picture of a kind the book cannot hold (WMF, SVG…) is left out with a warning."""
    attachments = {}
    for img in list(root.iter("img")):
        src = img.get("src", "")
        inside = src.removeprefix("media/")
        file = (media / inside).resolve()
        if not src.startswith("media/") or not file.is_relative_to(media.resolve()) \
                or not file.is_file():
            continue  # pandoc gives other addresses as written: cleaning refuses them
        if alts.get(inside):  # (pandoc gives a captioned picture its caption as alt)
            img.set("alt", alts[inside])
        if file.suffix.lower() not in IMAGE_SUFFIXES:
            report.warn(f"image left out: '{inside}' is a {file.suffix[1:].upper()} picture; "
                        f"save it as PNG or JPEG and insert that instead", path,
                        code="image-refused")
            stand_in(img)
            continue
        attachments[src] = file.read_bytes()
    return attachments


def _captions(root: etree._Element) -> list[etree._Element]:
    """The paragraphs marked as captions, their mark taken off."""
    found = []
    for p in root.iter("p"):
        if (p.text or "").startswith(CAPTION_MARK):
            p.text = p.text.removeprefix(CAPTION_MARK)
            found.append(p)
    for el in root.iter():  # a mark pandoc moved (into a span, say) is no text
        if el.text and CAPTION_MARK in el.text:
            el.text = el.text.replace(CAPTION_MARK, "")
        if el.tail and CAPTION_MARK in el.tail:
            el.tail = el.tail.replace(CAPTION_MARK, "")
    return found


def _figure_captions(root: etree._Element) -> None:
    """Pandoc makes a figure of LibreOffice's captioned frame: its caption starts with
    the line break that followed the picture."""
    for caption in root.iter("figcaption"):
        while len(caption) and caption[0].tag == "br" and not (caption.text or "").strip():
            caption.text = (caption[0].tail or "").lstrip()
            caption.remove(caption[0])


def _notes(root: etree._Element) -> None:
    """Pandoc's notes (calls `a.footnote-ref`, texts in `section.footnotes`) as ours."""
    notes: dict[str, etree._Element] = {}
    for section in root.xpath(".//section[contains(@class, 'footnotes')]"):
        for li in section.iter("li"):
            key = li.get("id", "")
            if not re.fullmatch(r"fn\d+", key):
                continue
            for back in li.xpath(".//a[contains(@class, 'footnote-back')]"):
                back.drop_tree()
            notes[f"note-{key[2:]}"] = li
        section.getparent().remove(section)
    calls = []
    for link in root.xpath(".//a[contains(@class, 'footnote-ref')]"):
        key = f"note-{link.get('href', '').removeprefix('#fn')}"
        calls.append((link, key))
    markdown_notes(root, calls, notes)


def _properties(path: Path, package: zipfile.ZipFile, report: Report,
                dated: bool) -> dict[str, Any]:
    """Metadata from the document's meta.xml."""
    data = read_entry(path, package, "meta.xml", WHAT)
    if not data:
        return {}
    meta = parse_xml(path, data, "meta.xml", WHAT)

    def value(name: str) -> str:
        return " ".join((meta.findtext(f"office:meta/{name}", "", NS) or "").split())

    own: dict[str, Any] = {}
    if value("dc:title"):
        own["title"] = value("dc:title")
    author = value("meta:initial-creator") or value("dc:creator")
    if author:
        own["author"] = author
    date = own_date(value("meta:creation-date") or value("dc:date"), path,
                    "the document's properties", dated)
    if date:
        own["date"] = date
    summary = value("dc:description") or value("dc:subject")
    if summary:
        own["summary"] = summary
    tags = [" ".join((k.text or "").split())
            for k in meta.iterfind("office:meta/meta:keyword", NS)]
    tags = [t for tag in tags for t in re.split(r"[,;]", tag) if t.strip()]
    if tags:
        own["tags"] = [t.strip() for t in tags]
    return own
