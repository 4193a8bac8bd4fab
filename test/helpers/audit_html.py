"""Reads HTML pages with Python's parser and prints, for each, what could run or load something:
script elements, event-handler attributes, URLs that are neither anchors nor data: images, and the
Content-Security-Policy it declares. Used by the grading test on the feedback pages."""
import json
import re
import sys
from html.parser import HTMLParser

URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "xlink:href", "poster", "background", "data", "ping"}


class Audit(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = {"scripts": 0, "handlers": [], "urls": [], "policy": ""}

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "link", "base"):
            self.found["scripts"] += 1
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.found["handlers"].append(f"{tag} {name}")
            elif name in URL_ATTRIBUTES and not re.match(r"^(#|data:image/)", re.sub(r"\s", "", value), re.I):
                self.found["urls"].append(f"{tag} {name}={value[:80]}")
        if tag == "meta" and dict(attrs).get("http-equiv", "").lower() == "content-security-policy":
            self.found["policy"] = dict(attrs).get("content", "")


report = {}
for page in sys.argv[1:]:
    audit = Audit()
    with open(page, encoding="utf-8") as source:
        audit.feed(source.read())
    report[page] = audit.found
print(json.dumps(report))
