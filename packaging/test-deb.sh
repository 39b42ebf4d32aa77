#!/usr/bin/env bash
# The Debian package on this machine, as root, into the real system paths:
# lintian, install, config check, unit check, the installed daemon as user argus
# on the installed config (demo video), /healthz, stop, an upgrade to a higher
# version (the edited config and the store kept), remove (both stay), install
# again (both kept), purge (both gone). Also checks the example Prometheus
# rules with Debian's promtool. No systemd runs as PID 1 here: the daemon is
# started directly and the maintainer scripts must cope.
# Usage: packaging/test-deb.sh build/argus_<version>_<arch>.deb
set -euo pipefail

deb=$(readlink -f "$1")
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/argus-test-deb.XXXXXX)
pid=""
installed=""
step() { printf '\n== %s\n' "$*"; }
fail() { echo "test-deb: FAIL: $*" >&2; [ -f "$work/serve.err" ] && tail -20 "$work/serve.err" >&2; exit 1; }
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  # A failed run leaves nothing installed behind (the state it created included).
  [ -n "$installed" ] && DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq argus >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || fail "needs root (it installs into /usr, /etc, /var/lib)"
[ -f "$deb" ] || fail "no package at $1 (run make deb)"
if dpkg-query -W -f='${Status}' argus 2>/dev/null | grep -q 'ok installed'; then
  fail "argus is already installed here; this test would remove it"
fi
for d in /var/lib/argus /etc/argus; do
  [ ! -e "$d" ] || fail "$d exists (a manual install?); this test would purge it"
done

step "package metadata"
dpkg-deb --field "$deb" Package Version Architecture Depends
depends=$(dpkg-deb --field "$deb" Depends)
for lib in libopencv libavcodec libsqlite3 libsystemd0 libmosquitto adduser; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
dpkg-deb --contents "$deb" | awk '{print $6}' >"$work/contents"
for f in ./usr/bin/argus ./etc/argus/argus.yaml ./lib/systemd/system/argus.service \
         ./usr/share/argus/web/index.html ./usr/share/man/man1/argus.1.gz ./usr/share/doc/argus/copyright \
         ./usr/share/doc/argus/changelog.gz \
         ./usr/share/doc/argus/README.md ./usr/share/doc/argus/docs/prometheus-alerts.yml; do
  grep -qx "$f" "$work/contents" || fail "package lacks $f"
done

step "lintian (Debian policy): no error or warning"
# Info tags it still prints, on purpose: the dashboard's index.html is not
# documentation; systemd is the only init supported; no doc-base registration.
lintian --fail-on error,warning "$deb" >"$work/lintian.log" 2>&1 || { cat "$work/lintian.log"; fail "lintian"; }
grep -v '^running with root privileges' "$work/lintian.log" || true

step "install"
installed=1
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" >"$work/apt.log" 2>&1 ||
  { cat "$work/apt.log"; fail "apt-get install"; }
id argus || fail "no user argus"
[ "$(stat -c %U:%a /var/lib/argus)" = argus:750 ] || fail "/var/lib/argus: $(stat -c %U:%a /var/lib/argus)"
[ "$(stat -c %U:%G:%a /etc/argus/argus.yaml)" = root:argus:640 ] ||
  fail "/etc/argus/argus.yaml: $(stat -c %U:%G:%a /etc/argus/argus.yaml)"

step "argus config check /etc/argus/argus.yaml"
runuser -u argus -- argus config check /etc/argus/argus.yaml

step "systemd-analyze verify argus.service (offline: systemd need not be PID 1)"
command -v systemd-analyze >/dev/null || fail "no systemd-analyze (make test-deb installs systemd)"
# verify exits 0 on unknown keys and bad values (it only warns): any output fails.
out=$(systemd-analyze verify --man=no /lib/systemd/system/argus.service 2>&1) || fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify: $out"
# The hardening as systemd scores it (0 = locked down, 10 = exposed; 1.7 when written).
systemd-analyze security --offline=true --threshold=20 /lib/systemd/system/argus.service |
  tail -1 || fail "systemd-analyze security: exposure above 2.0"

step "argus token add (as argus, into the installed store)"
token=$(runuser -u argus -- argus token add test-deb --role viewer --config /etc/argus/argus.yaml)
[ -n "$token" ] || fail "no token"

step "the installed daemon as user argus (from /, installed config, demo video)"
(cd / && exec setpriv --reuid=argus --regid=argus --init-groups /usr/bin/argus serve --config /etc/argus/argus.yaml --port 0 \
  >"$work/serve.out" 2>"$work/serve.err") &
pid=$!
port=""
for _ in $(seq 600); do
  port=$(sed -n 's/^listening on port \([0-9]*\)$/\1/p' "$work/serve.out")
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || fail "argus serve exited early"
  sleep 0.1
done
[ -n "$port" ] || fail "argus serve did not listen within 60 s"
http_get() {  # path -> response (bash's /dev/tcp: nothing to install)
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf 'GET %s HTTP/1.0\r\nHost: localhost\r\nAuthorization: Bearer %s\r\n\r\n' "$1" "$token" >&3
  cat <&3
  exec 3<&-
}
status_line() { local r; r=$(http_get "$1"); echo "${r%%$'\r'*}"; }
health=$(status_line /healthz)
[[ $health == *" 200 "* ]] || fail "/healthz: $health"
echo "/healthz: $health"
[[ $(status_line /) == *" 200 "* ]] || fail "the dashboard is not served from /usr/share/argus/web"
# The demo camera comes online: the installed binary decodes the demo video.
online=""
for _ in $(seq 60); do
  [[ $(http_get /api/cameras) == *'"online"'* ]] && { online=1; break; }
  sleep 0.5
done
[ -n "$online" ] || fail "the demo camera did not come online: $(http_get /api/cameras | tail -1)"
metrics=$(http_get /metrics)
grep '^argus_camera_up' <<<"$metrics" || fail "/metrics: $metrics"
[ "$(stat -c %U /var/lib/argus/argus.db)" = argus ] || fail "store not created by argus in /var/lib/argus"
[ "$(ps -o user= -p "$pid")" = argus ] || fail "not running as argus"
kill -TERM "$pid"
wait "$pid" || fail "argus serve exited with $? on SIGTERM"
pid=""
grep -q '^stopped$' "$work/serve.out" || fail "no graceful stop"

step "upgrade to a newer version: the edited config and the store are kept"
# The site's edit of the conffile, as an admin would make it.
sed -i 's/^  name: My museum$/  name: Test-deb museum/' /etc/argus/argus.yaml
grep -q '^  name: Test-deb museum$' /etc/argus/argus.yaml || fail "could not edit the conffile"
conf_sum=$(sha256sum /etc/argus/argus.yaml)
db_sum=$(sha256sum /var/lib/argus/argus.db)
old_version=$(dpkg-deb --field "$deb" Version)
new_version="$old_version+upgrade1"
# The same package with a higher version: dpkg runs the real upgrade path
# (prerm upgrade, postinst configure <old version>), and a conffile edited here
# but unchanged in the package is kept without a question.
dpkg-deb -R "$deb" "$work/next"
sed -i "s/^Version: .*/Version: $new_version/" "$work/next/DEBIAN/control"
dpkg-deb -b "$work/next" "$work/next.deb" >/dev/null
DEBIAN_FRONTEND=noninteractive dpkg -i "$work/next.deb" >"$work/apt.log" 2>&1 ||
  { cat "$work/apt.log"; fail "upgrade"; }
[ "$(dpkg-query -W -f='${Version}' argus)" = "$new_version" ] || fail "not upgraded to $new_version"
[ "$(sha256sum /etc/argus/argus.yaml)" = "$conf_sum" ] || fail "the upgrade changed the edited config"
[ "$(stat -c %U:%G:%a /etc/argus/argus.yaml)" = root:argus:640 ] ||
  fail "the upgrade changed the config's owner or mode: $(stat -c %U:%G:%a /etc/argus/argus.yaml)"
[ "$(sha256sum /var/lib/argus/argus.db)" = "$db_sum" ] || fail "the upgrade changed the store"
[ "$(stat -c %U:%a /var/lib/argus)" = argus:750 ] || fail "/var/lib/argus after upgrade: $(stat -c %U:%a /var/lib/argus)"
runuser -u argus -- argus config check /etc/argus/argus.yaml
# The upgraded binary opens the store the first one wrote: the token still works.
tokens=$(runuser -u argus -- argus token list --config /etc/argus/argus.yaml)
[[ $tokens == *$'\t'test-deb$'\t'* ]] || fail "the token made before the upgrade is gone: $tokens"
db_sum=$(sha256sum /var/lib/argus/argus.db)  # opening the store may checkpoint it

step "remove: the store and the config stay"
DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq argus >"$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "remove"; }
[ ! -e /usr/bin/argus ] || fail "/usr/bin/argus left after remove"
[ "$(sha256sum /var/lib/argus/argus.db)" = "$db_sum" ] || fail "remove changed or deleted the store"
[ "$(sha256sum /etc/argus/argus.yaml)" = "$conf_sum" ] || fail "remove changed or deleted the conffile"

step "install again after remove: the edited config and the store are kept"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$work/next.deb" >"$work/apt.log" 2>&1 ||
  { cat "$work/apt.log"; fail "reinstall"; }
[ "$(sha256sum /etc/argus/argus.yaml)" = "$conf_sum" ] || fail "reinstall changed the edited config"
[ "$(sha256sum /var/lib/argus/argus.db)" = "$db_sum" ] || fail "reinstall changed the store"

step "purge: everything goes"
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq argus >"$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "purge"; }
[ ! -e /var/lib/argus ] || fail "purge left /var/lib/argus"
[ ! -e /etc/argus ] || fail "purge left /etc/argus"
installed=""

step "promtool check rules docs/prometheus-alerts.yml"
promtool=$(command -v promtool || true)
if [ -z "$promtool" ]; then
  # Only the checker of Debian's prometheus package, not its daemon.
  # apt downloads as user _apt: into a folder it may write.
  install -d -o _apt "$work/dl"
  chmod 0755 "$work"
  (cd "$work/dl" && apt-get download -qq prometheus >/dev/null && dpkg-deb -x prometheus_*.deb ../root)
  promtool="$work/root/usr/bin/promtool"
fi
"$promtool" check rules "$src/docs/prometheus-alerts.yml"

echo "test-deb: ok"
