import html
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from html.parser import HTMLParser

from bleach.linkifier import LinkifyFilter
from bleach.sanitizer import Cleaner
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s",
        "code", "pre", "blockquote", "ul", "ol", "li", "a",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"], "ol": ["start"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

MentionResolver = Callable[[list[str]], Mapping[str, str]]


@dataclass(frozen=True, slots=True)
class Rendered:
    html: str
    mentions: tuple[str, ...]


def render_markdown(source: str, *, resolve_mentions: MentionResolver | None = None) -> Rendered:
    """A member's Markdown as sanitised HTML, plus the display names it mentions.

    Raw HTML in the source is shown as text, images become links, and every link carries
    `rel="nofollow ugc noopener"`. `resolve_mentions(candidates)` maps the candidate names
    it recognises to profile URLs; it is called at most once, and not at all when nothing
    could be a mention. Without it, `@names` are plain text.
    """
    if not source.strip():
        return Rendered(html="", mentions=())
    env = {"resolve_mentions": resolve_mentions, "mentions": []}
    sanitised = _cleaner.clean(_markdown.render(source, env))
    return Rendered(html=sanitised, mentions=tuple(env["mentions"]))


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
# Elements that part words: their text is not run together with what is around them.
_BLOCK_TAGS = ALLOWED_TAGS - {"strong", "em", "del", "s", "code", "a"}


class _TextOf(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        self.handle_starttag(tag, ())

    def handle_data(self, data):
        self.parts.append(data)


def plain_text(post_html: str) -> str:
    """The text a reader sees in a post's sanitised HTML, without its markup: `**very**`
    reads "very", a link its words, and `<script>` typed in a post (shown as text) is text
    again, for whoever shows it to escape. Control characters are dropped."""
    parser = _TextOf()
    parser.feed(post_html)
    parser.close()
    return " ".join(_CONTROL_CHARACTERS.sub(" ", "".join(parser.parts)).split())


def _is_word_character(char: str) -> bool:
    """A letter, digit or mark (a combining mark belongs to the letter before it)."""
    return unicodedata.category(char)[0] in "LMN"


def _is_name_character(char: str) -> bool:
    return _is_word_character(char) or char in ".-_'"


def _mention_candidates(text: str, start: int) -> list[str]:
    """The names a mention may mean, read from `start`, just after its `@`.

    A candidate is one to four words (runs of name characters) separated by single spaces,
    2 to 40 characters long, like a display name. Each is offered with trailing `.`, `'`
    and `-` trimmed, so "@River." at the end of a sentence finds River, and also as typed,
    so that "Noor H." can be mentioned too.
    """
    candidates: list[str] = []
    word_start = start
    for _ in range(4):
        word_end = word_start
        while word_end < len(text) and _is_name_character(text[word_end]):
            word_end += 1
        if word_end == word_start:
            break
        typed = text[start:word_end]
        for candidate in (typed.rstrip(".'- "), typed):
            if 2 <= len(candidate) <= 40 and candidate not in candidates:
                candidates.append(candidate)
        if text[word_end : word_end + 1] != " ":
            break
        word_start = word_end + 1
    return candidates


def _mention_sites(text: str) -> list[tuple[int, list[str]]]:
    """Each `@` that may start a mention, with its candidates.

    An `@` starts a mention at the start of the text or after a character that is not a
    letter or digit, so `someone@example.org` is an address, not a mention.
    """
    sites = []
    for match in re.finditer("@", text):
        at = match.start()
        if at > 0 and _is_word_character(text[at - 1]):
            continue
        if candidates := _mention_candidates(text, at + 1):
            sites.append((at, candidates))
    return sites


def _classify_text(children: list[Token]):
    """Yield each inline token with whether it is text a mention may be found in.

    Only `text` tokens outside links qualify: code spans are their own token type, and
    text inside a link (autolinks included) already leads somewhere.
    """
    link_depth = 0
    for token in children:
        if token.type == "link_open":
            link_depth += 1
        elif token.type == "link_close":
            link_depth -= 1
        yield token, token.type == "text" and link_depth == 0


def _with_mentions_linked(token: Token, urls: Mapping[str, str], found: list[str]) -> list[Token]:
    """The text token split so that at each `@` the longest resolved candidate is a link."""
    text, pieces, position = token.content, [], 0
    for at, candidates in _mention_sites(text):
        resolved = [name for name in candidates if name in urls]
        if not resolved:
            continue
        name = max(resolved, key=len)
        pieces += [
            Token("text", "", 0, content=text[position:at]),
            Token("link_open", "a", 1, attrs={"href": urls[name]}),
            Token("text", "", 0, content="@" + name),
            Token("link_close", "a", -1),
        ]
        position = at + 1 + len(name)
        if name not in found:
            found.append(name)
    if not pieces:
        return [token]
    pieces.append(Token("text", "", 0, content=text[position:]))
    return [piece for piece in pieces if piece.type != "text" or piece.content]


def _link_mentions(state: StateCore) -> None:
    """Link `@Display Name` mentions that name a member (a core rule, run after inline parsing).

    Candidates from the whole document go to the resolver in one call, because resolving
    means a database query; `state.env["mentions"]` collects the names linked, in order.
    """
    resolve = state.env.get("resolve_mentions")
    if resolve is None:
        return
    inlines = [token for token in state.tokens if token.type == "inline" and token.children]
    candidates = {
        name: None
        for inline in inlines
        for token, is_text in _classify_text(inline.children)
        if is_text
        for _, names in _mention_sites(token.content)
        for name in names
    }
    if not candidates:
        return
    urls = resolve(list(candidates))
    found = state.env["mentions"]
    for inline in inlines:
        inline.children = [
            piece
            for token, is_text in _classify_text(inline.children)
            for piece in (_with_mentions_linked(token, urls, found) if is_text else [token])
        ]


def _render_image_as_link(renderer, tokens, idx, options, env) -> str:
    """An image is shown as a link to its URL, never fetched: a member's browser talks to
    this site alone. The link text is the alt text, or the URL when there is none; inside a
    link (a badge, say) the image is just its alt text, since links cannot nest."""
    image = tokens[idx]
    alt = renderer.renderInlineAsText(image.children, options, env)
    link_depth = sum({"link_open": 1, "link_close": -1}.get(t.type, 0) for t in tokens[:idx])
    if link_depth > 0:
        return escapeHtml(alt)
    url = str(image.attrGet("src") or "")
    return f'<a href="{escapeHtml(url)}">{escapeHtml(alt or url)}</a>'


_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):", re.IGNORECASE)
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f-\xa0\s]+")


def _has_allowed_protocol(url: str) -> bool:
    """A URL is relative or uses one of ALLOWED_PROTOCOLS, read as a browser would, with
    whitespace and control characters ignored.

    Entities are decoded until nothing changes: a URL that spells a refused scheme under any
    layer of encoding is refused, which costs no honest link anything.
    """
    while (decoded := html.unescape(url)) != url:
        url = decoded
    scheme = _SCHEME.match(_IGNORED_IN_URLS.sub("", url))
    return scheme is None or scheme[1].lower() in ALLOWED_PROTOCOLS


def _set_link_rel(attrs, new=False):
    """Every link gets LINK_REL; one without an allowed URL is shown as its text.

    Checked here as well as by the sanitiser because bleach lets `tel:123` through: the
    urlparse it uses reads an all-digit remainder as a port, so it sees no scheme at all.
    """
    href = attrs.get((None, "href"))
    if not href or not _has_allowed_protocol(href):
        return None
    attrs[(None, "rel")] = LINK_REL
    return attrs


# Only text starting with http:// or https:// counts as a bare URL: bleach's default pattern
# would also turn "settings.py" and "README.md" into links to other sites.
_BARE_URL = re.compile(r"\(*\bhttps?://[^\s<>\"'`{}|\\^]+", re.IGNORECASE)

_markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
_markdown.core.ruler.push("mentions", _link_mentions)
_markdown.add_render_rule("image", _render_image_as_link)

# Bleach runs its filters after sanitising, so the links the linkifier adds are never
# sanitised: that is why _BARE_URL matches http(s) URLs only.
_cleaner = Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[
        partial(
            LinkifyFilter,
            callbacks=[_set_link_rel],
            skip_tags={"pre", "code"},
            url_re=_BARE_URL,
        )
    ],
)
