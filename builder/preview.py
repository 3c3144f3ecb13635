"""`edition preview`: the edition's EPUB pages served on localhost, reloaded on change.

One `Preview` holds the current rendering (the same templates as the EPUB, with the
`screen` style layer); a watcher re-renders it when an article, image, the edition
file, a template or a style changes, and every open page reloads itself through a
Server-Sent Events stream. Only the rendered pages, their images and the styles are
served: nothing else on the disk is reachable.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import jinja2

from .assets import STYLES, TEMPLATES, look_of, style_files
from .errors import BuildError, Report
from .render.templates import jinja_environment, render

XHTML = "application/xhtml+xml; charset=utf-8"
EVENTS = "/__events"


@dataclass
class Preview:
    edition_path: Path
    version: int = 0
    error: str | None = None
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def refresh(self) -> str | None:
        """Render again; on bad input show the error on every page. Returns the error."""
        files = self.files  # on an error, keep serving the last styles and images
        try:
            files, error = self._render(), None
        except BuildError as problem:
            error = str(problem)
        except Exception as exc:  # a bug: show it, keep serving, keep watching
            error = f"the preview failed unexpectedly ({type(exc).__name__}: {exc})"
        with self.changed:
            self.files, self.error = files, error
            self.version += 1
            self.changed.notify_all()
        return error

    def _render(self) -> dict[str, tuple[str, bytes]]:
        from .assemble import assemble
        from .cover import generated_cover
        from .edition import load_edition
        from .render import render_epub

        edition = assemble(load_edition(self.edition_path), Report())  # warnings: stderr
        cover = edition.cover.resource if edition.cover else generated_cover(edition)
        documents = render_epub(edition, cover, layer="screen")
        files = {f"/{name}": (kind, data) for name, (kind, data)
                 in style_files("screen", look_of(edition)).items()}
        for resource in (*edition.resources, cover):
            files[f"/{resource.name}"] = (resource.media_type, resource.data)
        for n, document in enumerate(documents):
            before = documents[n - 1].name if n else None
            after = documents[n + 1].name if n + 1 < len(documents) else None
            page = document.html.replace("</body>", _bar(edition.title, before, after)
                                         + "</body>")
            files[f"/{document.name}"] = (XHTML, page.encode("utf-8"))
        return files

    def page(self, path: str) -> tuple[int, str, bytes]:
        with self.changed:
            files, error = self.files, self.error
        if error and (path.endswith(".xhtml") or path not in files):
            try:
                return 200, "text/html; charset=utf-8", _error_page(error).encode("utf-8")
            except BuildError as problem:  # the error page's own template is broken
                return 500, "text/plain; charset=utf-8", f"{error}\n{problem}\n".encode()
        if path in files:
            kind, data = files[path]
            return 200, kind, data
        return 404, "text/plain; charset=utf-8", b"not part of this edition\n"

    def wait(self, seen: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen, timeout)
            return self.version


@functools.cache
def _environment() -> jinja2.Environment:
    """The preview's own templates (its bar, error page and reload script), not the
    edition's: a house style cannot replace them."""
    return jinja_environment(jinja2.FileSystemLoader(str(TEMPLATES / "preview")))


def _fill(name: str, **context: object) -> str:
    """A mistake in one of these templates (made while previewing) is shown like any
    other template error, naming the template file and line."""
    return render(_environment(), name, {**context, "events": EVENTS})


def _bar(title: str, before: str | None, after: str | None) -> str:
    return _fill("bar.html", title=title, before=before, after=after)


def _error_page(error: str) -> str:
    return _fill("error.html", error=error)


def _handler(preview: Preview,
             stopping: threading.Event) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
            path = urlsplit(self.path).path
            if not self._host_allowed():
                self.send_error(421, "this preview answers only to localhost")
            elif path == "/":
                self.send_response(302)
                self.send_header("Location", "/contents.xhtml")
                self.end_headers()
            elif path == "/favicon.ico":
                self.send_response(204)
                self.end_headers()
            elif path == EVENTS:
                self._events()
            else:
                status, kind, data = preview.page(path)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(data)

        def _host_allowed(self) -> bool:
            """On this machine only, a page of another site must not read the preview by
            pointing its own name at 127.0.0.1 (DNS rebinding): check the Host header."""
            address, port = self.server.server_address[:2]
            if address not in ("127.0.0.1", "::1"):
                return True  # asked to listen beyond this machine: any name will do
            names = {f"{name}:{port}" for name in ("127.0.0.1", "localhost", "[::1]")}
            return self.headers.get("Host", "") in names

        def _events(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = preview.version
            try:
                while not stopping.is_set():
                    now = preview.wait(seen, timeout=10)
                    self.wfile.write(f"data: {now}\n\n".encode() if now != seen
                                     else b": still here\n\n")
                    self.wfile.flush()
                    seen = now
            except (BrokenPipeError, ConnectionResetError):
                pass  # the page went away

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep the terminal for warnings and changes

    return Handler


def _watch(preview: Preview, stopping: threading.Event, ready: threading.Event,
           say: Callable[[str], object]) -> None:
    import watchfiles

    folders = [preview.edition_path.resolve().parent, TEMPLATES, STYLES]
    # An empty set every 200 ms while nothing changes: the first says the watch is on.
    for changes in watchfiles.watch(*folders, stop_event=stopping, debounce=300, step=50,
                                    rust_timeout=200, yield_on_timeout=True,
                                    raise_interrupt=False):
        ready.set()
        if not changes:
            continue
        paths = {Path(path) for _, path in changes}
        names = sorted(p.name for p in ({p for p in paths if p.exists()} or paths))
        error = preview.refresh()
        say(f"changed: {', '.join(names[:5])}{' …' if len(names) > 5 else ''}"
            + (f" — error: {error}" if error else " — reloading"))


def serve(edition_path: Path, host: str, port: int, say: Callable[[str], object] = print,
          opened: Callable[[str], object] | None = None) -> None:
    """Serve until interrupted. `say` prints a line; `opened(url)` is called once the
    server listens (it opens a browser, when asked for)."""
    preview = Preview(edition_path)
    error = preview.refresh()
    if error:
        say(f"error: {error}")
    stopping = threading.Event()
    server = http.server.ThreadingHTTPServer((host, port), _handler(preview, stopping))
    server.daemon_threads = True
    url = f"http://{host}:{server.server_address[1]}/"
    ready = threading.Event()
    watcher = threading.Thread(target=_watch, args=(preview, stopping, ready, say),
                               daemon=True)
    watcher.start()
    ready.wait(timeout=10)  # changes made after the line below are seen
    say(f"previewing {edition_path} at {url} (Ctrl-C to stop)")
    if opened:
        opened(url)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        stopping.set()
        server.server_close()
