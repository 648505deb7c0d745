#!/bin/sh
# What the tests need of the system, from Debian's packages, installed once:
#   chromium, chromium-driver  the real browser of the console's end-to-end tests
#   fonts-noto-cjk             Chinese glyphs in screenshots, charts and PDF letters
#   libpango-1.0-0, libpangoft2-1.0-0  the text layout WeasyPrint draws PDF letters with
# Without root or apt-get nothing is installed: those tests are skipped and say so in
# their closing line (CI sets TIDEOVER_REQUIRE_BROWSER=1, so it never skips them).
set -eu
need=""
command -v chromium >/dev/null 2>&1 || need="$need chromium"
command -v chromedriver >/dev/null 2>&1 || need="$need chromium-driver"
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need="$need fonts-noto-cjk"
ldconfig -p 2>/dev/null | grep -q "libpango-1.0.so.0" || need="$need libpango-1.0-0"
ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so.0" || need="$need libpangoft2-1.0-0"
[ -n "$need" ] || exit 0
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: not installing$need (needs root and apt-get); browser tests will be skipped"
    exit 0
fi
echo "setup: installing$need from Debian"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
