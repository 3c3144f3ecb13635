"""Site furniture: the sign-up, share and notice blocks web pages end articles with.

Only trailing blocks are considered, from the last one backwards, and removal stops
at the first block that is not furniture, so a normal closing paragraph ends the
scan and is kept. A block counts as furniture only if it is short and matches a rule.

The built-in rules look for what furniture is, not for words: the site speaking to
its reader about its own product (a sign-up heading or button, "our newsletter",
"subscribe now", "follow us", "share this"), its small print (privacy, cookies,
copyright), and lines of links (share buttons, related stories after "Read more:").
A sentence that only uses the words ("Subscribe to the council's text alerts for
road closures.", "She shared the letter.") is the story's, and so is anything said
or quoted, and any list that is not a list of links.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

MAX_CHARS = 400  # longer blocks are prose, whatever words they use
LIST_TAGS = ("ul", "ol", "dl")
SEPARATORS = re.compile(r"[\s|·•,;:/–—›»>-]*")
NETWORKS = (r"(facebook|x|twitter|instagram|threads|bluesky|mastodon|tiktok|youtube|"
            r"linkedin|whatsapp|reddit|pinterest|telegram|messenger|flipboard|snapchat)")
# the buttons of a share or tool bar: networks, and what a page does with itself
BUTTONS = (rf"({NETWORKS}|(print|e-?mail|share|save|bookmark|copy link|comments?)"
           r"( this( page| story| article)?)?|report (an error|a typo|a correction)|\d+ comments?)")
# reported speech or a quotation: the story's, whatever it says
SPEECH = re.compile(r"^[\"“‘«„]|\b(said|says|told|tells|added|according to)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Block:
    """A trailing block as the rules see it: its text (whitespace squeezed), the
    labels of its links, its text outside links, whether it is a list, and the text
    of the block before it."""

    text: str
    links: tuple[str, ...] = ()
    outside: str = ""
    is_list: bool = False
    before: str = ""

    @property
    def only_links(self) -> bool:
        """The block is links and nothing else (bar separators such as '|')."""
        return bool(self.links) and SEPARATORS.fullmatch(self.outside) is not None


@dataclass(frozen=True)
class Rule:
    """A named test of a block: its `pattern` found in the block's text, and `test`
    (a module-level function, as rules are sent to worker processes) true of it.
    A `prose` rule only looks at a paragraph-like block that is not speech."""

    name: str
    pattern: re.Pattern[str] | None = None
    test: Callable[[Block], bool] | None = None
    prose: bool = True

    def matches(self, block: Block) -> bool:
        if len(block.text) > MAX_CHARS:
            return False
        if self.prose and (block.is_list or SPEECH.search(block.text)):
            return False
        if self.pattern is not None and not self.pattern.search(block.text):
            return False
        return self.test is None or self.test(block)


def _compile(regex: str) -> re.Pattern[str]:
    return re.compile(regex, re.IGNORECASE)


def _rule(name: str, regex: str) -> Rule:
    """A rule on the text of a paragraph-like block that is not speech."""
    return Rule(name, _compile(regex))


RELATED_LABEL = (r"^(related|read more|more from \w+( \w+)?|more on this( story)?|"
                 r"recommended|most (read|popular|viewed)|top stories|more stories|"
                 r"keep reading|read next|editor's picks|"
                 r"you (may|might) also like)( stories| articles| reading)?\s*:?")
RELATED = _compile(RELATED_LABEL + r"$")
FEEDBACK = _compile(r"^(was|is) this (article|story|page) (helpful|useful)\?"
                    r"|^did you (find|enjoy) this (article|story)\b")
BUTTON = _compile(rf"^{BUTTONS}$")
BUTTON_LINE = _compile(rf"^(share( this( article| story)?)?( on| via)?\s*:?\s*)?"
                       rf"{BUTTONS}([\s|·•,/]+{BUTTONS})+$")
# the site's own product: "our free weekly email", "our podcast", "our journalism"
SITE_PRODUCT = (r"\bour ([\w-]+ ){0,3}?(newsletters?|e-?mails?|bulletins?|briefings?|round-?ups?|"
                r"podcasts?|apps?|series|journalism|reporting|work|website|site|coverage|"
                r"alerts|membership|subscriptions?|mailing lists?|channels?|feeds?|pages?)\b"
                r"|\b(the print edition|digital (access|subscription|edition)|unlimited access)\b")
# the reader addressed: "you", or a sentence or clause that starts with a verb of doing
TO_READER = _compile(r"\byou(r)?\b|(^|[.?!:,–]\s+)(please )?(get|listen|sign|subscribe|join|"
                     r"follow|read|download|support|donate|find|try|watch|explore|discover|"
                     r"become|give|help|share|see)\b")


def _related_list(block: Block) -> bool:
    """Links under a "Read more:" label, or after it in the same block."""
    return block.only_links and bool(RELATED.match(block.before)) or \
        bool(block.links) and bool(RELATED.match(block.outside.strip(" |·•,")))


def _buttons(block: Block) -> bool:
    """Links, or a line of words, that are only buttons: networks to share on, print,
    email this story, report an error."""
    if block.only_links:
        return all(BUTTON.match(label) for label in block.links)
    return not block.is_list and bool(BUTTON_LINE.match(block.text))


def _to_reader(block: Block) -> bool:
    return bool(TO_READER.search(block.text))


def _breadcrumb(block: Block) -> bool:
    """Links joined by '›' or '»': the page's place in the site."""
    return block.only_links and len(block.links) >= 2 and bool(re.search("[›»>]", block.outside))


def _answers(block: Block) -> bool:
    """The Yes / No buttons under "Was this article helpful?"."""
    return bool(re.fullmatch(r"(yes|no)[\s|/]+(yes|no)", block.text, re.IGNORECASE)) and \
        bool(FEEDBACK.search(block.before))


DEFAULT_RULES = (
    # sign-up boxes: the site asks for the reader's email
    _rule("newsletter sign-up",  # a heading or button, with no sentence after it
          r"^(sign(ing)? up|subscribe|register|join)\b[^.!?]{0,80}$"),
    _rule("newsletter sign-up",  # the inbox pitch
          r"\b(straight|delivered|direct(ly)?|sent) to your inbox\b|\bin your inbox (every|each)\b"
          r"|\bnever miss (a|another) (story|thing|beat)\b"),
    _rule("sign-up form", r"^(enter |type )?(your )?e-?mail( address)?\s*:?$"
          r"|^already (a )?(subscriber|member|registered)\?\s*(log|sign) ?in\b"),
    _rule("sign-up form", r"\bmailing lists?\b.*\b(select|choose|join)\b"
          r"|\b(select|choose|join)\b.*\bmailing lists?\b"),
    _rule("subscription notice", r"\bunsubscribe at any time\b|\bopt out at any time\b"
          r"|\bby (subscribing|signing up)\b"),
    _rule("subscription offer", r"^subscribe (now|today)\b|\bsubscribe (now|today)[.!]?$"),
    # the site offers the reader its own product: "Get our free Sunday email."
    Rule("site promotion", _compile(SITE_PRODUCT), test=_to_reader),
    _rule("promotion", r"^get (breaking|the latest|the best|the top|the day's)\b.{0,30}"
          r"\b(news|stories|headlines|updates)\b|^be the first to (know|hear)\b"),
    _rule("app promotion", r"\bdownload (our|the \w+( \w+)?) app\b"
          r"|\b(turn on|enable|allow) (push )?notifications\b"),
    _rule("membership appeal", r"\b(support|fund|value) (our|independent|local|quality)"
          r"( \w+){0,2} (journalism|reporting)\b"
          r"|^click here to (subscribe|sign up|register|join|donate|support)\b"),
    # share and follow buttons
    _rule("share links", r"^(share|share this( article| story| post| page)?|share on \w+)"
          r"\s*[:!.]?$|^share (this|on|via)\b.{0,60}$"),
    _rule("share links", r"^(enjoyed|liked|loved) (this|reading this|the) "
          r"(article|story|piece|read)\?"),
    Rule("share links", test=_buttons, prose=False),
    _rule("follow links", r"^(follow|like|find) us (on|at)\b|^follow @\w+"),
    _rule("follow links",  # "Follow the Valley Voice on Facebook, Instagram and Threads"
          rf"^follow\b.{{0,40}}\bon {NETWORKS}((,| and| &| or) {NETWORKS})+\.?$"),
    # small print
    _rule("privacy notice", r"^((read|see|view|review) )?(our )?(privacy (policy|notice)|"
          r"cookie (policy|settings|preferences))\b|\b(see|read|view) our (privacy|cookie) "
          r"(policy|notice)\b|\b(agree|consent) to (our|the) (use of cookies|privacy|cookie)"),
    _rule("privacy notice",  # the cookie banner, not "We use cookies from the bakery"
          r"^we use cookies\b(\.|$| to\b| and similar\b)|^we (value|respect) your privacy\b"
          r"|\bwe and our partners\b"),
    _rule("copyright line", r"^((©|\(c\)|copyright\s*©)\s*\w|copyright \d{4}\b)"
          r"|\ball rights reserved\.?$"),
    _rule("copyright line", r"\breproduction\b.{0,40}\b(prohibited|not permitted)\b"
          r"|\bmay not be (published|reproduced|copied|redistributed)\b"),
    _rule("time stamp", r"^(updated|published|first published|last (updated|modified)|posted)"
          r"\b[^.!?]{0,50}\d[^.!?]*$"),
    _rule("advertisement", r"^(advertisement|sponsored( content)?)\s*$"),
    # links to the rest of the site
    _rule("related links", RELATED_LABEL + r"$"),
    Rule("related links", test=_related_list, prose=False),
    Rule("breadcrumb", test=_breadcrumb, prose=False),
    _rule("topic tags", r"^(topics|tags|filed under|related topics)\s*:"),
    # the page asks for the reader's word
    _rule("comments", r"^comments (are|have been) (closed|disabled|turned off)\b"
          r"|^(join|start) the (conversation|discussion)\s*[:.!]?$"
          r"|\b(log|sign) ?in (or register|to comment)\b"),
    _rule("comments", r"\bin the comments below\b|\b(let us know|tell us|have your say)\b"
          r".{0,30}\bcomments?\b"),
    Rule("feedback", FEEDBACK),
    Rule("feedback", test=_answers, prose=False),
    _rule("news tips", r"^(got|have you got|do you have) a (story|news tip|tip)\b.{0,12}\?"),
)


def rules_for(remove: bool, extra_patterns: tuple[str, ...]) -> tuple[Rule, ...]:
    if not remove:
        return ()
    return DEFAULT_RULES + tuple(Rule("edition rule", _compile(p), prose=False)
                                 for p in extra_patterns)


def block_of(element: etree._Element) -> Block:
    """How the rules see `element`, a block of an article's body."""
    before = element.getprevious()
    return Block(
        text=_squeeze(element.text_content()),
        links=tuple(_squeeze(a.text_content()) for a in element.iter("a")),
        outside=_squeeze("".join(element.xpath(".//text()[not(ancestor::a)]"))),
        is_list=element.tag in LIST_TAGS,
        before="" if before is None else _squeeze(before.text_content()))


def match(block: Block | str, rules: tuple[Rule, ...]) -> Rule | None:
    """The first of `rules` that `block` (a Block, or a paragraph's text) matches."""
    if isinstance(block, str):
        block = Block(_squeeze(block))
    return next((rule for rule in rules if rule.matches(block)), None)


def _squeeze(text: str) -> str:
    return " ".join(text.split())
