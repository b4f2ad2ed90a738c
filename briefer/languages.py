"""Language codes for the reader's language (``--lang``).

briefer speaks ISO 639-1 codes (``fr``, ``fa``) everywhere, as py3langid does. Cross-lingual
summarisers of the XL-Sum/CrossSum family name their target languages by the names of the
XL-Sum subsets (``french``, ``persian``) in ``config.task_specific_params["langid_map"]``;
this table only translates between the two spellings. Which languages a model can write, and
with which decoder start token, is always read from the model's own config.
"""

from __future__ import annotations

# ISO code -> XL-Sum/CrossSum language name (the 45 XL-Sum languages).
XLSUM_NAMES: dict[str, str] = {
    "am": "amharic", "ar": "arabic", "az": "azerbaijani", "bn": "bengali", "my": "burmese",
    "zh": "chinese_simplified", "zh-cn": "chinese_simplified", "zh-hans": "chinese_simplified",
    "zh-tw": "chinese_traditional", "zh-hant": "chinese_traditional", "en": "english",
    "fr": "french", "gu": "gujarati", "ha": "hausa", "hi": "hindi", "ig": "igbo",
    "id": "indonesian", "ja": "japanese", "rn": "kirundi", "ko": "korean", "ky": "kyrgyz",
    "mr": "marathi", "ne": "nepali", "om": "oromo", "ps": "pashto", "fa": "persian",
    "pcm": "pidgin", "pt": "portuguese", "pa": "punjabi", "ru": "russian",
    "gd": "scottish_gaelic", "sr": "serbian_cyrillic", "sr-cyrl": "serbian_cyrillic",
    "sr-latn": "serbian_latin", "si": "sinhala", "so": "somali", "es": "spanish",
    "sw": "swahili", "ta": "tamil", "te": "telugu", "th": "thai", "ti": "tigrinya",
    "tr": "turkish", "uk": "ukrainian", "ur": "urdu", "uz": "uzbek", "vi": "vietnamese",
    "cy": "welsh", "yo": "yoruba",
}  # fmt: skip

# The code briefer reports for each name (first code listed above wins).
_CODE_OF_NAME: dict[str, str] = {}
for _code, _name in XLSUM_NAMES.items():
    _CODE_OF_NAME.setdefault(_name, _code)


def normalize_code(value: str) -> str:
    """``"FR"`` -> ``"fr"``, ``"zh_TW"`` -> ``"zh-tw"``, ``"french"`` -> ``"fr"``."""
    key = value.strip().lower().replace("_", "-")
    if key.replace("-", "_") in _CODE_OF_NAME:
        return _CODE_OF_NAME[key.replace("-", "_")]
    return key


def model_language_name(code: str, langid_map: dict) -> str | None:
    """The key of ``langid_map`` that writes language ``code``, or None."""
    code = normalize_code(code)
    candidates = [XLSUM_NAMES.get(code), XLSUM_NAMES.get(code.split("-")[0]), code]
    for name in candidates:
        if name and name in langid_map:
            return name
    return None


def code_of(name: str) -> str:
    """The ISO code briefer reports for a langid_map name (the name itself if unknown)."""
    return _CODE_OF_NAME.get(name, name)


def display_name(code: str) -> str:
    """``"fr"`` -> ``"French"``; an unknown code is returned as it is."""
    name = XLSUM_NAMES.get(normalize_code(code))
    if not name:
        return code
    if name.startswith(("chinese_", "serbian_")):
        base, variant = name.split("_", 1)
        return f"{base.title()} ({variant})"
    return name.replace("_", " ").title()
