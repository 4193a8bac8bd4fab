"""Times as the exchange keeps them (ISO 8601 with the server's UTC offset) and as people read them."""
from __future__ import annotations

import re
from datetime import datetime

DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]
DEADLINE_FORMS = "« 2026-12-18 23:59 », « 18/12/2026 23:59 » ou « 2026-12-18T23:59+01:00 »"


def now() -> datetime:
    return datetime.now().astimezone()


def french_datetime(when: datetime) -> str:
    """« vendredi 18 décembre 2026 à 23 h 59 », in the server's time zone."""
    local = when.astimezone()
    return f"{DAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]} {local.year} à {local.hour} h {local.minute:02d}"


def parse_deadline(text: str) -> datetime:
    """A deadline as a teacher writes it; the server's time zone unless one is given. ValueError says
    which forms are understood."""
    value = text.strip()
    french = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2})[:h](\d{2}))?$", value)
    try:
        if french:
            day, month, year, hour, minute = french.groups()
            when = datetime(int(year), int(month), int(day), int(hour or 23), int(minute or 59))
        else:
            when = datetime.fromisoformat(value)
            if re.match(r"^\d{4}-\d{2}-\d{2}$", value):
                when = when.replace(hour=23, minute=59)
    except ValueError:
        raise ValueError(f"date limite « {text} » illisible : écrivez par exemple {DEADLINE_FORMS}") from None
    return when if when.tzinfo else when.astimezone()
