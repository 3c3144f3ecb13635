"""The EPUB's stylesheets without custom properties: reading systems with older CSS
engines (Calibre's conversions to Kindle, Adobe's RMSDK, KOReader) drop a declaration
that uses `var()`, and with it every font the book embeds.

Our sheets define the font stacks once, as custom properties of `:root`, and again for
the languages of other scripts (`:lang(ar), :lang(fa) { --serif: … }`). Here each use,
`S { font-family: var(--serif) }`, becomes the value itself, followed, for each language
group that redefines a property the declaration uses, by `S:lang(ar), S:lang(fa) { … }`
with that group's value: the same result wherever the element's language is, since an
element's custom property comes from the nearest `:lang()` rule, which is its own
language. The definitions themselves are left out."""

from __future__ import annotations

import re

import tinycss2

VAR = re.compile(r"var\(\s*(--[\w-]+)\s*(?:,([^()]*))?\)")
LANG = re.compile(r"^:lang\([\w-]+\)$")
NESTING = {"media", "supports"}


def _selectors(prelude: str) -> list[str]:
    """A selector list split at its top-level commas."""
    parts, depth, current = [], 0, ""
    for ch in prelude:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    return [p for p in (*parts, current.strip()) if p]


def _with_lang(selector: str, lang: str) -> str:
    """`selector` limited to elements in `lang`: the pseudo-class goes before any
    pseudo-element."""
    head, sep, tail = selector.partition("::")
    return f"{head}{lang}{sep}{tail}"


def _resolve(value: str, props: dict[str, str], depth: int = 0) -> str:
    if depth > 20:  # a definition that uses itself: left as the engine would (invalid)
        return value

    def one(match: re.Match) -> str:
        name, fallback = match.group(1), match.group(2)
        if name in props:
            return _resolve(props[name], props, depth + 1)
        return fallback.strip() if fallback is not None else match.group(0)
    return " ".join(VAR.sub(one, value).split())


def _definitions(rules: list) -> tuple[dict[str, str], list[tuple[str, dict[str, str]]]]:
    """The custom properties of `:root`, and of each rule whose selectors are all
    `:lang(…)`, in the order they come."""
    root: dict[str, str] = {}
    groups: list[tuple[str, dict[str, str]]] = []
    for rule in rules:
        if rule.type != "qualified-rule":
            continue
        selectors = _selectors(tinycss2.serialize(rule.prelude))
        props = {d.name: tinycss2.serialize(d.value).strip() for d in _declarations(rule)
                 if d.name.startswith("--")}
        if not props:
            continue
        if selectors == [":root"]:
            root.update(props)
        elif selectors and all(LANG.match(s) for s in selectors):
            groups.append((", ".join(selectors), props))
    return root, groups


def _declarations(rule) -> list:  # noqa: ANN001 (a tinycss2 rule)
    return [d for d in tinycss2.parse_declaration_list(rule.content, skip_comments=True,
                                                       skip_whitespace=True)
            if d.type == "declaration"]


def without_variables(sheets: list[bytes]) -> list[bytes]:
    """The sheets, in their order, with every custom property replaced by its value."""
    parsed = [tinycss2.parse_stylesheet_bytes(data, skip_comments=True,
                                              skip_whitespace=True)[0] for data in sheets]
    root, groups = _definitions([rule for rules in parsed for rule in _flat(rules)])
    if not root and not groups:
        return sheets
    return [data if b"var(" not in data and b"--" not in data
            else ("\n".join(_rewritten(rules, root, groups)) + "\n").encode("utf-8")
            for data, rules in zip(sheets, parsed, strict=True)]


def _flat(rules: list) -> list:
    """The rules, and those inside @media and @supports blocks."""
    found = []
    for rule in rules:
        if rule.type == "at-rule" and rule.lower_at_keyword in NESTING and rule.content:
            found += _flat(tinycss2.parse_rule_list(rule.content, skip_comments=True,
                                                    skip_whitespace=True))
        else:
            found.append(rule)
    return found


def _rewritten(rules: list, root: dict[str, str],
               groups: list[tuple[str, dict[str, str]]]) -> list[str]:
    text = []
    for rule in rules:
        if rule.type == "at-rule" and rule.lower_at_keyword in NESTING and rule.content:
            inner = _rewritten(tinycss2.parse_rule_list(rule.content, skip_comments=True,
                                                        skip_whitespace=True), root, groups)
            prelude = " ".join(tinycss2.serialize(rule.prelude).split())
            text.append(f"@{rule.at_keyword} {prelude} {{\n" + "\n".join(inner) + "\n}")
            continue
        if rule.type != "qualified-rule":
            text.append(rule.serialize())
            continue
        prelude = " ".join(tinycss2.serialize(rule.prelude).split())
        kept = [d for d in _declarations(rule) if not d.name.startswith("--")]
        if not kept:
            continue
        text.append(f"{prelude} {{ " + " ".join(_declaration_in(d, root) for d in kept) + " }")
        uses = [d for d in kept if VAR.search(tinycss2.serialize(d.value))]
        for lang, props in groups:
            local = {**root, **props}
            changed = [d for d in uses if _declaration_in(d, local) != _declaration_in(d, root)]
            if changed:
                selectors = [_with_lang(s, g) for s in _selectors(prelude)
                             for g in _selectors(lang)]
                text.append(", ".join(selectors) + " { "
                            + " ".join(_declaration_in(d, local) for d in changed) + " }")
    return text


def _declaration_in(d, props: dict[str, str]) -> str:  # noqa: ANN001 (a tinycss2 declaration)
    value = _resolve(tinycss2.serialize(d.value), props)
    return f"{d.lower_name}: {value}{' !important' if d.important else ''};"
