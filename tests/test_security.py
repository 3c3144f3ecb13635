"""Hostile input: nothing executable gets through, nothing outside the edition is read,
no connection is made, and metadata is always text."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
import uuid
import zipfile

import pytest
from lxml import etree
from pypdf import PdfReader

from builder.resources import Refused, check_remote, fetch_remote
from conftest import FIXTURES, NS, build_edition, epubcheck_messages


class Listener:
    """A loopback TCP server that records every connection made to it."""

    def __init__(self, respond: bytes | None = None, delay: float = 0):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.respond, self.delay = respond, delay
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            with conn:
                if self.delay:
                    threading.Event().wait(self.delay)
                if self.respond is not None:
                    conn.recv(65536)
                    conn.sendall(self.respond)

    def close(self):
        self.running = False
        self.thread.join(2)
        self.sock.close()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    token = f"SECRET-{uuid.uuid4().hex}"
    secret = base / "private" / "passwd.txt"
    secret.parent.mkdir()
    secret.write_text(f"{token}\n", encoding="utf-8")
    edition = base / "edition"
    shutil.copytree(FIXTURES / "hostile", edition)
    listener = Listener()
    relative = os.path.relpath(secret, edition / "articles")
    for path in edition.rglob("*"):
        if path.suffix in (".md", ".txt", ".svg"):
            text = path.read_text(encoding="utf-8")
            text = (text.replace("{PORT}", str(listener.port))
                    .replace("{SECRET_PATH}", str(secret))
                    .replace("{SECRET_RELATIVE}", relative))
            path.write_text(text, encoding="utf-8")
    (edition / "articles" / "link-to-secret.png").symlink_to(secret)
    built = build_edition(edition / "edition.toml", base / "out")
    listener.close()
    built.token, built.connections = token, listener.connections
    return built


def epub_texts(built) -> dict[str, str]:
    with zipfile.ZipFile(built.epub) as z:
        return {n: z.read(n).decode("utf-8", "replace") for n in z.namelist()}


def test_no_connection_attempted(hostile):
    assert hostile.connections == 0


def test_epub_is_still_valid(hostile):
    assert epubcheck_messages(hostile.epub) == []


def test_nothing_executable_in_the_epub(hostile):
    for name, text in epub_texts(hostile).items():
        if not name.endswith((".xhtml", ".opf", ".ncx")):
            continue
        root = etree.fromstring(text.encode())
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            tag = etree.QName(el).localname
            assert tag not in {"script", "iframe", "object", "embed", "form", "input",
                               "style", "base", "svg", "math", "button"}, (name, tag)
            assert not (tag == "link" and el.get("rel") != "stylesheet"), name
            assert not (tag == "meta" and el.get("http-equiv")), name
            for attribute, value in el.attrib.items():
                local = etree.QName(attribute).localname.lower()
                assert not local.startswith("on"), (name, attribute)
                assert local not in ("style", "rel") or tag == "link", (name, attribute)
                if local in ("href", "src"):
                    assert not re.match(r"\s*(javascript|vbscript|data|file):", value, re.I), \
                        (name, value)
    opf = epub_texts(hostile)["EPUB/content.opf"]
    assert "scripted" not in opf


def test_semantic_markup_survives(hostile):
    doc = hostile.epub_xml("EPUB/a001.xhtml")
    body = doc.find(".//x:div[@class='body']", NS)
    tags = {etree.QName(el).localname for el in body.iter()}
    assert {"figure", "figcaption", "cite", "abbr", "q", "small", "mark", "sub", "sup",
            "details", "summary", "img"} <= tags
    text = "".join(body.itertext())
    assert "Plain paragraph before the attacks." in text
    assert "Closing paragraph after the attacks." in text
    assert 'alert("script")' not in text


def test_no_local_file_in_either_output(hostile):
    for name, text in epub_texts(hostile).items():
        assert hostile.token not in text, name
    reader = PdfReader(hostile.pdf)
    for obj_number in range(1, reader.trailer["/Size"]):
        try:
            obj = reader.get_object(obj_number)
        except Exception:
            continue
        data = obj.get_data() if hasattr(obj, "get_data") else str(obj).encode()
        assert hostile.token.encode() not in data


def test_no_attachment_or_script_in_the_pdf(hostile):
    reader = PdfReader(hostile.pdf)
    root = reader.trailer["/Root"]
    assert "/EmbeddedFiles" not in root.get("/Names", {})
    assert "/OpenAction" not in root and "/AA" not in root
    assert "/JavaScript" not in root.get("/Names", {})
    for page in reader.pages:
        for annotation in page.get("/Annots", []) or []:
            annotation = annotation.get_object()
            assert annotation["/Subtype"] != "/FileAttachment"
            action = annotation.get("/A", {})
            assert action.get("/S") not in ("/JavaScript", "/Launch", "/SubmitForm")
            uri = str(action.get("/URI", ""))
            assert not re.match(r"(javascript|vbscript|data|file):", uri, re.I), uri


def test_refused_resources_are_reported_with_the_article(hostile):
    stderr = hostile.result.stderr
    for reference in ("http://127.0.0.1:", "file://", "link-to-secret.png", "external.svg",
                      "ftp://127.0.0.1"):
        lines = [line for line in stderr.splitlines()
                 if reference in line and "image left out" in line]
        assert lines, reference
        assert all(re.search(r"articles/resources\.md(:\d+)?: ", line) for line in lines), lines
    assert re.search(r"articles/markup\.md:\d+: link to 'file://", stderr)


def test_refused_image_shows_its_alt_text(hostile):
    doc = hostile.epub_xml("EPUB/a002.xhtml")
    stand_ins = ["".join(s.itertext()) for s in doc.iterfind(".//x:span", NS)
                 if s.get("class") == "image-missing"]
    assert "[remote tracker]" in stand_ins and "[raw tracker]" in stand_ins
    assert doc.find(".//x:figure[@class='lead-image']", NS) is None


def test_metadata_is_text_everywhere(hostile):
    texts = epub_texts(hostile)
    title = "<script>alert('title')</script> & <b>bold</b> title"
    doc = hostile.epub_xml("EPUB/a003.xhtml")
    assert doc.findtext(".//x:h1", namespaces=NS) == title
    assert doc.findtext(".//x:title", namespaces=NS) == title
    assert "<script>alert('author')</script>" in "".join(
        doc.find(".//x:p[@class='byline']", NS).itertext())
    opf = hostile.epub_xml("EPUB/content.opf")
    assert opf.findtext(".//dc:title", namespaces=NS) == \
        "Hostile <script>alert('edition')</script> Weekly, Issue 6"
    assert "<script>alert('author')</script>" in [
        c.text for c in opf.iterfind(".//dc:creator", NS)]
    nav = hostile.epub_xml("EPUB/nav.xhtml")
    assert title in [a.text for a in nav.iterfind(".//x:a", NS)]
    for name, text in texts.items():
        if name.endswith((".xhtml", ".opf", ".ncx")):
            assert "<script" not in text, name
    wire = hostile.epub_xml("EPUB/a004.xhtml")
    assert wire.findtext(".//x:h1", namespaces=NS) == "<script>alert('wire')</script>"
    assert '<script>alert("plain text")</script> is just text' in "".join(wire.itertext())
    reader = PdfReader(hostile.pdf)
    assert reader.metadata["/Title"] == \
        "Hostile <script>alert('edition')</script> Weekly, Issue 6"
    assert "<script>alert('author')</script>" in reader.metadata["/Author"]
    outline_titles = [item.title for item in reader.outline[1]]
    assert title in outline_titles
    assert "<script>alert('title')</script>" in "".join(
        page.extract_text() for page in reader.pages)


@pytest.mark.parametrize("url", [
    "http://example.com:99999/map.png", "http://[::1/x.png",
    "http://127.0.0.1/x.png", "http://localhost/x.png", "http://[::1]/x.png",
    "http://10.1.2.3/x.png", "http://192.168.0.1/x.png", "http://169.254.169.254/latest",
    "http://0.0.0.0/x.png", "file:///etc/passwd", "ftp://example.org/x.png",
    "data:image/png;base64,AAAA",
])
def test_remote_policy_refuses_local_and_non_web_addresses(url):
    with pytest.raises(Refused):
        check_remote(url)


def test_remote_images_in_an_edition_still_never_reach_this_machine(tmp_path):
    listener = Listener()
    (tmp_path / "a.md").write_text(
        f"# A\n\n![remote](http://127.0.0.1:{listener.port}/a.png)\n\nText.\n",
        encoding="utf-8")
    (tmp_path / "e.toml").write_text(
        'title = "R"\ndate = 2026-01-01\nlanguage = "en"\nremote_images = true\n'
        '[[sections]]\ntitle = "S"\narticles = ["a.md"]\n', encoding="utf-8")
    built = build_edition(tmp_path / "e.toml", tmp_path / "out")
    listener.close()
    assert listener.connections == 0
    assert "an address on this machine or a private network" in built.result.stderr


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (2, 2)).save(out, "PNG")
    return out.getvalue()


def test_fetch_remote_reads_an_image_within_the_cap():
    body = _png()
    listener = Listener(b"HTTP/1.0 200 OK\r\nContent-Type: image/png\r\nContent-Length: "
                        + str(len(body)).encode() + b"\r\n\r\n" + body)
    try:
        assert fetch_remote(f"http://127.0.0.1:{listener.port}/a.png", allow_local=True) == body
    finally:
        listener.close()


def test_fetch_remote_caps_the_size():
    body = b"x" * 5000
    listener = Listener(b"HTTP/1.0 200 OK\r\n\r\n" + body)
    try:
        with pytest.raises(Refused, match="larger than"):
            fetch_remote(f"http://127.0.0.1:{listener.port}/big", allow_local=True, limit=1000)
    finally:
        listener.close()


def test_fetch_remote_checks_where_a_redirect_leads():
    listener = Listener(b"HTTP/1.0 302 Found\r\nLocation: file:///etc/passwd\r\n\r\n")
    try:
        with pytest.raises(Refused, match="file:///etc/passwd"):
            fetch_remote(f"http://127.0.0.1:{listener.port}/moved", allow_local=True)
    finally:
        listener.close()


def test_fetch_remote_bounds_the_whole_download():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def trickle():
        conn, _ = server.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.0 200 OK\r\n\r\n")
            for _ in range(40):
                try:
                    conn.sendall(b"x")
                except OSError:
                    return
                threading.Event().wait(0.1)

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    started = time.monotonic()
    with pytest.raises(Refused, match="took longer than 1 s"):
        fetch_remote(f"http://127.0.0.1:{server.getsockname()[1]}/slow", allow_local=True,
                     timeout=1.0)
    assert time.monotonic() - started < 3
    thread.join(5)
    server.close()


def test_fetch_remote_times_out():
    listener = Listener(respond=None, delay=3)
    try:
        with pytest.raises(Refused, match="could not be fetched"):
            fetch_remote(f"http://127.0.0.1:{listener.port}/slow", allow_local=True,
                         timeout=0.5)
    finally:
        listener.close()
