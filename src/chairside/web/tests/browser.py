"""What a browser does with a page, for tests that post a form back as a
person would, untouched."""

from __future__ import annotations

from html.parser import HTMLParser

from django_tenants.utils import schema_context

from conftest import world_user


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
                fields[a["name"]] = a.get("value") or ""
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
