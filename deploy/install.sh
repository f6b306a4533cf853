#!/bin/sh
# Install (or upgrade) newswatch as a systemd service, from this checkout, as root:
#
#   sudo deploy/install.sh
#
# Code and venv go to /opt/newswatch (root's, read-only to the service), the config to
# /etc/newswatch/config.yaml (root:newswatch 0640; an existing one is kept), secrets to
# /etc/newswatch/env, and the archive to /var/lib/newswatch (the unit's StateDirectory,
# 0700, the service user's). tests/test_deploy.py checks every path and name here against
# deploy/newswatch.service.
set -eu

user=newswatch
code=/opt/newswatch
conf=/etc/newswatch
data=/var/lib/newswatch
unit=/etc/systemd/system/newswatch.service
src=$(cd "$(dirname "$0")/.." && pwd)
# The system's Python: one under /root or /home (pyenv) is hidden from the service.
python=${PYTHON:-/usr/bin/python3}

fail() { echo "install.sh: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || fail "run as root (sudo deploy/install.sh)"
"$python" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null \
  || fail "$python: Python >= 3.11 is needed (PYTHON=/path/to/python3 to choose one)"
"$python" -c 'import ensurepip, venv' 2>/dev/null \
  || fail "$python: venv is missing (apt-get install python3-venv)"
case $(readlink -f "$python") in
  /root/* | /home/*) fail "$python is in a home folder, which the service cannot see" ;;
esac

# The service user: no login, no home of its own to write in.
id -u "$user" >/dev/null 2>&1 \
  || useradd --system --user-group --home-dir "$data" --no-create-home \
       --shell /usr/sbin/nologin "$user"

# An upgrade: stop the service before its code changes under it.
if [ -d /run/systemd/system ] && systemctl is-active --quiet newswatch; then
  systemctl stop newswatch
fi

# Code and venv, owned by root: the service can read and run them, never change them.
install -d -o root -g root -m 0755 "$code"
tar -C "$src" --exclude=./.git --exclude=./.venv --exclude=./data --exclude='*.egg-info' \
  --exclude=./build -cf - . | tar -C "$code" --no-same-owner -xf -
"$python" -m venv --clear "$code/.venv"
"$code/.venv/bin/pip" install --quiet --no-cache-dir "$code"
chown -R root:root "$code"
chmod -R u+rwX,go+rX,go-w "$code"

# The config: readable by the service, writable by root only. Kept across upgrades.
install -d -o root -g "$user" -m 0750 "$conf"
if [ ! -e "$conf/config.yaml" ]; then
  sed "s#^database: .*#database: $data/newswatch.db#" "$src/config.yaml" > "$conf/config.yaml"
fi
chown root:"$user" "$conf/config.yaml"
chmod 0640 "$conf/config.yaml"
[ -e "$conf/env" ] || printf '# NEWSWATCH_SMTP_PASSWORD=...\n' > "$conf/env"
chown root:"$user" "$conf/env"
chmod 0640 "$conf/env"

# The archive's folder; systemd (StateDirectory=newswatch) creates it too, same owner, 0700.
install -d -o "$user" -g "$user" -m 0700 "$data"

install -o root -g root -m 0644 "$src/deploy/newswatch.service" "$unit"
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable newswatch
  systemctl restart newswatch
  echo "newswatch is running: journalctl -u newswatch -f; config $conf/config.yaml"
else
  echo "installed; systemd is not running here: start it with systemctl start newswatch"
fi
