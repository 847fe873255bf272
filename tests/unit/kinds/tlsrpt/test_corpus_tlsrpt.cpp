// The tlsrpt kind over the shared corpus (../shared/corpus, read in place,
// never copied): every INDEX.tsv row of kind "tlsrpt" goes through
// rua::ingest and must give one TLS report whose fields match what the
// index computed; rows marked invalid, and JSON renderings of other kinds,
// must give none. Skipped, with a message, when the corpus is absent.
#include <rua/ingest.hpp>
#include <rua/kinds/tlsrpt.hpp>

#include <doctest/doctest.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

const std::string k_corpus = RUA_CORPUS_DIR;

// Rows the index lists as TLS reports that RFC 8460 (and this kind) refuse.
const std::map<std::string, std::string> k_refused = {
    // Both policies lack policy-domain, which RFC 8460 requires (the source
    // project tolerates it; we refuse a policy without a domain to check).
    {"stalwartlabs+mail-auth/resources/tlsrpt/rpt03.json",
     "input: policy 1: missing policy-domain"},
};

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE_MESSAGE(in.is_open(), "cannot open " << path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::vector<std::string> split(const std::string& text, const std::string& separator) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const auto at = text.find(separator, start);
        out.push_back(text.substr(start, at - start));
        if (at == std::string::npos) {
            return out;
        }
        start = at + separator.size();
    }
}

// The index's facts: "key=value" pieces of its last column.
std::map<std::string, std::string> facts(const std::string& column) {
    static const std::set<std::string> k_keys = {
        "organization_name", "report_id",    "start",   "end",
        "policies",          "policy_types", "success", "failure",
        "failure_details",   "result_types"};
    std::map<std::string, std::string> out;
    for (std::string piece : split(column, ";")) {
        // "attachment[...] -> organization_name=...": the facts follow the arrow.
        if (const auto arrow = piece.rfind("-> "); arrow != std::string::npos) {
            piece.erase(0, arrow + 3);
        }
        while (!piece.empty() && piece.front() == ' ') {
            piece.erase(0, 1);
        }
        const auto equals = piece.find('=');
        if (equals != std::string::npos && k_keys.count(piece.substr(0, equals)) > 0) {
            out[piece.substr(0, equals)] = piece.substr(equals + 1);
        }
    }
    return out;
}

// "['a', 'b']" -> {"a", "b"}.
std::vector<std::string> python_list(std::string text) {
    std::vector<std::string> out;
    if (text.size() < 2) {
        return out;
    }
    text = text.substr(1, text.size() - 2);
    if (text.empty()) {
        return out;
    }
    for (const std::string& item : split(text, ", ")) {
        out.push_back(item.substr(1, item.size() - 2));
    }
    return out;
}

// "2024-09-03T00:00:00Z" (or without Z) -> UTC seconds, independently of
// the parser under test.
std::int64_t utc_seconds(const std::string& text) {
    std::tm tm{};
    std::istringstream in(text);
    in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
    REQUIRE_MESSAGE(!in.fail(), "bad date in index: " << text);
    return static_cast<std::int64_t>(timegm(&tm));
}

struct Row {
    std::string path;
    std::string kind;
    std::string format;
    std::string computed;
};

std::vector<Row> index_rows() {
    std::vector<Row> rows;
    std::istringstream in(read_file(k_corpus + "/INDEX.tsv"));
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        const auto cells = split(line, "\t");
        if (cells.size() >= 11) {
            rows.push_back(Row{cells[0], cells[5], cells[6], cells.back()});
        }
    }
    return rows;
}

void check_report(const Row& row, const rua::TlsReport& report) {
    const auto expected = facts(row.computed);
    REQUIRE(expected.count("report_id") == 1);
    CHECK(report.organization_name == expected.at("organization_name"));
    CHECK(report.report_id == expected.at("report_id"));
    CHECK(report.begin == utc_seconds(expected.at("start")));
    CHECK(report.end == utc_seconds(expected.at("end")));
    CHECK(report.policies.size() == std::stoul(expected.at("policies")));
    std::vector<std::string> types;
    std::uint64_t success = 0;
    std::uint64_t failure = 0;
    std::size_t details = 0;
    std::set<std::string> result_types;
    for (const auto& policy : report.policies) {
        types.push_back(policy.policy_type);
        success += policy.successful;
        failure += policy.failed;
        details += policy.failure_details.size();
        for (const auto& detail : policy.failure_details) {
            result_types.insert(detail.result_type);
        }
    }
    CHECK(types == python_list(expected.at("policy_types")));
    CHECK(success == std::stoull(expected.at("success")));
    CHECK(failure == std::stoull(expected.at("failure")));
    CHECK(details == std::stoul(expected.at("failure_details")));
    if (expected.count("result_types") > 0) {
        const auto listed = python_list(expected.at("result_types"));
        CHECK(result_types == std::set<std::string>(listed.begin(), listed.end()));
    }
}

bool has_tls_report(const rua::IngestResult& result) {
    for (const auto& report : result.reports) {
        if (report->kind() == "tlsrpt") {
            return true;
        }
    }
    return false;
}

} // namespace

TEST_CASE("tlsrpt: every TLS report of the shared corpus parses to the indexed facts") {
    if (!std::filesystem::exists(k_corpus + "/INDEX.tsv")) {
        MESSAGE("SKIPPED: no shared corpus at " << k_corpus);
        return;
    }
    std::size_t checked = 0;
    for (const auto& row : index_rows()) {
        if (row.kind != "tlsrpt") {
            continue;
        }
        CAPTURE(row.path);
        const rua::IngestResult result =
            rua::ingest(read_file(k_corpus + "/" + row.path), rua::Limits{}, row.path);
        ++checked;
        if (const auto refused = k_refused.find(row.path); refused != k_refused.end()) {
            CHECK_FALSE(has_tls_report(result));
            CHECK(result.first_error() == refused->second);
            continue;
        }
        CHECK(result.first_error().empty());
        REQUIRE(result.reports.size() == 1);
        REQUIRE(result.reports[0]->kind() == "tlsrpt");
        check_report(row, rua::report_as<rua::TlsReport>(*result.reports[0]));
    }
    CHECK(checked > 0);
}

TEST_CASE("tlsrpt: invalid corpus files and other kinds' JSON give no TLS report") {
    if (!std::filesystem::exists(k_corpus + "/INDEX.tsv")) {
        MESSAGE("SKIPPED: no shared corpus at " << k_corpus);
        return;
    }
    std::size_t checked = 0;
    for (const auto& row : index_rows()) {
        const bool other_json = row.kind == "expected-output" && row.format == "json";
        if (row.kind != "invalid" && !other_json) {
            continue;
        }
        CAPTURE(row.path);
        const rua::IngestResult result =
            rua::ingest(read_file(k_corpus + "/" + row.path), rua::Limits{}, row.path);
        CHECK_FALSE(has_tls_report(result));
        ++checked;
    }
    CHECK(checked > 0);
}
