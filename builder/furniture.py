"""Site furniture: the sign-up, share and notice blocks web pages end articles with.

Only trailing blocks are considered, from the last one backwards, and removal stops
at the first block that is not furniture, so a normal closing paragraph ends the
scan and is kept. A block counts as furniture only if it is short and matches a rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CHARS = 400  # longer blocks are prose, whatever words they use


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]

    def matches(self, text: str) -> bool:
        return len(text) <= MAX_CHARS and bool(self.pattern.search(text))


def _rule(name: str, regex: str) -> Rule:
    return Rule(name, re.compile(regex, re.IGNORECASE))


DEFAULT_RULES = (
    _rule("newsletter sign-up", r"^(sign|signing) up\b|\b(sign up|subscribe) (to|for) "
          r"(our|the|my) (free )?(daily |weekly )?newsletters?\b"),
    _rule("newsletter sign-up", r"\b(straight|delivered|direct(ly)?) to your inbox\b"
          r"|\bmailing lists?\b.*\b(select|choose|join)\b"
          r"|\b(select|choose|join)\b.*\bmailing lists?\b"),
    _rule("subscription notice", r"\bunsubscribe at any time\b|\bby subscribing\b"
          r"|^subscribe( now| today)?\b|\bsubscribe to our\b"),
    _rule("share links", r"^(share|share this( article| story| post| page)?|share on \w+)"
          r"\s*[:!.]?$|^share (this|on|via)\b.{0,60}$"),
    _rule("follow links", r"^(follow|like) us on\b"),
    _rule("privacy notice", r"^((read|see|view|review) )?(our )?(privacy (policy|notice)|"
          r"cookie (policy|settings|preferences))\b|\b(agree|consent) to (our|the) "
          r"(privacy|cookie)|^we use cookies\b"),
    _rule("advertisement", r"^(advertisement|sponsored( content)?)\s*$"),
    _rule("related links", r"^(related|read more|more from \w+( \w+)?|recommended|"
          r"you (may|might) also like)( stories| articles| reading)?\s*:?$"),
    _rule("copyright line", r"^(©|\(c\)|copyright\b)\s*(\d{4}|©)|\ball rights reserved\.?$"),
)


def rules_for(remove: bool, extra_patterns: tuple[str, ...]) -> tuple[Rule, ...]:
    if not remove:
        return ()
    return DEFAULT_RULES + tuple(_rule("edition rule", p) for p in extra_patterns)


def match(text: str, rules: tuple[Rule, ...]) -> Rule | None:
    text = " ".join(text.split())
    return next((rule for rule in rules if rule.matches(text)), None)
