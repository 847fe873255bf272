#!/bin/sh
# Starts a private Postfix under BASE for the end-to-end test and the demo:
# smtpd on 127.0.0.1:SMTP_PORT only, rua-milter at 127.0.0.1:MILTER_PORT added
# by running the shipped packaging/postfix-main.cf.snippet (its port changed,
# nothing else), mail for DOMAINS delivered to a catch-all Maildir per domain
# under BASE/mail, each MAILBOX address (local@domain) to its own Maildir
# BASE/mail/domain/local/. It must never be able to send mail off the machine:
# there is no smtp/lmtp/local service at all. Must run as root.
# Usage: postfix-up.sh BASE SMTP_PORT MILTER_PORT "DOMAIN..." ["MAILBOX..."]
# (env RUA_PF_OTHER_MILTERS: milters already in smtpd_milters before the snippet;
# RUA_POSTFIX_ROOT: a private Postfix tree, see lib.sh's rua_postfix_cmd)
set -eu
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
BASE=${1:?usage: postfix-up.sh BASE SMTP_PORT MILTER_PORT DOMAINS}
SMTP_PORT=${2:?smtp port}
MILTER_PORT=${3:?milter port}
DOMAINS=${4:?domains}
MAILBOXES=${5:-}
SNIPPET=$(cd "$(dirname "$0")/../../packaging" && pwd)/postfix-main.cf.snippet
[ "$(id -u)" = 0 ] || { echo "postfix-up.sh: must run as root" >&2; exit 1; }
POSTFIX=$(rua_postfix_cmd postfix) || exit 1
if ss -ltnH "sport = :$SMTP_PORT" | grep -q .; then
  echo "postfix-up.sh: port $SMTP_PORT is already in use" >&2
  exit 1
fi

mkdir -p "$BASE"
BASE=$(cd "$BASE" && pwd)
chown root:root "$BASE"
chmod 0755 "$BASE"
mkdir -p "$BASE/etc" "$BASE/spool" "$BASE/data" "$BASE/log" "$BASE/mail"
chown root:root "$BASE/etc" "$BASE/spool" "$BASE/log"
chmod 0755 "$BASE/etc" "$BASE/spool" "$BASE/log"
chown postfix:root "$BASE/data"
chmod 0700 "$BASE/data"
chown 65534:65534 "$BASE/mail"
chmod 0755 "$BASE/mail"

: >"$BASE/etc/vmailbox"
for d in $DOMAINS; do
  printf '@%s %s/_all/\n' "$d" "$d" >>"$BASE/etc/vmailbox"
done
for m in $MAILBOXES; do
  printf '%s %s/%s/\n' "$m" "${m#*@}" "${m%@*}" >>"$BASE/etc/vmailbox"
done
# Comma-separated list for main.cf.
DOMAIN_LIST=$(echo "$DOMAINS" | tr ' ' ',')

cat >"$BASE/etc/main.cf" <<EOF
compatibility_level = 3.6
config_directory = $BASE/etc
queue_directory = $BASE/spool
data_directory = $BASE/data
mail_owner = postfix
setgid_group = postdrop
syslog_name = postfix-rua-$SMTP_PORT
maillog_file = $BASE/log/maillog
maillog_file_prefixes = $BASE/log
myhostname = rua-test.localdomain
mydomain = localdomain
myorigin = \$myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost =
relay_domains =
default_transport = error:5.7.1 outbound delivery disabled in this test instance
relay_transport = error:5.7.1 relay disabled in this test instance
local_transport = error:5.7.1 local delivery disabled in this test instance
alias_maps =
alias_database =
virtual_mailbox_domains = $DOMAIN_LIST
virtual_mailbox_base = $BASE/mail
virtual_mailbox_maps = texthash:$BASE/etc/vmailbox
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
virtual_transport = virtual
virtual_mailbox_limit = 0
message_size_limit = 52428800
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions =
local_header_rewrite_clients =
smtpd_milters = ${RUA_PF_OTHER_MILTERS:-}
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 100
smtpd_hard_error_limit = 200
in_flow_delay = 0
smtpd_tls_security_level = none
smtp_tls_security_level = none
EOF
# A private Postfix tree: its programs, libraries and package metadata, and
# LD_LIBRARY_PATH passed on by master (which cleans its children's
# environment).
if [ -n "$RUA_POSTFIX_ROOT" ]; then
  cat >>"$BASE/etc/main.cf" <<EOF
command_directory = $RUA_POSTFIX_ROOT/usr/sbin
daemon_directory = $RUA_POSTFIX_ROOT/usr/lib/postfix/sbin
shlib_directory = $RUA_POSTFIX_ROOT/usr/lib/postfix
meta_directory = $RUA_POSTFIX_ROOT/etc/postfix
import_environment = $("$RUA_POSTFIX_ROOT/usr/sbin/postconf" -d -h import_environment) LD_LIBRARY_PATH
EOF
fi

# chroot = n everywhere: a private queue directory has no chroot jail set up.
cat >"$BASE/etc/master.cf" <<EOF
127.0.0.1:$SMTP_PORT inet n - n - - smtpd
pickup    unix  n - n 60   1 pickup
cleanup   unix  n - n -    0 cleanup
qmgr      unix  n - n 300  1 qmgr
rewrite   unix  - - n -    - trivial-rewrite
bounce    unix  - - n -    0 bounce
defer     unix  - - n -    0 bounce
trace     unix  - - n -    0 bounce
verify    unix  - - n -    1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -    - proxymap
showq     unix  n - n -    - showq
error     unix  - - n -    - error
retry     unix  - - n -    - error
discard   unix  - - n -    - discard
virtual   unix  - n n -    - virtual
anvil     unix  - - n -    1 anvil
scache    unix  - - n -    1 scache
postlog   unix-dgram n - n - 1 postlogd
EOF

# The milter, as an operator adds it: the shipped snippet's commands.
sed "s/8893/$MILTER_PORT/g" "$SNIPPET" >"$BASE/etc/rua-milter-snippet.sh"
PATH="$(dirname "$(rua_postfix_cmd postconf)"):$PATH" MAIL_CONFIG="$BASE/etc" sh -eu "$BASE/etc/rua-milter-snippet.sh" >"$BASE/log/snippet.log" 2>&1 ||
  { cat "$BASE/log/snippet.log" >&2; exit 1; }

"$POSTFIX" -c "$BASE/etc" check >"$BASE/log/check.log" 2>&1 ||
  { cat "$BASE/log/check.log" >&2; exit 1; }
"$POSTFIX" -c "$BASE/etc" start >"$BASE/log/start.log" 2>&1 ||
  { cat "$BASE/log/start.log" >&2; exit 1; }

# Readiness by the listening socket, not by a probe connection: every SMTP
# connection would open a milter connection too.
i=0
while ! ss -ltnH "sport = :$SMTP_PORT" | grep -q .; do
  i=$((i + 1))
  if [ "$i" -gt 100 ]; then
    echo "postfix-up.sh: smtpd did not listen on 127.0.0.1:$SMTP_PORT" >&2
    cat "$BASE/log/maillog" >&2 2>/dev/null || true
    exit 1
  fi
  sleep 0.1
done
# A private Postfix must really run from its tree, with its own libraries
# (on a host with a system Postfix, RUNPATH would silently find those).
if [ -n "$RUA_POSTFIX_ROOT" ]; then
  MASTER_PID=$(tr -d ' \n' <"$BASE/spool/pid/master.pid")
  [ "$(readlink "/proc/$MASTER_PID/exe")" = "$RUA_POSTFIX_ROOT/usr/lib/postfix/sbin/master" ] ||
    { echo "postfix-up.sh: master $MASTER_PID is not $RUA_POSTFIX_ROOT's" >&2; exit 1; }
  grep -q " $RUA_POSTFIX_ROOT/usr/lib/postfix/libpostfix-global.so" "/proc/$MASTER_PID/maps" ||
    { echo "postfix-up.sh: master $MASTER_PID does not use $RUA_POSTFIX_ROOT's libraries" >&2; exit 1; }
fi
echo "postfix up: 127.0.0.1:$SMTP_PORT, milter inet:127.0.0.1:$MILTER_PORT, base $BASE" \
  "($POSTFIX)"
