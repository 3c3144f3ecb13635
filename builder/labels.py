"""The few words the templates print themselves, by the edition's language."""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel import Locale

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
    "ar": {"contents": "المحتويات", "issue": "العدد", "volume": "المجلد", "by": "بقلم",
           "notes": "حواشٍ", "cover": "الغلاف", "title_page": "صفحة العنوان", "and": "و",
           "landmarks": "معالم", "pages": "الصفحات"},
    "he": {"contents": "תוכן העניינים", "issue": "גיליון", "volume": "כרך", "by": "מאת",
           "notes": "הערות", "cover": "כריכה", "title_page": "עמוד שער", "and": "ו",
           "landmarks": "ציוני דרך", "pages": "עמודים"},
    "fa": {"contents": "فهرست", "issue": "شماره", "volume": "دوره", "by": "نوشتهٔ",
           "notes": "یادداشت‌ها", "cover": "جلد", "title_page": "صفحهٔ عنوان", "and": "و",
           "landmarks": "نشانه‌ها", "pages": "صفحه‌ها"},
    "hi": {"contents": "विषय-सूची", "issue": "अंक", "volume": "खंड", "by": "लेखक:",
           "notes": "टिप्पणियाँ", "cover": "आवरण", "title_page": "शीर्षक पृष्ठ", "and": "और",
           "landmarks": "मुख्य स्थान", "pages": "पृष्ठ"},
    "bn": {"contents": "সূচিপত্র", "issue": "সংখ্যা", "volume": "খণ্ড", "by": "লেখক:",
           "notes": "টীকা", "cover": "প্রচ্ছদ", "title_page": "শিরোনাম পাতা", "and": "ও",
           "landmarks": "প্রধান স্থান", "pages": "পৃষ্ঠা"},
    "ta": {"contents": "உள்ளடக்கம்", "issue": "இதழ்", "volume": "தொகுதி", "by": "எழுதியவர்:",
           "notes": "குறிப்புகள்", "cover": "அட்டை", "title_page": "தலைப்புப் பக்கம்",
           "and": "மற்றும்", "landmarks": "முக்கிய இடங்கள்", "pages": "பக்கங்கள்"},
    "th": {"contents": "สารบัญ", "issue": "ฉบับที่", "volume": "ปีที่", "by": "โดย",
           "notes": "หมายเหตุ", "cover": "ปก", "title_page": "หน้าชื่อเรื่อง", "and": "และ",
           "landmarks": "จุดสำคัญ", "pages": "หน้า"},
    "zh": {"contents": "目录", "issue": "期号", "volume": "卷", "by": "作者：", "notes": "注释",
           "cover": "封面", "title_page": "扉页", "and": "和", "landmarks": "导航",
           "pages": "页码"},
    "zh-hant": {"contents": "目錄", "issue": "期號", "volume": "卷", "by": "作者：",
                "notes": "註釋", "cover": "封面", "title_page": "扉頁", "and": "和",
                "landmarks": "導覽", "pages": "頁碼"},
    "ja": {"contents": "目次", "issue": "号数", "volume": "巻", "by": "文：", "notes": "注",
           "cover": "表紙", "title_page": "扉", "and": "と", "landmarks": "ランドマーク",
           "pages": "ページ"},
    "ko": {"contents": "차례", "issue": "호수", "volume": "권", "by": "글", "notes": "주석",
           "cover": "표지", "title_page": "속표지", "and": "및", "landmarks": "주요 위치",
           "pages": "쪽"},
}
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")


# Languages and scripts written from right to left (primary subtags; script subtags).
RTL_LANGUAGES = {"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "nqo", "ps", "sd", "syr",
                 "ug", "ur", "yi"}
RTL_SCRIPTS = {"arab", "hebr", "syrc", "thaa", "nkoo", "adlm", "rohg"}


# Chinese written in Traditional characters: these tags and any that extend them, as the
# stylesheets' :lang() selectors match them.
TRADITIONAL = ("zh-hant", "zh-tw", "zh-hk", "zh-mo")


def direction(lang: str) -> str:
    """'rtl' for a language written from right to left, else 'ltr'."""
    parts = lang.lower().split("-")
    if len(parts) > 1 and len(parts[1]) == 4 and parts[1].isalpha():  # script: az-Arab
        return "rtl" if parts[1] in RTL_SCRIPTS else "ltr"
    return "rtl" if parts[0] in RTL_LANGUAGES else "ltr"


def traditional_chinese(lang: str) -> bool:
    tag = lang.lower()
    return any(tag == t or tag.startswith(f"{t}-") for t in TRADITIONAL)


def labels(lang: str) -> dict[str, str]:
    if traditional_chinese(lang):
        return LABELS["zh-hant"]
    return LABELS.get(lang.split("-")[0].lower(), LABELS["en"])


def long_date(date: dt.date, lang: str) -> str:
    """The date in words, in the language: "19 November 2026", "19. November 2026",
    "2026年11月19日" (CLDR's long form, through Babel); ISO 8601 for a language CLDR
    does not know."""
    if lang.split("-")[0].lower() == "en":
        return f"{date.day} {MONTHS_EN[date.month - 1]} {date.year}"
    locale = _locale(lang)
    if locale is None:
        return date.isoformat()
    from babel.dates import format_date

    return format_date(date, "long", locale=locale)


@functools.cache
def _locale(lang: str) -> Locale | None:
    from babel import Locale, UnknownLocaleError

    for tag in (lang, lang.split("-")[0]):
        try:
            return Locale.parse(tag, sep="-")
        except (ValueError, UnknownLocaleError):
            continue
    return None


def join_names(names: tuple[str, ...] | list[str], lang: str) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {labels(lang)['and']} " + names[-1]
