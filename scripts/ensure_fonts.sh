#!/bin/sh
# Make sure the PDF has a font made for every script the news comes in (Noto: Arabic, Hebrew,
# Thai, Devanagari and the other Indic scripts, Ethiopic, Georgian... in fonts-noto-core;
# Chinese, Japanese and Korean in fonts-noto-cjk) and that poppler (pdftotext, pdffonts,
# pdftoppm) is there for checking PDFs. Installs with apt when run as root, otherwise prints
# the exact command.
need=""
fonts=$(fc-list 2>/dev/null)
for face in NotoNaskhArabic NotoSansThai NotoSansDevanagari NotoSansHebrew; do
    echo "$fonts" | grep -q "$face" || { need="$need fonts-noto-core"; break; }
done
echo "$fonts" | grep -q "NotoSansCJK" || need="$need fonts-noto-cjk"
echo "$fonts" | grep -q "DejaVuSans" || need="$need fonts-dejavu-core"
command -v pdftotext >/dev/null 2>&1 || need="$need poppler-utils"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing:$need"
    (apt-get install -y -q $need >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q $need >/dev/null; }) \
        || { echo "apt-get could not install$need" >&2; exit 1; }
else
    echo "PDF output in every script needs fonts; run as root: apt-get update && apt-get install -y$need" >&2
fi
