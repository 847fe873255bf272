# shellcheck shell=sh
# A private Dovecot on loopback for the IMAP tests (sourced, POSIX sh): its
# own config (dovecot -c), base and state directories under DIR, IMAP with
# STARTTLS and IMAPS on free high ports of 127.0.0.1, a CA and a server
# certificate for "localhost" made here with openssl, one user (rua) in a
# passwd-file, mail owned by nobody. Never touches the system's Dovecot,
# its config or the ports 143 and 993.
IMAP_USER=rua
IMAP_PASSWORD=imap-secret-1

# free_port: a port of 127.0.0.1 that nothing listens on now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# dovecot_start DIR: sets DOVECOT_CONF, IMAP_PORT, IMAPS_PORT, IMAP_CA,
# MAILDIR (the user's Maildir) and MAIL_OWNER.
dovecot_start() {
  d=$1
  mkdir -p "$d/run" "$d/state" "$d/home/$IMAP_USER/Maildir/cur" "$d/home/$IMAP_USER/Maildir/new" \
    "$d/home/$IMAP_USER/Maildir/tmp"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=rua test CA" \
    -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
  # For the name localhost only: 127.0.0.1 is "another name" for the
  # mismatch test.
  printf 'subjectAltName=DNS:localhost\n' >"$d/server.ext"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
    -days 2 -extfile "$d/server.ext" -out "$d/server.pem" 2>/dev/null
  printf '%s:{PLAIN}%s\n' "$IMAP_USER" "$IMAP_PASSWORD" >"$d/passwd"
  IMAP_PORT=$(free_port)
  IMAPS_PORT=$(free_port)
  MAIL_OWNER=nobody:nogroup
  cat >"$d/dovecot.conf" <<CONF
base_dir = $d/run
state_dir = $d/state
instance_name = rua-test-$$
log_path = $d/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <$d/server.pem
ssl_key = <$d/server.key
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $d/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$d/home/%u
}
mail_location = maildir:~/Maildir
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
    ssl = yes
  }
}
CONF
  DOVECOT_CONF=$d/dovecot.conf
  DOVECOT_LOG=$d/dovecot.log
  MAILDIR=$d/home/$IMAP_USER/Maildir
  # shellcheck disable=SC2034 # for the script that sources this one
  IMAP_CA=$d/ca.pem
  chown -R "$MAIL_OWNER" "$d/home"
  /usr/sbin/dovecot -c "$DOVECOT_CONF" || { cat "$d/dovecot.log" 2>/dev/null; return 1; }
  tries=0
  until ss -ltn | grep -q "127.0.0.1:$IMAPS_PORT " && ss -ltn | grep -q "127.0.0.1:$IMAP_PORT "; do
    tries=$((tries + 1))
    if [ "$tries" -gt 100 ]; then
      echo "dovecot did not listen on $IMAP_PORT and $IMAPS_PORT:"
      cat "$d/dovecot.log"
      return 1
    fi
    sleep 0.1
  done
}

dovecot_stop() {
  if [ -n "${DOVECOT_CONF:-}" ]; then
    /usr/sbin/dovecot -c "$DOVECOT_CONF" stop 2>/dev/null || true
  fi
}

# dovecot_wait_sessions_ended: waits, 10 s at most, until every IMAP session
# that logged in ("imap-login: Info: Login:") has ended in the log
# ("imap(user)<pid><session>: Info: Disconnected"). A
# client killed with -9 is gone at once, but its session finishes the
# command it had sent (a UID MOVE) before Dovecot sees the closed socket.
dovecot_wait_sessions_ended() {
  tries=0
  while [ "$(grep -c 'imap-login: Info: Login: ' "$DOVECOT_LOG")" -gt \
    "$(grep -c 'imap(.*Disconnected' "$DOVECOT_LOG")" ]; do
    tries=$((tries + 1))
    if [ "$tries" -gt 100 ]; then
      echo "dovecot: an IMAP session did not end within 10 s:"
      tail -n 20 "$DOVECOT_LOG"
      return 1
    fi
    sleep 0.1
  done
}

# count_folder NAME: messages in a folder of the Maildir ("" is INBOX).
count_folder() {
  if [ -z "$1" ]; then f=$MAILDIR; else f=$MAILDIR/.$1; fi
  find "$f/cur" "$f/new" -type f 2>/dev/null | wc -l | tr -d ' '
}
