# Shared by bin/start and bin/test: install the Debian packages given as arguments that are not
# installed yet (apt-get, as root or through sudo; nothing happens when all are there).
# The PDF letter (WeasyPrint) needs Pango and its fonts: DejaVu (Latin, Greek, Cyrillic), Amiri
# (Arabic) and Droid Sans Fallback (Chinese, Japanese, Korean).
PDF_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
  fonts-hosny-amiri fonts-droid-fallback)

ensure_debian_packages() {
  local missing=() package sudo=""
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$package")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "Installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}
