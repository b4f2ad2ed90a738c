"""Quantities: the numbers a sentence states, as values that compare across languages.

Reports of one event write one figure many ways: "13.538.179", "13 538 179" and
"13,538,179"; "4.200 millones" and "4,2 mil millones"; "2 saat 41 dakika" and "2:41 Stunden";
"05:42 WIB" and "22:42 GMT"; "more than 15,000" where another says 15,383. Comparing the
strings calls each of these a disagreement. Here a figure becomes a value with the interval
its wording allows (rounding, "about", "more than"), a kind and a unit, so two figures are
compared as numbers.

Public contract (stable; grouping and attribution rely on it):

- :class:`Quantity`: ``kind`` ("count", "percent", "money", "measure", "points", "duration",
  "time", "date", "year", "magnitude", "score"), ``unit`` (currency code, measure unit,
  "UTC"/"local" for times, "ymd"/"md" for dates, else None), ``value`` (seconds for
  durations, minutes after midnight for times, UTC when the zone is known), ``low``/``high``
  (what the wording allows), ``bound`` ("=", "~", ">", "<"), ``concept`` (what a count counts,
  when a word near it says so: "deaths", "injured", ...), and ``text``/``start``/``end`` (the
  span as written).
- :func:`parse_quantities` (sentence, language) → quantities in text order. Digits of any
  script; thousands and decimal separators read by the language's convention.
- :func:`same_quantity` (a, b): could a and b measure the same thing (kind, unit, concept).
- :func:`compatible` (a, b): could both be true of one thing (intervals overlap; times compared
  in UTC when both zones are known).
- :func:`conflicts` (a_list, b_list): pairs that are surely the same quantity with
  incompatible values: the only one of their kind on both sides, or the same concept.
- :func:`label` (q): a reader's name for the quantity ("deaths", "percentage", "time").

Nothing here is a guess about a number's meaning beyond the words next to it; when in doubt,
two figures are not called a conflict (a false alarm costs the reader's trust).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "CONFLICT_KINDS",
    "Quantity",
    "compatible",
    "conflicts",
    "label",
    "parse_quantities",
    "same_quantity",
]


@dataclass(frozen=True)
class Quantity:
    value: float
    kind: str
    unit: str | None
    low: float
    high: float
    text: str
    start: int = 0
    end: int = 0
    bound: str = "="
    concept: str | None = None
    # the month, weekday or year named next to the figure ("1.6 percent in May"): figures of
    # two different months are two quantities, not one misreported
    period: tuple[str, int] | None = None

    def to_dict(self) -> dict:
        return {"text": self.text, "value": self.value, "kind": self.kind, "unit": self.unit,
                "bound": self.bound, "concept": self.concept}


# Kinds two sources can disagree on. Years and dates are left out: a claim's sentences often
# carry background years and dates ("since 2019", "compared with June") that are no answer to
# each other.
CONFLICT_KINDS = frozenset({"count", "percent", "money", "measure", "points", "duration",
                            "time", "magnitude", "score"})

# --- vocabularies ---------------------------------------------------------------------------

DECIMAL_COMMA = frozenset({
    "de", "es", "it", "id", "ms", "pt", "nl", "tr", "fr", "ru", "uk", "pl", "cs", "sk", "ro",
    "da", "sv", "no", "nb", "nn", "fi", "el", "hu", "hr", "sr", "sl", "bg", "vi", "az", "ca",
    "gl", "eu", "lt", "lv", "et", "is", "be", "kk", "sq", "mk", "bs",
})
SPACE_GROUPS = frozenset({"fr", "ru", "uk", "pl", "cs", "sk", "sv", "no", "nb", "nn", "fi",
                          "et", "lt", "lv", "hu", "bg", "be", "kk", "fa", "pt", "de"})

# word → factor; "billion" is 10^12 in French, German, Spanish (billón), Italian (bilione)...
_SCALES: dict[str, float] = {
    "thousand": 1e3, "thousands": 1e3, "k": 1e3, "million": 1e6, "millions": 1e6, "mn": 1e6,
    "m": 1e6, "mln": 1e6, "billion": 1e9, "billions": 1e9, "bn": 1e9, "trillion": 1e12,
    "trillions": 1e12, "tn": 1e12,
    "mil": 1e3, "millón": 1e6, "millones": 1e6, "millon": 1e6, "billón": 1e12, "billones": 1e12,
    "mille": 1e3, "milliers": 1e3, "milliard": 1e9, "milliards": 1e9, "mrd": 1e9,
    "tausend": 1e3, "mio": 1e6, "millionen": 1e6, "milliarde": 1e9, "milliarden": 1e9,
    "billionen": 1e12, "mila": 1e3, "milione": 1e6, "milioni": 1e6, "miliardo": 1e9,
    "miliardi": 1e9, "ribu": 1e3, "rb": 1e3, "juta": 1e6, "jt": 1e6, "miliar": 1e9, "milyar": 1e9,
    "triliun": 1e12, "t": 1e12, "milhão": 1e6, "milhões": 1e6, "bilhão": 1e9, "bilhões": 1e9,
    "duizend": 1e3, "miljoen": 1e6, "miljard": 1e9, "bin": 1e3, "milyon": 1e6, "trilyon": 1e12,
    "هزار": 1e3, "میلیون": 1e6, "میلیارد": 1e9, "تریلیون": 1e12, "ألف": 1e3, "آلاف": 1e3,
    "الف": 1e3, "مليون": 1e6, "ملايين": 1e6, "مليار": 1e9, "مليارات": 1e9, "تريليون": 1e12,
    "тыс": 1e3, "тысяч": 1e3, "тысячи": 1e3, "тысяча": 1e3, "млн": 1e6, "миллион": 1e6,
    "миллиона": 1e6, "миллионов": 1e6, "млрд": 1e9, "миллиард": 1e9, "миллиарда": 1e9,
    "миллиардов": 1e9, "трлн": 1e12, "триллион": 1e12, "триллиона": 1e12,
}
_SCALE_BY_LANG = {("billion", "fr"): 1e12, ("billions", "fr"): 1e12, ("billion", "de"): 1e12,
                  ("billionen", "de"): 1e12, ("t", "en"): 0}
_SHORT_SCALES = frozenset({"k", "m", "mn", "bn", "tn", "t", "rb", "jt"})  # only glued: "4.2bn"

_CURRENCY_BEFORE = {"$": "USD", "us$": "USD", "usd": "USD", "€": "EUR", "eur": "EUR",
                    "£": "GBP", "gbp": "GBP", "¥": "JPY", "rp": "IDR", "idr": "IDR",
                    "cny": "CNY", "rmb": "CNY", "₺": "TRY", "₽": "RUB"}
_CURRENCY_AFTER = {
    "dollar": "USD", "dollars": "USD", "dolar": "USD", "dólares": "USD", "dólar": "USD",
    "dollari": "USD", "usd": "USD", "دلار": "USD", "دولار": "USD", "доллар": "USD",
    "долларов": "USD", "доллара": "USD", "euro": "EUR", "euros": "EUR", "eur": "EUR",
    "یورو": "EUR", "يورو": "EUR", "евро": "EUR", "yuan": "CNY", "rupiah": "IDR",
    "rial": "IRR", "rials": "IRR", "ریال": "IRR", "ريال": "IRR", "toman": "IRT",
    "تومان": "IRT", "rubles": "RUB", "roubles": "RUB", "рублей": "RUB", "рубля": "RUB",
    "pounds": "GBP", "lira": "TRY", "liras": "TRY", "tl": "TRY", "yen": "JPY", "won": "KRW",
    "dirham": "AED", "درهم": "AED", "ليرة": "SYP",
}
_PERCENT_AFTER = {"%", "٪", "percent", "per", "persen", "pour", "por", "prozent", "procent",
                  "درصد", "بالمئة", "بالمائة", "في", "процента", "процентов", "процент",
                  "cento", "pct", "pc"}
_PERCENT_SECOND = {"per": "cent", "pour": "cent", "por": "ciento", "في": "المئة",
                   "per ": "cento"}
_POINTS_AFTER = {"bp", "bps", "pb", "basispunkte", "basispunkten", "bpk"}
_POINTS_PHRASES = ("basis points", "basis point", "basis poin", "points de base",
                   "puntos básicos", "punti base", "واحد درصد", "نقطة أساس", "базисных пунктов")
_MEASURES = {
    "km": "km", "kilometres": "km", "kilometers": "km", "kilometre": "km", "kilometer": "km",
    "kilómetros": "km", "kilomètres": "km", "chilometri": "km", "kilometern": "km",
    "کیلومتر": "km", "كيلومتر": "km", "كيلومترات": "km", "км": "km",
    "kg": "kg", "kilograms": "kg", "kilos": "kg", "kilogram": "kg", "کیلوگرم": "kg",
    "tonnes": "t", "tons": "t", "ton": "t", "tonnen": "t", "toneladas": "t", "تن": "t",
    "طن": "t", "тонн": "t", "mw": "MW", "gw": "GW", "°c": "°C", "°": "°", "mm": "mm",
    "meter": "m", "metres": "m", "meters": "m", "mètres": "m", "metros": "m", "متر": "m",
    "km/h": "km/h", "km/jam": "km/h",
}
_MAGNITUDE_BEFORE = {"magnitude", "magnitudo", "magnitud", "m", "mw", "ml", "stärke",
                     "kekuatan", "بقوة", "شدت", "بزرگی", "قدرت", "силой", "магнитудой",
                     "büyüklüğünde", "force", "magnitudine"}
_MAGNITUDE_AFTER = {"sr", "richter", "ریشتر", "ريختر", "баллов", "балла"}
_MAGNITUDE_GLUED = re.compile(r"(?i)(?:^|(?<=[\s(]))M[wl]?$")

_HOURS = {"hour", "hours", "hr", "hrs", "h", "heure", "heures", "stunde", "stunden", "std",
          "hora", "horas", "ora", "ore", "jam", "saat", "ساعت", "ساعة", "ساعات", "час",
          "часа", "часов", "uur", "godzin", "timmar"}
_MINUTES = {"minute", "minutes", "min", "mins", "minuten", "minuto", "minutos", "minuti",
            "menit", "dakika", "dk", "دقیقه", "دقيقة", "دقائق", "минут", "минуты", "минута",
            "minuut"}
_SECONDS = {"second", "seconds", "sec", "secs", "s", "seconde", "secondes", "sekunde",
            "sekunden", "segundo", "segundos", "secondi", "detik", "saniye", "ثانیه", "ثانية",
            "ثوان", "секунд", "секунды"}
_DAYS = {"day", "days", "jour", "jours", "tag", "tage", "tagen", "día", "días", "giorno",
         "giorni", "hari", "gün", "روز", "يوم", "أيام", "ايام", "дня", "дней", "день",
         "week", "weeks", "semaine", "semaines", "woche", "wochen", "semana", "semanas",
         "settimana", "settimane", "minggu", "hafta", "هفته", "أسبوع", "أسابيع", "неделю",
         "недели", "недель"}
_WEEK_WORDS = {"week", "weeks", "semaine", "semaines", "woche", "wochen", "semana", "semanas",
               "settimana", "settimane", "minggu", "hafta", "هفته", "أسبوع", "أسابيع",
               "неделю", "недели", "недель"}
_DURATION_JOINERS = {"and", "und", "et", "y", "e", "dan", "ve", "و", "и", ","}
_TIME_BEFORE = {"at", "à", "a", "las", "la", "alle", "ore", "le", "dalle", "um", "pukul",
                "jam", "saat", "ساعت", "الساعة", "в", "om", "kl", "ab", "bis", "until",
                "till", "from", "de", "desde", "hasta", "tra", "e", "pkl", "jusqu'à", "vers"}
_ZONES = {"utc": 0, "gmt": 0, "z": 0, "wib": 7, "wita": 8, "wit": 9, "cet": 1, "cest": 2,
          "mez": 1, "mesz": 2, "est": -5, "edt": -4, "cst": -6, "cdt": -5, "pst": -8,
          "pdt": -7, "bst": 1, "irst": 3.5, "msk": 3, "eet": 2, "eest": 3, "ast": 3,
          "غرينتش": 0, "گرینویچ": 0, "تهران": 3.5, "دمشق": 3, "مسکو": 3, "موسكو": 3,
          "московскому": 3, "tehran": 3.5, "moscow": 3, "jakarta": 7}
_LOCAL_WORDS = ("local", "locale", "setempat", "ortszeit", "hora local", "ora locale",
                "محلی", "المحلي", "местному")

# Words near a count that say what it counts (matched as word prefixes, case-folded).
CONCEPTS: dict[str, tuple[str, ...]] = {
    "deaths": ("dead", "death", "killed", "died", "fatalit", "toll", "lives", "bodies",
               "mort", "tués", "tué", "décès", "décéd", "muert", "murier", "murió", "morre",
               "fallecid", "tote", "todes",
               "getötet", "morti", "mort", "uccis", "decedut", "tewas", "meninggal",
               "korban jiwa", "کشته", "قتل", "لقي", "توفي", "جان باخت", "جان‌باخت", "فوت",
               "قتيل", "قتلى", "وفاة", "وفيات", "مصرع", "حتفهم", "погиб", "убит", "жертв", "ölü",
               "hayatını"),
    "injured": ("injur", "wound", "hurt", "bless", "herid", "lesionad", "verletz",
                "verwund", "ferit", "luka", "cedera", "زخمی", "مجروح", "مصدوم", "جريح", "جرحى",
                "مصاب", "إصاب", "أصيب", "اصيب", "ранен", "пострадав", "yaralı"),
    "missing": ("missing", "disparu", "desaparecid", "vermisst", "dispers", "hilang",
                "مفقود", "ناپدید", "пропав", "kayıp"),
    "arrested": ("arrest", "detain", "interpell", "detenid", "festgenommen", "arrestat",
                 "ditangkap", "ditahan", "بازداشت", "دستگیر", "معتقل", "اعتقال", "задержан",
                 "gözaltı"),
    "displaced": ("evacu", "displac", "déplac", "desplazad", "evakuier", "sfollat",
                  "mengungsi", "pengungsi", "dievakuasi", "آواره", "تخلیه", "نازح", "эвакуир"),
    "buildings": ("house", "home", "building", "maison", "bâtiment", "vivienda", "casas",
                  "edifici", "häuser", "gebäude", "rumah", "bangunan", "gedung", "خانه",
                  "ساختمان", "منزل", "منازل", "مبنى", "مباني", "домов", "здани"),
    "passengers": ("passeng", "passag", "pasajer", "passeggeri", "penumpang", "مسافر",
                   "пассажир", "yolcu", "fahrgäst"),
    "vehicles": ("vehicle", "unit", "véhicule", "vehícul", "fahrzeug", "veicol", "kendaraan",
                 "خودرو", "مركبة", "автомобил", "araç"),
    "votes": ("vote", "voix", "voto", "stimme", "suara", "رأی", "صوت", "أصوات", "голос", "oy"),
    "seats": ("seat", "siège", "escaño", "sitz", "seggi", "kursi", "کرسی", "مقعد", "мест"),
    "turnout": ("turnout", "participation", "affluenza", "afluencia", "participación",
                "wahlbeteiligung", "partisipasi", "مشارکت", "المشاركة", "явка", "katılım"),
}
CONCEPT_WINDOW = 3
# Counts that grow as an event unfolds (tolls): reports of different times give different
# values without disagreeing.
RUNNING_CONCEPTS = frozenset({"deaths", "injured", "missing", "arrested", "displaced",
                              "buildings"})

# Which result of a match a score is, when a word near it says so: a two-legged tie's legs,
# the half-time score, the aggregate and a shoot-out are different scores of one match.
SCORE_CONCEPTS: dict[str, tuple[str, ...]] = {
    "first leg": ("first leg", "first-leg", "ida", "hinspiel", "andata", "match aller",
                  "heenwedstrijd", "leg pertama", "leg 1", "ilk maç", "jogo de ida",
                  "الذهاب", "رفت", "первом матче"),
    "second leg": ("second leg", "second-leg", "return leg", "vuelta", "rückspiel", "ritorno",
                   "match retour", "terugwedstrijd", "leg kedua", "leg 2", "rövanş",
                   "jogo de volta", "الإياب", "برگشت", "ответном матче"),
    "aggregate": ("aggregate", "on aggregate", "global", "en el global", "agregado",
                  "gesamtscore", "insgesamt", "complessivo", "cumulé", "agregat", "totaal",
                  "toplamda", "مجموع", "بمجموع", "по сумме"),
    "half-time": ("half-time", "halftime", "half time", "at the break", "descanso",
                  "al descanso", "halbzeit", "zur pause", "intervallo", "primo tempo",
                  "mi-temps", "babak pertama", "turun minum", "rust", "devre", "ilk yarı",
                  "الشوط الأول", "نیمه اول", "перерыв"),
    "penalties": ("penalties", "penalty shoot-out", "shoot-out", "shootout", "penaltis",
                  "penales", "elfmeterschießen", "rigori", "tirs au but", "adu penalti",
                  "strafschoppen", "penaltılar", "ركلات الترجيح", "پنالتی", "пенальти"),
}
SCORE_WINDOW = 5

# Words before a figure that make it approximate or a bound (case-folded; phrases allowed).
_APPROX = ("about", "around", "approximately", "some", "roughly", "an estimated", "estimated",
           "environ", "quelque", "quelques", "autour de", "etwa", "rund", "ungefähr", "circa",
           "ca.", "alrededor de", "cerca de", "unos", "unas", "aproximadamente", "intorno a",
           "sekitar", "kurang lebih", "kira-kira", "حدود", "حدودا", "تقریبا", "تقريبا", "نحو",
           "حوالي", "قرابة", "ما يقارب", "около", "примерно", "порядка", "yaklaşık", "ongeveer")
_NEARLY = ("nearly", "almost", "close to", "près de", "presque", "knapp", "fast", "casi",
           "quasi", "hampir", "نزدیک به", "قرابة", "почти", "neredeyse", "bijna")
_OVER = ("more than", "over", "at least", "upwards of", "plus de", "au moins", "más de",
         "al menos", "mehr als", "über", "mindestens", "oltre", "più di", "almeno",
         "lebih dari", "setidaknya", "sedikitnya", "minimal", "بیش از", "دست‌کم", "دست کم",
         "حداقل", "أكثر من", "ما لا يقل عن", "более", "свыше", "не менее", "по меньшей мере",
         "en az", "meer dan", "ruim")
_UNDER = ("less than", "under", "fewer than", "up to", "at most", "moins de", "jusqu'à",
          "menos de", "hasta", "weniger als", "bis zu", "höchstens", "meno di", "fino a",
          "kurang dari", "hingga", "maksimal", "کمتر از", "أقل من", "менее", "до", "minder dan")
# A length of time counted from a moment the sentence does not name ("34 seconds later"):
# its concept is RELATIVE, and it is compared with nothing (another report's "3 minutes and
# 12 seconds of flight" counts from lift-off).
RELATIVE = "later"
# Only words that name no moment: "después del despegue", "dopo il decollo" count from one.
_LATER = ("later", "plus tard", "más tarde", "später", "danach", "più tardi", "kemudian",
          "setelahnya", "позже", "mais tarde", "daarna")
_LATER_BEFORE = ("спустя", "через", "after another", "another")
# A time elapsed since a moment the sentence names ("41 seconds after lift-off") is compared
# only with another such time, not with a length of time ("the rescue took 3 hours").
SINCE = "elapsed"
_SINCE = frozenset({"after", "nach", "après", "después", "dopo", "setelah", "sesudah",
                    "sonra", "после", "بعد", "depois", "na"})
_BETWEEN = ("between", "entre", "zwischen", "tra", "fra", "antara", "بين", "بین", "میان",
            "между", "arasında", "tussen")
_RANGE_JOINERS = frozenset({"-", "–", "—", "to", "à", "a", "bis", "hingga", "sampai", "s/d",
                            "tot", "al", "إلى", "الى", "تا", "до", "ila", "ile"})
_OVER_AFTER = ("den fazla", "dan fazla", "ten fazla", "tan fazla", "et plus", "and more",
               "or more", "و بیشتر", "وأكثر", "и более", "lebih")

_WORD_RE = re.compile(r"[^\W_][\w'’\-./]*|[%٪$€£¥₺₽°]", re.UNICODE)

# --- number scanning ------------------------------------------------------------------------

_NUMERIC_DATE = re.compile(r"(?<![\d/.])(\d{1,2})[/.](\d{1,2})(?:[/.]((?:19|20)?\d\d))?"
                           r"(?![\d/]|[.]\d)|(?<!\d)((?:19|20)\d\d)-(\d\d)-(\d\d)(?!\d)")
_ZONE_AFTER = re.compile(r"\s*(?:uhr\s*|h\s*|a\.?m\.?\s*|p\.?m\.?\s*)?\(?\s*([^\W\d_]+)"
                         r"(?:\s?([+-−])\s?(\d{1,2})(?::?(\d\d))?)?", re.I)
_NUM = re.compile(r"\d+(?:(?:[.,٫٬'’]|[ \u00a0\u202f\u2009])\d+)*")


def _ascii_digits(text: str) -> str:
    """Every decimal digit of any script as its ASCII digit; same length, same positions."""
    out = []
    for ch in text:
        if ch.isdigit() and not ("0" <= ch <= "9"):
            d = unicodedata.decimal(ch, None)
            out.append(str(d) if d is not None else ch)
        else:
            out.append(ch)
    return "".join(out)


@dataclass
class _Number:
    value: float
    step: float  # the place of the last written digit: the rounding the wording allows
    start: int
    end: int
    decimal: bool


def _read_number(raw: str, lang: str) -> tuple[float, float, bool, int] | None:
    """(value, step, has decimals, characters used) of a digit run, by ``lang``'s separators."""
    parts = re.split(r"([.,٫٬'’]|[ \u00a0\u202f\u2009])", raw)
    groups, seps = parts[0::2], parts[1::2]
    # spaces group thousands only in groups of three after a short head
    used = 1
    for k, sep in enumerate(seps):
        if sep.isspace():
            if len(groups[k + 1]) != 3 or len(groups[0]) > 3 or any(
                    not s.isspace() for s in seps[:k]):
                break
            if lang not in SPACE_GROUPS and sep == " " and len(seps) == 1:
                break
        elif any(s.isspace() for s in seps[:k]) and (sep not in ",.٫" or len(groups[k + 1]) == 3):
            break
        used += 1
    groups, seps = groups[:used], seps[: used - 1]
    length = sum(map(len, groups)) + sum(map(len, seps))
    if not seps:
        return float(groups[0]), 1.0, False, length
    decimal_sep = None
    kinds = set(seps)
    last = seps[-1]
    if "٫" in kinds:
        decimal_sep = "٫"
    elif len(kinds - {" ", "\u00a0", "\u202f", "\u2009", "'", "’", "٬"}) == 2:
        decimal_sep = last  # "1.234,5" / "1,234.5": the last separator is the decimal one
    elif last in ".," and seps.count(last) == 1 and (
            # "5.9", "1,75": not three digits after: decimal; three: the language decides
            len(groups[-1]) != 3 or (last == ",") == (lang in DECIMAL_COMMA)
            or any(s.isspace() for s in seps)):
        decimal_sep = last
    if decimal_sep is not None and seps.count(decimal_sep) > 1:
        return None
    whole, frac = [], ""
    for k, g in enumerate(groups):
        if k > 0 and seps[k - 1] == decimal_sep:
            frac = g
        else:
            (whole if not frac else []).append(g)
    if frac and decimal_sep != seps[-1]:
        return None
    if any(len(g) != 3 for g in groups[1: len(groups) - (1 if frac else 0)]):
        return None  # "1.23.4": not a number format
    text = "".join(whole) + ("." + frac if frac else "")
    value = float(text)
    step = 10.0 ** -len(frac) if frac else 1.0
    return value, step, bool(frac), length


def _scan_numbers(norm: str, lang: str) -> list[_Number]:
    out = []
    for m in _NUM.finditer(norm):
        start = m.start()
        if start and (norm[start - 1] in ".,٫٬" and start > 1 and norm[start - 2].isdigit()):
            continue
        read = _read_number(m.group(), lang)
        if read is None:
            continue
        value, step, decimal, length = read
        out.append(_Number(value, step, start, start + length, decimal))
    return out


# --- parsing --------------------------------------------------------------------------------


def _words_before(text: str, pos: int, n: int) -> list[str]:
    return [w.casefold() for w in _WORD_RE.findall(text[max(0, pos - 80):pos])][-n:]


def _words_after(text: str, pos: int, n: int) -> list[str]:
    return [w.casefold() for w in _WORD_RE.findall(text[pos:pos + 100])][:n]


def _next_word_end(text: str, pos: int, n: int) -> int:
    """Where the ``n``-th word after ``pos`` ends (a trailing period is not the word's)."""
    for _ in range(n):
        m = _WORD_RE.search(text, pos)
        if m is None:
            break
        pos = m.end() - (1 if m.group().endswith(".") and len(m.group()) > 1 else 0)
    return pos


def _clean(word: str) -> str:
    return word.strip(".,;:()[]«»\"'“”").casefold()


def parse_quantities(sentence: str, language: str = "en") -> list[Quantity]:
    """The quantities ``sentence`` states, in text order (see the module docstring)."""
    lang = (language or "en").split("-")[0].lower()
    norm = _ascii_digits(sentence)
    numbers = _scan_numbers(norm, lang)
    used: set[int] = set()
    found: list[Quantity] = []

    def take(q: Quantity, idx: list[int]) -> None:
        found.append(q)
        used.update(idx)

    # times and durations written with a colon or "h": 05:42, 2:41 Stunden, 18h30
    for m in re.finditer(r"(?<![\d.,:])(\d{1,2})\s?([:h.])\s?(\d{2})(?![\d%]|[.,]\d)", norm):
        hh, sep, mm = int(m.group(1)), m.group(2), int(m.group(3))
        if hh > 24 or mm > 59:
            continue
        idx = [k for k, n in enumerate(numbers) if m.start() <= n.start < m.end()]
        if not idx or any(k in used for k in idx):
            continue
        after = _words_after(norm, m.end(), 3)
        before = _words_before(norm, m.start(), 1)
        timed = bool(before) and before[0] in _TIME_BEFORE and before[0] not in ("in", "e")
        if after and _clean(after[0]) in _HOURS and sep != "h" and not timed:
            secs = hh * 3600 + mm * 60
            stop = _next_word_end(norm, m.end(), 1)
            take(Quantity(secs, "duration", None, secs - 30, secs + 30,
                          sentence[m.start():stop].rstrip("."), m.start(), stop), idx)
            continue
        if sep == "." and not (before and before[0] in _TIME_BEFORE) and not (
                after and (_clean(after[0]) in _ZONES or _clean(after[0]) in {"uhr", "h"})):
            continue  # "18.15" is a time only when a word says so
        if after and _clean(after[0]) in ("pm", "p.m") and hh < 12:
            hh += 12  # "2:32 p.m."
        take(_time(norm, sentence, m.start(), m.end(), hh * 60 + mm), idx)

    # whole hours: "10 Uhr", "10 a.m.", "pukul 10 WIB"
    for k, n in enumerate(numbers):
        if k in used or n.decimal or n.value > 24:
            continue
        after = _words_after(norm, n.end, 1)
        before = _words_before(norm, n.start, 1)
        word = _clean(after[0]) if after else ""
        if word in ("uhr", "am", "pm", "a.m", "p.m") or (
                before and before[0] in ("pukul", "pkl", "الساعة") and word in _ZONES):
            hours = int(n.value) % 12 + (12 if word in ("pm", "p.m") else 0) \
                if word in ("am", "pm", "a.m", "p.m") else int(n.value)
            take(_time(norm, sentence, n.start, n.end, hours * 60), [k])

    # ranges: "20-30 orang tewas", "between 20 and 30 killed", "de 3 à 5 %", "2 bis 3 Mrd."
    for k in range(len(numbers) - 1):
        n1, n2 = numbers[k], numbers[k + 1]
        if k in used or k + 1 in used or n1.value >= n2.value:
            continue
        gap = norm[n1.end:n2.start].strip().casefold()
        between = _phrase_before(norm, n1.start, _BETWEEN)
        if not (gap in _RANGE_JOINERS or (between and gap in _DURATION_JOINERS)):
            continue
        q2 = _plain(norm, sentence, n2, lang)
        if q2 is None or q2.kind in ("year", "magnitude"):
            continue
        factor = q2.value / n2.value if n2.value else 1.0
        if not (between or q2.kind != "count" or q2.concept or factor != 1.0):
            continue  # "2-1", "3 to 1": a score or a ratio, not a range
        low = n1.value * factor - n1.step * factor / 2
        concept = q2.concept or (_concept(norm, n1.start, n1.end) if q2.kind == "count" else None)
        take(Quantity((low + q2.high) / 2 if math.isfinite(q2.high) else n2.value * factor,
                      q2.kind, q2.unit, low, q2.high, sentence[n1.start:q2.end], n1.start,
                      q2.end, "~", concept), [k, k + 1])

    # scores: 2-0, 3–1
    for m in re.finditer(r"(?<![\d/.,:\-–])(\d{1,2})\s?[-–:]\s?(\d{1,2})(?![\d/%]|[.,:]\d)", norm):
        idx = [k for k, n in enumerate(numbers) if m.start() <= n.start < m.end()]
        if any(k in used for k in idx) or (m.group(0).count("-") and int(m.group(1)) > 20):
            continue
        # unordered: "2-0" and "(0-2)" are one result told from either side
        a, b = sorted((int(m.group(1)), int(m.group(2))), reverse=True)
        take(Quantity(a * 1000 + b, "score", None, a * 1000 + b, a * 1000 + b,
                      sentence[m.start():m.end()], m.start(), m.end(),
                      concept=_score_concept(norm, m.start(), m.end())), idx)

    # dates: 28/4/2026, 2026-04-28, 5. Juni, 5 June 2025, June 5
    from .datetext import is_month_name

    for m in _NUMERIC_DATE.finditer(norm):
        idx = [k for k, n in enumerate(numbers) if m.start() <= n.start < m.end()]
        if any(k in used for k in idx):
            continue
        if m.group(4):
            y, mo, d = int(m.group(4)), int(m.group(5)), int(m.group(6))
        else:
            d, mo = int(m.group(1)), int(m.group(2))
            y = int(m.group(3)) if m.group(3) else None
            if "." in m.group(0) and not m.group(3):
                continue  # "5.9" is a decimal
            if y is not None and y < 100:
                y += 2000
        if not (1 <= mo <= 12 and 1 <= d <= 31):
            continue
        take(_date(y, mo, d, sentence[m.start():m.end()], m.start(), m.end()), idx)

    for k, n in enumerate(numbers):
        if k in used or n.decimal or n.value > 31 or n.value < 1:
            continue
        after = norm[n.end:n.end + 20]
        mm = re.match(r"(?:\.|º|er|st|nd|rd|th)?\s*(?:de\s+)?([^\W\d_]+)\.?", after)
        if mm and is_month_name(mm.group(1)):
            month = _month_number(mm.group(1))
            ym = re.match(r",?\s*((?:19|20)\d\d)(?!\d)", after[mm.end():])
            end = n.end + mm.end() + (ym.end() if ym else 0)
            year = int(ym.group(1)) if ym else None
            idx = [k] + [j for j, o in enumerate(numbers) if n.end < o.start < end]
            take(_date(year, month, int(n.value), sentence[n.start:end], n.start, end), idx)
            continue
        before = norm[max(0, n.start - 15):n.start]
        mb = re.search(r"([^\W\d_]+)\.?\s+$", before)
        if mb and is_month_name(mb.group(1)) and len(mb.group(1)) > 3:
            month = _month_number(mb.group(1))
            take(_date(None, month, int(n.value), sentence[n.start - len(mb.group(0)):n.end],
                       n.start - len(mb.group(0)), n.end), [k])

    # durations: "2 saat 41 dakika", "2 hours and 41 minutes", "3 days"
    k = 0
    while k < len(numbers):
        if k in used:
            k += 1
            continue
        parts = []
        j = k
        pos = numbers[k].start
        while j < len(numbers) and j not in used:
            n = numbers[j]
            if parts and norm[pos:n.start].strip(" ,").casefold() not in _DURATION_JOINERS | {""}:
                break
            mu = re.match(r"\s?([^\W\d_]+)", norm[n.end:n.end + 20])
            unit = mu.group(1).casefold() if mu else ""
            secs = (3600 if unit in _HOURS else 60 if unit in _MINUTES else
                    1 if unit in _SECONDS and (unit != "s" or parts) else
                    (604800 if unit in _WEEK_WORDS else 86400) if unit in _DAYS else 0)
            if not secs:
                break
            parts.append((n, secs, n.end + mu.end()))
            pos = n.end + mu.end()
            j += 1
        if parts and len(parts) == 1 and parts[0][1] == 60 and _phrase_before(
                norm, parts[0][0].start, ("aos", "ao", "a los", "al", "alla", "à la")):
            parts = []  # a minute of play ("aos 34 minutos"), not a length of time
            used.add(k)
        if parts:
            total = sum(p[0].value * p[1] for p in parts)
            smallest = min(p[1] * p[0].step for p in parts)
            start, end = parts[0][0].start, parts[-1][2]
            relative = any(" ".join(_clean(w) for w in _words_after(norm, end, 2)).startswith(p)
                           for p in _LATER) or _phrase_before(norm, start, _LATER_BEFORE)
            since = not relative and bool(_words_after(norm, end, 1)) and _clean(
                _words_after(norm, end, 1)[0]) in _SINCE
            take(Quantity(total, "duration", None, total - smallest / 2, total + smallest / 2,
                          sentence[start:end], start, end,
                          concept=RELATIVE if relative else SINCE if since else None),
                 list(range(k, j)))
            k = j
        else:
            k += 1

    for k, n in enumerate(numbers):
        if k in used:
            continue
        q = _plain(norm, sentence, n, lang)
        if q is not None:
            found.append(q)
    found.sort(key=lambda q: q.start)
    return _with_periods(sentence, found)


PERIOD_REACH = 40  # characters between a figure and the month, weekday or year it belongs to

# A sentence that dates itself days after the happening ("Trois jours après le séisme",
# "sehari setelah gempa", "two days later") gives its running counts (tolls) as of then: a
# count of another time than a report that does not.
_DAY_UNITS = (r"days?|jours?|d[ií]as?|tage?n?|giorni|giorno|hari|sehari|gün|روز|أيام|يوم|"
              r"дня|дней|день|weeks?|semaines?|semanas?|wochen?|settimane?|minggu|seminggu|hafta")
_AFTERWARDS = (r"after|later|après|plus\s+tard|después|más\s+tarde|nach|später|dopo|più\s+tardi|"
               r"setelah|kemudian|sesudah|sonra|پس\s+از|بعد|спустя|после|depois")
_LATER_REPORT = re.compile(
    rf"(?i)(?<!\w)(?:(?:{_DAY_UNITS})\s+(?:\S+\s+){{0,1}}(?:{_AFTERWARDS})|"
    rf"(?:بعد|спустя|через)\s+(?:\S+\s+)?(?:أيام|يوم|يومين|дня|дней|день|недел\w*))(?!\w)")
LATER_REPORT = ("later report", 1)


def _with_periods(sentence: str, found: list[Quantity]) -> list[Quantity]:
    """Each figure with the period named nearest to it, within PERIOD_REACH characters."""
    from dataclasses import replace

    from .datetext import _WEEKDAY, _month_of

    marks: list[tuple[int, int, tuple[str, int]]] = []
    for m in _WEEKDAY.finditer(sentence):
        day = _month_of(m, "w")
        if day is not None:
            marks.append((m.start(), m.end(), ("weekday", day)))
    for m in re.finditer(r"[^\W\d_]+", sentence):
        month = _full_month(m.group())
        if month:
            marks.append((m.start(), m.end(), ("month", month)))
    for q in found:
        if q.kind == "year":
            marks.append((q.start, q.end, ("year", int(q.value))))
        elif q.kind == "date":
            marks.append((q.start, q.end, ("month", int(q.value) // 100 % 100)))
    if _LATER_REPORT.search(sentence):
        found = [replace(q, period=LATER_REPORT) if q.concept in RUNNING_CONCEPTS else q
                 for q in found]
    if not marks:
        return found
    out = []
    for q in found:
        if q.kind in ("year", "date") or q.period == LATER_REPORT:
            out.append(q)
            continue
        near = [(max(a - q.end, q.start - b), mark) for a, b, mark in marks
                if b <= q.start or a >= q.end]
        near = [x for x in near if x[0] <= PERIOD_REACH]
        out.append(replace(q, period=min(near)[1]) if near else q)
    return out


# Month names the date reader (Latin-script languages) does not know, by month.
_MORE_MONTHS = {
    word: k for k, words in enumerate((
        "ژانویه يناير январь января январе ocak januari",
        "فوریه فبراير февраль февраля феврале şubat februari",
        "مارس март марта марте mart maret",
        "آوریل أبريل ابريل апрель апреля апреле nisan april",
        "مايو май мая мае mayıs",
        "ژوئن يونيو июнь июня июне haziran juni",
        "ژوئیه يوليو июль июля июле temmuz juli",
        "اوت أغسطس اغسطس август августа августе ağustos agustus",
        "سپتامبر سبتمبر сентябрь сентября сентябре eylül",
        "اکتبر أكتوبر اكتوبر октябрь октября октябре oktober",
        "نوامبر نوفمبر ноябрь ноября ноябре kasım",
        "دسامبر ديسمبر декабрь декабря декабре aralık desember"), 1) for word in words.split()}


def _full_month(word: str) -> int:
    """The month a full month name stands for (English "may" only capitalised), else 0."""
    from .datetext import is_full_month_name

    w = word.casefold()
    if w in _MORE_MONTHS:
        return _MORE_MONTHS[w]
    if len(word) < 3 or not is_full_month_name(word) or word == "may":
        return 0
    return _month_number(word)


def _month_number(word: str) -> int:
    from .datetext import MONTH_BY_ANY_NAME

    return MONTH_BY_ANY_NAME.get(word.strip(".").casefold(), 0)


def _date(year: int | None, month: int, day: int, text: str, start: int, end: int) -> Quantity:
    value = month * 100 + day + (year or 0) * 10000
    return Quantity(value, "date", "ymd" if year else "md", value, value, text, start, end)


def _time(norm: str, sentence: str, start: int, end: int, minutes: int) -> Quantity:
    """A time of day; converted to UTC when a zone follows ("05:42 WIB", "12:00 GMT+3")."""
    rest = norm[end:end + 40]
    mz = _ZONE_AFTER.match(rest)
    offset = None
    stop = end
    if mz:
        word = mz.group(1).casefold()
        if word in _ZONES:
            offset = _ZONES[word]
            if mz.group(2):
                sign = -1 if mz.group(2) in "-−" else 1
                offset += sign * (int(mz.group(3)) + int(mz.group(4) or 0) / 60)
            stop = end + mz.end()
        else:
            wide = rest[:30].casefold()
            for zone, off in _ZONES.items():
                if len(zone) > 3 and zone in wide.split():
                    offset, stop = off, end + wide.index(zone) + len(zone)
                    break
    if offset is None:
        return Quantity(minutes, "time", "local", minutes, minutes, sentence[start:end],
                        start, end)
    utc = (minutes - offset * 60) % 1440
    return Quantity(utc, "time", "UTC", utc, utc, sentence[start:stop], start, stop)


def _percent_word(word: str, second: str) -> bool:
    if word not in _PERCENT_AFTER:
        return False
    return word not in _PERCENT_SECOND or second in ("cent", "ciento", "المئة", "المائة", "cento")


def _phrase_before(text: str, pos: int, phrases: tuple[str, ...]) -> bool:
    head = " ".join(_words_before(text, pos, 4))
    return any(head.endswith(p.casefold()) or head.endswith(p.casefold() + " ") for p in phrases)


def _plain(norm: str, sentence: str, n: _Number, lang: str) -> Quantity | None:
    """A bare figure with its scale, unit or currency, approximation and concept."""
    start, end = n.start, n.end
    pre_word = re.search(r"([^\W\d_]+|[$€£¥₺₽])\.?\s?$", norm[max(0, start - 6):start])
    glued_pre = bool(pre_word) and norm[start - 1:start] not in (" ", "")
    pre = pre_word.group(1).casefold() if pre_word else ""
    if glued_pre and pre not in _CURRENCY_BEFORE and pre not in _MAGNITUDE_BEFORE:
        return None  # part of a name or code: "S9", "A320"
    if start and norm[start - 1] in "-–" and start > 1 and norm[start - 2].isalpha():
        return None  # "COVID-19", "I-2026"
    value, step = n.value, n.step
    kind, unit = "count", None
    # a glued suffix: "4.2bn", "15km", "10%"
    glued = re.match(r"[^\W\d_]+", norm[end:])
    if glued:
        g = glued.group().casefold()
        if g in _SCALES and g in _SHORT_SCALES:
            value, step, end = value * _SCALES[g], step * _SCALES[g], end + len(g)
        elif g in _MEASURES:
            kind, unit, end = "measure", _MEASURES[g], end + len(g)
        elif g in _POINTS_AFTER:
            kind, unit, end = "points", "bp", end + len(g)
        elif g in _HOURS | _MINUTES:
            return None  # "18h" without minutes: a time too vague to compare
        else:
            return None  # "5th", "3e", "1er": an ordinal or a code
    after = _words_after(norm, end, 4)
    after_c = [_clean(w) for w in after]
    # scale words: "4,2 mil millones", "2,7 triliun", "13 millions"
    if kind == "count" and after_c:
        w = after_c[0]
        if w in _SCALES and w not in _SHORT_SCALES:
            factor = _SCALE_BY_LANG.get((w, lang), _SCALES[w])
            words = 1
            if w == "mil" and len(after_c) > 1 and after_c[1] in ("millones", "millón"):
                factor, words = 1e9, 2
            value, step, end = value * factor, step * factor, _next_word_end(norm, end, words)
            after = _words_after(norm, end, 4)
            after_c = [_clean(w) for w in after]
    # trailing zeros of a large figure are rounding: "15,400", "4.200 millones"
    if not n.decimal and value >= 1000:
        digits = re.sub(r"\D", "", norm[n.start:n.end])
        zeros = len(digits) - len(digits.rstrip("0"))
        scale = value / float(digits) if float(digits) else 1.0
        if zeros and len(digits) > zeros:
            step = max(step, 10.0 ** zeros * scale)
    head = norm[max(0, n.start - 12):n.start].casefold()
    before1 = _words_before(norm, n.start, 1)
    if pre in _CURRENCY_BEFORE or (before1 and _clean(before1[-1]) in _CURRENCY_BEFORE):
        kind, unit = "money", _CURRENCY_BEFORE.get(pre) or _CURRENCY_BEFORE[_clean(before1[-1])]
    elif "$" in head[-3:]:
        kind, unit = "money", "USD"
    nxt = after_c[0] if after_c else ""
    second = after_c[1] if len(after_c) > 1 else ""
    if norm[end:end + 2].lstrip().startswith(("%", "٪")) or nxt in ("%", "٪"):
        kind, unit = "percent", None
        end = norm.index("%" if "%" in norm[end:end + 3] else "٪", end) + 1
    elif kind != "count":
        pass
    elif _percent_word(nxt, second) or (before1 and before1[-1] == "yüzde"):
        kind = "percent"
        if _percent_word(nxt, second):  # the span takes the word: "1.6 percent", "2 per cent"
            end = _next_word_end(norm, end, 2 if nxt in _PERCENT_SECOND else 1)
    elif nxt in ("de", "of", "d", "di") and second in _CURRENCY_AFTER:
        kind, unit = "money", _CURRENCY_AFTER[second]
    elif nxt in _CURRENCY_AFTER:
        kind, unit = "money", _CURRENCY_AFTER[nxt]
        end = _next_word_end(norm, end, 1)
    elif nxt in _MEASURES:
        kind, unit = "measure", _MEASURES[nxt]
        end = _next_word_end(norm, end, 1)
    elif nxt in _POINTS_AFTER or any(norm[end:end + 25].casefold().lstrip().startswith(p)
                                     for p in _POINTS_PHRASES):
        kind, unit = "points", "bp"
    magnitude_word = bool(before1) and any(
        _clean(before1[-1]).endswith(w) for w in _MAGNITUDE_BEFORE if len(w) >= 5)
    if kind == "count" and value < 10.5 and (
            (n.decimal or value < 10) and (magnitude_word or
                ((before1 and _clean(before1[-1]) in _MAGNITUDE_BEFORE and pre != "m") or (glued_pre
                 and pre in _MAGNITUDE_BEFORE)) or nxt in _MAGNITUDE_AFTER
                or "richter" in " ".join(after_c[:3]) or "ریشتر" in after_c[:3])):
        kind = "magnitude"
    if kind == "count" and not n.decimal and 1900 <= value <= 2100 and step == 1 and \
            re.fullmatch(r"\d{4}", norm[n.start:n.end]):
        kind = "year"
    if kind == "count" and before1 and before1[-1] in ("no", "nr", "nomor", "n°", "№"):
        return None
    if kind == "count" and unit is None and value < 1 and not n.decimal:
        return None
    # approximation and bounds
    low, high = value - step / 2, value + step / 2
    bound = "="
    if _phrase_before(norm, n.start - (len(pre) if glued_pre else 0), _OVER) or any(
            norm[end:end + 14].casefold().lstrip().startswith(p) for p in _OVER_AFTER):
        bound, high = ">", math.inf
        low = value - step / 2
    elif _phrase_before(norm, n.start, _UNDER):
        bound, low = "<", -math.inf if kind in ("money", "duration") else 0.0
    elif _phrase_before(norm, n.start, _NEARLY):
        bound, low, high = "~", value * 0.9 - step / 2, value + step / 2
    elif _phrase_before(norm, n.start, _APPROX):
        bound, low, high = "~", value * 0.9 - step / 2, value * 1.1 + step / 2
    concept = _concept(norm, n.start, end) if kind in ("count", "percent") else None
    text_start = n.start - (len(pre) if glued_pre else 0)
    return Quantity(value, kind, unit, low, high, sentence[text_start:end].strip(), text_start,
                    end, bound, concept)


def _score_concept(norm: str, start: int, end: int) -> str | None:
    """Which result of a match a score is, from the nearest qualifier within SCORE_WINDOW
    words ("3-1 en la ida", "2-1 on aggregate", "1-0 at half-time"). A qualifier between
    two figures belongs to the nearer one ("2-1 on aggregate after a 1-0 win")."""
    def words(text: str) -> list[str]:
        return [_clean(w) for w in _WORD_RE.findall(re.sub(r"['’]", " ", text))]

    head_parts = re.split(r"\d", norm[max(0, start - 80):start])
    before = words(head_parts[-1])
    after = words(re.split(r"\d", norm[end:end + 80])[0])
    shared_before = len(head_parts) > 1  # another figure precedes these words
    best: tuple[int, str] | None = None
    for concept, phrases in SCORE_CONCEPTS.items():
        for p in phrases:
            key = p.split()
            n = len(key)
            for i in range(min(len(after), SCORE_WINDOW) - n + 1):
                if after[i:i + n] == key and (best is None or i < best[0]):
                    best = (i, concept)
            for i in range(max(0, len(before) - SCORE_WINDOW), len(before) - n + 1):
                dist = len(before) - i - n
                if before[i:i + n] == key and not (shared_before and i <= dist) and (
                        best is None or dist < best[0]):
                    best = (dist, concept)
    return best[1] if best else None


def _concept(norm: str, start: int, end: int) -> str | None:
    """What a count counts, from the nearest concept word within CONCEPT_WINDOW words."""
    before = _words_before(norm, start, CONCEPT_WINDOW)
    after = _words_after(norm, end, CONCEPT_WINDOW)
    ranked = [(d, 0, w) for d, w in enumerate(after)] + [(d, 1, w)
                                                        for d, w in enumerate(reversed(before))]
    for _, _, word in sorted(ranked):
        if word[:1] in "وف" and len(word) > 3:
            word = word[1:]  # Arabic "and"/"so" joined to the word: وأصيب
        for concept, stems in CONCEPTS.items():
            if any(word.startswith(s) for s in stems if len(s) >= 4) or word in stems:
                return concept
    return None


# --- comparing ------------------------------------------------------------------------------


def same_quantity(a: Quantity, b: Quantity) -> bool:
    """Could ``a`` and ``b`` measure the same thing: same kind and unit, and the same concept
    when both name one ("7 dead" and "45 injured" are different quantities)."""
    if a.kind != b.kind:
        return False
    if a.kind == "time" or a.kind == "date":
        return True
    if a.unit != b.unit:
        return False
    if a.period and b.period and a.period[0] == b.period[0] and a.period != b.period:
        return False  # "2.2% in March", "2.4% in April": two months' figures
    if LATER_REPORT in (a.period, b.period) and a.period != b.period:
        return False  # a toll "three days after the quake" and the first day's toll
    return not (a.concept and b.concept and a.concept != b.concept)


def compatible(a: Quantity, b: Quantity) -> bool:
    """Could both be true of one quantity (intervals overlap; see the module docstring)."""
    if not same_quantity(a, b):
        return False
    if a.kind == "time":
        if a.unit == b.unit:
            diff = abs(a.value - b.value) % 1440
            return min(diff, 1440 - diff) <= 1
        # one zone unknown: any whole or half-hour offset could explain the difference
        return abs(a.value - b.value) % 30 == 0
    if a.kind == "date":
        if a.unit == b.unit == "ymd":
            return a.value == b.value
        return a.value % 10000 == b.value % 10000
    eps = 1e-9 * max(abs(a.value), abs(b.value), 1.0)
    return a.low <= b.high + eps and b.low <= a.high + eps


def _far_apart(a: Quantity, b: Quantity) -> bool:
    """Figures two orders of magnitude apart are different things (a share price and a deal's
    value), not one thing misreported."""
    if a.kind in ("time", "date", "score"):
        return False
    lo, hi = sorted((abs(a.value), abs(b.value)))
    return lo > 0 and hi / lo >= 100


def _distinct(qs: list[Quantity], kind_of: Quantity) -> int:
    """How many mutually incompatible values of ``kind_of``'s quantity ``qs`` holds."""
    reps: list[Quantity] = []
    for q in qs:
        if same_quantity(q, kind_of) and not any(compatible(q, r) for r in reps):
            reps.append(q)
    return len(reps)


def conflicts(a: list[Quantity], b: list[Quantity]) -> list[tuple[Quantity, Quantity]]:
    """Pairs (from ``a``, from ``b``) that are surely one quantity with incompatible values.

    A figure with a compatible counterpart is settled. Of the rest, a pair conflicts when
    both name the same concept ("killed"), or when neither names one, both have a unit
    (a percentage, an amount, a duration, a score...) and each is the only value of its kind
    and unit on its side (one claim, one figure). A bare number with no word saying what it
    counts is never enough (an age, a minute of play, a count of aftershocks): a leftover may
    otherwise be a detail the other side left out ("including 3 children"), and a figure
    with a concept against one without may count something else.
    """
    a = [q for q in a if q.kind in CONFLICT_KINDS]
    b = [q for q in b if q.kind in CONFLICT_KINDS]
    left_a = [q for q in a if not any(compatible(q, r) for r in b)]
    left_b = [r for r in b if not any(compatible(q, r) for q in a)]
    out = []
    for q in left_a:
        for r in left_b:
            if not same_quantity(q, r) or _far_apart(q, r) or RELATIVE in (q.concept, r.concept):
                continue
            if q.concept == r.concept and (q.concept or (
                    q.kind != "count" and _distinct(a, q) == 1 and _distinct(b, r) == 1)):
                out.append((q, r))
    return out


_LABELS = {"count": "number", "percent": "percentage", "money": "amount", "measure": "measure",
           "points": "basis points", "duration": "duration", "time": "time", "date": "date",
           "year": "year", "magnitude": "magnitude", "score": "score"}


def label(q: Quantity) -> str:
    """A reader's name for the quantity: its concept, else its kind (with its unit)."""
    if q.concept:
        return q.concept
    name = _LABELS.get(q.kind, q.kind)
    if q.kind in ("money", "measure") and q.unit:
        return f"{name} ({q.unit})"
    return name


def restates(new: list[Quantity], old: list[Quantity]) -> bool:
    """True when ``new`` states figures (years and dates aside) and ``old`` states every one
    of them compatibly: "4.200 millones" after "4,2 mil millones", in any wording."""
    figures = [q for q in new if q.kind in CONFLICT_KINDS]
    return bool(figures) and all(any(compatible(q, r) for r in old) for q in figures)
