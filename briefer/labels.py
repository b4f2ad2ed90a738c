"""The brief's own words in the reader's language: labels here, dates and numbers by Babel.

Labels exist for en, fr, de, es, id, fa and ar; any other reader language gets English
labels with its own dates, numbers and language names (Babel knows them all) and direction.
Counts use the locale's plural rules (``Locale.plural_form``), so Arabic says "مصدران" for
two sources.
"""

# ruff: noqa: E501  (the phrase tables read best one translation a line)
from __future__ import annotations

import logging
from datetime import UTC, datetime

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_skeleton, format_time
from babel.numbers import format_decimal

log = logging.getLogger(__name__)

LANGUAGES = ("en", "fr", "de", "es", "id", "fa", "ar")

# Phrases: English key -> {language: translation}. "{}" is filled by the caller.
_PHRASES: dict[str, dict[str, str]] = {
    "Daily brief": {"fr": "Le point du jour", "de": "Tagesüberblick", "es": "Resumen del día",
                    "id": "Ringkasan harian", "fa": "خلاصه خبرهای روز", "ar": "الموجز اليومي"},
    "Page {} of {}": {"fr": "Page {} sur {}", "de": "Seite {} von {}", "es": "Página {} de {}",
                      "id": "Halaman {} dari {}", "fa": "صفحه {} از {}", "ar": "صفحة {} من {}"},
    "Top stories": {"fr": "À la une", "de": "Das Wichtigste", "es": "Lo más importante",
                    "id": "Berita utama", "fa": "خبرهای مهم", "ar": "أهم الأخبار"},
    "Also today": {"fr": "Aussi aujourd’hui", "de": "Außerdem heute", "es": "También hoy",
                   "id": "Juga hari ini", "fa": "دیگر خبرهای امروز", "ar": "أيضًا اليوم"},
    "Index": {"fr": "Index", "de": "Weitere Meldungen", "es": "Índice", "id": "Indeks",
              "fa": "فهرست", "ar": "الفهرس"},
    "Details": {"fr": "Détails : sources, affirmations et couverture",
                "de": "Details: Quellen, Aussagen und Berichterstattung",
                "es": "Detalles: fuentes, afirmaciones y cobertura",
                "id": "Rincian: sumber, klaim, dan liputan",
                "fa": "جزئیات: منابع، ادعاها و پوشش خبری",
                "ar": "التفاصيل: المصادر والادعاءات والتغطية"},
    "Sources and evidence": {"fr": "Sources et preuves", "de": "Quellen und Belege",
                             "es": "Fuentes y pruebas", "id": "Sumber dan bukti",
                             "fa": "منابع و شواهد", "ar": "المصادر والأدلة"},
    "New": {"fr": "Nouveau", "de": "Neu", "es": "Nuevo", "id": "Baru", "fa": "تازه",
            "ar": "جديد"},
    "new": {"fr": "nouveau", "de": "neu", "es": "nuevo", "id": "baru", "fa": "تازه",
            "ar": "جديد"},
    "Updated": {"fr": "Mis à jour", "de": "Aktualisiert", "es": "Actualizado",
                "id": "Diperbarui", "fa": "به‌روزشده", "ar": "محدَّث"},
    "since {}": {"fr": "depuis le {}", "de": "seit {}", "es": "desde el {}", "id": "sejak {}",
                 "fa": "از {}", "ar": "منذ {}"},
    "Sources differ: {}": {"fr": "Les sources divergent : {}", "de": "Quellen widersprechen sich: {}",
                           "es": "Las fuentes difieren: {}", "id": "Sumber berbeda: {}",
                           "fa": "اختلاف منابع: {}", "ar": "تختلف المصادر: {}"},
    "Sources differ on: {}": {"fr": "Les sources divergent sur : {}",
                              "de": "Quellen widersprechen sich bei: {}",
                              "es": "Las fuentes difieren sobre: {}",
                              "id": "Sumber berbeda soal: {}", "fa": "اختلاف منابع درباره: {}",
                              "ar": "تختلف المصادر بشأن: {}"},
    "unnamed source": {"fr": "source sans nom", "de": "unbenannte Quelle",
                       "es": "fuente sin nombre", "id": "sumber tanpa nama",
                       "fa": "منبع بی‌نام", "ar": "مصدر غير مسمّى"},
    "Untitled event": {"fr": "Événement sans titre", "de": "Ereignis ohne Titel",
                       "es": "Suceso sin título", "id": "Peristiwa tanpa judul",
                       "fa": "رویداد بی‌عنوان", "ar": "حدث بلا عنوان"},
    "+{} more": {"fr": "+{} autres", "de": "+{} weitere", "es": "+{} más", "id": "+{} lainnya",
                 "fa": "+{} دیگر", "ar": "+{} أخرى"},
    "first report {}, latest {}": {"fr": "premier article {}, dernier {}",
                                   "de": "erste Meldung {}, letzte {}",
                                   "es": "primera noticia {}, última {}",
                                   "id": "laporan pertama {}, terakhir {}",
                                   "fa": "نخستین گزارش {}، آخرین {}",
                                   "ar": "أول تقرير {}، آخر تقرير {}"},
    "reported {}": {"fr": "publié le {}", "de": "gemeldet am {}", "es": "publicado el {}",
                    "id": "dilaporkan {}", "fa": "گزارش‌شده در {}", "ar": "نُشر في {}"},
    "from {}": {"fr": "traduit de : {}", "de": "übersetzt aus: {}", "es": "traducido del {}",
                "id": "diterjemahkan dari {}", "fa": "ترجمه از {}", "ar": "مترجم من {}"},
    "Original": {"fr": "Original", "de": "Original", "es": "Original", "id": "Asli",
                 "fa": "متن اصلی", "ar": "النص الأصلي"},
    "Warnings": {"fr": "Avertissements", "de": "Hinweise", "es": "Avisos", "id": "Peringatan",
                 "fa": "هشدارها", "ar": "تحذيرات"},
    "Skipped inputs": {"fr": "Fichiers ignorés", "de": "Übersprungene Eingaben",
                       "es": "Entradas omitidas", "id": "Masukan yang dilewati",
                       "fa": "ورودی‌های کنارگذاشته", "ar": "مدخلات متجاوزة"},
    "Coverage": {"fr": "Couverture", "de": "Berichterstattung", "es": "Cobertura",
                 "id": "Liputan", "fa": "پوشش خبری", "ar": "التغطية"},
    "Who reported what": {"fr": "Qui a rapporté quoi", "de": "Wer berichtete was",
                          "es": "Quién informó qué", "id": "Siapa melaporkan apa",
                          "fa": "چه کسی چه گزارش داد", "ar": "من نقل ماذا"},
    "Sources": {"fr": "Sources", "de": "Quellen", "es": "Fuentes", "id": "Sumber",
                "fa": "منابع", "ar": "المصادر"},
    "No summary for this event.": {"fr": "Pas de résumé pour cet événement.",
                                   "de": "Keine Zusammenfassung für dieses Ereignis.",
                                   "es": "No hay resumen de este suceso.",
                                   "id": "Tidak ada ringkasan untuk peristiwa ini.",
                                   "fa": "برای این رویداد خلاصه‌ای نیست.",
                                   "ar": "لا يوجد ملخص لهذا الحدث."},
    "others": {"fr": "autres", "de": "andere", "es": "otros", "id": "lainnya", "fa": "دیگران",
               "ar": "أخرى"},
    "unsupported": {"fr": "sans source", "de": "ohne Quelle", "es": "sin fuente",
                    "id": "tanpa sumber", "fa": "بی‌منبع", "ar": "بلا مصدر"},
    "Note": {"fr": "Remarque", "de": "Hinweis", "es": "Nota", "id": "Catatan", "fa": "یادداشت",
             "ar": "ملاحظة"},
    "Generated {} by briefer": {"fr": "Produit le {} par briefer", "de": "Erstellt {} von briefer",
                                "es": "Generado el {} por briefer", "id": "Dibuat {} oleh briefer",
                                "fa": "ساخته‌شده در {} با briefer", "ar": "أُنشئ في {} بواسطة briefer"},
    "Details in the attached PDF and in brief.html.": {
        "fr": "Détails dans le PDF joint et dans brief.html.",
        "de": "Details im angehängten PDF und in brief.html.",
        "es": "Detalles en el PDF adjunto y en brief.html.",
        "id": "Rincian ada di PDF terlampir dan di brief.html.",
        "fa": "جزئیات در PDF پیوست و در brief.html.",
        "ar": "التفاصيل في ملف PDF المرفق وفي brief.html."},
    "Bracketed numbers are the sources of each sentence; details lists them.": {
        "fr": "Les numéros entre crochets renvoient aux sources de chaque phrase, listées dans les détails.",
        "de": "Die Zahlen in Klammern sind die Quellen jedes Satzes; die Details listen sie auf.",
        "es": "Los números entre corchetes son las fuentes de cada frase; los detalles las enumeran.",
        "id": "Angka dalam kurung adalah sumber setiap kalimat; rinciannya ada di bagian Rincian.",
        "fa": "شماره‌های داخل کروشه منابع هر جمله‌اند و در بخش جزئیات آمده‌اند.",
        "ar": "الأرقام بين معقوفين هي مصادر كل جملة، ومذكورة في قسم التفاصيل."},
    "sources differ": {"fr": "les sources divergent", "de": "Quellen widersprechen sich",
                       "es": "las fuentes difieren", "id": "sumber berbeda",
                       "fa": "اختلاف منابع", "ar": "تختلف المصادر"},
    "only {}": {"fr": "seulement {}", "de": "nur {}", "es": "solo {}", "id": "hanya {}",
                "fa": "فقط {}", "ar": "فقط {}"},
    "and {} more (all in brief.json)": {"fr": "et {} de plus (tous dans brief.json)",
                                        "de": "und {} weitere (alle in brief.json)",
                                        "es": "y {} más (todos en brief.json)",
                                        "id": "dan {} lainnya (semua di brief.json)",
                                        "fa": "و {} مورد دیگر (همه در brief.json)",
                                        "ar": "و{} أخرى (كلها في brief.json)"},
    "No source article supports this sentence": {
        "fr": "Aucun article source n’appuie cette phrase",
        "de": "Kein Quellartikel stützt diesen Satz",
        "es": "Ningún artículo fuente respalda esta frase",
        "id": "Tidak ada artikel sumber yang mendukung kalimat ini",
        "fa": "هیچ خبر منبعی این جمله را تأیید نمی‌کند",
        "ar": "لا يدعم أي مقال مصدر هذه الجملة"},
    "Not translated: {}": {"fr": "Non traduit : {}", "de": "Nicht übersetzt: {}",
                           "es": "Sin traducir: {}", "id": "Tidak diterjemahkan: {}",
                           "fa": "ترجمه نشد: {}", "ar": "لم يُترجم: {}"},
    "Only one source, {}, reports this event: its claims cannot be cross-checked.": {
        "fr": "Une seule source, {}, rapporte cet événement : ses affirmations ne peuvent être recoupées.",
        "de": "Nur eine Quelle, {}, berichtet darüber: ihre Aussagen lassen sich nicht gegenprüfen.",
        "es": "Solo una fuente, {}, informa de este suceso: sus afirmaciones no se pueden contrastar.",
        "id": "Hanya satu sumber, {}, yang melaporkan peristiwa ini: klaimnya tidak dapat diperiksa silang.",
        "fa": "تنها یک منبع، {}، این رویداد را گزارش کرده است: ادعاهایش قابل مقایسه نیست.",
        "ar": "مصدر واحد فقط، {}، ينقل هذا الحدث: لا يمكن التحقق من ادعاءاته بمقارنتها."},
    "{} shared · {} from one source · {} differing": {
        "fr": "{} partagées · {} d’une seule source · {} divergentes",
        "de": "{} geteilt · {} aus einer Quelle · {} abweichend",
        "es": "{} compartidas · {} de una sola fuente · {} discrepantes",
        "id": "{} bersama · {} dari satu sumber · {} berbeda",
        "fa": "{} مشترک · {} از یک منبع · {} متفاوت",
        "ar": "{} مشتركة · {} من مصدر واحد · {} متباينة"},
    "Numbers are the sources that make each claim.": {
        "fr": "Les numéros sont les sources de chaque affirmation.",
        "de": "Die Zahlen sind die Quellen jeder Aussage.",
        "es": "Los números son las fuentes de cada afirmación.",
        "id": "Angka adalah sumber setiap klaim.",
        "fa": "شماره‌ها منابع هر ادعا هستند.",
        "ar": "الأرقام هي مصادر كل ادعاء."},
    "Claim": {"fr": "Affirmation", "de": "Aussage", "es": "Afirmación", "id": "Klaim",
              "fa": "ادعا", "ar": "الادعاء"},
    "Reported by several sources": {"fr": "Rapporté par plusieurs sources",
                                    "de": "Von mehreren Quellen gemeldet",
                                    "es": "Informado por varias fuentes",
                                    "id": "Dilaporkan beberapa sumber",
                                    "fa": "گزارش‌شده از چند منبع", "ar": "نقلته عدة مصادر"},
    "Reported by one source only": {"fr": "Rapporté par une seule source",
                                    "de": "Nur von einer Quelle gemeldet",
                                    "es": "Informado por una sola fuente",
                                    "id": "Dilaporkan satu sumber saja",
                                    "fa": "گزارش‌شده فقط از یک منبع", "ar": "نقله مصدر واحد فقط"},
    "Sources disagree": {"fr": "Les sources divergent", "de": "Quellen widersprechen sich",
                         "es": "Las fuentes discrepan", "id": "Sumber tidak sepakat",
                         "fa": "منابع هم‌نظر نیستند", "ar": "المصادر مختلفة"},
    "relays {}": {"fr": "relaie {}", "de": "übernimmt {}", "es": "reproduce {}",
                  "id": "meneruskan {}", "fa": "بازنشر {}", "ar": "ينقل عن {}"},
    "via {}": {"fr": "via {}", "de": "über {}", "es": "vía {}", "id": "via {}", "fa": "به نقل از {}",
               "ar": "عبر {}"},
    "{}, {} ({})": {"fa": "{}، {} ({})", "ar": "{}، {} ({})"},
    "Translated texts in their original words ({})": {
        "fr": "Textes traduits dans leur version originale ({})",
        "de": "Übersetzte Texte im Original ({})",
        "es": "Textos traducidos en su versión original ({})",
        "id": "Teks terjemahan dalam bahasa aslinya ({})",
        "fa": "متن اصلی نوشته‌های ترجمه‌شده ({})",
        "ar": "النصوص المترجمة بلغتها الأصلية ({})"},
    "summarizer: {}": {"fr": "résumeur : {}", "de": "Zusammenfassung: {}", "es": "resumidor: {}",
                       "id": "peringkas: {}", "fa": "خلاصه‌ساز: {}", "ar": "أداة التلخيص: {}"},
    "Translated into {} by {} on this machine; each translation is marked with its language, its original is kept.": {
        "fr": "Traduit en {} par {} sur cette machine ; chaque traduction indique sa langue d’origine et garde l’original.",
        "de": "Übersetzt ins {} von {} auf diesem Rechner; jede Übersetzung nennt ihre Ausgangssprache, das Original bleibt erhalten.",
        "es": "Traducido al {} por {} en este equipo; cada traducción indica su idioma y conserva el original.",
        "id": "Diterjemahkan ke bahasa {} oleh {} di mesin ini; setiap terjemahan menyebut bahasanya dan aslinya disimpan.",
        "fa": "ترجمه به {} با {} روی همین رایانه؛ زبان هر ترجمه ذکر و متن اصلی نگه داشته شده است.",
        "ar": "تُرجم إلى {} بواسطة {} على هذا الجهاز؛ تُذكر لغة كل ترجمة ويُحفظ نصها الأصلي."},
    "Sentences marked “unsupported” matched no source: check them before relying on them.": {
        "fr": "Les phrases marquées « sans source » ne correspondent à aucune source : vérifiez-les avant de vous y fier.",
        "de": "Sätze mit „ohne Quelle“ passen zu keiner Quelle: vor Gebrauch prüfen.",
        "es": "Las frases marcadas «sin fuente» no coinciden con ninguna fuente: compruébelas antes de fiarse.",
        "id": "Kalimat bertanda “tanpa sumber” tidak cocok dengan sumber mana pun: periksa sebelum mengandalkannya.",
        "fa": "جمله‌های «بی‌منبع» با هیچ منبعی جور نشدند: پیش از استناد بررسی‌شان کنید.",
        "ar": "الجمل الموسومة «بلا مصدر» لم تطابق أي مصدر: تحقق منها قبل الاعتماد عليها."},
    "“Who reported what” lines up each event’s statements, across languages, with the sources that make them; “sources differ” marks figures or days the sources give differently.": {
        "fr": "« Qui a rapporté quoi » aligne les affirmations de chaque événement, toutes langues confondues, avec les sources qui les font ; « les sources divergent » signale des chiffres ou des jours donnés différemment.",
        "de": "„Wer berichtete was“ ordnet die Aussagen jedes Ereignisses sprachübergreifend den Quellen zu; „Quellen widersprechen sich“ markiert abweichende Zahlen oder Tage.",
        "es": "«Quién informó qué» alinea las afirmaciones de cada suceso, en todos los idiomas, con las fuentes que las hacen; «las fuentes difieren» señala cifras o días dados de forma distinta.",
        "id": "“Siapa melaporkan apa” menjajarkan pernyataan setiap peristiwa, lintas bahasa, dengan sumbernya; “sumber berbeda” menandai angka atau hari yang diberikan berbeda.",
        "fa": "«چه کسی چه گزارش داد» گفته‌های هر رویداد را در همه زبان‌ها کنار منابعشان می‌گذارد؛ «اختلاف منابع» رقم‌ها یا روزهایی را نشان می‌دهد که منابع متفاوت گفته‌اند.",
        "ar": "«من نقل ماذا» يضع أقوال كل حدث، بكل اللغات، بجانب مصادرها؛ و«تختلف المصادر» يشير إلى أرقام أو أيام تختلف بين المصادر."},
    "Outlet": {"fr": "Média", "de": "Medium", "es": "Medio", "id": "Media", "fa": "رسانه",
               "ar": "الوسيلة"},
    "Type · country": {"fr": "Type · pays", "de": "Art · Land", "es": "Tipo · país",
                       "id": "Jenis · negara", "fa": "نوع · کشور", "ar": "النوع · البلد"},
    "Language": {"fr": "Langue", "de": "Sprache", "es": "Idioma", "id": "Bahasa", "fa": "زبان",
                 "ar": "اللغة"},
    "Published": {"fr": "Publié", "de": "Veröffentlicht", "es": "Publicado", "id": "Terbit",
                  "fa": "انتشار", "ar": "النشر"},
    "Title": {"fr": "Titre", "de": "Titel", "es": "Título", "id": "Judul", "fa": "عنوان",
              "ar": "العنوان"},
    "Path or URL": {"fr": "Chemin ou URL", "de": "Pfad oder URL", "es": "Ruta o URL",
                    "id": "Jalur atau URL", "fa": "مسیر یا نشانی", "ar": "المسار أو الرابط"},
    "In the sources’ own words": {"fr": "Dans les mots des sources", "de": "In den Worten der Quellen",
                                  "es": "En palabras de las fuentes", "id": "Dalam kata-kata sumber",
                                  "fa": "به روایت خود منابع", "ar": "بكلمات المصادر"},
    "Source": {"fr": "Source", "de": "Quelle", "es": "Fuente", "id": "Sumber", "fa": "منبع",
               "ar": "المصدر"},
    "Their sentence": {"fr": "Leur phrase", "de": "Ihr Satz", "es": "Su frase", "id": "Kalimatnya",
                       "fa": "جمله‌اش", "ar": "جملته"},
    "Articles by language and outlet.": {
        "fr": "Articles par langue et par média.", "de": "Artikel nach Sprache und Medium.",
        "es": "Artículos por idioma y medio.", "id": "Artikel menurut bahasa dan media.",
        "fa": "خبرها بر پایه زبان و رسانه.", "ar": "المقالات حسب اللغة والوسيلة."},
    "per day": {"fr": "par jour", "de": "pro Tag", "es": "por día", "id": "per hari",
                "fa": "در روز", "ar": "يوميًا"},
    "per {} days": {"fr": "par {} jours", "de": "je {} Tage", "es": "cada {} días",
                    "id": "per {} hari", "fa": "هر {} روز", "ar": "كل {} أيام"},
    "Articles per day, {} to {}": {"fr": "Articles par jour, du {} au {}",
                                   "de": "Artikel pro Tag, {} bis {}",
                                   "es": "Artículos por día, del {} al {}",
                                   "id": "Artikel per hari, {} sampai {}",
                                   "fa": "خبرها در روز، از {} تا {}",
                                   "ar": "المقالات يوميًا، من {} إلى {}"},
    "Articles per {} days, {} to {}": {"fr": "Articles par {} jours, du {} au {}",
                                       "de": "Artikel je {} Tage, {} bis {}",
                                       "es": "Artículos cada {} días, del {} al {}",
                                       "id": "Artikel per {} hari, {} sampai {}",
                                       "fa": "خبرها هر {} روز، از {} تا {}",
                                       "ar": "المقالات كل {} أيام، من {} إلى {}"},
    "Inputs skipped: {} (listed in brief.json)": {
        "fr": "Entrées ignorées : {} (listées dans brief.json)",
        "de": "Übersprungene Eingaben: {} (aufgeführt in brief.json)",
        "es": "Entradas omitidas: {} (listadas en brief.json)",
        "id": "Masukan dilewati: {} (tercantum di brief.json)",
        "fa": "ورودی‌های کنارگذاشته: {} (فهرست در brief.json)",
        "ar": "المدخلات المتجاوزة: {} (مدرجة في brief.json)"},
}  # fmt: skip

# Counted nouns by CLDR plural category; "other" is the fallback. "{}" is the number.
_COUNTS: dict[str, dict[str, dict[str, str]]] = {
    "outlet": {
        "en": {"one": "{} outlet", "other": "{} outlets"},
        "fr": {"one": "{} média", "other": "{} médias"},
        "de": {"one": "{} Medium", "other": "{} Medien"},
        "es": {"one": "{} medio", "other": "{} medios"},
        "id": {"other": "{} media"},
        "fa": {"other": "{} رسانه"},
        "ar": {"zero": "لا مصادر", "one": "مصدر واحد", "two": "مصدران", "few": "{} مصادر",
               "many": "{} مصدرًا", "other": "{} مصدر"},
    },
    "language": {
        "en": {"one": "{} language", "other": "{} languages"},
        "fr": {"one": "{} langue", "other": "{} langues"},
        "de": {"one": "{} Sprache", "other": "{} Sprachen"},
        "es": {"one": "{} idioma", "other": "{} idiomas"},
        "id": {"other": "{} bahasa"},
        "fa": {"other": "{} زبان"},
        "ar": {"zero": "لا لغات", "one": "لغة واحدة", "two": "لغتان", "few": "{} لغات",
               "many": "{} لغة", "other": "{} لغة"},
    },
    "country": {
        "en": {"one": "{} country", "other": "{} countries"},
        "fr": {"one": "{} pays", "other": "{} pays"},
        "de": {"one": "{} Land", "other": "{} Länder"},
        "es": {"one": "{} país", "other": "{} países"},
        "id": {"other": "{} negara"},
        "fa": {"other": "{} کشور"},
        "ar": {"zero": "لا بلدان", "one": "بلد واحد", "two": "بلدان", "few": "{} بلدان",
               "many": "{} بلدًا", "other": "{} بلد"},
    },
    "article": {
        "en": {"one": "{} article", "other": "{} articles"},
        "fr": {"one": "{} article", "other": "{} articles"},
        "de": {"one": "{} Artikel", "other": "{} Artikel"},
        "es": {"one": "{} artículo", "other": "{} artículos"},
        "id": {"other": "{} artikel"},
        "fa": {"other": "{} خبر"},
        "ar": {"zero": "لا مقالات", "one": "مقال واحد", "two": "مقالان", "few": "{} مقالات",
               "many": "{} مقالًا", "other": "{} مقال"},
    },
    "report": {
        "en": {"one": "{} report", "other": "{} reports"},
        "fr": {"one": "{} article", "other": "{} articles"},
        "de": {"one": "{} Meldung", "other": "{} Meldungen"},
        "es": {"one": "{} noticia", "other": "{} noticias"},
        "id": {"other": "{} laporan"},
        "fa": {"other": "{} گزارش"},
        "ar": {"zero": "لا تقارير", "one": "تقرير واحد", "two": "تقريران", "few": "{} تقارير",
               "many": "{} تقريرًا", "other": "{} تقرير"},
    },
    "independent source": {
        "en": {"one": "{} independent source", "other": "{} independent sources"},
        "fr": {"one": "{} source indépendante", "other": "{} sources indépendantes"},
        "de": {"one": "{} unabhängige Quelle", "other": "{} unabhängige Quellen"},
        "es": {"one": "{} fuente independiente", "other": "{} fuentes independientes"},
        "id": {"other": "{} sumber independen"},
        "fa": {"other": "{} منبع مستقل"},
        "ar": {"zero": "لا مصادر مستقلة", "one": "مصدر مستقل واحد", "two": "مصدران مستقلان",
               "few": "{} مصادر مستقلة", "many": "{} مصدرًا مستقلًا", "other": "{} مصدر مستقل"},
    },
    "unnamed source": {
        "en": {"one": "{} unnamed source", "other": "{} unnamed sources"},
        "fr": {"one": "{} source sans nom", "other": "{} sources sans nom"},
        "de": {"one": "{} unbenannte Quelle", "other": "{} unbenannte Quellen"},
        "es": {"one": "{} fuente sin nombre", "other": "{} fuentes sin nombre"},
        "id": {"other": "{} sumber tanpa nama"},
        "fa": {"other": "{} منبع بی‌نام"},
        "ar": {"zero": "لا مصادر غير مسمّاة", "one": "مصدر واحد غير مسمّى", "two": "مصدران غير مسمّيين",
               "few": "{} مصادر غير مسمّاة", "many": "{} مصدرًا غير مسمّى", "other": "{} مصدر غير مسمّى"},
    },
    "undated article not shown": {
        "en": {"one": "{} undated article not shown.", "other": "{} undated articles not shown."},
        "fr": {"one": "{} article non daté n’est pas montré.", "other": "{} articles non datés ne sont pas montrés."},
        "de": {"one": "{} Artikel ohne Datum nicht gezeigt.", "other": "{} Artikel ohne Datum nicht gezeigt."},
        "es": {"one": "{} artículo sin fecha no se muestra.", "other": "{} artículos sin fecha no se muestran."},
        "id": {"other": "{} artikel tanpa tanggal tidak ditampilkan."},
        "fa": {"other": "{} خبر بی‌تاریخ نشان داده نشده است."},
        "ar": {"zero": "لا مقالات بلا تاريخ.", "one": "مقال واحد بلا تاريخ لم يُعرض.",
               "two": "مقالان بلا تاريخ لم يُعرضا.", "few": "{} مقالات بلا تاريخ لم تُعرض.",
               "many": "{} مقالًا بلا تاريخ لم تُعرض.", "other": "{} مقال بلا تاريخ لم يُعرض."},
    },
    "event": {
        "en": {"one": "{} event", "other": "{} events"},
        "fr": {"one": "{} événement", "other": "{} événements"},
        "de": {"one": "{} Ereignis", "other": "{} Ereignisse"},
        "es": {"one": "{} suceso", "other": "{} sucesos"},
        "id": {"other": "{} peristiwa"},
        "fa": {"other": "{} رویداد"},
        "ar": {"zero": "لا أحداث", "one": "حدث واحد", "two": "حدثان", "few": "{} أحداث",
               "many": "{} حدثًا", "other": "{} حدث"},
    },
}  # fmt: skip

# "{events} from {articles} by {outlets}"
_STANDFIRST = {
    "en": "{} from {} by {}", "fr": "{} tirés de {} de {}", "de": "{} aus {} von {}",
    "es": "{} a partir de {} de {}", "id": "{} dari {} oleh {}", "fa": "{} از {} در {}",
    "ar": "{} من {} عبر {}",
}  # fmt: skip


class Labels:
    """Every word the brief says itself, in one reader language."""

    def __init__(self, lang: str | None) -> None:
        code = (lang or "en").strip().lower().replace("_", "-")
        try:
            self.locale = Locale.parse(code, sep="-")
        except (UnknownLocaleError, ValueError):
            log.warning("no locale data for %r; dates and numbers are written in English", code)
            self.locale = Locale.parse("en")
        self.lang = code.split("-")[0]
        if self.lang not in LANGUAGES:
            log.info("the brief's own words have no %r translation; they stay English", code)
        self.dir = "rtl" if self.locale.text_direction == "rtl" else "ltr"

    @property
    def rtl(self) -> bool:
        return self.dir == "rtl"

    def __getitem__(self, phrase: str) -> str:
        return _PHRASES.get(phrase, {}).get(self.lang, phrase)

    def say(self, phrase: str, *values: object) -> str:
        return self[phrase].format(*values)

    def number(self, n: int) -> str:
        return format_decimal(n, locale=self.locale)

    def number_text(self, value: str) -> str:
        """A figure quoted from a source, kept as the source wrote it."""
        return value

    def count(self, noun: str, n: int) -> str:
        forms = _COUNTS[noun].get(self.lang) or _COUNTS[noun]["en"]
        form = forms.get(self.locale.plural_form(n)) or forms["other"]
        return form.format(self.number(n))

    def standfirst(self, events: int, articles: int, outlets: int) -> str:
        """'111 events from 284 articles by 60 outlets' (without 'by…' when none is named)."""
        pattern = _STANDFIRST.get(self.lang, _STANDFIRST["en"])
        if not outlets:
            pattern = pattern.rsplit(" ", 2)[0]
        return pattern.format(self.count("event", events), self.count("article", articles),
                              self.count("outlet", outlets))  # fmt: skip

    def page_counter(self) -> str:
        """The PDF's "Page 3 of 8" as a CSS ``content`` value (page numbers are counters)."""
        before, middle, after = self["Page {} of {}"].split("{}")
        return f'"{before}" counter(page) "{middle}" counter(pages) "{after}"'  # our own words

    def plus_more(self, n: int) -> str:
        return self.say("+{} more", self.number(n))

    def first_latest(self, first: str, last: str) -> str:
        return self.say("first report {}, latest {}", first, last)

    def reported(self, when: str) -> str:
        return self.say("reported {}", when)

    def disputed(self, what: str) -> str:
        return self.say("Sources differ: {}", what)

    def disputed_on(self, what: str) -> str:
        return self.say("Sources differ on: {}", what)

    def translated_from(self, code: str) -> str:
        return self.say("from {}", self.language_name(code))

    def language_name(self, code: str | None) -> str:
        """'Persian' (en), 'persan' (fr), 'فارسی' (fa); the code itself when unknown."""
        if not code:
            return "?"
        base = code.split("-")[0].lower()
        return self.locale.languages.get(base) or code

    def country_name(self, code: str | None) -> str:
        return self.locale.territories.get((code or "").upper()) or (code or "")

    def long_date(self, when: datetime | None) -> str:
        return format_date(when, "full", locale=self.locale) if when else ""

    def short_date(self, when: datetime) -> str:
        return format_skeleton("MMMd", when, locale=self.locale)

    def time(self, when: datetime) -> str:
        return format_time(when.astimezone(UTC), "HH:mm", locale=self.locale)

    def timestamp(self, when: datetime | None) -> str:
        if when is None:
            return ""
        return format_datetime(when.astimezone(UTC), "medium", locale=self.locale) + " UTC"
