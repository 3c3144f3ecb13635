"""From an `EditionSpec` to the `Edition` model: read, merge and clean every article."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import fonts, furniture
from .clean import clean_body
from .edition import EditionSpec, Entry, SectionSpec
from .errors import BuildError, Report, line_of
from .labels import direction, labels, long_date
from .models import Article, ArticleId, Edition, Image, Section, article_id
from .readers import KINDS, Draft, kind_of, read_article
from .readers.feed import read_feed
from .resources import MAX_SIDE, Refused, read_image

if TYPE_CHECKING:
    from multiprocessing.pool import Pool

MAX_FEED_BYTES = 20 * 1024 * 1024


def read_capped(path: Path, kind: str, limit: int) -> bytes:
    """The bytes of an article or feed file of at most `limit` bytes."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BuildError(f"cannot read the {kind}: {exc.strerror}", path) from None
    if len(data) > limit:
        raise BuildError(f"the {kind} is {len(data) / 2**20:.1f} MB; the limit is "
                         f"{limit // 2**20} MB per {kind}, so split it", path)
    return data


@dataclass(frozen=True)
class EntryReport:
    """Names a feed entry in every warning about it (the file alone says too little)."""

    report: Report
    label: str

    def warn(self, message: str, path: Path | str | None = None, line: int | None = None,
             **where: str | None) -> None:
        self.report.warn(f"{self.label}: {message}", path, line, **where)


def read_one(entry: Entry, spec: EditionSpec, ident: ArticleId,
             rules: tuple[furniture.Rule, ...], report: Report) -> Article:
    path = entry.path
    kind = kind_of(path)
    for option, _ in entry.options:
        if option not in kind.options:
            takers = sorted(s for s, k in KINDS.items() if option in k.options)
            raise BuildError(f"'{option}' in the article table for {path.name} applies to "
                             f"{', '.join(takers) or 'no'} files only", spec.path, entry.line)
    data = read_capped(path, "article", kind.limit)
    draft = read_article(path, data, dict(entry.overrides), spec.settings.language, report,
                         dict(entry.options))
    return to_article(draft, "image" in dict(entry.overrides), spec, ident, rules, report)


def read_entry(entry: Entry, spec: EditionSpec, first: int,
               rules: tuple[furniture.Rule, ...], report: Report) -> list[Article]:
    """The article of a file, or the articles of a feed, numbered from `first`."""
    if entry.feed:
        return read_feed_entries(entry, spec, first, rules, report)
    return [read_one(entry, spec, article_id(first), rules, report)]


def read_feed_entries(entry: Entry, spec: EditionSpec, first: int,
                      rules: tuple[furniture.Rule, ...], report: Report) -> list[Article]:
    """One article per entry of a feed, numbered from `first`."""
    data = read_capped(entry.path, "feed", MAX_FEED_BYTES)
    items = read_feed(entry.path, data, dict(entry.overrides), spec.settings.language, entry.limit,
                      report)
    if not items:
        raise BuildError(f"the feed {entry.path.relative_to(spec.root)} has no entries with "
                         f"content; remove it from the edition or fill it", spec.path,
                         entry.line)
    articles = []
    for number, item in enumerate(items, first):
        try:
            articles.append(to_article(item.draft, False, spec, article_id(number), rules,
                                       EntryReport(report, item.label)))
        except BuildError as exc:
            raise BuildError(f"{item.label}: {exc.message}", exc.path, exc.line) from None
    return articles


def to_article(draft: Draft, image_from_edition: bool, spec: EditionSpec, ident: ArticleId,
               rules: tuple[furniture.Rule, ...], report: Report) -> Article:
    path = draft.path
    cleaned = clean_body(draft.html, ident, path, spec.root, rules, report,
                         spec.settings.remote_images, draft.attachments)
    meta = draft.meta
    shown_meta = [str(meta.get(k) or "") for k in ("title", "subtitle", "summary", "dateline")]
    printed = [*shown_meta, *meta.get("authors", ()), *cleaned.text, labels(meta["lang"])["by"]]
    if meta.get("date"):
        printed.append(long_date(meta["date"], meta["lang"]))
    needs = check_fonts(" ".join(printed), meta["lang"], spec.settings.machine_fonts, path, report)
    for block in cleaned.removed:
        shown = block.text if len(block.text) <= 70 else block.text[:67] + "…"
        report.warn(f"removed site furniture ({block.rule}): “{shown}”", path,
                    code="furniture-removed", near=block.text[:40])
    image = None
    resources = list(cleaned.resources)
    if meta.get("image"):
        base, cited_in = (spec.path.parent, spec.path) if image_from_edition else \
            (path.parent, path)
        try:
            resource = read_image(meta["image"], base, spec.root, cited_in,
                                  spec.settings.remote_images)
        except Refused as refused:
            report.warn(f"lead image left out: {refused}", path, code="image-refused",
                        near=str(meta["image"]))
        except BuildError as error:  # (at the line that names it)
            raise BuildError(error.message, error.path,
                             error.line or line_of(cited_in, str(meta["image"]))) from None
        else:
            image = Image(resource, meta.get("image_alt", ""))
            if not image.alt:
                report.warn(f"lead image '{meta['image']}' has no alt text; describe it in "
                            f"'image_alt'", path, code="missing-alt", near=str(meta["image"]))
            resources.append(resource)
    title = meta.get("title") or path.stem.replace("-", " ").replace("_", " ").capitalize()
    return Article(
        id=ident, source=path, title=title, lang=meta["lang"], body=cleaned.body,
        notes=cleaned.notes, subtitle=meta.get("subtitle"), authors=meta.get("authors", ()),
        date=meta.get("date"), section=meta.get("section"), summary=meta.get("summary"),
        tags=meta.get("tags", ()), image=image, resources=tuple(resources),
        removed=cleaned.removed, extra=tuple(sorted(draft.extra.items())),
        dateline=meta.get("dateline"), scripts=tuple(sorted(needs.groups)),
        dir=meta.get("dir") or direction(meta["lang"]), initial=cleaned.initial,
    )


def check_fonts(text: str, lang: str, machine_fonts: bool, path: Path,
                report: Report) -> fonts.Needs:
    """What our fonts make of a text: characters none of them has are an error, or with
    `machine_fonts` a warning (the machine's fonts draw them, if it has any)."""
    needs = fonts.needs(text, lang)
    if needs.missing:
        what = (f"{len(needs.missing)} character(s) that none of the bundled fonts has: "
                f"{fonts.describe(needs.missing)}")
        if not machine_fonts:
            raise BuildError(f"{what}; remove them, or set 'machine_fonts = true' in the "
                             f"edition file to draw them with this machine's fonts", path,
                             line_of(path, needs.missing[0]))
        report.warn(f"{what}; they are drawn with this machine's fonts, if it has any", path,
                    code="font-coverage", near=needs.missing[0])
    return needs


def assemble(spec: EditionSpec, report: Report, pool: Pool | None = None) -> Edition:
    """With a `pool` of worker processes, articles are read in parallel; the edition,
    the warnings and their order, and the first error are those of reading them one by
    one."""
    entries = sum(len(section.entries) for section in spec.sections)
    sections = []
    done = 0
    for section, outcomes in read_sections(spec, report, pool):
        articles = []
        for entry, outcome in outcomes:
            if outcome.error:
                raise outcome.error
            articles += outcome.articles
            done += 1
            report.advance("reading articles", done, entries)
            report.note(f"read {entry.path.relative_to(spec.root)}")
            for resource in dict.fromkeys(r for a in outcome.articles for r in a.resources):
                if resource.scaled_from:
                    width, height = resource.scaled_from
                    what = resource.source.name if resource.source else resource.name
                    report.note(f"  image {what} ({width}x{height} px) scaled down to "
                                f"{MAX_SIDE} px on its long side for the book")
        if articles:  # a section left empty (as `edition new` writes them) is not shown
            sections.append(Section(section.title, tuple(articles)))
    return edition_of(spec, tuple(sections), report)


def read_sections(spec: EditionSpec, report: Report, pool: Pool | None = None
                  ) -> Iterator[tuple[SectionSpec, Iterator[tuple[Entry, Read]]]]:
    """The reading stage's outcomes, section by section and entry by entry, in order:
    each entry's articles, or the error that stopped it. Its warnings go to `report` as
    each outcome is taken (read in a worker, they travel with the outcome). The build
    stops at the first error; `edition check` reads on and reports them all."""
    titles: dict[str, int] = {}
    for section in spec.sections:
        titles[section.title] = titles.get(section.title, 0) + 1
    for title, count in titles.items():
        if count > 1:
            report.warn(f"{count} sections are titled '{title}'; the contents will list "
                        f"them as separate sections (give them different titles, or merge "
                        f"them)", spec.path, code="duplicate-section", near=title)
    rules = furniture.rules_for(spec.settings.furniture.remove, spec.settings.furniture.patterns)
    entries = [entry for section in spec.sections for entry in section.entries]
    read = _read_all(entries, spec, rules, pool) if pool else \
        _read_in_order(entries, spec, rules, report)

    def outcomes(section: SectionSpec) -> Iterator[tuple[Entry, Read]]:
        for entry in section.entries:
            outcome = next(read)
            for warning in outcome.warnings:
                report.add(warning)
            yield entry, outcome

    for section in spec.sections:
        yield section, outcomes(section)


@dataclass(frozen=True)
class Read:
    """What reading one entry gave: its articles, or the error that stopped it, and
    the warnings on the way (made where it was read, shown by the build in order)."""

    articles: tuple[Article, ...] = ()
    warnings: tuple = ()
    error: BuildError | None = None

    @classmethod
    def of(cls, read: Callable[..., Iterable[Article]], *args: object,
           report: Report | None = None) -> Read:
        """`read(*args, report)`; with no `report`, the warnings are collected."""
        own = report or Report(quiet=True)
        try:
            articles = read(*args, own)
        except BuildError as error:
            return cls((), () if report else tuple(own.warnings), error)
        return cls(tuple(articles), () if report else tuple(own.warnings))


def _read_in_order(entries: list[Entry], spec: EditionSpec, rules: tuple[furniture.Rule, ...],
                   report: Report) -> Iterator[Read]:
    """The entries' outcomes, read here one by one as they are asked for."""
    first = 1
    for entry in entries:
        outcome = Read.of(read_entry, entry, spec, first, rules, report=report)
        yield outcome
        first += len(outcome.articles)


def _read_one_collected(entry: Entry, spec: EditionSpec, first: int,
                        rules: tuple[furniture.Rule, ...]) -> Read:
    return Read.of(read_entry, entry, spec, first, rules)


def _read_all(entries: list[Entry], spec: EditionSpec, rules: tuple[furniture.Rule, ...],
              pool: Pool) -> Iterator[Read]:
    """The entries' outcomes in order: files read by the pool; feeds, whose number of
    articles the numbering of the next entries needs, read here meanwhile."""
    outcomes: list = []
    first = 1
    for entry in entries:
        if entry.feed:
            outcome = Read.of(read_entry, entry, spec, first, rules)
            outcomes.append(outcome)
            if outcome.error:
                break  # the build stops here: nothing after it needs a number
            first += len(outcome.articles)
        else:
            outcomes.append(pool.apply_async(_read_one_collected, (entry, spec, first, rules)))
            first += 1
    for outcome in outcomes:
        yield outcome if isinstance(outcome, Read) else outcome.get()


def edition_of(spec: EditionSpec, sections: tuple[Section, ...],
               report: Report | None = None) -> Edition:
    """The edition of these sections, with its cover read and the fonts it needs."""
    cover = None
    if spec.cover:
        try:
            cover = Image(read_image(spec.cover.name, spec.cover.parent, spec.root, spec.path,
                                     scale=False),
                          f"Cover of {spec.settings.title}")
        except Refused as refused:
            raise BuildError(f"cover: {refused}", spec.path) from None
    report = report or Report(quiet=True)
    settings = spec.settings
    scripts = {group for section in sections for a in section.articles for group in a.scripts}
    words = labels(settings.language)
    front = [settings.title, settings.subtitle or "", settings.publisher or "",
             long_date(settings.date, settings.language),
             *(words[k] for k in ("contents", "issue", "volume", "cover")),
             *(section.title for section in sections)]
    scripts |= check_fonts(" ".join(front), settings.language, settings.machine_fonts,
                           spec.path, report).groups
    for section in sections:  # and in each of its articles' languages
        for lang in dict.fromkeys(a.lang for a in section.articles):
            scripts |= check_fonts(section.title, lang, settings.machine_fonts, spec.path,
                                   report).groups
    return Edition(source=spec.path, settings=spec.settings, sections=sections, cover=cover,
                   scripts=tuple(sorted(scripts)), dir=direction(spec.settings.language))

