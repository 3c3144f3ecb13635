"""Saved web pages (.html, .htm): the article, without the site around it.

The page's bytes are decoded in the encoding it declares (a byte-order mark, then
`<meta charset>`). Its metadata comes from its JSON-LD, Open Graph and `<meta>` tags and
`<html lang>`; a value the builder cannot use (an impossible date) is named in a
`web-metadata` warning and left out, since the page is someone else's file. The body is
the article as trafilatura finds it (headings, paragraphs, lists, tables, quotes and
images; navigation, banners, share buttons, ads, newsletter boxes, related stories,
comments and footers left out), with the captions of its figures put back. With
`extract = false` in the edition's article table the page's `<body>` (or the fragment
the file is) is taken as it is. Either way the body goes through `clean.clean_body`
like every other article's.
"""

from __future__ import annotations

import codecs
import email.utils
import json
import re
from collections.abc import Iterator
from html import escape, unescape
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
import webencodings
from lxml import etree

from ..clean import squash_spaces
from ..errors import BuildError, Report
from ..metadata import normalise
from ..text import xml_safe
from .meta import NOT_TEXT, Draft, merge

WEB_LIMIT = 10 * 1024 * 1024  # saved pages carry their scripts and styles inline
SNIFF_BYTES = 4096  # where a page must declare its encoding (the HTML standard says 1024)
# The HTML standard reads a page labelled Latin-1 or ASCII as windows-1252, and so
# does every browser; so does the standard a page that declares nothing.
WINDOWS_1252 = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii",
                "cp819", "ibm819", "iso-ir-100", "windows-1252", "cp1252", "x-cp1252"}
DECLARED = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)"""
                      rb"""|<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)""",
                      re.IGNORECASE)
BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"))
SITE_SUFFIX = re.compile(r"^\s+[|\-–—:·•]+\s+\S")  # "Headline | Site": what follows the headline
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
ARTICLE_TYPES = {"Article", "NewsArticle", "BlogPosting", "Report", "ScholarlyArticle",
                 "TechArticle", "AnalysisNewsArticle", "OpinionNewsArticle",
                 "ReportageNewsArticle", "ReviewNewsArticle", "BackgroundNewsArticle",
                 "LiveBlogPosting", "SocialMediaPosting", "Blog"}
NOT_SHOWN = ("script", "style", "noscript", "template", "svg", "head", "iframe", "object")
# Where a page keeps its article, to measure what extraction left out of it.
ARTICLE_REGIONS = ("//*[@itemprop='articleBody']", "//article", "//main", "//body")
PROSE_BLOCKS = ("p", "li", "blockquote", "dd", "td", "figcaption", "pre")
PROSE_CHARS = 40  # a block of prose: this long at least, with a sentence's end in it
SENTENCE_END = re.compile(r"[.!?…。！？।]")
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
EMPHASIS = {"#b": "strong", "#i": "em", "#u": "u", "#t": "code", "#sub": "sub", "#sup": "sup"}
XML_TAGS = {"quote": "blockquote", "ref": "a", "graphic": "img", "lb": "br", "row": "tr"}
KEPT_AT_LEAST = 0.5  # less than this share of the article's words kept: a warning
WORDS_AT_LEAST = 40  # pages with fewer words than this are not measured


def read_web(path: Path, data: bytes, overrides: dict, defaults: dict, report: Report,
             extract: bool = True) -> Draft:
    """A saved web page as an article: its metadata, and its article (or, with
    `extract=False`, its whole body) as the body."""
    text = page_text(path, data, report)
    page = parse_page(text, path)
    own = page_metadata(page, path, overrides, report)
    meta, extra = merge(path, own, {}, overrides, defaults, report)
    body = extracted(text, page, path, report) if extract else whole_body(page)
    if not squash_spaces(body_text(body)) and "<img" not in body:
        raise BuildError("the page has no text in its <body>", path)
    body, title = without_title(body, own.get("title"))
    if title and "title" not in overrides:
        meta.update(normalise({"title": title}, path))
    return Draft(path, meta, links_made_absolute(body, base_url(page)), extra)


# --- bytes to text ----------------------------------------------------------------------


def page_text(path: Path, data: bytes, report: Report) -> str:
    """The page's text, decoded as it says it is encoded (or as windows-1252, as
    browsers read a page that says nothing and is not UTF-8)."""
    for magic, what in NOT_TEXT:
        if data.startswith(magic):
            raise BuildError(f"the file is {what}", path)
    if not data.strip():
        raise BuildError("the page is empty", path)
    encoding, said = page_encoding(data, path, report)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        how = f"says it is {said}" if said else "is not UTF-8 and says nothing"
        report.warn(f"the page {how}, but byte 0x{data[exc.start]:02x} at offset "
                    f"{exc.start} is not; such bytes are shown as '\ufffd'", path,
                    data[:exc.start].count(b"\n") + 1, code="web-charset")
        text = data.decode(encoding, errors="replace")
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return xml_safe(XML_DECLARATION.sub("", text, count=1))


def page_encoding(data: bytes, path: Path, report: Report) -> tuple[str, str | None]:
    """(the codec to decode with, the encoding the page declares if any)."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return encoding, encoding
    match = DECLARED.search(data[:SNIFF_BYTES])
    if match:
        label = (match[1] or match[2]).decode("ascii")
        codec = codec_for(label.lower())
        if codec:
            return codec, label.lower()
        report.warn(f"the page declares an encoding this builder does not know, "
                    f"'{label}'; ignored", path, code="web-charset", near=label)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252", None
    return "utf-8", None


def codec_for(label: str) -> str | None:
    """Python's codec for an encoding's label, as browsers read labels (the WHATWG
    Encoding standard: `latin1` is windows-1252; `base64`, `rot13` or `utf-7` are no
    page's encoding)."""
    if label in WINDOWS_1252:
        return "cp1252"
    encoding = webencodings.lookup(label)
    if encoding is None or encoding.name in ("x-user-defined", "replacement"):
        return None
    if encoding.name.startswith("utf-16"):
        return "utf-8"  # a page that was decoded to find this label is not UTF-16
    return encoding.codec_info.name


def parse_page(text: str, path: Path) -> lxml.html.HtmlElement:
    """The page as a document (a fragment is put in a `<body>`)."""
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True)
    try:
        page = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise BuildError(f"the page cannot be read as HTML: {exc}", path) from None
    if page.find("body") is None:
        raise BuildError("the page has no <body>", path)
    return page


# --- metadata ---------------------------------------------------------------------------


def page_metadata(page: lxml.html.HtmlElement, path: Path, overrides: dict,
                  report: Report) -> dict[str, Any]:
    """The article metadata the page gives, each value checked alone: one that cannot
    be used is named in a warning and left out (unless the edition gives that key,
    when the page's value does not matter)."""
    found = {**head_metadata(page), **{k: v for k, v in linked_data(page).items() if v}}
    lang = page.get("lang") or page.get("{http://www.w3.org/XML/1998/namespace}lang")
    if lang and lang.strip():
        found["lang"] = lang.strip().replace("_", "-")
    if found.get("date"):
        found["date"] = iso_date(found["date"])
    own = {}
    for key, value in found.items():
        if key in overrides or value in (None, "", []):
            continue
        try:
            normalise({key: value}, path)
        except BuildError as exc:
            shown = value if isinstance(value, str) else "; ".join(map(str, value))
            report.warn(f"the page's {key} is left out: {exc.message} (give '{key}' in the "
                        f"edition's article table to set it)", path, code="web-metadata",
                        near=shown[:40])
            continue
        own[key] = value
    return own


def iso_date(text: str) -> str:
    """A date as the metadata check reads it (2026-11-20T07:45+01:00, the day as
    written): an e-mail style date (Fri, 20 Nov 2026 07:45:00 +0100) made one."""
    try:
        return email.utils.parsedate_to_datetime(text).date().isoformat()
    except (TypeError, ValueError, IndexError, OverflowError):
        return text


def head_metadata(page: lxml.html.HtmlElement) -> dict[str, Any]:
    """Title, author, date and summary from `<title>`, `<meta>` and Open Graph tags."""
    tags = {}
    for tag in page.iter("meta"):
        name = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").lower()
        content = unescaped(tag.get("content") or "")
        if name and content and name not in tags:
            tags[name] = content
    title = unescaped(page.findtext(".//title") or "")
    site = tags.get("og:site_name")
    if site and title.endswith(site) and len(title) > len(site):
        title = re.sub(r"\s*[|\-–—:·•]\s*$", "", title[:-len(site)])
    author = tags.get("author") or tags.get("article:author") or tags.get("dc.creator")
    if author and urlsplit(author).scheme in ("http", "https"):
        author = None  # Facebook's article:author is a profile's address
    return {
        "title": tags.get("og:title") or tags.get("twitter:title") or title or None,
        "author": author,
        "date": next((tags[k] for k in ("article:published_time", "datepublished", "date",
                                        "dc.date", "dc.date.issued", "dcterms.created",
                                        "citation_publication_date", "pubdate")
                      if k in tags), None),
        "summary": tags.get("description") or tags.get("og:description")
        or tags.get("twitter:description"),
    }


def linked_data(page: lxml.html.HtmlElement) -> dict[str, Any]:
    """Title, authors, date, summary and language from the page's JSON-LD article, if
    it has one (a script that is not JSON is passed over: it is the site's)."""
    for script in page.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
            article = next(articles(data), None)
        except (ValueError, RecursionError):
            continue
        if article is not None:
            return {
                "title": plain(article.get("headline") or article.get("name")),
                "author": names(article.get("author")),
                "date": plain(article.get("datePublished") or article.get("dateCreated")),
                "summary": plain(article.get("description")),
                "lang": plain(article.get("inLanguage")),
            }
    return {}


def articles(data: Any) -> Iterator[dict]:
    """The articles in a JSON-LD document: the top level, a list, or an `@graph`."""
    if isinstance(data, list):
        for item in data:
            yield from articles(item)
    elif isinstance(data, dict):
        kinds = data.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if any(isinstance(kind, str) and kind in ARTICLE_TYPES for kind in kinds):
            yield data
        yield from articles(data.get("@graph"))


def plain(value: Any) -> str | None:
    """A JSON-LD value as text (numbers and dates too), else None."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return unescaped(str(value)) or None
    return None


def unescaped(text: str) -> str:
    """Metadata text, with the character references a site escaped twice (`&amp;#39;`,
    shown as `&#39;`) read as the characters they stand for."""
    return squash_spaces(unescape(text) if "&" in text else text)


def names(value: Any) -> list[str]:
    """Authors as JSON-LD gives them: a name, a person or organisation, or a list."""
    if isinstance(value, list):
        return [name for item in value for name in names(item)]
    if isinstance(value, dict):
        value = value.get("name")
    name = plain(value)
    return [name] if name and urlsplit(name).scheme not in ("http", "https") else []


# --- the body ---------------------------------------------------------------------------


def extracted(text: str, page: lxml.html.HtmlElement, path: Path, report: Report) -> str:
    """The article trafilatura finds in the page, as HTML, with the figure and table
    captions it leaves out put back; a page where it finds none is a clear error."""
    try:
        import trafilatura
    except ImportError as exc:  # (a broken install: its justext wants lxml_html_clean)
        reason = " ".join(str(exc).split()).rstrip(".")
        raise BuildError(f"web pages need trafilatura, which cannot be loaded ({reason}); "
                         f"install the builder's dependencies again, or give the page "
                         f"with extract = false", path) from None

    # (trafilatura's log has a handler that shows nothing: its "discarding data" and the
    # like stay out of the build's output)
    xml = trafilatura.extract(
        text, output_format="xml", include_formatting=True, include_links=True,
        include_images=True, include_tables=True, include_comments=False,
        deduplicate=False, with_metadata=False)
    tree = html_of(xml) if xml else fragment("")
    if not has_prose(tree):
        raise BuildError("no article found in the page; if the whole page is the article "
                         "(an export from a CMS, say), list it as { path = "
                         f"\"{path.name}\", extract = false }}", path)
    with_figures(tree, page)
    with_table_heads(tree, page)
    body = inner(tree)
    check_kept(tree, page, path, report)
    return body


def html_of(xml: str) -> lxml.html.HtmlElement:
    """The article in trafilatura's XML (TEI-like: `head`, `list`, `item`, `hi`, `ref`,
    `graphic`…) as HTML, in a `<div>`. Done here rather than by trafilatura, whose HTML
    makes every list a `<ul>`, every code block a `<pre>` in a `<pre>`."""
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True,
                             huge_tree=True)
    main = etree.fromstring(xml.encode(), parser).find("main")
    div = etree.Element("div")
    if main is None:
        return div
    div.text = main.text
    div.extend(list(main))
    without_indents(div)
    for el in list(div.iterdescendants()):
        tag, attrs = html_tag(el), dict(el.attrib)
        el.attrib.clear()
        el.tag = tag
        if tag == "a" and attrs.get("target"):
            el.set("href", attrs["target"])
        elif tag == "img":
            for name in ("src", "alt", "title"):
                if attrs.get(name):
                    el.set(name, attrs[name])
    return fragment(inner(div))  # (as HTML elements, for the steps after)


def without_indents(div: etree._Element) -> None:
    """The blank lines and indents trafilatura's XML is printed with taken away: in the
    body, lists, tables and rows (no text of the article is there)."""
    for el in (div, *div.iter("list", "table", "row")):
        for node in (el, *el):
            attribute = "text" if node is el else "tail"
            value = getattr(node, attribute)
            if value and not value.strip() and "\n" in value:
                setattr(node, attribute, None)


def html_tag(el: etree._Element) -> str:
    """The HTML element for an element of trafilatura's XML."""
    rend = el.get("rend") or ""
    if el.tag == "head":
        return rend if rend in HEADINGS else "h3"
    if el.tag == "list":
        return rend if rend in ("ol", "ul", "dl") else "ul"
    if el.tag == "item":
        return rend[:2] if rend[:2] in ("dt", "dd") else "li"
    if el.tag == "hi":
        return EMPHASIS.get(rend, "em")
    if el.tag == "code":
        return "pre" if el.getparent().tag in ("div", "blockquote", "quote") else "code"
    if el.tag == "cell":
        return "th" if el.get("role") == "head" else "td"
    return XML_TAGS.get(el.tag, el.tag)


def whole_body(page: lxml.html.HtmlElement) -> str:
    """The page's `<body>` as it is (the sanitiser drops what it must)."""
    body = page.find("body")
    for unshown in body.xpath(" | ".join(f".//{tag}" for tag in NOT_SHOWN)):
        unshown.drop_tree()
    return inner(body)


def inner(element: etree._Element) -> str:
    """An element's content as HTML."""
    children = (lxml.html.tostring(child, encoding="unicode") for child in element)
    return escape(element.text or "", quote=False) + "".join(children)


# Nesting of any depth kept whole (lxml's default parser cuts a tree at 255 levels and
# drops the rest): cleaning refuses what is too deep with a clear error.
DEEP = lxml.html.HTMLParser(huge_tree=True)


def fragment(html: str) -> lxml.html.HtmlElement:
    """A body fragment as one `<div>` to work on."""
    return lxml.html.fragment_fromstring(html or "", create_parent="div", parser=DEEP)


def text_of(element: etree._Element) -> str:
    """An element's text, a space between its parts (`<li>a</li><li>b</li>`: two words)."""
    return squash_spaces(" ".join(element.itertext()))


def body_text(html: str) -> str:
    return text_of(fragment(html)) if html.strip() else ""


def has_prose(tree: etree._Element) -> bool:
    """Whether a body holds a sentence or more in a block of its own: what extraction
    finds on a page with no article (a menu, a list of headlines, a cookie notice)
    does not."""
    return any(len(text) >= PROSE_CHARS and SENTENCE_END.search(text)
               for text in map(text_of, tree.iter(*PROSE_BLOCKS)))


def with_figures(tree: etree._Element, page: lxml.html.HtmlElement) -> None:
    """Each image the page shows in a `<figure>` with a caption set in a figure with
    that caption again (trafilatura keeps the image, not the caption); what it kept of
    the caption as a paragraph after the image is taken away."""
    captions = {}
    for figure in page.iter("figure"):
        caption = figure.find(".//figcaption")
        text = squash_spaces(caption.text_content()) if caption is not None else ""
        for img in figure.iter("img"):  # (the page's, not yet cleaned)
            if text and img.get("src"):
                captions.setdefault(img.get("src"), text)
    for img in list(tree.iter("img")):
        caption = captions.get(img.get("src", ""))
        parent = img.getparent()
        if not caption or parent.tag == "figure":
            continue
        alone = parent.tag == "p" and len(parent) == 1 and not text_of(parent)
        follower = (parent if alone else img).getnext()
        kept = squash_spaces(follower.text_content()) if follower is not None else ""
        if follower is not None and follower.tag == "p" and kept and kept in caption:
            follower.drop_tree()
        if alone:  # a paragraph of its own becomes the figure
            parent.tag, img.tail = "figure", None
            figure = parent
        else:
            figure = etree.Element("figure")
            figure.tail, img.tail = img.tail, None
            img.addprevious(figure)
            figure.append(img)
        etree.SubElement(figure, "figcaption").text = caption


def with_table_heads(tree: etree._Element, page: lxml.html.HtmlElement) -> None:
    """A table's caption and its head row put back: trafilatura makes a caption a first
    row of its own, and keeps the header cells but not the `<thead>` they were in."""
    captions = {squash_spaces(c.text_content()) for c in page.iter("caption")} - {""}
    for table in tree.iter("table"):
        rows = table.findall("tr")
        first = [squash_spaces(cell.text_content()) for cell in rows[0]] if rows else []
        if len(rows) > 1 and first and first[0] in captions and not any(first[1:]):
            table.remove(rows.pop(0))
            caption = etree.Element("caption")
            caption.text = first[0]
            table.insert(0, caption)
        if rows and len(rows[0]) and all(cell.tag == "th" for cell in rows[0]):
            head = etree.Element("thead")
            rows[0].addprevious(head)
            head.append(rows[0])


def words(text: str) -> int:
    return len(text.split())


def page_words(page: lxml.html.HtmlElement) -> int:
    """The words a reader of the page sees in its article (or, wanting an article
    element, in its main part or its body)."""
    for where in ARTICLE_REGIONS:
        found = page.xpath(where)
        if found:
            region = max(found, key=lambda el: words(text_of(el)))
            break
    else:
        return 0
    shown = lxml.html.fromstring(lxml.html.tostring(region), parser=DEEP)
    for unshown in shown.xpath(" | ".join(f".//{tag}" for tag in NOT_SHOWN)):
        unshown.drop_tree()
    return words(text_of(shown))


def check_kept(tree: etree._Element, page: lxml.html.HtmlElement, path: Path,
               report: Report) -> None:
    """Say how much of the page's article extraction kept; warn when it left out so
    much that part of the article itself may be gone."""
    total, kept = page_words(page), words(text_of(tree))
    if total < WORDS_AT_LEAST:
        return
    share = min(kept / total, 1.0)
    report.note(f"{path.name}: kept {kept} of the {total} words of the page's article "
                f"({share:.0%})")
    if share < KEPT_AT_LEAST:
        report.warn(f"extraction kept {kept} of the {total} words of the page's article "
                    f"({share:.0%}); check that nothing of the article is missing, or "
                    f"give the page with extract = false", path, code="web-extract")


def without_title(body: str, page_title: str | None) -> tuple[str, str | None]:
    """The body without the title as its first heading (the article's title is shown
    above it), and the title that heading gives: when the page's title is the heading
    followed by the site's name ("Headline | Site"), or when the page gives none and
    the heading is an `<h1>` with text after it."""
    tree = fragment(body)
    first = next((el for el in tree if squash_spaces(el.text_content()) or el.tag == "img"),
                 None)
    if first is None or first.tag not in ("h1", "h2", "h3") or (tree.text or "").strip():
        return body, None
    heading = squash_spaces(first.text_content())
    if page_title and heading.casefold() == page_title.casefold():
        title = None
    elif with_site_name(page_title, heading) if page_title else \
            first.tag == "h1" and first.getnext() is not None:
        title = heading
    else:
        return body, None
    first.drop_tree()
    return inner(tree), title


def with_site_name(page_title: str, heading: str) -> bool:
    """Whether a page's title is this heading and the site's name ("Headline | Site")."""
    return page_title.casefold().startswith(heading.casefold()) \
        and bool(SITE_SUFFIX.match(page_title[len(heading):]))


def base_url(page: lxml.html.HtmlElement) -> str | None:
    """The page's own web address (`<base>`, the canonical link, `og:url`), if it
    gives one: its links to the rest of the site are relative to it."""
    candidates = [*page.xpath("//base/@href"), *page.xpath("//link[@rel='canonical']/@href"),
                  *page.xpath("//meta[@property='og:url']/@content")]
    for url in candidates:
        if urlsplit(url.strip()).scheme in ("http", "https"):
            return url.strip()
    return None


def links_made_absolute(body: str, base: str | None) -> str:
    """Links within the site (`/news`) made web links, and images on the site's server
    (`/img/a.jpg`, `//cdn.example/a.jpg`) web images, refused or fetched as the edition
    says. An image at a relative address stays a file: a saved page keeps its images in
    a folder beside it."""
    tree = fragment(body)
    for el in tree.iter("a", "img"):
        name = "href" if el.tag == "a" else "src"
        address = (el.get(name) or "").strip()
        if not address or address.startswith("#") or urlsplit(address).scheme:
            continue
        if address.startswith("//"):
            el.set(name, urljoin(base or "https:", address))
        elif base and (el.tag == "a" or address.startswith("/")):
            el.set(name, urljoin(base, address))
    return inner(tree)
