# Shared by bin/start and bin/test: a Python 3.11 virtual environment in .venv with the
# requirements file given as $1 installed (pinned versions; re-running is cheap).
find_python() {
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      command -v "$candidate"
      return 0
    fi
  done
  echo "undersigned needs Python 3.11 (python3.11 or python3 on PATH)" >&2
  return 1
}

setup_venv() {
  local requirements=$1 python stamp
  python=$(find_python)
  [ -x .venv/bin/python ] || "$python" -m venv .venv
  stamp=".venv/.installed-$(basename "$requirements")"
  # Reinstall only when a requirements file changed since the last install.
  if [ ! -f "$stamp" ] || [ requirements.txt -nt "$stamp" ] || [ "$requirements" -nt "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
    touch "$stamp"
  fi
}
