#!/usr/bin/env bash
# The Debian package, installed on this machine for real: apt-get install ./vip_*.deb, then
# vip --version (through the class-data-sharing archive and native stubs made at install time), every man page rendered
# with man -l, the bash completion loaded, the units and the example config in place, lintian; then
# remove (the conffile stays) and purge: no file of the package is left, nor the archive.
# Prints "package: N passed, N failed"; exit 0 only when every check passed. Run by scripts/test (root).
set -uo pipefail
VIP_ROOT=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
deb=$(ls "$VIP_ROOT"/packaging/target/vip_*_all.deb 2>/dev/null | head -1)
passed=0; failed=0
check() {
    local what=$1; shift
    if "$@"; then passed=$((passed + 1)); echo "ok: $what"; else failed=$((failed + 1)); echo "FAILED: $what"; fi
}
if [ -z "$deb" ]; then
    echo "no package in packaging/target: build it first (mvn -B package)"; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
files=$(mktemp)
trap 'rm -f "$files"; [ "$(type -t unstub)" = function ] && unstub; apt-get purge -y -qq vip >/dev/null 2>&1' EXIT
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' > "$files"

check "lintian finds no error or warning (overrides justified in packaging/src/deb/lintian-overrides)" \
    sh -c "lintian --fail-on error,warning '$deb'"
check "apt-get install ./$(basename "$deb")" sh -c "apt-get -o DPkg::Lock::Timeout=300 install -y -qq '$deb' >/dev/null"
version=$(dpkg-deb -f "$deb" Version)
check "vip --version prints the package's version" sh -c "vip --version | grep -qx 'vip ${version/\~/-}'"
check "the class-data-sharing archive exists" test -s /var/lib/vip/vip.jsa
check "and the JVM maps it (-Xshare:on fails otherwise)" \
    sh -c "VIP_JAVA_OPTS='-Xshare:on -Xlog:cds=info' vip status --help 2>&1 | grep -q 'Usage: vip status'"
check "jffi's and JNA's native stubs are unpacked once, at install time" \
    test -s /var/lib/vip/native/libjffi-1.2.so -a -s /var/lib/vip/native/libjnidispatch.so
check "a command that loads them needs no temporary directory (TMPDIR unusable: exit 1, not 3)" \
    sh -c "TMPDIR=/nonexistent vip has -i lo -a 198.51.100.10/32 >/dev/null 2>&1; [ \$? -eq 1 ]"
check "the archive holds picocli's classes (a static archive: the dynamic one leaves out Java 5 class files)" \
    sh -c "VIP_JAVA_OPTS='-Xlog:class+load' vip status --help | grep -q 'picocli.CommandLine source: shared objects file'"
check "the long-running commands have an archive of their own, and the daemon maps it" \
    sh -c "test -s /var/lib/vip/vip-long.jsa && VIP_JAVA_OPTS='-Xshare:on -Xlog:class+load' vip daemon --help | grep -q 'dev.vip.cli.DaemonCommand source: shared objects file'"
check "the service user exists" getent passwd vip
pages=0
for page in /usr/share/man/man1/vip*.1.gz; do
    pages=$((pages + 1))
    check "man -l $(basename "$page") renders" sh -c "MANWIDTH=80 man -l '$page' 2>&1 >/dev/null | (! grep -q .) && MANWIDTH=80 man -l '$page' | grep -q 'NAME'"
done
commands=$(vip --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { n++ } on && /^$/ { on = 0 } END { print n }')
check "a man page for vip and each of its $commands commands ($pages pages)" test "$pages" -eq $((commands + 1))
check "bash completion: complete -p vip" bash -c ". /usr/share/bash-completion/completions/vip && complete -p vip | grep -q ' vip$'"
check "completion offers the commands" bash -c ". /usr/share/bash-completion/completions/vip; COMP_WORDS=(vip ad); COMP_CWORD=1; COMP_LINE='vip ad'; COMP_POINT=6; _complete_vip vip ad vip >/dev/null 2>&1; [[ \" \${COMPREPLY[*]} \" == *' add '* ]]"
check "the units are installed" test -f /lib/systemd/system/vip-daemon.service -a -f /lib/systemd/system/vip-watch@.service
check "systemd knows them" sh -c "systemctl cat vip-daemon.service >/dev/null 2>&1 || [ ! -d /run/systemd/system ]"
check "the README and the operator's guide are in /usr/share/doc/vip" \
    test -s /usr/share/doc/vip/README.md -a -s /usr/share/doc/vip/operators-guide.md
check "/etc/vip/vip.conf is a conffile" sh -c "dpkg-query -W -f='\${Conffiles}' vip | grep -q /etc/vip/vip.conf"
check "/etc/vip/vip.conf is 0640 root:vip (it may hold a conninfo)" \
    sh -c "[ \"\$(stat -c '%a %U:%G' /etc/vip/vip.conf)\" = '640 root:vip' ]"
check "another user's vip runs without it, and says so" \
    sh -c "env -u VIP_CONFIG setpriv --reuid=nobody --regid=nogroup --clear-groups vip has -i lo -a 198.51.100.10/32 2>&1 | grep -q 'not used here'"
# an upgrade restarts what runs: postinst's systemctl calls, seen through a stand-in systemctl (this
# machine may have no systemd running)
stub=/usr/local/sbin/systemctl
calls=$(mktemp)
unstub() {
    rm -f "$stub" "$calls"
    [ "${made_run_systemd:-}" = 1 ] && rm -rf /run/systemd
    return 0
}
if [ ! -e $stub ] && [ ! -d /run/systemd/system ]; then
    made_run_systemd=0; [ -d /run/systemd ] || made_run_systemd=1
    printf '#!/bin/sh\necho "$*" >> %s\n' "$calls" > $stub; chmod 755 $stub
    mkdir -p /run/systemd/system
    check "dpkg -i over the installed package (an upgrade's postinst)" sh -c "for i in \$(seq 60); do dpkg -i '$deb' >/dev/null 2>&1 && exit 0; sleep 5; done; exit 1"
    check "postinst try-restarts the running units on upgrade" \
        grep -q "^try-restart vip-daemon.service vip-watch@\*.service" "$calls"
    [ "$made_run_systemd" = 1 ] || rmdir /run/systemd/system
    unstub
fi
check "the example config is valid (vip has with it reports a usage error for the missing address only)" \
    sh -c "vip has --config /etc/vip/vip.conf 2>&1 | grep -q 'Missing required options'"

check "apt-get remove" sh -c "apt-get -o DPkg::Lock::Timeout=300 remove -y -qq vip >/dev/null"
check "after remove: no file of the package is left but the conffile" \
    sh -c "! grep -v '^/etc/vip/vip.conf$' '$files' | while read -r f; do [ -e \"\$f\" ] && echo \"\$f\"; done | grep -q ."
check "after remove: the conffile stays" test -f /etc/vip/vip.conf
check "after remove: the archive is gone" test ! -e /var/lib/vip
check "apt-get purge" sh -c "apt-get -o DPkg::Lock::Timeout=300 purge -y -qq vip >/dev/null"
check "after purge: nothing is left" sh -c "! while read -r f; do [ -e \"\$f\" ] && echo \"\$f\"; done < '$files' | grep -q . && [ ! -e /etc/vip ] && [ ! -e /var/lib/vip ] && [ ! -e /usr/share/vip ] && [ ! -e /usr/share/doc/vip ]"
check "dpkg no longer knows vip" sh -c "! dpkg-query -W vip >/dev/null 2>&1 || dpkg-query -W -f='\${Status}' vip | grep -q not-installed"
echo "package: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
