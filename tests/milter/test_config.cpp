// Config parsing: every key, defaults, and the exact `file:line:` error
// texts an admin sees from `rua-milter -n`, and that the sample configuration
// documents the rua::Limits defaults.
#include "config.hpp"

#include <rua/errors.hpp>

#include <doctest/doctest.h>

#include <syslog.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

using namespace rua::milter;

namespace {

// The error text parse_config throws for `text`, or "" when it parses.
std::string error_of(const std::string& text, const std::string& file = "/etc/rua-milter.conf") {
    try {
        parse_config(text, file);
    } catch (const rua::ConfigError& e) {
        return e.what();
    }
    return "";
}

const std::string k_uri = "DatabaseURI postgresql:///rua\n";

} // namespace

TEST_CASE("every key is parsed") {
    const std::string text = "Socket inet:8893@127.0.0.1\n"
                             "DatabaseURI postgresql://rua@db.example/rua?sslmode=require\n"
                             "ReportDomains example.net, Example.ORG  dmarc.example.com.\n"
                             "AfterIngest deliver\n"
                             "OnBadReport reject\n"
                             "MaxMessageSize 10M\n"
                             "MaxDecompressedSize 1G\n"
                             "MaxCompressionRatio 500\n"
                             "MaxZipMembers 8\n"
                             "MaxMimeDepth 3\n"
                             "MaxParts 50\n"
                             "MaxXmlDepth 20\n"
                             "MaxRecords 5000\n"
                             "UserID rua-milter:mail\n"
                             "PidFile /run/rua-milter/rua-milter.pid\n"
                             "SyslogFacility local3\n"
                             "LogLevel debug\n"
                             "EomDeadline 30\n"
                             "PoolSize 8\n"
                             "RegistryRefresh 120\n"
                             "Umask 007\n";
    auto config = parse_config(text, "t.conf");
    REQUIRE(static_cast<bool>(config));
    CHECK(config->file == "t.conf");
    CHECK(config->socket == "inet:8893@127.0.0.1");
    CHECK(config->database_uri == "postgresql://rua@db.example/rua?sslmode=require");
    CHECK(config->report_domains ==
          std::vector<std::string>{"example.net", "example.org", "dmarc.example.com"});
    CHECK(config->after_ingest == AfterIngest::deliver);
    CHECK(config->on_bad_report == OnBadReport::reject);
    CHECK(config->limits.max_message_bytes == 10u * 1024 * 1024);
    CHECK(config->limits.max_decompressed_bytes == 1024u * 1024 * 1024);
    CHECK(config->limits.max_ratio == 500);
    CHECK(config->limits.max_zip_members == 8);
    CHECK(config->limits.max_mime_depth == 3);
    CHECK(config->limits.max_parts == 50);
    CHECK(config->limits.max_xml_depth == 20);
    CHECK(config->limits.max_records == 5000);
    CHECK(config->user == std::optional<std::string>("rua-milter"));
    CHECK(config->group == std::optional<std::string>("mail"));
    CHECK(config->pid_file == std::optional<std::string>("/run/rua-milter/rua-milter.pid"));
    CHECK(config->syslog_facility == "local3");
    CHECK(config->syslog_facility_code == LOG_LOCAL3);
    CHECK(config->log_level == LogLevel::debug);
    CHECK(config->eom_deadline == std::chrono::seconds(30));
    CHECK(config->pool_size == 8);
    CHECK(config->registry_refresh == std::chrono::seconds(120));
    CHECK(config->umask == std::optional<unsigned>(07));
}

TEST_CASE("defaults apply when only DatabaseURI is given") {
    auto config = parse_config(k_uri, "t.conf");
    const rua::Limits limits;
    CHECK(config->socket == "unix:/run/rua-milter/rua-milter.sock");
    CHECK(config->report_domains.empty());
    CHECK(config->after_ingest == AfterIngest::remove);
    CHECK(config->on_bad_report == OnBadReport::quarantine);
    CHECK(config->limits.max_message_bytes == 64u * 1024 * 1024);
    CHECK(config->limits.max_zip_members == limits.max_zip_members);
    CHECK(config->limits.max_records == limits.max_records);
    CHECK_FALSE(config->user.has_value());
    CHECK_FALSE(config->pid_file.has_value());
    CHECK(config->syslog_facility == "mail");
    CHECK(config->syslog_facility_code == LOG_MAIL);
    CHECK(config->log_level == LogLevel::info);
    CHECK(config->eom_deadline == std::chrono::seconds(60));
    CHECK(config->pool_size == 4);
    CHECK(config->registry_refresh == std::chrono::seconds(30));
    CHECK_FALSE(config->umask.has_value());
}

TEST_CASE("keys are case-insensitive and comments and blank lines are skipped") {
    auto config = parse_config("# a comment\n\n   # indented comment\r\n"
                               "databaseuri postgresql:///rua\r\n"
                               "AFTERINGEST\tDeliver  \n"
                               "maxzipmembers 3\n",
                               "t.conf");
    CHECK(config->database_uri == "postgresql:///rua");
    CHECK(config->after_ingest == AfterIngest::deliver);
    CHECK(config->limits.max_zip_members == 3);
}

TEST_CASE("unknown key is reported with file and line") {
    CHECK(error_of(k_uri + "\n# x\n\n\n\nSokcet inet:8893@127.0.0.1\n") ==
          "/etc/rua-milter.conf:7: unknown key \"Sokcet\"");
}

TEST_CASE("out-of-range values are reported with file, line and range") {
    CHECK(error_of(k_uri + "\n\n\n\n\n\n\nMaxZipMembers 0\n") ==
          "/etc/rua-milter.conf:9: MaxZipMembers: 0 is out of range (1..10000)");
    CHECK(error_of(k_uri + "PoolSize 1000\n") ==
          "/etc/rua-milter.conf:2: PoolSize: 1000 is out of range (1..256)");
    CHECK(error_of(k_uri + "MaxMessageSize 5G\n") ==
          "/etc/rua-milter.conf:2: MaxMessageSize: 5G is out of range (1024..4294967296)");
    CHECK(error_of(k_uri + "EomDeadline ten\n") ==
          "/etc/rua-milter.conf:2: EomDeadline: ten is not a number");
    CHECK(error_of(k_uri + "MaxMessageSize 12Q\n") ==
          "/etc/rua-milter.conf:2: MaxMessageSize: 12Q is not a size (a number with an "
          "optional k, M or G suffix)");
}

TEST_CASE("sizes take k, M and G suffixes") {
    CHECK(parse_config(k_uri + "MaxMessageSize 10k\n", "t")->limits.max_message_bytes == 10240);
    CHECK(parse_config(k_uri + "MaxMessageSize 2m\n", "t")->limits.max_message_bytes ==
          2u * 1024 * 1024);
    CHECK(parse_config(k_uri + "MaxMessageSize 4096\n", "t")->limits.max_message_bytes == 4096);
}

TEST_CASE("bad Socket values are rejected with the reason") {
    CHECK(error_of(k_uri + "Socket tcp:25\n") ==
          "/etc/rua-milter.conf:2: Socket: \"tcp:25\" is not unix:PATH, local:PATH, "
          "inet:PORT@HOST or inet6:PORT@HOST");
    CHECK(error_of(k_uri + "Socket inet:0@127.0.0.1\n") ==
          "/etc/rua-milter.conf:2: Socket: \"inet:0@127.0.0.1\": port 0 is out of range "
          "(1..65535)");
    CHECK(error_of(k_uri + "Socket unix:run/x.sock\n") ==
          "/etc/rua-milter.conf:2: Socket: \"unix:run/x.sock\": the socket path must be absolute");
    CHECK(error_of(k_uri + "Socket inet:8893@\n") ==
          "/etc/rua-milter.conf:2: Socket: \"inet:8893@\" is not unix:PATH, local:PATH, "
          "inet:PORT@HOST or inet6:PORT@HOST");
    CHECK(parse_config(k_uri + "Socket inet6:8893@[::1]\n", "t")->socket == "inet6:8893@[::1]");
    CHECK(parse_config(k_uri + "Socket local:/var/run/m.sock\n", "t")->socket ==
          "local:/var/run/m.sock");
}

TEST_CASE("DatabaseURI is required") {
    CHECK(error_of("Socket inet:8893@127.0.0.1\n", "x.conf") == "x.conf: DatabaseURI is required");
}

TEST_CASE("empty values and duplicate keys are errors") {
    CHECK(error_of(k_uri + "PidFile   \n") ==
          "/etc/rua-milter.conf:2: PidFile: the value may not be empty");
    CHECK(error_of(k_uri + "databaseURI postgresql:///other\n") ==
          "/etc/rua-milter.conf:2: DatabaseURI: duplicate key (first set on line 1)");
}

TEST_CASE("enumerated values name their choices") {
    CHECK(error_of(k_uri + "AfterIngest keep\n") ==
          "/etc/rua-milter.conf:2: AfterIngest: \"keep\" is not remove or deliver");
    CHECK(error_of(k_uri + "OnBadReport bounce\n") ==
          "/etc/rua-milter.conf:2: OnBadReport: \"bounce\" is not quarantine or reject");
    CHECK(error_of(k_uri + "LogLevel loud\n") ==
          "/etc/rua-milter.conf:2: LogLevel: \"loud\" is not error, warning, info or debug");
    CHECK(error_of(k_uri + "SyslogFacility kern\n") ==
          "/etc/rua-milter.conf:2: SyslogFacility: \"kern\" is not a syslog facility (mail, "
          "daemon, user, local0..local7)");
    CHECK(error_of(k_uri + "UserID :mail\n") ==
          "/etc/rua-milter.conf:2: UserID: \":mail\" is not user or user:group");
    CHECK(error_of(k_uri + "PidFile run/x.pid\n") ==
          "/etc/rua-milter.conf:2: PidFile: \"run/x.pid\" is not an absolute path");
    CHECK(error_of(k_uri + "Umask 0999\n") ==
          "/etc/rua-milter.conf:2: Umask: 0999 is not an octal umask (0..0777)");
    CHECK(error_of(k_uri + "ReportDomains example..net\n") ==
          "/etc/rua-milter.conf:2: ReportDomains: \"example..net\" is not a domain name");
}

TEST_CASE("every error is reported, one per line") {
    CHECK(error_of("Sokcet x\nMaxParts 0\nMaxParts 2\n", "a.conf") ==
          "a.conf:1: unknown key \"Sokcet\"\n"
          "a.conf:2: MaxParts: 0 is out of range (1..10000)\n"
          "a.conf:3: MaxParts: duplicate key (first set on line 2)\n"
          "a.conf: DatabaseURI is required");
}

TEST_CASE("a missing config file is an error naming it") {
    try {
        load_config("/nonexistent/rua-milter.conf");
        FAIL("load_config did not throw");
    } catch (const rua::ConfigError& e) {
        CHECK(std::string(e.what()) ==
              "/nonexistent/rua-milter.conf: cannot read: No such file or directory");
    }
}

TEST_CASE("ReportDomains matches exact lower-case domains only") {
    auto config = parse_config(k_uri + "ReportDomains Example.NET\n", "t");
    CHECK(config->is_report_domain("example.net"));
    CHECK_FALSE(config->is_report_domain("mail.example.net"));
    CHECK_FALSE(config->is_report_domain("example.org"));
}

TEST_CASE("the sample configuration documents the rua::Limits defaults") {
    const std::string path = RUA_MILTER_SAMPLE_CONF;
    std::ifstream in(path);
    REQUIRE(in);
    std::ostringstream text;
    text << in.rdbuf();
    const std::string sample = text.str();
    // Each paragraph's "(...; default X; ...)" is the value on its key line.
    for (const std::string key :
         {"MaxMessageSize", "MaxDecompressedSize", "MaxCompressionRatio", "MaxZipMembers",
          "MaxMimeDepth", "MaxParts", "MaxXmlDepth", "MaxRecords"}) {
        CAPTURE(key);
        std::smatch documented;
        std::smatch set;
        REQUIRE(std::regex_search(sample, documented,
                                  std::regex("\n## " + key + " \\([^;]*; default ([^;)]+)[;)]")));
        REQUIRE(std::regex_search(sample, set, std::regex("\n" + key + " +(\\S+)\n")));
        CHECK(documented[1].str() == set[1].str());
    }
    // And the key lines set exactly the defaults of rua::Limits.
    const auto config = load_config(path);
    const rua::Limits defaults;
    CHECK(config->limits.max_message_bytes == defaults.max_message_bytes);
    CHECK(config->limits.max_decompressed_bytes == defaults.max_decompressed_bytes);
    CHECK(config->limits.max_ratio == defaults.max_ratio);
    CHECK(config->limits.max_zip_members == defaults.max_zip_members);
    CHECK(config->limits.max_mime_depth == defaults.max_mime_depth);
    CHECK(config->limits.max_parts == defaults.max_parts);
    CHECK(config->limits.max_xml_depth == defaults.max_xml_depth);
    CHECK(config->limits.max_records == defaults.max_records);
}

TEST_CASE("MaxInFlightBytes takes a size within 1M..1024G, 512M by default") {
    CHECK(parse_config(k_uri, "t.conf")->max_in_flight_bytes == std::size_t{512} << 20);
    CHECK(parse_config(k_uri + "MaxInFlightBytes 2G\n", "t.conf")->max_in_flight_bytes ==
          std::size_t{2} << 30);
    CHECK(error_of(k_uri + "MaxInFlightBytes 1023k\n", "t.conf") ==
          "t.conf:2: MaxInFlightBytes: 1023k is out of range (1048576..1099511627776)");
}

TEST_CASE("a malformed DatabaseURI is refused with libpq's reason, its password redacted") {
    const std::string bad =
        error_of("DatabaseURI postgresql://rua:s3cret@db.example/rua?x=1\n", "t.conf");
    CHECK(bad == "t.conf:1: DatabaseURI: not a valid libpq connection string: invalid URI query "
                 "parameter: \"x\"");
    const std::string keywords =
        error_of("DatabaseURI host=db password=s3cret nonsense\n", "t.conf");
    CHECK(keywords.rfind("t.conf:1: DatabaseURI: not a valid libpq connection string: ", 0) == 0);
    CHECK(keywords.find("s3cret") == std::string::npos);
    CHECK(parse_config("DatabaseURI host=/run/postgresql dbname=rua\n", "t.conf")->database_uri ==
          "host=/run/postgresql dbname=rua");
}

TEST_CASE("TrustedAuthservIDs and RequireAuthenticReports: off by default, parsed, checked") {
    const auto defaults = parse_config(k_uri, "t.conf");
    CHECK(defaults->trusted_authserv_ids.empty());
    CHECK_FALSE(defaults->require_authentic_reports);

    const auto config =
        parse_config(k_uri + "TrustedAuthservIDs MX.Example.net, relay.example.net \"Two Words\""
                             " mx.example.net\nRequireAuthenticReports Yes\n",
                     "t.conf");
    CHECK(config->trusted_authserv_ids ==
          std::vector<std::string>{"mx.example.net", "relay.example.net", "two words"});
    CHECK(config->require_authentic_reports);

    CHECK(error_of(k_uri + "RequireAuthenticReports yes\n", "t.conf") ==
          "t.conf:2: RequireAuthenticReports: yes needs TrustedAuthservIDs");
    CHECK(error_of(k_uri + "RequireAuthenticReports maybe\n", "t.conf") ==
          "t.conf:2: RequireAuthenticReports: \"maybe\" is not yes or no");
    CHECK(error_of(k_uri + "TrustedAuthservIDs a;b\n", "t.conf") ==
          "t.conf:2: TrustedAuthservIDs: \"a;b\" is not an authserv-id");
    CHECK(error_of(k_uri + "TrustedAuthservIDs \"open\n", "t.conf") ==
          "t.conf:2: TrustedAuthservIDs: unterminated quoted authserv-id");
    CHECK(error_of(k_uri + "TrustedAuthservIDs ,\n", "t.conf") ==
          "t.conf:2: TrustedAuthservIDs: no authserv-id given");
}

TEST_CASE("DatabaseURI takes a multi-host URI and key=value string with TLS settings") {
    const std::string uri = "postgresql://rua:s3cret@db1:5432,db2:5432/rua?target_session_attrs="
                            "read-write&sslmode=verify-full&sslrootcert=/etc/ssl/ca.pem";
    CHECK(parse_config("DatabaseURI " + uri + "\n", "t.conf")->database_uri == uri);
    const std::string kv = "host=/run/pga,/run/pgb port=5432,5433 dbname=rua user=rua "
                           "target_session_attrs=read-write";
    CHECK(parse_config("DatabaseURI " + kv + "\n", "t.conf")->database_uri == kv);
}
