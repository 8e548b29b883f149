#!/usr/bin/env bash
# Checks a built Debian package: check-package.sh DEB
#   - control fields: name, version (project version), architecture, Depends from shlibs;
#   - contents: the four programs, units (medmij-fetch's service and timer), nginx site,
#     example config, medmij-fetch's defaults, man pages, completion, and nothing else of the
#     build (no tests, benchmarks, libraries, headers);
#   - the systemd units pass systemd-analyze verify (against this machine's system units) and
#     the fetch timer runs every 5 minutes with a random delay;
#   - lintian reports no error (E:);
#   - unpacked with dpkg -x into a temporary root, each program answers --version with the
#     project version and a commit, and --help; the packaged completion (bash, zsh, fish) is
#     what the packaged medmij-admin generates, and bash and fish load it;
#   - the maintainer scripts, run for real (adduser, chown) in a private mount namespace over a
#     copy of /etc and an empty /var, create the system users and their directories, twice
#     (an upgrade) without changing anything the second time.
# Exit 0 when everything holds; otherwise every failed check is printed.
set -uo pipefail
deb=$1
version=$2   # the project version, e.g. 0.1.0
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
ok() { echo "ok: $*"; }

[ -f "$deb" ] || { echo "no such file: $deb" >&2; exit 2; }
arch=$(dpkg --print-architecture)
[ "$(basename "$deb")" = "medmij-registry_${version}_${arch}.deb" ] ||
  fail "file name $(basename "$deb") is not medmij-registry_${version}_${arch}.deb"

field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = medmij-registry ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$version" ] || fail "Version: $(field Version)"
[ "$(field Architecture)" = "$arch" ] || fail "Architecture: $(field Architecture)"
depends=$(field Depends)
# From dpkg-shlibdeps: the runtime libraries of what the programs link against.
for lib in libc6 libstdc++6 libssl3 libxml2 libxmlsec1 libxmlsec1-openssl liblmdb0 libpistache0 libcurl4 \
  adduser; do
  [[ ", $depends," == *", $lib "* || ", $depends," == *", $lib,"* ]] ||
    fail "Depends lacks $lib: $depends"
done
ok "control: $(field Package) $(field Version) $(field Architecture); Depends: $depends"

contents=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|')
required=(
  /usr/bin/medmij-admin /usr/bin/medmij-registry /usr/bin/medmij-verify /usr/bin/medmij-fetch
  /lib/systemd/system/medmij-registry.service
  /lib/systemd/system/medmij-fetch.service /lib/systemd/system/medmij-fetch.timer
  /etc/default/medmij-fetch
  /etc/nginx/sites-available/medmij-registry
  /etc/medmij-registry/registry.example.toml
  /usr/share/man/man1/medmij-admin.1.gz /usr/share/man/man1/medmij-verify.1.gz
  /usr/share/man/man1/medmij-fetch.1.gz
  /usr/share/man/man8/medmij-registry.8.gz
  /usr/share/bash-completion/completions/medmij-admin
  /usr/share/zsh/vendor-completions/_medmij-admin
  /usr/share/fish/vendor_completions.d/medmij-admin.fish
  /usr/share/doc/medmij-registry/copyright /usr/share/doc/medmij-registry/changelog.gz
)
for f in "${required[@]}"; do
  grep -qxF "$f" <<<"$contents" || fail "missing $f"
done
files=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $6}' | sed 's|^\./|/|')
unexpected=$(grep -vE '^/usr/bin/medmij-(admin|registry|verify|fetch)$|^/lib/systemd/system/|^/etc/(nginx/sites-available|medmij-registry)/|^/etc/default/medmij-fetch$|^/usr/share/(man|bash-completion|zsh/vendor-completions|fish/vendor_completions\.d|doc/medmij-registry)/' <<<"$files")
[ -z "$unexpected" ] || fail "unexpected files in the package: $unexpected"
ok "contents: ${#required[@]} required paths, nothing else"

lint=$(lintian --tag-display-limit 0 "$deb" 2>&1)
if grep -q '^E:' <<<"$lint"; then
  fail "lintian errors:
$(grep '^E:' <<<"$lint")"
else
  ok "lintian: no errors ($(grep -c '^W:' <<<"$lint") warnings)"
fi

work=$(mktemp -d /tmp/medmij-package-check-XXXXXX)
trap 'rm -rf "$work"' EXIT
root="$work/root"
dpkg -x "$deb" "$root"
for prog in medmij-admin medmij-registry medmij-verify medmij-fetch; do
  v=$("$root/usr/bin/$prog" --version 2>&1) || fail "$prog --version exited $?"
  [[ $v =~ ^$prog\ ${version//./\\.}\ \(git\ ([0-9a-f]{40}(-dirty)?|unknown)\)$ ]] ||
    fail "$prog --version: '$v'"
  h=$("$root/usr/bin/$prog" --help 2>&1) || fail "$prog --help exited $?"
  [[ $h == *"--version"* && $h == *"--help"* ]] || fail "$prog --help does not list its options"
  ok "$v"
done
for page in man1/medmij-admin.1 man1/medmij-verify.1 man1/medmij-fetch.1 man8/medmij-registry.8; do
  name=$(basename "$page")
  zcat "$root/usr/share/man/$page.gz" | grep -qi "^\.TH \"\?${name%.*}\"\? \"${name##*.}\"" ||
    fail "$page.gz is not a man page of section ${name##*.}"
done
"$root/usr/bin/medmij-admin" completion bash >"$work/completion" 2>/dev/null
cmp -s "$work/completion" "$root/usr/share/bash-completion/completions/medmij-admin" ||
  fail "the packaged completion is not what the packaged medmij-admin generates"
got=$(bash --norc -c "source '$root/usr/share/bash-completion/completions/medmij-admin';
  COMP_WORDS=(medmij-admin participant en); COMP_CWORD=2; _medmij_admin; echo \"\${COMPREPLY[*]}\"")
[ "$got" = enrol ] || fail "completion of 'medmij-admin participant en' gave '$got'"
for shell in zsh:zsh/vendor-completions/_medmij-admin fish:fish/vendor_completions.d/medmij-admin.fish; do
  "$root/usr/bin/medmij-admin" completion "${shell%%:*}" >"$work/completion.${shell%%:*}" 2>/dev/null
  cmp -s "$work/completion.${shell%%:*}" "$root/usr/share/${shell#*:}" ||
    fail "the packaged ${shell%%:*} completion is not what the packaged medmij-admin generates"
done
got=$(HOME="$work" XDG_CONFIG_HOME="$work/fish-config" XDG_DATA_HOME="$work/fish-data" \
  fish --no-config -c "source '$root/usr/share/fish/vendor_completions.d/medmij-admin.fish'
  complete -C 'medmij-admin participant en'" | cut -f1)
[ "$got" = enrol ] || fail "fish completion of 'medmij-admin participant en' gave '$got'"
grep -q '^ExecStart=/usr/bin/medmij-registry ' "$root/lib/systemd/system/medmij-registry.service" ||
  fail "the unit does not start /usr/bin/medmij-registry"
grep -q '^User=medmij-registry$' "$root/lib/systemd/system/medmij-registry.service" ||
  fail "the unit does not run as medmij-registry"
zcat "$root/usr/share/man/man1/medmij-fetch.1.gz" | grep -q 'EXIT STATUS' ||
  fail "medmij-fetch.1 has no EXIT STATUS section"
ok "unpacked: programs, man pages, completion, unit"

# The units, as systemd reads them: a root made of this machine's system units and the package.
units="$work/units-root"
mkdir -p "$units/lib/systemd" "$units/usr" "$units/etc"
cp -a /lib/systemd/system "$units/lib/systemd/"
cp -a "$root/lib/systemd/system/." "$units/lib/systemd/system/"
cp -a "$root/usr/bin" "$units/usr/"
cp -a "$root/etc/default" "$units/etc/"
for unit in medmij-registry.service medmij-fetch.service medmij-fetch.timer; do
  v=$(systemd-analyze verify --man=no --root="$units" "/lib/systemd/system/$unit" 2>&1) ||
    fail "systemd-analyze verify $unit: $v"
  [ -z "$v" ] || fail "systemd-analyze verify $unit says: $v"
done
timer="$root/lib/systemd/system/medmij-fetch.timer"
grep -qx 'OnCalendar=\*:0/5' "$timer" || fail "medmij-fetch.timer does not run every 5 minutes"
grep -qx 'RandomizedDelaySec=2min' "$timer" || fail "medmij-fetch.timer has no random delay"
[ "$(systemd-analyze calendar --iterations=2 '*:0/5' | grep -c 'Iter\|Next elapse')" -ge 2 ] ||
  fail "systemd-analyze cannot read the timer's calendar"
service="$root/lib/systemd/system/medmij-fetch.service"
grep -q '^ExecStart=/usr/bin/medmij-fetch ' "$service" || fail "the fetch unit does not start /usr/bin/medmij-fetch"
grep -qx 'User=medmij-fetch' "$service" || fail "the fetch unit does not run as medmij-fetch"
for unit in medmij-registry.service medmij-fetch.service; do
  exposure=$(systemd-analyze security --offline=yes --root="$units" "$unit" 2>/dev/null |
    sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
  [ -n "$exposure" ] && awk -v e="$exposure" 'BEGIN { exit !(e < 2.0) }' ||
    fail "$unit: systemd-analyze security exposure '$exposure' (want below 2.0)"
  ok "$unit: systemd-analyze verify clean, security exposure $exposure"
done

# Maintainer scripts, for real, in a private mount namespace: /etc is a copy, /var is empty.
ctrl="$work/control"
dpkg-deb -e "$deb" "$ctrl"
for s in postinst prerm postrm; do
  [ -x "$ctrl/$s" ] || fail "no executable $s"
  sh -n "$ctrl/$s" || fail "$s: syntax"
done
grep -qxF /etc/medmij-registry/registry.example.toml "$ctrl/conffiles" ||
  fail "conffiles lacks the example config"
grep -qxF /etc/default/medmij-fetch "$ctrl/conffiles" || fail "conffiles lacks /etc/default/medmij-fetch"
if [ "$(id -u)" -ne 0 ]; then
  fail "the maintainer scripts are run as root (as dpkg runs them); run this check as root"
else
  cp -a /etc "$work/etc"
  mkdir -p "$work/var" "$work/etc/medmij-registry"
  out=$(unshare --mount --propagation private sh -euc '
    mount --bind "$1/etc" /etc
    mount --bind "$1/var" /var
    "$2/postinst" configure ""
    first=$(getent passwd medmij-registry medmij-fetch; stat -c "%U:%G %a %n" \
      /var/lib/medmij-registry /var/www/medmij-lists /var/www/medmij-lists/signed \
      /etc/medmij-registry /var/lib/medmij-fetch /var/lib/medmij-fetch/lists \
      /var/lib/medmij-fetch/metrics /etc/medmij-fetch)
    "$2/postinst" configure "'"$version"'"
    second=$(getent passwd medmij-registry medmij-fetch; stat -c "%U:%G %a %n" \
      /var/lib/medmij-registry /var/www/medmij-lists /var/www/medmij-lists/signed \
      /etc/medmij-registry /var/lib/medmij-fetch /var/lib/medmij-fetch/lists \
      /var/lib/medmij-fetch/metrics /etc/medmij-fetch)
    [ "$first" = "$second" ] || { echo "second run changed: $first -> $second"; exit 1; }
    echo "$first"
    "$2/prerm" remove
    "$2/postrm" purge
    test -d /var/lib/medmij-registry || { echo "purge deleted the data dir"; exit 1; }
    test -d /var/lib/medmij-fetch || { echo "purge deleted the fetch state"; exit 1; }
  ' sh "$work" "$ctrl" 2>&1) || fail "maintainer scripts: $out"
  grep -q '^medmij-registry:x:[0-9]*:[0-9]*:MedMij registry[^:]*:/var/lib/medmij-registry:/usr/sbin/nologin$' <<<"$out" ||
    fail "no system user medmij-registry: $out"
  grep -qx 'medmij-registry:medmij-registry 700 /var/lib/medmij-registry' <<<"$out" ||
    fail "/var/lib/medmij-registry is not medmij-registry's with mode 0700: $out"
  grep -qx 'medmij-registry:medmij-registry 755 /var/www/medmij-lists/signed' <<<"$out" ||
    fail "the export dir's signed/ is not there: $out"
  grep -qx 'root:medmij-registry 750 /etc/medmij-registry' <<<"$out" ||
    fail "/etc/medmij-registry is not root:medmij-registry 0750: $out"
  grep -q '^medmij-fetch:x:[0-9]*:[0-9]*:MedMij list fetch[^:]*:/var/lib/medmij-fetch:/usr/sbin/nologin$' <<<"$out" ||
    fail "no system user medmij-fetch: $out"
  for d in /var/lib/medmij-fetch /var/lib/medmij-fetch/lists /var/lib/medmij-fetch/metrics; do
    grep -qx "medmij-fetch:medmij-fetch 755 $d" <<<"$out" ||
      fail "$d is not medmij-fetch's with mode 0755: $out"
  done
  ok "maintainer scripts: system users, data dir 0700, export dir, fetch dirs, idempotent, purge keeps data"
fi

if [ "$failures" -ne 0 ]; then
  echo "check-package: $failures check(s) failed" >&2
  exit 1
fi
echo "check-package: all checks passed for $(basename "$deb")"
