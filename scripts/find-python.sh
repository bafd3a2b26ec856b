#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter (Rasa 3.6 needs Python < 3.11).
# Order: $PYTHON if set, python3.10 on PATH, any pyenv 3.10.x, common install places.
set -u

is_310() {
  "$@" -c 'import sys; assert sys.version_info[:2] == (3, 10); print(sys.executable)' 2>/dev/null
}

if [ -n "${PYTHON:-}" ]; then
  if is_310 "$PYTHON"; then exit 0; fi
  echo "PYTHON=$PYTHON is not a Python 3.10 interpreter." >&2
  exit 1
fi

is_310 python3.10 && exit 0

if command -v pyenv >/dev/null 2>&1 || [ -d "${PYENV_ROOT:-$HOME/.pyenv}/versions" ]; then
  root="${PYENV_ROOT:-$HOME/.pyenv}"
  for version in $(ls -1 "$root/versions" 2>/dev/null | grep -E '^3\.10(\.[0-9]+)?$' | sort -t. -k3 -n -r); do
    is_310 "$root/versions/$version/bin/python3.10" && exit 0
    PYENV_VERSION="$version" is_310 python3.10 && exit 0
  done
fi

for candidate in /usr/bin/python3.10 /usr/local/bin/python3.10 /opt/python3.10/bin/python3.10; do
  [ -x "$candidate" ] && is_310 "$candidate" && exit 0
done

cat >&2 <<'MSG'
No Python 3.10 found. Rasa 3.6 needs Python 3.10 (not 3.11 or newer).
Install one, for example:
  pyenv install 3.10.13         (then run make again)
  apt-get install python3.10 python3.10-venv   (where your distribution has it)
or point to one: make run PYTHON=/path/to/python3.10
MSG
exit 1
