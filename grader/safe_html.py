"""Pages about hand-ins that a teacher opens and sends back: nothing in them may run or call elsewhere.

`sanitized` parses the page and removes every script, embedded frame or object, event-handler
attribute (onclick=…), javascript: or other non-local URL and external style sheet; then it puts a
Content-Security-Policy in the page that forbids scripts and any resource but the page's own inline
styles and data: images, as a second wall.
"""
import re

from bs4 import BeautifulSoup

POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; form-action 'none'; base-uri 'none'"
REMOVED_TAGS = ["script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "link", "meta", "form",
                "noscript", "template"]
URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "xlink:href", "poster", "background", "data", "ping", "lowsrc"}
#: The only URLs kept: anchors in the page and images written into it.
SAFE_URL = re.compile(r"^(#|data:image/(png|jpeg|gif|webp|svg\+xml)[;,])", re.IGNORECASE)
#: In CSS: anything that loads or runs something.
UNSAFE_CSS = re.compile(r"@import|url\s*\(|expression\s*\(|javascript:|behavior\s*:|-moz-binding", re.IGNORECASE)


def safe_url(value: str) -> bool:
    return bool(SAFE_URL.match(re.sub(r"[\s\x00-\x1f]", "", value or "")))


def sanitized(page: str) -> str:
    soup = BeautifulSoup(page, "html.parser")
    for tag in soup.find_all(REMOVED_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        for name in list(tag.attrs):
            value = tag.attrs[name]
            text = " ".join(value) if isinstance(value, list) else str(value)
            lowered = name.lower()
            if lowered.startswith("on") or (lowered in URL_ATTRIBUTES and not safe_url(text)) \
                    or (lowered == "style" and UNSAFE_CSS.search(text)):
                del tag.attrs[name]
    for style in soup.find_all("style"):
        style.string = UNSAFE_CSS.sub("/* retiré */", style.get_text())
    head = soup.head or soup.new_tag("head")
    if soup.head is None:
        (soup.html or soup).insert(0, head)
    head.insert(0, soup.new_tag("meta", attrs={"http-equiv": "Content-Security-Policy", "content": POLICY}))
    head.insert(0, soup.new_tag("meta", attrs={"charset": "utf-8"}))
    return str(soup)
