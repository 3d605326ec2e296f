"""The book's own Sphinx extension (named in ``_config.yml``, ``sphinx.extra_extensions``).

- The bibliography's labels read like the citations in the text: "Goodfellow et al., 2016",
  not "[GBC16]" (the pybtex style ``course_author_year``, set by ``bibtex_default_style``), and
  the citations read as the notebooks write them, "Goodfellow et al. (2016)" (the referencing
  style ``course_author_year``, set by ``bibtex_reference_style``).
- Each script is included once (sphinx-thebe's configuration came twice: a JavaScript error),
  and bibliography entries are list items for assistive technology.
- Figures drawn by the chapters get alt text that says what they show (titles, axis labels,
  legend entries), measured while ``tools.book`` executed them (``tools.figure_audit``), instead of
  the image's file name.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pybtex.plugin
from docutils import nodes
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.template import join
import sphinxcontrib.bibtex.plugin
from sphinxcontrib.bibtex.style.referencing import BracketStyle, PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle
from sphinxcontrib.bibtex.style.template import author_or_editor_or_title, year

__all__ = ["AuthorYearLabelStyle", "AuthorYearStyle", "author_year_label", "setup"]


def author_year_label(entry) -> str:
    """"Goodfellow et al., 2016": the words sphinxcontrib-bibtex's ``author_year`` citations use."""
    person = PersonStyle()
    template = join(sep=", ")[
        author_or_editor_or_title(sep=person.sep, sep2=person.sep2, last_sep=person.last_sep,
                                  other=" et al."),
        year,
    ]
    text = template.format_data({"entry": entry, "style": SimpleNamespace(person=person)})
    return text.render_as("text")


class AuthorYearLabelStyle(BaseLabelStyle):
    """Author-year labels; "2016a", "2016b" when two entries would read the same."""

    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        labels = [author_year_label(entry) for entry in entries]
        counts, seen = Counter(labels), Counter()
        for label in labels:
            if counts[label] > 1:
                seen[label] += 1
                label += "abcdefghijklmnopqrstuvwxyz"[seen[label] - 1]
            yield label


class AuthorYearStyle(UnsrtStyle):
    """pybtex's ``unsrt`` entries, sorted by author and year, labelled by author and year."""

    default_label_style = AuthorYearLabelStyle
    default_sorting_style = "author_year_title"


def _figure_alt_texts(app, doctree, docname) -> None:
    """Give each image output of a chapter the description measured when it was drawn (after
    myst-nb's post-transforms have chosen the image among an output's formats)."""
    path = Path(app.srcdir) / app.config.course_figures if app.config.course_figures else None
    records = {}
    if path is not None and path.is_file():
        for line in path.read_text().splitlines():
            record = json.loads(line)
            if record.get("alt"):
                records[record["sha256"]] = record["alt"]
    page = Path(app.env.doc2path(docname)).parent
    for image in doctree.findall(nodes.image):
        uri, alt = image.get("uri", ""), image.get("alt", "")
        if not uri.endswith(".png") or (alt and not alt.endswith(".png")):
            continue                     # an author's own alt text stays
        digest = Path(uri).stem          # myst-nb names an output's image by its SHA-256
        if digest not in records:
            file = next((f for f in (Path(app.srcdir) / uri, page / uri) if f.is_file()), None)
            digest = hashlib.sha256(file.read_bytes()).hexdigest() if file else ""
        image["alt"] = records.get(digest, "Figure drawn by the code above")


def _page_fixes(app, pagename, templatename, context, doctree) -> None:
    """Each script once: sphinx-thebe registers its configuration script twice, and the second
    ``const THEBE_JS_URL`` is a JavaScript error on every page. Bibliography entries are items
    of their list: docutils gives them the role ``doc-biblioentry``, which ARIA 1.3 deprecates,
    so the list (``role="list"``) had no items (axe: aria-required-children, critical)."""
    if "body" in context:
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')
    scripts, seen = context.get("script_files", []), set()
    unique = []
    for script in scripts:
        key = (str(getattr(script, "filename", script) or ""),      # None and "": inline
               tuple(sorted((k, str(v)) for k, v in getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


@dataclass
class RoundAuthorYearReferenceStyle(AuthorYearReferenceStyle):
    """Citations as the notebooks write them: "Goodfellow et al. (2016)", "(Ioffe and Szegedy,
    2015)" (sphinxcontrib-bibtex's ``author_year`` uses square brackets)."""

    bracket_textual: BracketStyle = field(default_factory=lambda: BracketStyle(left="(", right=")"))
    bracket_parenthetical: BracketStyle = field(default_factory=lambda: BracketStyle(left="(", right=")"))
    bracket_author: BracketStyle = field(default_factory=lambda: BracketStyle(left="(", right=")"))
    bracket_label: BracketStyle = field(default_factory=lambda: BracketStyle(left="(", right=")"))
    bracket_year: BracketStyle = field(default_factory=lambda: BracketStyle(left="(", right=")"))


def setup(app):
    pybtex.plugin.register_plugin("pybtex.style.formatting", "course_author_year", AuthorYearStyle)
    sphinxcontrib.bibtex.plugin.register_plugin("sphinxcontrib.bibtex.style.referencing",
                                                "course_author_year", RoundAuthorYearReferenceStyle)
    app.add_config_value("course_figures", "", "env")
    app.connect("doctree-resolved", _figure_alt_texts)
    # early: 'html-page-context' stops at the first handler that returns a template name
    app.connect("html-page-context", _page_fixes, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
