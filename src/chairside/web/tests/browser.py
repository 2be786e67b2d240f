"""What a browser does with a page, for tests that post a form back as a
person would, untouched."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django_tenants.utils import schema_context

from conftest import world_user

# The only values these input types accept (the HTML standard's formats).
HTML_VALUE = {
    "date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "time": re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"),
    "datetime-local": re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"),
}


def in_spanish(clinic, local: str) -> None:
    """The world user `local` of `clinic` reads the pages in Spanish."""
    user = world_user(clinic, local)
    with schema_context(clinic.schema_name):
        user.language = "es"
        user.save(update_fields=["language"])


def posted_back(page: str) -> dict[str, str]:
    """What a browser sends for the page's forms when nobody touches them
    (every input, checked box and textarea of the page)."""
    fields: dict[str, str] = {}

    class Reader(HTMLParser):
        textarea: str | None = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "input" and a.get("name") and a.get("type") != "submit":
                if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                    return
                value = a.get("value") or ""
                pattern = HTML_VALUE.get(a.get("type", ""))
                # The browser drops a value its input type cannot read.
                fields[a["name"]] = value if not pattern or pattern.match(value) else ""
            elif tag == "textarea":
                self.textarea = a["name"]
                fields[a["name"]] = ""

        def handle_data(self, data):
            if self.textarea:
                fields[self.textarea] += data

        def handle_endtag(self, tag):
            if tag == "textarea" and self.textarea:
                # A browser drops the newline right after <textarea>.
                fields[self.textarea] = fields[self.textarea].removeprefix("\n")
                self.textarea = None

    Reader().feed(page)
    return fields
