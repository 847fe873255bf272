// Reports past Limits::stream_items are stored while they are parsed
// (Store::ingest_and_store): the rows, counts and fingerprint must be exactly
// those of the same report stored whole, and a report that fails late must
// leave nothing behind while the message's other reports stay.
#include "db/db_fixture.hpp"
#include "db/many_records.hpp"

#include <rua/admin.hpp>
#include <rua/process.hpp>

#include <doctest/doctest.h>

#include <string>

namespace {

using rua::test::many_records_xml;
using rua::test::ScratchDb;

// Two attachments in one message.
std::string two_part_message(const std::string& first, const std::string& second) {
    return "From: reporter@big.example\r\nTo: dmarc@example.net\r\nSubject: Reports\r\n"
           "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
           "--b\r\nContent-Type: text/xml\r\nContent-Disposition: attachment; "
           "filename=\"a.xml\"\r\n\r\n" +
           first +
           "\r\n--b\r\nContent-Type: text/xml\r\nContent-Disposition: attachment; "
           "filename=\"b.xml\"\r\n\r\n" +
           second + "\r\n--b--\r\n";
}

// `text` in base64, 76 symbols a line, as mail agents write it.
std::string base64_lines(const std::string& text) {
    static constexpr char k_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t line = 0;
    const auto put = [&](char c) {
        out += c;
        if (++line == 76) {
            out += "\r\n";
            line = 0;
        }
    };
    for (std::size_t i = 0; i < text.size(); i += 3) {
        const auto byte = [&](std::size_t k) {
            return k < text.size() ? static_cast<unsigned char>(text[k]) : 0u;
        };
        const unsigned n = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
        put(k_alphabet[(n >> 18) & 63]);
        put(k_alphabet[(n >> 12) & 63]);
        put(i + 1 < text.size() ? k_alphabet[(n >> 6) & 63] : '=');
        put(i + 2 < text.size() ? k_alphabet[n & 63] : '=');
    }
    return out + "\r\n";
}

std::string base64_message(const std::string& xml) {
    return "From: reporter@big.example\r\nTo: dmarc@example.net\r\nSubject: Report\r\n"
           "MIME-Version: 1.0\r\nContent-Type: text/xml\r\nContent-Transfer-Encoding: "
           "base64\r\nContent-Disposition: attachment; filename=\"big.xml\"\r\n\r\n" +
           base64_lines(xml);
}

rua::Arrival arrival() {
    rua::Arrival a;
    a.via = "import";
    return a;
}

rua::Limits streaming(std::size_t items) {
    rua::Limits limits;
    limits.stream_items = items;
    return limits;
}

} // namespace

TEST_CASE("a streamed report is stored exactly as the same report stored whole") {
    const std::string message = rua::test::xml_message(many_records_xml("big-1", 350));
    std::string whole_fingerprint;
    std::string whole_rows;
    const std::string rows_query =
        "SELECT string_agg(ordinal || ':' || host(source_ip) || ':' || count || ':' || "
        "auth_dkim::text || ':' || (date_begin = to_timestamp(1700000000)), ',' ORDER BY "
        "ordinal) FROM aggregate_record";
    {
        ScratchDb db;
        rua::ConnectionPool pool(db.url(), 1);
        rua::Store store(pool);
        const auto whole =
            rua::process_message(store, message, streaming(1000), arrival(), rua::ProcessOptions{});
        REQUIRE(whole.verdict == rua::Verdict::stored);
        CHECK_FALSE(whole.ingest.reports.at(0)->streamed);
        whole_fingerprint = db.scalar("SELECT encode(fingerprint, 'hex') FROM aggregate_report");
        whole_rows = db.scalar(rows_query);
    }
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    const auto streamed =
        rua::process_message(store, message, streaming(100), arrival(), rua::ProcessOptions{});
    REQUIRE(streamed.verdict == rua::Verdict::stored);
    REQUIRE(streamed.ingest.reports.size() == 1);
    CHECK(streamed.ingest.reports[0]->streamed);
    CHECK(streamed.ingest.reports[0]->items() == 350);
    CHECK(streamed.outcome.items_stored == 350);
    CHECK(db.scalar("SELECT record_count || ' ' || message_count FROM aggregate_report") ==
          "350 61425");
    CHECK(db.scalar("SELECT encode(fingerprint, 'hex') FROM aggregate_report") ==
          whole_fingerprint);
    const bool same_rows = db.scalar(rows_query) == whole_rows; // not printed: 350 rows
    CHECK(same_rows);
    CHECK(db.count("raw_report") == 1);

    // Sent again, streamed: a duplicate, nothing added.
    const auto again =
        rua::process_message(store, message, streaming(100), arrival(), rua::ProcessOptions{});
    CHECK(again.verdict == rua::Verdict::duplicate);
    CHECK(db.count("aggregate_record") == 350);
    CHECK(db.count("raw_report") == 1);
    CHECK(db.count("report_conflict") == 0);

    // Same key, other content: a conflict, kept once beside the first.
    const std::string other = rua::test::xml_message(many_records_xml("big-1", 351));
    const auto conflict =
        rua::process_message(store, other, streaming(100), arrival(), rua::ProcessOptions{});
    CHECK(conflict.verdict == rua::Verdict::duplicate);
    CHECK(conflict.outcome.conflicts() == 1);
    CHECK(db.count("report_conflict") == 1);
    CHECK(db.count("aggregate_record") == 350);
    CHECK(db.count("raw_report") == 2);
}

TEST_CASE("a streamed report that fails late leaves nothing; the message's other report stays") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    const std::string message =
        two_part_message(many_records_xml("bad-1", 300, 250), many_records_xml("good-1", 120));
    const auto result =
        rua::process_message(store, message, streaming(100), arrival(), rua::ProcessOptions{});
    CHECK(result.verdict == rua::Verdict::stored);
    REQUIRE(result.bad_parts.size() == 1);
    CHECK(result.bad_parts[0] ==
          "part 1 (text/xml, \"a.xml\"): record 250: count \"many\" is not a number");
    CHECK(db.scalar("SELECT string_agg(report_id || '=' || record_count, ',') FROM "
                    "aggregate_report") == "good-1=120");
    CHECK(db.count("aggregate_record") == 120);
    CHECK(db.count("raw_report") == 1);
    CHECK(db.scalar("SELECT reason FROM quarantine") == "bad_part");
}

TEST_CASE("a streamed report for a domain the account does not own stores nothing") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    rua::Admin admin(pool);
    admin.add_account("acme");
    admin.add_rua("dmarc@example.net", "acme", {"example.com"});
    const auto registry = store.load_registry();
    rua::ProcessOptions options;
    options.ruas.push_back(*registry.find("dmarc@example.net"));
    const std::string message = two_part_message(
        many_records_xml("mine-1", 120), many_records_xml("theirs-1", 300, 0, "other.example"));
    const auto result = rua::process_message(store, message, streaming(100), arrival(), options);
    CHECK(result.verdict == rua::Verdict::quarantined);
    CHECK(result.reason_code == "foreign_domain");
    CHECK(db.count("aggregate_report") == 0);
    CHECK(db.count("aggregate_record") == 0);
    CHECK(db.count("raw_report") == 0);
    CHECK(db.scalar("SELECT reason FROM quarantine") == "foreign_domain");

    // The account's own report, streamed, carries the account on every row.
    const auto own =
        rua::process_message(store, rua::test::xml_message(many_records_xml("mine-2", 150)),
                             streaming(100), arrival(), options);
    CHECK(own.verdict == rua::Verdict::stored);
    CHECK(db.scalar("SELECT count(*) FROM aggregate_record r JOIN account a ON a.id = "
                    "r.account_id WHERE a.name = 'acme'") == "150");
}

TEST_CASE("an attachment past 1 MiB is archived through a large object, byte for byte") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    const std::string xml = many_records_xml("huge-1", 4000);
    REQUIRE(xml.size() > (1u << 20));
    const auto result = rua::process_message(store, rua::test::xml_message(xml), rua::Limits{},
                                             arrival(), rua::ProcessOptions{});
    CHECK_MESSAGE(result.verdict == rua::Verdict::stored, result.reason);
    CHECK(db.scalar("SELECT size FROM raw_report") == std::to_string(xml.size()));
    CHECK(db.scalar("SELECT data = convert_to($x$" + xml + "$x$, 'UTF8') FROM raw_report") == "t");
    CHECK(db.scalar("SELECT count(*) FROM pg_largeobject_metadata") == "0");
    CHECK(db.count("aggregate_record") == 4000);
    // sql/0014: compressed with lz4, not pglz.
    CHECK(db.scalar("SELECT pg_column_compression(data) FROM raw_report") == "lz4");
}

TEST_CASE("a large object's pages are compressed with lz4, as raw_report's column") {
    // The object is unlinked in the same transaction, so a public.lo_get,
    // first on the search path of the store's connections, keeps how its
    // pages were compressed before it hands them to the INSERT.
    ScratchDb db;
    db.exec("CREATE TABLE object_pages (method text, pages bigint)");
    db.exec("CREATE FUNCTION public.lo_get(oid) RETURNS bytea LANGUAGE sql AS $f$ "
            "INSERT INTO object_pages SELECT coalesce(pg_column_compression(data), 'none'), "
            "count(*) FROM pg_largeobject WHERE loid = $1 GROUP BY 1; "
            "SELECT pg_catalog.lo_get($1) $f$");
    db.exec("ALTER DATABASE " + db.name() + " SET search_path = public, pg_catalog");
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    const std::string xml = many_records_xml("huge-2", 4000);
    const auto result = rua::process_message(store, rua::test::xml_message(xml), rua::Limits{},
                                             arrival(), rua::ProcessOptions{});
    CHECK_MESSAGE(result.verdict == rua::Verdict::stored, result.reason);
    // Every whole 2 KB page compressed with lz4 (pglz before); the last,
    // shorter one is under the threshold and kept as it is.
    REQUIRE(xml.size() % 2048 != 0);
    CHECK(db.scalar("SELECT string_agg(method || ' ' || pages, ',' ORDER BY method) FROM "
                    "object_pages") == "lz4 " + std::to_string(xml.size() / 2048) + ",none 1");
    CHECK(db.scalar("SELECT data = convert_to($x$" + xml + "$x$, 'UTF8') FROM raw_report") == "t");
}

TEST_CASE("a large base64 attachment is parsed and archived without being decoded whole") {
    const std::string xml = many_records_xml("b64-1", 4200);
    const std::string message = base64_message(xml);
    REQUIRE(message.size() > (1u << 20));
    for (const std::size_t items : {std::size_t{1000}, std::size_t{100000}}) {
        CAPTURE(items);
        ScratchDb db;
        rua::ConnectionPool pool(db.url(), 1);
        rua::Store store(pool);
        const auto result = rua::process_message(store, message, streaming(items), arrival(),
                                                 rua::ProcessOptions{});
        CHECK_MESSAGE(result.verdict == rua::Verdict::stored, result.reason);
        REQUIRE(result.ingest.reports.size() == 1);
        CHECK(result.ingest.reports[0]->streamed == (items == 1000));
        CHECK(db.count("aggregate_record") == 4200);
        CHECK(db.scalar("SELECT format || ' ' || size || ' ' || filename FROM raw_report") ==
              "xml " + std::to_string(xml.size()) + " big.xml");
        CHECK(db.scalar("SELECT data = convert_to($x$" + xml + "$x$, 'UTF8') FROM raw_report") ==
              "t");
        CHECK(db.scalar("SELECT raw_sha256 = (SELECT sha256 FROM raw_report) FROM "
                        "aggregate_report") == "t");
    }
}

TEST_CASE("a streamed report's records go straight into their month's partition when it exists") {
    // 1700000000 is in November 2023: with that month's partition the COPY
    // goes into it (skipping the parent's per-statement check, as the report
    // was inserted just before); without it, through the parent into the
    // default partition. Either way every record is stored once, with its
    // report.
    const std::string where = "SELECT string_agg(DISTINCT tableoid::regclass::text, ',') || ' ' || "
                              "count(*) || ' ' || (SELECT count(*) FROM parent_checks) "
                              "FROM aggregate_record";
    for (const bool month : {true, false}) {
        CAPTURE(month);
        ScratchDb db;
        if (month) {
            db.exec("SELECT rua_partition_create('aggregate_record', '2023-11-01')");
        }
        // The parent's check, made to leave a trace of each statement it sees.
        db.exec("CREATE TABLE parent_checks (at timestamptz)");
        db.exec("CREATE OR REPLACE FUNCTION aggregate_record_check_reports() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN INSERT INTO parent_checks VALUES (now()); "
                "RETURN NULL; END $$");
        rua::ConnectionPool pool(db.url(), 1);
        rua::Store store(pool);
        const auto result =
            rua::process_message(store, rua::test::xml_message(many_records_xml("leaf-1", 350)),
                                 streaming(100), arrival(), rua::ProcessOptions{});
        REQUIRE(result.verdict == rua::Verdict::stored);
        CHECK(result.ingest.reports.at(0)->streamed);
        CHECK(db.scalar(where) ==
              (month ? "aggregate_record_2023_11 350 0" : "aggregate_record_default 350 1"));
        CHECK(db.scalar("SELECT count(*) FROM aggregate_record r JOIN aggregate_report a ON "
                        "a.id = r.report_id AND a.report_id = 'leaf-1'") == "350");
    }
}

TEST_CASE("a message's reports of two months go through the parent, each into its partition") {
    ScratchDb db;
    db.exec("SELECT rua_partition_create('aggregate_record', '2023-11-01')");
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    std::string other = many_records_xml("leaf-3", 5);
    const std::string from = "<begin>1700000000</begin><end>1700086399</end>";
    other.replace(other.find(from), from.size(), "<begin>1710000000</begin><end>1710086399</end>");
    const auto result =
        rua::process_message(store, two_part_message(many_records_xml("leaf-2", 4), other),
                             rua::Limits{}, arrival(), rua::ProcessOptions{});
    REQUIRE(result.verdict == rua::Verdict::stored);
    CHECK(db.scalar("SELECT string_agg(a.report_id || ' ' || r.tableoid::regclass::text || ' ' || "
                    "r.n, ',' ORDER BY a.report_id) FROM aggregate_report a JOIN (SELECT "
                    "report_id, tableoid, count(*) AS n FROM aggregate_record GROUP BY 1, 2) r "
                    "ON r.report_id = a.id") ==
          "leaf-2 aggregate_record_2023_11 4,leaf-3 aggregate_record_default 5");
}

TEST_CASE("a stored report is queued for the daily rollup by its own INSERT; a duplicate is not") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    const std::string sum = "SELECT (SELECT count(*) FROM rollup_pending) || ' ' || "
                            "(SELECT sum(messages) FROM v_day_domain)";
    for (const std::size_t items : {std::size_t{100}, std::size_t{1000}}) {
        CAPTURE(items); // streamed, then whole (the same report: a duplicate)
        const auto result =
            rua::process_message(store, rua::test::xml_message(many_records_xml("roll-1", 350)),
                                 streaming(items), arrival(), rua::ProcessOptions{});
        CHECK(result.verdict == (items == 100 ? rua::Verdict::stored : rua::Verdict::duplicate));
        CHECK(db.scalar(sum) == "1 61425");
    }
    const auto other =
        rua::process_message(store, rua::test::xml_message(many_records_xml("roll-2", 3)),
                             rua::Limits{}, arrival(), rua::ProcessOptions{});
    REQUIRE(other.verdict == rua::Verdict::stored);
    CHECK(db.scalar(sum) == "2 61431");
    CHECK(db.scalar("SELECT rua_rollup_fold()") == "2");
    CHECK(db.scalar(sum) == "0 61431");
}

TEST_CASE("a few records stored by one INSERT are the very rows COPY stores") {
    // 40 records: whole, they go in one INSERT (json_populate_recordset);
    // streamed in batches of 10, through COPY. Every column must match.
    std::string xml = many_records_xml("few-1", 40);
    const std::string odd = "<header_from>example.com</header_from>";
    xml.replace(xml.find(odd), odd.size(),
                "<header_from>Ex\"am\\ple\tcom \xc3\xa9</header_from><envelope_from>"
                "</envelope_from>");
    const std::string message = rua::test::xml_message(xml);
    const std::string rows =
        "SELECT string_agg(row(ordinal, date_begin, account_id, source_ip, "
        "count, disposition, dkim, spf, header_from, envelope_from, "
        "envelope_to, dmarc_pass, reasons::text, auth_dkim::text, "
        "auth_spf::text)::text, E'\\n' ORDER BY ordinal) FROM aggregate_record";
    std::string copied;
    {
        ScratchDb db;
        rua::ConnectionPool pool(db.url(), 1);
        rua::Store store(pool);
        const auto streamed =
            rua::process_message(store, message, streaming(10), arrival(), rua::ProcessOptions{});
        REQUIRE(streamed.verdict == rua::Verdict::stored);
        REQUIRE(streamed.ingest.reports.at(0)->streamed);
        copied = db.scalar(rows);
    }
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    const auto whole =
        rua::process_message(store, message, rua::Limits{}, arrival(), rua::ProcessOptions{});
    REQUIRE(whole.verdict == rua::Verdict::stored);
    REQUIRE_FALSE(whole.ingest.reports.at(0)->streamed);
    CHECK(db.count("aggregate_record") == 40);
    CHECK(db.scalar(rows) == copied);
    CHECK(db.scalar("SELECT header_from FROM aggregate_record WHERE ordinal = 0") ==
          "Ex\"am\\ple\tcom \xc3\xa9");
}
