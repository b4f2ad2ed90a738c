#!/bin/sh
# Make sure the PDF can shape Persian/Arabic and that poppler (pdftotext, pdftoppm) is there
# for checking PDFs. Installs with apt when run as root, otherwise prints the exact command.
need=""
fc-list 2>/dev/null | grep -q "NotoNaskhArabic" || need="$need fonts-noto-core"
fc-list 2>/dev/null | grep -q "DejaVuSans" || need="$need fonts-dejavu-core"
command -v pdftotext >/dev/null 2>&1 || need="$need poppler-utils"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing:$need"
    (apt-get install -y -q $need >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q $need >/dev/null; }) \
        || { echo "apt-get could not install$need" >&2; exit 1; }
else
    echo "Persian/Arabic PDF output needs fonts; run as root: apt-get update && apt-get install -y$need" >&2
fi
