"""The fixed words a receipt document carries (its ``termination``) in the receipt's own language,
from the same gettext catalogues as the pages (``translations/<lang>/LC_MESSAGES/messages.mo``),
read without Flask: receipts are also built by the command line (evidence packs, exports)."""

from __future__ import annotations

import functools
from datetime import date
from gettext import NullTranslations
from pathlib import Path

from babel.support import Translations

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
DOMAIN = "messages"


@functools.cache
def catalogue(lang: str) -> NullTranslations:
    """The UI catalogue of ``lang`` (English msgids as they are when there is none)."""
    return Translations.load(str(TRANSLATIONS), [lang], domain=DOMAIN)


def termination(lang: str, expires: date, privacy_centre: str) -> str:
    """Kantara's ``termination``: when the consent ends and how to withdraw it, in ``lang``."""
    text = catalogue(lang).gettext(
        "Expires %(date)s; withdraw at any time from the privacy centre (%(path)s) or the "
        "'manage cookies' control.")
    return text % {"date": expires.isoformat(), "path": privacy_centre}
