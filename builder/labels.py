"""The few words the templates print themselves, by the edition's language."""

from __future__ import annotations

import datetime as dt

LABELS = {
    "en": {"contents": "Contents", "issue": "Issue", "volume": "Volume", "by": "By",
           "notes": "Notes", "cover": "Cover", "title_page": "Title page", "and": "and",
           "landmarks": "Landmarks", "pages": "Pages"},
    "de": {"contents": "Inhalt", "issue": "Ausgabe", "volume": "Jahrgang", "by": "Von",
           "notes": "Anmerkungen", "cover": "Titelbild", "title_page": "Titelseite",
           "and": "und", "landmarks": "Orientierung", "pages": "Seiten"},
    "fr": {"contents": "Sommaire", "issue": "Numéro", "volume": "Volume", "by": "Par",
           "notes": "Notes", "cover": "Couverture", "title_page": "Page de titre",
           "and": "et", "landmarks": "Repères", "pages": "Pages"},
    "es": {"contents": "Índice", "issue": "Número", "volume": "Volumen", "by": "Por",
           "notes": "Notas", "cover": "Portada", "title_page": "Portadilla", "and": "y",
           "landmarks": "Puntos de referencia", "pages": "Páginas"},
    "uk": {"contents": "Зміст", "issue": "Випуск", "volume": "Том", "by": "Автор:",
           "notes": "Примітки", "cover": "Обкладинка", "title_page": "Титульна сторінка",
           "and": "і", "landmarks": "Орієнтири", "pages": "Сторінки"},
    "el": {"contents": "Περιεχόμενα", "issue": "Τεύχος", "volume": "Τόμος", "by": "Του/Της",
           "notes": "Σημειώσεις", "cover": "Εξώφυλλο", "title_page": "Σελίδα τίτλου",
           "and": "και", "landmarks": "Ορόσημα", "pages": "Σελίδες"},
}
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")


def labels(lang: str) -> dict[str, str]:
    return LABELS.get(lang.split("-")[0].lower(), LABELS["en"])


def long_date(date: dt.date, lang: str) -> str:
    """English dates in words; other languages get the unambiguous ISO form."""
    if lang.split("-")[0].lower() == "en":
        return f"{date.day} {MONTHS_EN[date.month - 1]} {date.year}"
    return date.isoformat()


def join_names(names: tuple[str, ...] | list[str], lang: str) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {labels(lang)['and']} " + names[-1]
