import html
import re
from pathlib import Path

import pytest
from bleach._vendor import html5lib

from forums.markdown import Rendered, render_markdown

REL = "nofollow ugc noopener"
ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s",
    "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "rel"}, "ol": {"start"}}


def load_vectors():
    """The XSS corpus: records separated by a line holding exactly `%%%`."""
    text = (Path(__file__).parent / "xss_vectors.txt").read_text(encoding="utf-8")
    records, lines = [], []
    for line in text.splitlines():
        if line == "%%%":
            records.append("\n".join(lines))
            lines = []
        else:
            lines.append(line)
    records.append("\n".join(lines))
    return [record for record in records if record.strip()]


VECTORS = load_vectors()


class Directory:
    """Stands in for the member look-up: knows some display names, records every call."""

    def __init__(self, *names):
        self.urls = {name: f"/members/{name.lower().replace(' ', '-')}/" for name in names}
        self.calls = []

    def __call__(self, candidates):
        self.calls.append(list(candidates))
        return {name: self.urls[name] for name in candidates if name in self.urls}


class EveryoneDirectory:
    """Resolves every candidate, so that the mention path sees all of a hostile text."""

    def __call__(self, candidates):
        return dict.fromkeys(candidates, "/members/someone/")


def elements(rendered_html):
    """Every element of the output, parsed as a browser would parse it."""
    fragment = html5lib.parseFragment(
        rendered_html, treebuilder="etree", namespaceHTMLElements=False
    )
    return [element for element in fragment.iter() if element is not fragment]


def links(rendered_html):
    return [element for element in elements(rendered_html) if element.tag == "a"]


def is_safe_url(url):
    """Relative, or http, https or mailto once entities and ignorable characters are gone."""
    url = re.sub(r"[\x00-\x20\x7f-\x9f\s]+", "", html.unescape(url))
    scheme = re.match(r"([a-z][a-z0-9+.-]*):", url, re.IGNORECASE)
    return scheme is None or scheme[1].lower() in {"http", "https", "mailto"}


def assert_inert(rendered_html):
    assert "<img" not in rendered_html.lower()
    for element in elements(rendered_html):
        assert isinstance(element.tag, str), f"comment in output: {rendered_html!r}"
        assert element.tag in ALLOWED_TAGS, rendered_html
        for name, value in element.attrib.items():
            assert name in ALLOWED_ATTRIBUTES.get(element.tag, set()), rendered_html
            assert not name.lower().startswith("on"), rendered_html
            assert name.lower() != "style", rendered_html
            if name == "href":
                assert is_safe_url(value), rendered_html


# Ordinary Markdown


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("*soft* and **firm**", "<p><em>soft</em> and <strong>firm</strong></p>"),
        ("~~gone~~", "<p><s>gone</s></p>"),
        ("- tea\n- toast", "<ul>\n<li>tea</li>\n<li>toast</li>\n</ul>"),
        ("3. third\n4. fourth", '<ol start="3">\n<li>third</li>\n<li>fourth</li>\n</ol>'),
        ("> kind words", "<blockquote>\n<p>kind words</p>\n</blockquote>"),
        ("## Week two", "<h2>Week two</h2>"),
        ("one  \ntwo", "<p>one<br>\ntwo</p>"),
        ("above\n\n---\n\nbelow", "<hr>"),
        (
            '```python\nprint("hi") & <b>\n```',
            "<pre><code>print(&quot;hi&quot;) &amp; &lt;b&gt;\n</code></pre>",
        ),
        ("use `git log`", "<p>use <code>git log</code></p>"),
    ],
)
def test_ordinary_markdown(source, expected):
    assert expected in render_markdown(source).html


def test_tables_render_without_inline_styles():
    rendered = render_markdown("| day | hours |\n|:----|------:|\n| Mon | 2 |")
    assert "<th>day</th>" in rendered.html
    assert "<td>2</td>" in rendered.html
    assert "style" not in rendered.html


def test_fenced_code_loses_its_language_class():
    assert render_markdown("```js\nlet a\n```").html == "<pre><code>let a\n</code></pre>\n"


@pytest.mark.parametrize("source", ["", "   ", "\n\t \n"])
def test_empty_source_renders_nothing(source):
    assert render_markdown(source) == Rendered(html="", mentions=())


# Links


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "[the guide](https://example.org/guide)",
            f'<a href="https://example.org/guide" rel="{REL}">the guide</a>',
        ),
        (
            "<https://example.org>",
            f'<a href="https://example.org" rel="{REL}">https://example.org</a>',
        ),
        ("[my profile](/members/river/)", f'<a href="/members/river/" rel="{REL}">my profile</a>'),
        ("[write](mailto:help@example.org)", f'<a href="mailto:help@example.org" rel="{REL}">'),
        (
            '[x](https://example.org "A title")',
            f'<a href="https://example.org" title="A title" rel="{REL}">x</a>',
        ),
    ],
)
def test_links_are_kept_with_rel(source, expected):
    assert expected in render_markdown(source).html


def test_every_link_gets_exactly_the_rel():
    source = (
        "[a](https://a.example) <https://b.example> https://c.example\n\n"
        "[d][ref] ![e](https://e.example/e.png) @River\n\n[ref]: https://d.example"
    )
    rendered = render_markdown(source, resolve_mentions=Directory("River"))
    found = links(rendered.html)
    assert len(found) == 6
    assert {link.get("rel") for link in found} == {REL}


def test_links_with_refused_schemes_are_shown_as_text():
    rendered = render_markdown("[call](tel:123) [site](ftp://example.org) [pic](data:x,1)")
    assert "<a" not in rendered.html
    assert "call" in rendered.html
    assert "site" in rendered.html


def test_bare_urls_become_links():
    rendered = render_markdown("See https://example.org/page?a=1&b=2. Or (http://example.net).")
    assert (
        f'<a href="https://example.org/page?a=1&amp;b=2" rel="{REL}">'
        "https://example.org/page?a=1&amp;b=2</a>." in rendered.html
    )
    assert f'(<a href="http://example.net" rel="{REL}">http://example.net</a>)' in rendered.html


@pytest.mark.parametrize(
    "source",
    [
        "`https://example.org`",
        "```\nhttps://example.org\n```",
        "    https://example.org",
        "edit settings.py and README.md",
    ],
)
def test_text_that_is_not_a_bare_url_in_prose_is_not_linked(source):
    assert "<a" not in render_markdown(source).html


def test_raw_html_is_shown_as_text():
    rendered = render_markdown('<b>bold</b>\n\n<div onclick="steal()">hi</div>')
    assert "&lt;b&gt;bold&lt;/b&gt;" in rendered.html
    assert "&lt;div onclick=&quot;steal()&quot;&gt;hi&lt;/div&gt;" in rendered.html
    assert [element.tag for element in elements(rendered.html)] == ["p", "p"]


# Images


def test_images_become_links_to_their_url():
    rendered = render_markdown("![a sleepy cat](https://cats.example/cat.png)")
    assert rendered.html == (
        f'<p><a href="https://cats.example/cat.png" rel="{REL}">a sleepy cat</a></p>\n'
    )


def test_image_without_alt_text_shows_its_url():
    rendered = render_markdown("![](https://cats.example/cat.png)")
    assert (
        f'<a href="https://cats.example/cat.png" rel="{REL}">https://cats.example/cat.png</a>'
        in rendered.html
    )


def test_image_inside_a_link_is_its_alt_text():
    rendered = render_markdown(
        "[![build passing](https://ci.example/badge.svg)](https://ci.example)"
    )
    assert rendered.html == f'<p><a href="https://ci.example" rel="{REL}">build passing</a></p>\n'


def test_no_image_is_ever_loaded():
    source = "![a](https://x.example/a.png) ![b][b] ![c](data:image/png;base64,iVBORw0KGgo=)"
    rendered = render_markdown(source + "\n\n[b]: /media/b.png")
    assert "<img" not in rendered.html


# Mentions


def test_mention_of_a_member_links_to_their_profile():
    rendered = render_markdown("Thanks @River!", resolve_mentions=Directory("River"))
    assert rendered.html == f'<p>Thanks <a href="/members/river/" rel="{REL}">@River</a>!</p>\n'
    assert rendered.mentions == ("River",)


def test_longest_resolved_name_wins():
    directory = Directory("Quiet", "Quiet Sam")
    rendered = render_markdown("Ask @Quiet Sam about it, or @Quiet.", resolve_mentions=directory)
    assert f'<a href="/members/quiet-sam/" rel="{REL}">@Quiet Sam</a> about' in rendered.html
    assert f'<a href="/members/quiet/" rel="{REL}">@Quiet</a>.' in rendered.html
    assert rendered.mentions == ("Quiet Sam", "Quiet")


def test_candidates_are_one_to_four_words_trimmed_and_as_typed():
    directory = Directory()
    render_markdown("Hello @Ana María de la Cruz. Bye @Zoë- @X", resolve_mentions=directory)
    assert directory.calls == [
        ["Ana", "Ana María", "Ana María de", "Ana María de la", "Zoë", "Zoë-"],
    ]


def test_a_sentence_may_end_after_a_mention_and_a_name_may_end_in_a_dot():
    directory = Directory("River", "Noor H.")
    rendered = render_markdown("Ask @River. Or ask @Noor H.", resolve_mentions=directory)
    assert f'<a href="/members/river/" rel="{REL}">@River</a>. Or' in rendered.html
    assert f'<a href="/members/noor-h./" rel="{REL}">@Noor H.</a></p>' in rendered.html
    assert rendered.mentions == ("River", "Noor H.")


def test_unknown_names_are_left_alone():
    rendered = render_markdown("Hi @Nobody and @River", resolve_mentions=Directory("River"))
    assert "Hi @Nobody and <a" in rendered.html
    assert rendered.mentions == ("River",)


@pytest.mark.parametrize(
    "source",
    [
        "`@River`",
        "```\n@River\n```",
        "    @River",
        "[@River](https://example.org)",
        "<https://example.org/@River>",
        "write to river@example.org",
    ],
)
def test_no_mentions_in_code_links_or_addresses(source):
    directory = Directory("River", "example.org")
    rendered = render_markdown(source, resolve_mentions=directory)
    assert rendered.mentions == ()
    assert "/members/" not in rendered.html
    assert directory.calls == []


def test_resolver_is_called_once_for_the_whole_post():
    directory = Directory("River", "Noor H.")
    source = "@River said\n\n> @Noor H. agreed\n\n- @River again\n\n| @Nobody |\n|---|\n| x |"
    rendered = render_markdown(source, resolve_mentions=directory)
    assert directory.calls == [
        [
            "River",
            "River said",
            "Noor",
            "Noor H",
            "Noor H.",
            "Noor H. agreed",
            "River again",
            "Nobody",
        ]
    ]
    assert rendered.mentions == ("River", "Noor H.")


def test_mentions_are_listed_once_in_order_of_first_appearance():
    directory = Directory("River", "Noor", "Quiet Sam")
    source = "@Noor and @River\n\n@Quiet Sam, @Noor, @River and @Noor"
    rendered = render_markdown(source, resolve_mentions=directory)
    assert rendered.mentions == ("Noor", "River", "Quiet Sam")
    assert len(links(rendered.html)) == 6


def test_without_a_resolver_mentions_stay_text():
    rendered = render_markdown("Thanks @River")
    assert rendered == Rendered(html="<p>Thanks @River</p>\n", mentions=())


def test_resolver_is_not_called_without_candidates():
    directory = Directory("River")
    render_markdown("No mentions here, just an @ sign.", resolve_mentions=directory)
    assert directory.calls == []


def test_a_hostile_profile_url_does_not_become_a_link():
    def resolve(candidates):
        return dict.fromkeys(candidates, "javascript:alert(1)")

    rendered = render_markdown("Hi @River", resolve_mentions=resolve)
    assert rendered.html == "<p>Hi @River</p>\n"


# XSS corpus


def test_corpus_is_large_enough():
    assert len(VECTORS) >= 120


@pytest.mark.parametrize("vector", VECTORS)
def test_xss_vector_renders_inert(vector):
    assert_inert(render_markdown(vector).html)
    assert_inert(render_markdown(vector, resolve_mentions=EveryoneDirectory()).html)


@pytest.mark.parametrize(
    "vector",
    [
        "[x](java\x00script:alert(1))",
        "<a href='java\x00script:alert(1)'>x</a>",
        "[x](\x01javascript:alert(1))",
        "[x](java\u200bscript:alert(1))",
        "[x](java\rscript:alert(1))",
    ],
)
def test_control_characters_do_not_smuggle_a_scheme(vector):
    assert_inert(render_markdown(vector).html)
