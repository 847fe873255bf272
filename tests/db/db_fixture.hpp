// Shared fixture for the database tests (rua_db_tests): a scratch database
// per TEST_CASE on the private server that tests/pg/start.sh runs, migrated
// from sql/ with rua::migrate, dropped at the end; plus small builders of
// reports. Tests must never touch the server's `rua` database nor each
// other's scratch databases.
#pragma once

#include <rua/kinds/aggregate.hpp>
#include <rua/migrate.hpp>
#include <rua/model.hpp>
#include <rua/store.hpp>

#include <doctest/doctest.h>
#include <pqxx/pqxx>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>

namespace rua::test {

// The server's URL as start.sh wrote it ("postgresql:///rua?host=DIR&user=postgres").
inline std::string server_url() {
    std::ifstream in(std::string(RUA_PG_DIR) + "/url");
    std::string url;
    std::getline(in, url);
    if (url.empty()) {
        throw std::runtime_error("no PostgreSQL URL in " RUA_PG_DIR
                                 "/url: run tests/pg/start.sh " RUA_PG_DIR " (or ctest -R db)");
    }
    return url;
}

// The same server, another database.
inline std::string url_for(const std::string& database) {
    const auto url = server_url();
    const auto start = url.find(":///");
    const auto query = url.find('?');
    if (start == std::string::npos || query == std::string::npos) {
        throw std::runtime_error("unexpected URL form: " + url);
    }
    return url.substr(0, start + 4) + database + url.substr(query);
}

inline std::string sql_dir() {
    return std::string(RUA_SOURCE_DIR) + "/sql";
}

// A database of its own for one TEST_CASE. Migrated unless told not to.
class ScratchDb {
public:
    explicit ScratchDb(bool migrated = true) {
        std::random_device random;
        m_name = "t_" + std::to_string(::getpid()) + "_" + std::to_string(random() % 1000000000);
        admin_exec("CREATE DATABASE " + m_name);
        m_url = url_for(m_name);
        if (migrated) {
            rua::migrate(m_url, sql_dir());
        }
    }
    ~ScratchDb() {
        m_conn.reset();
        try {
            admin_exec("DROP DATABASE IF EXISTS " + m_name + " WITH (FORCE)");
        } catch (const std::exception& e) {
            MESSAGE("could not drop " << m_name << ": " << e.what());
        }
    }
    ScratchDb(const ScratchDb&) = delete;
    ScratchDb& operator=(const ScratchDb&) = delete;

    const std::string& url() const { return m_url; }
    const std::string& name() const { return m_name; }

    // A connection for assertions (reopened after reconnect()).
    pqxx::connection& conn() {
        if (!m_conn) {
            m_conn = std::make_unique<pqxx::connection>(m_url);
        }
        return *m_conn;
    }
    // Forget the assertion connection (after the server was restarted).
    void reconnect() { m_conn.reset(); }

    // One value of a one-row, one-column query; "NULL" for SQL null.
    std::string scalar(const std::string& sql) {
        pqxx::nontransaction tx(conn());
        const auto row = tx.exec1(sql);
        return row[0].is_null() ? std::string("NULL") : row[0].as<std::string>();
    }
    long long count(const std::string& table) {
        return std::stoll(scalar("SELECT count(*) FROM " + table));
    }
    void exec(const std::string& sql) {
        pqxx::nontransaction tx(conn());
        tx.exec(sql);
    }

private:
    static void admin_exec(const std::string& sql) {
        pqxx::connection admin(url_for("postgres"));
        pqxx::nontransaction tx(admin);
        tx.exec(sql);
    }

    std::string m_name;
    std::string m_url;
    std::unique_ptr<pqxx::connection> m_conn;
};

// A one-record aggregate report as XML, published for `policy_domain`; the
// record's header_from and SPF domain are `header_from` (empty: the same).
inline std::string aggregate_xml(const std::string& id, const std::string& policy_domain,
                                 const std::string& header_from = "") {
    const std::string& from = header_from.empty() ? policy_domain : header_from;
    return "<?xml version=\"1.0\"?>\n<feedback><report_metadata><org_name>Example "
           "Org</org_name><email>dmarc@reporter.example</email><report_id>" +
           id +
           "</report_id><date_range><begin>1700000000</begin><end>1700086399</end></date_range>"
           "</report_metadata><policy_published><domain>" +
           policy_domain +
           "</domain><p>none</p></policy_published><record><row><source_ip>192.0.2.7</"
           "source_ip><count>4</count><policy_evaluated><disposition>none</"
           "disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row><identifiers>"
           "<header_from>" +
           from + "</header_from></identifiers><auth_results><spf><domain>" + from +
           "</domain><result>pass</result></spf></auth_results></record></feedback>\n";
}

// `xml` as a reporter mails it: one text/xml attachment.
inline std::string xml_message(const std::string& xml) {
    return "From: reporter@reporter.example\r\nTo: dmarc@example.net\r\nSubject: Report "
           "Domain: example.com\r\nMIME-Version: 1.0\r\nContent-Type: text/xml\r\n"
           "Content-Disposition: attachment; filename=\"r.xml\"\r\n\r\n" +
           xml;
}

// A record with `count` messages from `ip`; DMARC passes when `pass`.
inline Record make_record(const std::string& ip, std::uint64_t count, bool pass = true) {
    Record record;
    record.source_ip = *IpAddress::parse(ip);
    record.count = count;
    record.disposition = pass ? "none" : "reject";
    record.dkim = pass ? "pass" : "fail";
    record.spf = "fail";
    record.header_from = "example.com";
    record.auth_dkim.push_back(
        DkimAuth{"example.com", std::string("s1"), pass ? "pass" : "fail", {}});
    record.auth_spf.push_back(SpfAuth{"bounce.example.com", std::string("mfrom"), "fail", {}});
    return record;
}

// A report from `org` about example.com for one day, with `records` records of
// 1, 2, 3, ... messages (record i from 192.0.2.(i % 250 + 1)).
inline AggregateReport make_report(const std::string& org, const std::string& report_id,
                                   std::size_t records = 2, std::int64_t begin = 1700000000) {
    AggregateReport report;
    report.schema = "rfc7489";
    report.org_name = org;
    report.email = "noreply-dmarc@" + org;
    report.report_id = report_id;
    report.begin = begin;
    report.end = begin + 86400;
    report.policy.domain = "example.com";
    report.policy.p = "reject";
    report.policy.pct = 100;
    for (std::size_t i = 0; i < records; ++i) {
        report.records.push_back(
            make_record("192.0.2." + std::to_string(i % 250 + 1), i + 1, i % 2 == 0));
    }
    return report;
}

// An ingest result holding `reports` (of any kind), all from one gzip
// attachment `bytes`.
inline IngestResult make_result_of(std::vector<ReportPtr> reports,
                                   const std::string& bytes = std::string("\x1f\x8b raw", 6)) {
    IngestResult result;
    Attachment attachment;
    attachment.part = 1;
    attachment.content_type = "application/gzip";
    attachment.filename = "report.xml.gz";
    attachment.format = "gzip";
    attachment.bytes = bytes;
    result.attachments.push_back(attachment);
    for (auto& report : reports) {
        report->attachment = 0;
        result.reports.push_back(std::move(report));
    }
    return result;
}

// The same for aggregate reports built with make_report (copied).
inline IngestResult make_result(const std::vector<AggregateReport>& reports,
                                const std::string& bytes = std::string("\x1f\x8b raw", 6)) {
    std::vector<ReportPtr> owned;
    for (const auto& report : reports) {
        owned.push_back(std::make_unique<AggregateReport>(report));
    }
    return make_result_of(std::move(owned), bytes);
}

} // namespace rua::test
