// The words of ruactl's manual pages. Keep them true to what the commands
// do: every option listed here is parsed by its command, and nothing else.
#include "help_pages.hpp"

namespace ruactl {

const std::vector<HelpPage>& help_pages() {
    static const std::vector<HelpPage> k_pages = {
        {"", "ruactl - manage rua-milter's DMARC aggregate report store",
         "    ruactl [--database URL] COMMAND [ARGS...]\n"
         "    ruactl help COMMAND\n"
         "    ruactl --version\n",
         "    ruactl is the operator's tool for rua-milter. It parses report files,\n"
         "    migrates the PostgreSQL schema, manages the registry of rua addresses\n"
         "    (accounts, their domains, the addresses), imports reports from files,\n"
         "    mbox files and Maildirs, looks after the quarantine and summarises the\n"
         "    DMARC and TLS results of a domain. parse, help and version run in ruactl\n"
         "    itself, which links no database library; the other commands run in\n"
         "    ruactl-store (installed in /usr/libexec/rua-milter), started by ruactl\n"
         "    with the same arguments. Commands:\n"
         "      parse FILE...            print the reports found in files as JSON lines\n"
         "      db migrate|status        apply or list schema migrations\n"
         "      account add|list         manage accounts\n"
         "      domain add|remove        manage the domains an account receives reports for\n"
         "      rua add|list|remove|disable|enable\n"
         "                               manage rua addresses\n"
         "      import PATH...           store reports from files, mbox files, Maildirs\n"
         "      fetch IMAP-URL           store the reports of an IMAP mailbox, then move them\n"
         "      quarantine list|show|reprocess|purge\n"
         "                               look after messages that yielded no report\n"
         "      summary --domain D       what a domain's aggregate, TLS and failure reports say\n"
         "      conflicts list           reports whose key was stored with other content\n"
         "      retention apply          create the coming months' partitions, expire old data\n"
         "      rollup fold              fold the reports pending in the daily rollup\n"
         "      token add|list|revoke    manage the API tokens of rua-web\n"
         "      authz records|check      the DNS records that let others' reports reach us\n"
         "      enrich                   resolve the queued source addresses (PTR, ASN)\n"
         "      provider load|add|remove\n"
         "                               the map from domains to sending providers\n"
         "      source approve|unapprove|list\n"
         "                               the sources a domain owner approves\n"
         "      alert add|list|remove    manage the alert rules of an account\n"
         "      alerts run|list          evaluate the rules and deliver, list the alerts raised\n"
         "      version                  print the version\n"
         "    Every command has a page: ruactl help COMMAND, or ruactl COMMAND --help.\n"
         "    Before it runs, a database command other than db migrate and db status\n"
         "    checks that the database's schema is exactly this version's. Diagnostics\n"
         "    go to standard error, one line each, with any password in a connection\n"
         "    string shown as ***. The manual page is ruactl(1).\n",
         "    --version\n        print the version and exit.\n", nullptr,
         "    ruactl --database postgresql:///rua db migrate\n"
         "    ruactl rua add dmarc@example.net --domain example.net\n"
         "    ruactl import /var/mail/dmarc\n"
         "    ruactl summary --domain example.net --since 30d\n"},

        {"parse", "ruactl-parse - print the reports found in files",
         "    ruactl parse [--max-size BYTES] [--jobs N] FILE... | -\n",
         "    Reads each FILE (\"-\" is standard input): an e-mail (.eml), a bare XML\n"
         "    or JSON report, or a report compressed with gzip, zip or zlib. The kind\n"
         "    and format are found from the content, not the name: DMARC aggregate\n"
         "    reports (XML), SMTP TLS reports (RFC 8460 JSON) and DMARC failure\n"
         "    reports (ARF, RFC 6591 / RFC 9991, and the common plain-text form).\n"
         "    Prints one JSON object per report on standard output, one per line;\n"
         "    its \"kind\" key is \"aggregate\", \"tlsrpt\" or \"failure\". Absent\n"
         "    values are null, absent lists [], times UTC seconds. A failure report\n"
         "    is printed as the file says: redaction applies to storage only.\n"
         "    Never touches the database (and never loads its libraries).\n"
         "    Files are parsed by --jobs threads at once; the lines come out in the\n"
         "    order of the files all the same. A large report's JSON is never held\n"
         "    whole: past 1 MiB it waits in an unlinked file in $TMPDIR (or /tmp).\n"
         "    For each input that yields no report, one line goes to standard error:\n"
         "      ruactl: FILE: REASON\n"
         "    and for each part that failed beside reports that were printed:\n"
         "      ruactl: FILE: part N (TYPE, \"NAME\"): REASON\n",
         "    --max-size BYTES\n"
         "        refuse inputs larger than BYTES (default 67108864).\n"
         "    --jobs N\n"
         "        parse N files at a time (1 to 64; default: the number of online\n"
         "        CPUs, at most 8). --jobs 1 parses one file after the other.\n"
         "    --failure-privacy redacted|headers|full\n"
         "        accepted for symmetry with import; parse prints everything.\n",
         "    0  every input yielded at least one report and no part failed.\n"
         "    1  at least one input yielded none, could not be read, or had a part\n"
         "       that failed (the reports found are printed all the same).\n"
         "    2  usage error.\n"
         "    75 a temporary file for a large report's lines could not be written\n"
         "       (disk full); nothing from that input on was printed.\n",
         "    ruactl parse report.xml.gz\n"
         "    ruactl parse message.eml | jq .policy.domain\n"
         "    ruactl parse tls-report.json.gz | jq .policies[].policy_domain\n"
         "    zcat report.xml.gz | ruactl parse -\n"},

        {"db", "ruactl-db - apply and list the database schema migrations",
         "    ruactl db migrate [--sql-dir DIR]\n"
         "    ruactl db status [--sql-dir DIR]\n",
         "    migrate applies the numbered SQL files of the migrations directory that\n"
         "    the database has not seen yet, in order, each in one transaction, and\n"
         "    prints the ones it applied. Running it again applies nothing.\n"
         "    status lists every migration with the time it was applied, or pending.\n"
         "    The directory is --sql-dir, else $RUA_SQL_DIR, else the installed one.\n"
         "    A database holding a migration the directory lacks was migrated by a\n"
         "    newer version: migrate refuses it (exit status 78).\n",
         "", nullptr,
         "    ruactl --database postgresql:///rua db migrate\n"
         "    RUA_DATABASE_URL=postgresql:///rua ruactl db status\n"},

        {"account", "ruactl-account - create and list accounts",
         "    ruactl account add NAME\n"
         "    ruactl account list\n",
         "    An account groups rua addresses and owns policy domains. add creates it\n"
         "    (refused when the name exists). list prints every account with its\n"
         "    domains (\"*\": it lists none, so it accepts reports for any domain) and\n"
         "    the number of its rua addresses.\n",
         "", nullptr,
         "    ruactl account add acme\n"
         "    ruactl account list\n"},

        {"domain", "ruactl-domain - manage the policy domains of an account",
         "    ruactl domain add DOMAIN --account NAME\n"
         "    ruactl domain remove DOMAIN [--account NAME]\n",
         "    An account that lists domains receives reports only for those domains\n"
         "    and their subdomains; reports for other domains are quarantined (or\n"
         "    refused). An account that lists no domain accepts every domain: removing\n"
         "    the last one says so. Domains are stored lower-case.\n"
         "    remove needs --account when the domain is listed for several accounts.\n",
         "    --account NAME\n        the account (must exist).\n", nullptr,
         "    ruactl domain add example.net --account acme\n"
         "    ruactl domain remove example.org\n"},

        {"rua", "ruactl-rua - manage the rua addresses reports are accepted for",
         "    ruactl rua add ADDRESS [--account NAME] [--domain DOMAIN]...\n"
         "    ruactl rua list\n"
         "    ruactl rua remove ADDRESS\n"
         "    ruactl rua disable ADDRESS\n"
         "    ruactl rua enable ADDRESS\n",
         "    Addresses are compared without regard to case and stored lower-case,\n"
         "    without angle brackets: Dmarc@Example.NET and dmarc@example.net are the\n"
         "    same address, and adding it twice is refused.\n"
         "    add registers ADDRESS for --account NAME, which must exist. Without\n"
         "    --account, the account named after the address's domain is used and\n"
         "    created when missing. Each --domain is added to that account.\n"
         "    list prints address, account, active and the account's domains.\n"
         "    disable keeps the address registered but the milter stops accepting\n"
         "    reports for it; enable undoes that. remove deletes it.\n",
         "    --account NAME\n        the account of the new address.\n"
         "    --domain DOMAIN\n        add DOMAIN to the account (repeatable).\n",
         nullptr,
         "    ruactl rua add dmarc@example.net --account acme --domain example.net\n"
         "    ruactl rua add rua@example.org\n"
         "    ruactl rua disable dmarc@example.net\n"},

        {"import", "ruactl-import - store reports from files, mbox files and Maildirs",
         "    ruactl import [--jobs N] [--rua ADDRESS]... [--no-quarantine] [--max-size BYTES]\n"
         "                  [--failure-privacy redacted|headers|full] [--follow-symlinks]\n"
         "                  [--remove-imported] PATH...\n",
         "    Stores every report found under each PATH exactly as the milter would:\n"
         "    a file of any kind `ruactl parse` reads, an .eml message, an mbox file\n"
         "    (found by its leading \"From \" line; each message is taken apart), a\n"
         "    Maildir (its cur/ and new/ folders) or a directory, walked recursively\n"
         "    (names starting with \".\" are skipped). A report already stored is a\n"
         "    duplicate: importing the same files again adds nothing. An input with no\n"
         "    storable report is quarantined (see ruactl-quarantine).\n"
         "    Only regular files are read: a symbolic link is refused unless\n"
         "    --follow-symlinks, and a device, FIFO or socket is never opened. A file\n"
         "    larger than --max-size is refused from its size, before it is read; an\n"
         "    mbox file may be up to 1 GiB, each of its messages within --max-size.\n"
         "    N workers share a pool of N database connections. A progress bar goes to\n"
         "    standard error when it is a terminal. At the end one line goes to\n"
         "    standard output:\n"
         "      stored N, duplicate N, quarantined N, failed N; R reports, C records in\n"
         "      S s (X reports/s, Y records/s)\n"
         "    (records: aggregate records, TLS policies and failure reports counted\n"
         "    together.) With --remove-imported a second line follows:\n"
         "      removed N imported files\n"
         "    Each failure gets one line on standard error. When the database becomes\n"
         "    unavailable the import stops taking new inputs and says to try again\n"
         "    later; run the same command again: nothing is stored twice.\n",
         "    --jobs N\n        parallel workers (default: the number of processors).\n"
         "    --rua ADDRESS\n"
         "        treat the inputs as sent to this registered address: its account's\n"
         "        domain check applies and the reports record it. May be repeated\n"
         "        for a message sent to several: a report is accepted when any of\n"
         "        their accounts owns its domain; the first address is recorded.\n"
         "    --no-quarantine\n"
         "        count inputs without a storable report as failed instead.\n"
         "    --max-size BYTES\n        refuse messages larger than BYTES (default 67108864).\n"
         "    --failure-privacy redacted|headers|full\n"
         "        what of a failure report's copy of the original message is kept, as\n"
         "        the milter's FailureReportPrivacy (default redacted: header fields\n"
         "        only, local parts masked, Subject as a hash; see rua-milter.conf).\n"
         "    --follow-symlinks\n"
         "        read the file a symbolic link names (it must be a regular file).\n"
         "    --remove-imported\n"
         "        remove each input file once its outcome is committed (stored,\n"
         "        duplicate or quarantined); a file that failed or must be tried\n"
         "        later stays. For Maildirs and files of one message: an mbox file is\n"
         "        refused, as its messages cannot be removed one by one. Safe from a\n"
         "        timer while mail arrives: only the files of cur/ and new/ that were\n"
         "        read are removed, tmp/ is never touched, and a second run removes\n"
         "        nothing more.\n",
         "    0  every input was stored, a duplicate or quarantined.\n"
         "    1  something failed (unreadable input, not a regular file, too large,\n"
         "       refused with --no-quarantine, an mbox with --remove-imported).\n"
         "    2  usage error.\n"
         "    75 the database became unavailable: the import stopped; run it again\n"
         "       later (EX_TEMPFAIL).\n"
         "    78 the database setup cannot work, as for every command (EX_CONFIG).\n",
         "    ruactl import ~/Maildir/.DMARC\n"
         "    ruactl import --jobs 4 --rua dmarc@example.net reports/ archive.mbox\n"
         "    ruactl import --remove-imported /var/mail/dmarc-fallback\n"},

        {"fetch", "ruactl-fetch - store the reports of an IMAP mailbox",
         "    ruactl fetch [--password-file FILE] [--ca-file FILE] [--done-folder NAME]\n"
         "                 [--batch N] [--limit N] [--watch [--interval DURATION]]\n"
         "                 [--rua ADDRESS]... [--max-size BYTES]\n"
         "                 [--failure-privacy redacted|headers|full] "
         "imaps://USER@HOST[:PORT]/MAILBOX\n",
         "    For reports delivered to a hosted mailbox where no milter can run\n"
         "    (Microsoft 365, Google Workspace, a provider's IMAP), and to backfill\n"
         "    years of them. Logs in as USER, takes the messages of MAILBOX (INBOX\n"
         "    when the URL has no path) in UID order, N at a time (--batch), stores\n"
         "    each exactly as the milter and ruactl import would (the same decision:\n"
         "    stored, duplicate or quarantined), and once that outcome is committed\n"
         "    moves the message to the done folder, by UID (created when missing).\n"
         "    A message is never moved before its commit: a crash, a kill or a lost\n"
         "    connection leaves it in MAILBOX, and the next run finds its reports\n"
         "    already stored (duplicate) and moves it then. Running the same fetch\n"
         "    again therefore stores nothing twice. A quarantined message is kept\n"
         "    in the quarantine table (see ruactl-quarantine) and moves to the done\n"
         "    folder too. A message larger than --max-size (its RFC822.SIZE) is not\n"
         "    fetched: it stays in MAILBOX with one line on standard error, as does\n"
         "    one that fails; a run looks at each message once.\n"
         "    The move is UID MOVE when the server has MOVE (RFC 6851); otherwise\n"
         "    UID COPY, then the message is marked \\Deleted, then UID EXPUNGE when\n"
         "    the server has UIDPLUS (without UIDPLUS it stays marked \\Deleted: a\n"
         "    plain EXPUNGE would also remove what other clients marked). Messages\n"
         "    marked \\Deleted are never fetched. A batch is marked \\Seen before its\n"
         "    messages are fetched (fetching them would, one by one). While a message\n"
         "    is stored the next is fetched: at most two wait, each within --max-size.\n"
         "    imaps:// is TLS from the start (port 993); imap:// must offer STARTTLS\n"
         "    (port 143): there is no plaintext login, the password never travels in\n"
         "    clear. The server's certificate must chain to a trusted CA and name\n"
         "    HOST; there is no option to skip that check (give a private CA with\n"
         "    --ca-file). The password is read from --password-file or from the\n"
         "    environment variable RUA_IMAP_PASSWORD, never from the command line;\n"
         "    a password in the URL is refused. A user name holding @ is written\n"
         "    %40. Login is by password only (SASL PLAIN or LOGIN): a provider that\n"
         "    demands OAuth 2.0 needs an app password.\n"
         "    With --watch the fetch keeps running: after each pass it waits\n"
         "    --interval, then looks again, until SIGTERM or SIGINT (the message\n"
         "    being stored is finished and moved first). It polls: the IMAP library\n"
         "    (libcurl) has no IDLE. While the database or the server is\n"
         "    unavailable it says so and tries again at the next interval.\n"
         "    A progress bar goes to standard error when it is a terminal. At the\n"
         "    end two lines go to standard output:\n"
         "      stored N, duplicate N, quarantined N, failed N; R reports, C records in\n"
         "      S s (X messages/s)\n"
         "      moved N messages to FOLDER\n"
         "    Mailbox and folder names are printed with control characters as ?.\n",
         "    --password-file FILE\n"
         "        read the password from the first line of FILE (keep it mode 0600).\n"
         "        Without it, RUA_IMAP_PASSWORD must hold the password.\n"
         "    --ca-file FILE\n"
         "        trust only the CAs of this PEM file (default: the system's trust\n"
         "        store, /etc/ssl/certs).\n"
         "    --done-folder NAME\n"
         "        where committed messages go (default rua-done; printable ASCII).\n"
         "    --batch N\n"
         "        messages listed and moved at a time (default 100, at most 10000).\n"
         "    --limit N\n"
         "        stop after N messages (for a trial run of a large backfill).\n"
         "    --watch\n        keep running, looking again every --interval.\n"
         "    --interval DURATION\n"
         "        the wait between passes with --watch (default 5m, 1s to 1d).\n"
         "    --rua ADDRESS\n"
         "        treat the messages as sent to this registered address, as for\n"
         "        import (repeatable).\n"
         "    --max-size BYTES\n"
         "        leave messages larger than BYTES in the mailbox (default 67108864).\n"
         "    --failure-privacy redacted|headers|full\n"
         "        what of a failure report's copy of the original message is kept,\n"
         "        as for import.\n",
         "    0  every message was stored, a duplicate or quarantined, and moved.\n"
         "    1  a message was left in the mailbox (too large, failed); one line\n"
         "       each on standard error.\n"
         "    2  usage error (a password in the URL, no password given, a bad URL).\n"
         "    75 the database or the IMAP server is unavailable now: the messages\n"
         "       not stored stay in the mailbox; run it again later (EX_TEMPFAIL).\n"
         "    78 the setup cannot work (EX_CONFIG): the database's, as for every\n"
         "       command, or the IMAP login refused, the server's certificate not\n"
         "       trusted or for another name, no STARTTLS, no such mailbox.\n",
         "    ruactl fetch --password-file /etc/rua-milter/imap.pass \\\n"
         "        imaps://dmarc%40example.net@imap.example.net/INBOX\n"
         "    RUA_IMAP_PASSWORD=... ruactl fetch --watch --interval 10m \\\n"
         "        imaps://reports@imap.example.net/DMARC\n"},

        {"quarantine", "ruactl-quarantine - look after messages that yielded no report",
         "    ruactl quarantine list [--limit N] [--all]\n"
         "    ruactl quarantine show ID [--raw]\n"
         "    ruactl quarantine reprocess ID... | --all\n"
         "    ruactl quarantine purge --before AGE | ID...\n",
         "    list prints the newest unresolved rows: id, time, reason, size, file or\n"
         "    queue id, and the detail. show prints one row's metadata, reason and\n"
         "    detail; with --raw it writes the stored message, byte for byte, to\n"
         "    standard output instead. reprocess runs each row through the milter's\n"
         "    own decision path again: what parses now is stored (the rua's domain\n"
         "    check applies) and the row is marked resolved with its report ids; a\n"
         "    row that still fails keeps its place and says why (reason code and\n"
         "    detail); it prints counts.\n"
         "    purge deletes rows received more than AGE ago (30d, 12h, 2w) or the\n"
         "    rows named.\n",
         "    --limit N\n        list at most N rows (default 50).\n"
         "    --all\n        list: resolved rows too; reprocess: every unresolved row.\n"
         "    --raw\n        show: the raw message only.\n"
         "    --before AGE\n        purge: rows older than AGE.\n"
         "    --max-size BYTES\n        reprocess: refuse messages larger than BYTES.\n"
         "    --failure-privacy redacted|headers|full\n"
         "        reprocess: as for import.\n",
         "    0  success (reprocess: even when some rows still fail to parse).\n"
         "    1  the command failed (unknown ID).\n"
         "    2  usage error.\n"
         "    75 the database cannot be reached now: try again later (EX_TEMPFAIL).\n"
         "    78 the database setup cannot work, as for every command (EX_CONFIG).\n",
         "    ruactl quarantine list --limit 10\n"
         "    ruactl quarantine show 42 --raw > message.eml\n"
         "    ruactl quarantine reprocess --all\n"
         "    ruactl quarantine purge --before 90d\n"},

        {"summary", "ruactl-summary - what the reports say about one domain",
         "    ruactl summary --domain DOMAIN [--since AGE] [--kind KIND[,KIND]]\n"
         "                   [--format table|json|csv]\n"
         "    ruactl summary --domain DOMAIN --by KEY [--top N] [--failing] [--rollup]\n"
         "                   [--since AGE] [--format table|json|csv]\n",
         "    Sections for DOMAIN (compared without regard to case), from reports\n"
         "    whose period ends (failure reports: that arrived) within AGE (30d, 12h,\n"
         "    2w; default: all reports), one group of sections per report kind:\n"
         "    aggregate: the messages reported, DMARC pass and fail (pass as evaluated\n"
         "      by the reporter: an aligned DKIM or SPF pass) with the pass rate, and\n"
         "      the dispositions receivers applied (none, quarantine, reject), in\n"
         "      total, by reporter and by source address (most messages first).\n"
         "    tlsrpt: TLS sessions that succeeded and failed per policy, and the\n"
         "      failures by result type and receiving MX.\n"
         "    failure: failure reports by source address and by auth failure type.\n"
         "    Without --kind, a READINESS section comes first: whether DOMAIN can take\n"
         "    its next DMARC policy step (p=none to p=quarantine, pct to 100,\n"
         "    p=quarantine to p=reject), as one line with the reasons, over the last\n"
         "    AGE in whole UTC days (default 30): compliance (messages passing DMARC;\n"
         "    98.0 % for quarantine, 99.0 % for reject), failing messages from sources\n"
         "    the account has not approved (at most 1.0 %), at least 2 reporters and\n"
         "    14 days with data, and the policy of the latest report.\n"
         "    With --by, the readiness section and one breakdown of the messages of\n"
         "    those days instead of the sections: the numbers rua-web shows (reports\n"
         "    spread over the UTC days they cover, sums of message counts).\n"
         "    Every kind ends with BY AUTHENTICITY: its reports and messages per\n"
         "      authenticity (dmarc-pass, dkim-aligned, unauthenticated, unknown).\n",
         "    --domain DOMAIN\n        the domain (required).\n"
         "    --since AGE\n        only reports whose period ended within AGE; with --by\n"
         "        and for the readiness lines, the last AGE in whole UTC days.\n"
         "    --kind KIND[,KIND]\n"
         "        only these kinds: aggregate, tlsrpt, failure (default: all).\n"
         "    --by KEY\n"
         "        group the messages by source, provider, reporter, dkim-domain,\n"
         "        spf-domain (each domain a record's DKIM signatures or SPF checks\n"
         "        name: a message counts under each), header-from or day.\n"
         "    --top N\n        the N groups with the most messages (by day: the latest N\n"
         "        days); default 20, at most 1000.\n"
         "    --failing\n        only messages that failed DMARC.\n"
         "    --rollup\n        every domain with DOMAIN's registrable domain (public\n"
         "        suffix list), a readiness line each, and From domains counted under\n"
         "        their registrable domain.\n"
         "    --format FORMAT\n"
         "        table (default, aligned for a terminal), json (one object:\n"
         "        {\"domain\", \"since\", \"readiness\", \"kinds\": {KIND: {SECTION: [rows]}}};\n"
         "        with --by {\"domain\", \"days\", \"by\", ..., \"readiness\", \"totals\",\n"
         "        \"breakdown\"}) or csv (one block per section: a header line\n"
         "        kind,section,COLUMNS... (with --by: section,COLUMNS...), its rows, a\n"
         "        blank line between blocks).\n",
         nullptr,
         "    ruactl summary --domain example.net\n"
         "    ruactl summary --domain example.net --since 2w --format csv\n"
         "    ruactl summary --domain example.net --kind tlsrpt\n"
         "    ruactl summary --domain example.net --by source --failing --top 10\n"
         "    ruactl summary --domain example.net --by header-from --rollup\n"},

        {"conflicts", "ruactl-conflicts - reports whose key was stored with other content",
         "    ruactl conflicts list [--kind KIND] [--format table|csv|json] [--limit N]\n",
         "    A report whose exactly-once key (aggregate: reporter, report id, policy\n"
         "    domain and period; tlsrpt: organization name and report id) is stored\n"
         "    already, but whose content differs, is a conflict: the first stored copy\n"
         "    stays, and the conflicting copy is kept beside it (its key, its content\n"
         "    fingerprint, its attachment in raw_report, how it arrived), once however\n"
         "    often it is delivered. The key is chosen by the sender, so a conflict may\n"
         "    be a forged early copy shadowing the real report. list prints them,\n"
         "    oldest first; sender-chosen text is shown with control characters\n"
         "    replaced. RESOLUTION is \"open\" until a later release decides\n"
         "    conflicts. Failure reports are keyed by their content and never conflict.\n",
         "    --kind KIND\n        only this kind's conflicts: aggregate or tlsrpt.\n"
         "    --format FORMAT\n"
         "        table (default), csv (a header line, then one line per conflict) or\n"
         "        json (an array of objects, the key as an object).\n"
         "    --limit N\n        list at most N conflicts (default 1000).\n",
         nullptr,
         "    ruactl conflicts list\n"
         "    ruactl conflicts list --kind aggregate --format json\n"},

        {"retention", "ruactl-retention - monthly partitions and expiry of old data",
         "    ruactl retention apply [--records PERIOD] [--raw PERIOD] [--quarantine PERIOD]\n"
         "                           [--months-ahead N] [--dry-run]\n",
         "    Aggregate records (by their report's begin month) and raw attachments (by\n"
         "    the month they arrived) are kept in monthly partitions, plus a default\n"
         "    partition for any month without one. apply first creates the partitions\n"
         "    of the current UTC month and the N following ones, moving rows of those\n"
         "    months out of the default partitions (\"created partition NAME\"). Then,\n"
         "    in one transaction, it deletes the reports that have waited for the\n"
         "    enrichment worker (ruactl help enrich) since before the records'\n"
         "    cutoff, drops every monthly partition whose month ended before now\n"
         "    minus its PERIOD (\"dropped partition NAME (...)\"), deletes the rows of\n"
         "    such months from the default partitions, and deletes the quarantined\n"
         "    messages received before now minus the quarantine PERIOD (\"deleted N\n"
         "    ...\"); it ends with one summary line (\"retention: ...\").\n"
         "    Records are counted in the daily rollup when they are stored (see\n"
         "    ruactl help rollup): their totals stay after the records go. Before\n"
         "    anything is dropped, the pending reports are folded. Reports\n"
         "    themselves (their rows, the exactly-once keys) are kept: a report sent\n"
         "    again after its records expired is still a duplicate. A report whose\n"
         "    attachment expired keeps a raw_report_id that points at nothing.\n"
         "    Running it again at once does nothing. rua-milter-retention.timer runs\n"
         "    it daily with the\n"
         "    arguments in /etc/default/rua-milter-retention. PERIOD is a number and\n"
         "    mo (months), y, w, d, h, m or s: 13mo, 1y, 30d.\n",
         "    --records PERIOD\n        keep aggregate records this long (default 13mo).\n"
         "    --raw PERIOD\n        keep raw attachments this long (default 3mo).\n"
         "    --quarantine PERIOD\n        keep quarantined messages this long (default 30d).\n"
         "    --months-ahead N\n"
         "        create partitions for N months after the current one (default 3, at\n"
         "        most 24; 0: the current month only).\n"
         "    --dry-run\n        print what would be done; change nothing.\n",
         "    0  success (also when there was nothing to do).\n"
         "    1  the command failed (the database refused it).\n"
         "    2  usage error.\n"
         "    75 the database cannot be reached now, or a table stayed locked by other\n"
         "       work: try again later (EX_TEMPFAIL).\n"
         "    78 the database setup cannot work, as for every command (EX_CONFIG).\n",
         "    ruactl retention apply --dry-run\n"
         "    ruactl retention apply --records 2y --raw 1mo --quarantine 90d\n"},

        {"rollup", "ruactl-rollup - the daily rollup of aggregate records",
         "    ruactl rollup fold\n",
         "    Every aggregate report's message counts are kept per UTC day (spread\n"
         "    over the days its period covers, pro rata by hours) in a daily rollup\n"
         "    that rua-web reads. A stored report is first pending, then folded into\n"
         "    the rollup's tables; both count. fold folds every pending report in one\n"
         "    transaction and prints \"folded N pending reports\". Running it while\n"
         "    reports are stored is safe: a report stored meanwhile waits for the next\n"
         "    fold. rua-milter-fold.timer runs it every minute.\n",
         "",
         "    0  success (also when nothing was pending).\n"
         "    1  the command failed (the database refused it).\n"
         "    2  usage error.\n"
         "    75 the database cannot be reached now: try again later (EX_TEMPFAIL).\n"
         "    78 the database setup cannot work, as for every command (EX_CONFIG).\n",
         "    ruactl rollup fold\n"},

        {"token", "ruactl-token - the API tokens of rua-web",
         "    ruactl token add --account NAME [--label TEXT]\n"
         "    ruactl token add --admin [--label TEXT]\n"
         "    ruactl token list [--account NAME]\n"
         "    ruactl token revoke ID\n",
         "    rua-web answers a request that carries a token (Authorization: Bearer\n"
         "    TOKEN, or a browser session opened with one). An account's token sees\n"
         "    that account's domains only; an admin token sees every account. add\n"
         "    makes a token and prints it, and nothing else, on standard output: it\n"
         "    is shown this once, only its SHA-256 is kept. list prints ID, ACCOUNT\n"
         "    ((admin) for an admin token), LABEL, CREATED and REVOKED, never a token\n"
         "    or its hash. revoke makes the token useless at once and ends its browser\n"
         "    sessions (\"token ID revoked\"; \"token ID was already revoked\").\n",
         "    --account NAME\n        the account the token is for (add); only its tokens (list).\n"
         "    --admin\n        an admin token: every account (add).\n"
         "    --label TEXT\n        a note shown by list: who or what uses the token (add).\n",
         "    0  success.\n"
         "    1  the command failed: no such account or token, or the database refused it.\n"
         "    2  usage error (add needs exactly one of --account and --admin).\n"
         "    75 the database cannot be reached now: try again later (EX_TEMPFAIL).\n"
         "    78 the database setup cannot work, as for every command (EX_CONFIG).\n",
         "    ruactl token add --account acme --label grafana\n"
         "    ruactl token list --account acme\n"
         "    ruactl token revoke 3\n"},

        {"authz", "ruactl-authz - authorisation records for reports about other domains",
         "    ruactl authz records [--account NAME] [--wildcard]\n"
         "    ruactl authz check DOMAIN [--resolver ADDRESS[@PORT]] [--timeout SECONDS]\n",
         "    A domain whose DMARC record sends its reports (rua=, ruf=) to an address\n"
         "    in another organisation's domain is honoured by reporters only when that\n"
         "    domain publishes DOMAIN._report._dmarc.RUA-DOMAIN TXT \"v=DMARC1\" (RFC\n"
         "    7489 section 7.1). records prints those records in zone-file form, one\n"
         "    per registered domain (ruactl domain add) and rua domain of its\n"
         "    account's active addresses, except the domains in the rua domain's own\n"
         "    organisation, which need none; an address whose account lists no domain\n"
         "    is named on standard error. --wildcard prints one *._report._dmarc\n"
         "    record per rua domain instead: any domain may then send its reports to\n"
         "    you. check looks up DOMAIN's DMARC record (at _dmarc.DOMAIN, else at its\n"
         "    organisational domain) and prints it, then one line per finding, ok or\n"
         "    MISSING (FAILED when DNS gave no answer): the record must be one\n"
         "    v=DMARC1 record, its rua= must name an active address registered here,\n"
         "    that address's account must list DOMAIN, and each such address outside\n"
         "    DOMAIN's organisation needs its authorisation record; ruf= addresses\n"
         "    registered here are checked the same way. DNS text is printed with\n"
         "    control characters as '?'.\n",
         "    --account NAME\n        only the addresses of this account (records).\n"
         "    --wildcard\n        one wildcard record per rua domain (records).\n"
         "    --resolver ADDRESS[@PORT]\n"
         "        ask this DNS server (check; default: the servers of /etc/resolv.conf).\n"
         "    --timeout SECONDS\n"
         "        give up on a DNS query after this long (check; default 5, at most 300).\n",
         "    0  success; for check, nothing is missing.\n"
         "    1  check found something missing, or the command failed.\n"
         "    2  usage error (DOMAIN is not a domain name).\n"
         "    75 the database cannot be reached now, or DNS gave no answer (server\n"
         "       failure or timeout): try again later (EX_TEMPFAIL).\n"
         "    78 the database setup cannot work, as for every command (EX_CONFIG).\n",
         "    ruactl authz records --account acme > authz.zone\n"
         "    ruactl authz check customer.example\n"},
        {"enrich", "ruactl-enrich - resolve the sending sources of the stored reports",
         "    ruactl enrich [--follow] [--interval S] [--batch N] [--concurrency N]\n"
         "                  [--timeout S] [--resolver ADDR] [--unbound-config FILE]\n"
         "                  [--mmdb FILE] [--providers FILE]\n",
         "    Storing a report queues the report. enrich first loads the shipped\n"
         "    provider map (as provider load does); each round then queues the source\n"
         "    addresses of up to --batch newly stored reports (those never resolved,\n"
         "    or whose answer expired) and takes the queued addresses in rounds of\n"
         "    --batch: the PTR of each, then the A or AAAA records of its names (the\n"
         "    PTR is confirmed when they contain the address), the registrable domain\n"
         "    of the name, the provider of a confirmed name, and the ASN, AS name and\n"
         "    country from an MMDB file when one is given (without one that part is\n"
         "    off, said once on standard error). Answers are kept for their DNS TTL\n"
         "    (within 1 hour and 7 days); a SERVFAIL or a timeout is retried after 15\n"
         "    minutes, when a report names the address again. Without --follow it\n"
         "    stops when the queue is empty and prints one line of figures; with it,\n"
         "    it then looks again every --interval until SIGTERM or SIGINT (a round in\n"
         "    progress finishes). rua-milter-enrich.service runs ruactl enrich --follow.\n"
         "    DNS goes through libunbound, a caching resolver library: a worker that\n"
         "    keeps running asks nothing twice within a TTL, NXDOMAIN included.\n",
         "    --follow\n        keep running, looking for new addresses every --interval.\n"
         "    --interval S\n        seconds between looks with --follow (default 10s, 1s..1h).\n"
         "    --batch N\n        addresses per round, one transaction each (default 200, at most "
         "10000).\n"
         "    --concurrency N\n        DNS queries in flight at once (default 32, at most 1000).\n"
         "    --timeout S\n        how long one DNS query may take (default 5s, 1s..60s).\n"
         "    --resolver ADDR\n        the resolver to ask, e.g. 127.0.0.1 or 127.0.0.1@5353\n"
         "        (default: the nameservers of /etc/resolv.conf).\n"
         "    --unbound-config FILE\n        an unbound.conf(5) file for the resolver library.\n"
         "    --mmdb FILE\n        a MaxMind DB file with ASN and country data (GeoLite2,\n"
         "        DB-IP lite, IPinfo lite).\n"
         "    --providers FILE\n        the shipped provider map to load (default\n"
         "        /usr/share/rua-milter/providers.tsv).\n",
         "    0  success.\n"
         "    1  the command failed: a malformed provider file, or the database refused it.\n"
         "    2  usage error.\n"
         "    75 the database cannot be reached now: try again later (EX_TEMPFAIL).\n"
         "    78 the database setup cannot work, as for every command, or the resolver\n"
         "       address, unbound config, MMDB or provider file cannot be used (EX_CONFIG).\n",
         "    ruactl enrich --resolver 127.0.0.1 --mmdb /var/lib/GeoIP/GeoLite2-ASN.mmdb\n"
         "    ruactl enrich --follow --interval 30s\n"},

        {"provider", "ruactl-provider - the map from domains to sending providers",
         "    ruactl provider load [FILE]\n"
         "    ruactl provider add KIND DOMAIN PROVIDER TYPE\n"
         "    ruactl provider remove KIND DOMAIN\n",
         "    A source's provider is named by the registrable domain (or any parent)\n"
         "    of its confirmed PTR name, else of its passing DKIM d= domain, else of\n"
         "    its passing SPF domain. KIND is ptr, dkim or spf. load replaces the\n"
         "    shipped rows with FILE (default /usr/share/rua-milter/providers.tsv:\n"
         "    KIND, DOMAIN, PROVIDER and TYPE separated by tabs, # comments); enrich\n"
         "    does the same when it starts. add sets an operator row, which wins over\n"
         "    every shipped row of its kind; remove removes it. TYPE is free text:\n"
         "    the shipped map uses mailbox, esp, saas, gateway and forwarder.\n",
         "",
         "    0  success.\n"
         "    1  the command failed: a malformed file (FILE:LINE: why), a bad KIND or\n"
         "       DOMAIN, or the database refused it.\n"
         "    2  usage error.\n"
         "    75 the database cannot be reached now: try again later (EX_TEMPFAIL).\n"
         "    78 the database setup cannot work, as for every command (EX_CONFIG).\n",
         "    ruactl provider load\n"
         "    ruactl provider add ptr relay.example.net \"Our relay\" forwarder\n"
         "    ruactl provider remove ptr relay.example.net\n"},

        {"source", "ruactl-source - the sources a domain owner approves",
         "    ruactl source approve DOMAIN PROVIDER|CIDR [--account NAME]\n"
         "    ruactl source unapprove DOMAIN PROVIDER|CIDR [--account NAME]\n"
         "    ruactl source list DOMAIN [--days N] [--limit N]\n",
         "    approve says that a provider (as the provider map names it, any case)\n"
         "    or a network (a CIDR or one address) may send as DOMAIN and its\n"
         "    subdomains: failing traffic from it is \"approved but misconfigured\",\n"
         "    from anything else \"unknown or spoofing\". Without --account the\n"
         "    approval holds for every account. list prints the sources of DOMAIN\n"
         "    over the last --days days, busiest first: SOURCE, PTR, CONFIRMED,\n"
         "    STATUS (ok, nxdomain, servfail, timeout, pending; queued: not resolved\n"
         "    yet), PROVIDER, APPROVED, MESSAGES, FAILING, ASN, AS NAME, COUNTRY.\n",
         "    --account NAME\n        the account the approval is for (approve, unapprove).\n"
         "    --days N\n        the period of list, in days up to today (default 30).\n"
         "    --limit N\n        at most N sources (list; default 1000).\n",
         "    0  success (also when the approval was already there or was not).\n"
         "    1  the command failed: no such account, or the database refused it.\n"
         "    2  usage error.\n"
         "    75 the database cannot be reached now: try again later (EX_TEMPFAIL).\n"
         "    78 the database setup cannot work, as for every command (EX_CONFIG).\n",
         "    ruactl source approve example.com Google\n"
         "    ruactl source approve example.com 198.51.100.0/24 --account acme\n"
         "    ruactl source list example.com --days 7\n"},
        {"alert", "ruactl-alert - the alert rules of an account",
         "    ruactl alert add --account NAME KIND [--domain D] [KIND OPTIONS]\n"
         "                     [--webhook URL --secret-file FILE] [--mail ADDRESS]\n"
         "                     [--cooldown DURATION]\n"
         "    ruactl alert list [--account NAME]\n"
         "    ruactl alert remove ID\n",
         "    A rule watches an account's domains (or one, --domain) and raises an\n"
         "    alert that `ruactl alerts run` delivers by webhook, e-mail or both.\n"
         "    KIND is one of:\n"
         "      new-source       a source address sent >= --min-messages messages\n"
         "                       failing DMARC as the domain yesterday or today, and\n"
         "                       none in the 30 days before (once per address);\n"
         "      compliance       yesterday's and today's DMARC compliance is --below\n"
         "                       PCT, or --drop POINTS or more under the 14 days before;\n"
         "      silent-reporter  --reporter NAME sent no aggregate report covering\n"
         "                       the last --days days (default 2);\n"
         "      conflict         a conflicting copy of a stored report came in\n"
         "                       (possible forgery; once per conflict);\n"
         "      tls-failures     the TLS reports received in the last --hours (24)\n"
         "                       count >= --min-failed (1) failed sessions for a policy\n"
         "                       domain, more than --above PCT (0) of its sessions;\n"
         "      failure-burst    >= --count (10) failure reports about a domain came\n"
         "                       in the last --hours (1).\n"
         "    The same alert (rule and key: the domain, or the address or conflict) is\n"
         "    not raised again within --cooldown. add prints \"alert rule ID added\",\n"
         "    list prints ID, ACCOUNT, KIND, DOMAIN, CONDITION, DELIVERY, COOLDOWN;\n"
         "    remove deletes the rule (the alerts it raised stay listed).\n",
         "    --account NAME\n        the rule's account (add, required); only its rules (list).\n"
         "    --domain D\n        only this domain (default: every domain of the account).\n"
         "    --min-messages N\n        new-source, compliance: at least N messages (default 1).\n"
         "    --below PCT\n        compliance: alert under PCT percent.\n"
         "    --drop POINTS\n        compliance: POINTS or more under the 14-day baseline.\n"
         "    --reporter NAME\n        silent-reporter: the reporter (org_name, any case).\n"
         "    --days D\n        silent-reporter: silent for D days (1 to 365).\n"
         "    --hours H\n        tls-failures, failure-burst: the window (1 to 720).\n"
         "    --min-failed N\n        tls-failures: at least N failed sessions.\n"
         "    --above PCT\n        tls-failures: failed sessions above PCT percent.\n"
         "    --count N\n        failure-burst: at least N failure reports.\n"
         "    --webhook URL\n        POST the alert as JSON to URL (http or https).\n"
         "    --secret-file FILE\n        the webhook's HMAC-SHA256 key (absolute path, read at\n"
         "        each delivery): the X-Rua-Signature header is sha256=HEX of the body.\n"
         "    --mail ADDRESS\n        send the alert by e-mail to ADDRESS.\n"
         "    --cooldown DURATION\n        e.g. 6h (default 1d, at most 365d; 0s: no cooldown).\n",
         "    0  success.\n"
         "    1  the command failed: no such account or rule, or the database refused it.\n"
         "    2  usage error (unknown kind, an option the kind does not take, no delivery).\n"
         "    75 the database cannot be reached now: try again later (EX_TEMPFAIL).\n"
         "    78 the database setup cannot work, as for every command (EX_CONFIG).\n",
         "    ruactl alert add --account acme compliance --below 90 --mail dmarc@example.net\n"
         "    ruactl alert add --account acme new-source --min-messages 100 \\\n"
         "        --webhook https://hooks.example.net/rua --secret-file /etc/rua-milter/hook.key\n"
         "    ruactl alert remove 4\n"},

        {"alerts", "ruactl-alerts - evaluate the alert rules, deliver and list the alerts",
         "    ruactl alerts run [--follow] [--interval DURATION] [--mail-command CMD]\n"
         "                      [--mail-from ADDRESS] [--tries N] [--backoff DURATION]\n"
         "                      [--timeout DURATION]\n"
         "    ruactl alerts list [--account NAME] [--since DURATION]\n",
         "    run evaluates every rule (`ruactl help alert`), records the new alerts\n"
         "    and delivers the pending ones: a webhook gets an HTTP POST of JSON\n"
         "    (event_id, rule_id, account, kind, domain, key, created_at, details)\n"
         "    signed in X-Rua-Signature: sha256=HEX (HMAC-SHA256 of the body); an\n"
         "    e-mail goes through the mail command. Each channel is tried --tries\n"
         "    times with a backoff doubling from --backoff (at most 30s); an alert not\n"
         "    delivered is tried again on later runs, 20 attempts in all. Prints one\n"
         "    line per alert delivered or not, then \"alerts: N raised, N delivered, N\n"
         "    not delivered\". With --follow it keeps running: it LISTENs for the\n"
         "    storing transactions' notifications (each stored report, TLS report,\n"
         "    failure report or conflict writes an outbox row while a rule exists)\n"
         "    and wakes up every --interval for the silent-reporter rules, until\n"
         "    SIGTERM or SIGINT; rua-milter-alerts.service runs it so. list prints\n"
         "    ID, ACCOUNT, RULE, KIND, DOMAIN, KEY, RAISED, DELIVERED, ATTEMPTS and\n"
         "    ERROR of the alerts raised within --since (default 7d).\n",
         "    --follow\n        keep running (run).\n"
         "    --interval DURATION\n        the longest wait between passes (default 5m).\n"
         "    --mail-command CMD\n        the mail command, words split at spaces, no shell, an\n"
         "        absolute path first; the message on its standard input (default\n"
         "        \"/usr/sbin/sendmail -t -i\").\n"
         "    --mail-from ADDRESS\n        the From address (default rua-milter@ the host name).\n"
         "    --tries N\n        tries per channel and run (default 4, at most 10).\n"
         "    --backoff DURATION\n        the first wait between tries (default 1s).\n"
         "    --timeout DURATION\n        per HTTP request or mail command (default 15s).\n"
         "    --account NAME\n        only this account's alerts (list).\n"
         "    --since DURATION\n        alerts raised within this time (list; default 7d).\n",
         "    0  success (run: every alert delivered).\n"
         "    1  run: an alert could not be delivered (see its line); or the command failed.\n"
         "    2  usage error.\n"
         "    75 the database cannot be reached now: try again later (EX_TEMPFAIL).\n"
         "    78 the database setup cannot work, as for every command (EX_CONFIG).\n",
         "    ruactl alerts run --mail-from dmarc-alerts@example.net\n"
         "    ruactl alerts list --account acme --since 30d\n"},

        {"version", "ruactl-version - print the version", "    ruactl version\n",
         "    Prints \"ruactl (rua-milter) VERSION\".\n", "", nullptr, "    ruactl version\n"},

        {"help", "ruactl-help - print a command's manual page", "    ruactl help [COMMAND]\n",
         "    Prints the page of COMMAND, or the overview without one.\n", "", nullptr,
         "    ruactl help import\n"},
    };
    return k_pages;
}

} // namespace ruactl
