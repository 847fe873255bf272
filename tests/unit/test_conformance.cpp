// Conformance over the shared corpus of real reports (../shared/corpus, read
// in place, never copied): every aggregate file whose facts the corpus
// helper computed must ingest to a report with those facts; every invalid
// file must yield no report and an error (unless another kind reads it on
// purpose: k_read_by_another_kind). Passes with a message when the
// corpus is absent.
#include <rua/ingest.hpp>
#include <rua/kinds/aggregate.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

std::vector<std::string> split(const std::string& line, char separator) {
    std::vector<std::string> out;
    std::string field;
    std::istringstream in(line);
    while (std::getline(in, field, separator)) {
        out.push_back(field);
    }
    if (!line.empty() && line.back() == separator) {
        out.emplace_back();
    }
    return out;
}

std::string trim(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

// INDEX.tsv quotes a field CSV-style when it holds a double quote.
std::string unquote(const std::string& field) {
    if (field.size() < 2 || field.front() != '"' || field.back() != '"') {
        return field;
    }
    std::string out;
    for (std::size_t i = 1; i + 1 < field.size(); ++i) {
        out += field[i];
        if (field[i] == '"' && field[i + 1] == '"') {
            ++i;
        }
    }
    return out;
}

// "key=value; key=value ; ..." -> map; the last occurrence of a key wins
// (the report facts follow any MIME description in the same column).
std::map<std::string, std::string> facts_of(const std::string& column) {
    std::map<std::string, std::string> facts;
    for (const std::string& piece : split(column, ';')) {
        const auto eq = piece.find('=');
        if (eq != std::string::npos) {
            facts[trim(piece.substr(0, eq))] = trim(piece.substr(eq + 1));
        }
    }
    return facts;
}

std::string read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

// Aggregate files we reject on purpose (see core/src/kinds/aggregate/xml_report.cpp), with
// the error we must give instead of the helper's facts.
const std::map<std::string, std::string> k_deliberate_rejections{
    {"domainaware+parsedmarc/samples/aggregate/ikea.com!example.de!1538690400!1538776800.xml",
     "root element is <xs:schema>, not <feedback>"},
    {"tierpod+dmarc-report-converter/pkg/dmarc/testdata/test_empty.xml",
     "record 1: missing source_ip"},
};

// Files the corpus calls invalid that another kind reads on purpose, with
// that kind: an old copy of a failure report whose MIME separator lines hold
// a space (the MIME walk has always tolerated them; the failure kind's tests
// cover the report itself).
const std::map<std::string, std::string> k_read_by_another_kind{
    {"domainaware+parsedmarc/_deleted/samples/forensic/subject.eml", "failure"},
};

const std::vector<std::string> k_required{"report_id", "begin",   "end",
                                          "domain",    "records", "count_sum"};

} // namespace

TEST_CASE("conformance: the shared corpus ingests to the helper's facts") {
    const fs::path dir = RUA_CORPUS_DIR;
    if (!fs::exists(dir / "INDEX.tsv")) {
        MESSAGE("conformance: SKIPPED, ../shared/corpus not found");
        return;
    }
    std::ifstream index(dir / "INDEX.tsv");
    std::string line;
    std::getline(index, line); // the header row
    int passed = 0;
    int failed = 0;
    std::vector<std::string> skipped;
    while (std::getline(index, line)) {
        if (!line.empty() && line.back() == '\r') {
            line.pop_back(); // INDEX.tsv has CRLF line ends
        }
        const std::vector<std::string> columns = split(line, '\t');
        if (columns.size() < 11) {
            skipped.push_back("short INDEX row: " + line.substr(0, 60));
            continue;
        }
        const std::string& path = columns[0];
        const std::string& kind = columns[5];
        if (kind != "aggregate" && kind != "invalid") {
            continue;
        }
        CAPTURE(path);
        const std::string raw = read_bytes(dir / path);
        const rua::IngestResult result = rua::ingest(raw, rua::Limits{}, path);
        bool ok = true;
        auto expect = [&ok](bool condition, const std::string& what) {
            CHECK_MESSAGE(condition, what);
            ok = ok && condition;
        };
        const auto other_kind = k_read_by_another_kind.find(path);
        if (other_kind != k_read_by_another_kind.end()) {
            expect(result.reports.size() == 1,
                   std::to_string(result.reports.size()) + " reports, expected 1");
            for (const auto& report : result.reports) {
                expect(std::string(report->kind()) == other_kind->second,
                       "a " + std::string(report->kind()) + " report, expected " +
                           other_kind->second);
            }
            expect(result.first_error().empty(), "error: " + result.first_error());
            (ok ? passed : failed) += 1;
            continue;
        }
        const auto deliberate = k_deliberate_rejections.find(path);
        if (kind == "invalid" || deliberate != k_deliberate_rejections.end()) {
            const std::string error = result.first_error();
            expect(result.reports.empty(), "reports found in a file that must fail");
            expect(!error.empty(), "no error for a file that must fail");
            if (deliberate != k_deliberate_rejections.end()) {
                expect(error.find(deliberate->second) != std::string::npos,
                       "error is \"" + error + "\", expected \"" + deliberate->second + "\"");
            }
            (ok ? passed : failed) += 1;
            continue;
        }
        const auto facts = facts_of(unquote(columns[10]));
        std::string missing;
        for (const std::string& key : k_required) {
            if (facts.count(key) == 0) {
                missing += (missing.empty() ? "" : ", ") + key;
            }
        }
        if (!missing.empty()) {
            skipped.push_back(path);
            skipped.back().append(": helper facts missing (").append(missing).append(")");
            continue;
        }
        const rua::AggregateReport* report = nullptr;
        for (const rua::ReportPtr& r : result.reports) {
            const auto* aggregate = dynamic_cast<const rua::AggregateReport*>(r.get());
            if (aggregate != nullptr && aggregate->report_id == facts.at("report_id")) {
                report = aggregate;
            }
        }
        if (report == nullptr) {
            expect(false, "no report with id " + facts.at("report_id") +
                              "; first error: " + result.first_error());
            ++failed;
            continue;
        }
        if (facts.count("org_name") > 0) {
            expect(report->org_name.value_or("") == facts.at("org_name"),
                   "org_name " + report->org_name.value_or("(null)"));
        }
        expect(std::to_string(report->begin) == facts.at("begin"),
               "begin " + std::to_string(report->begin));
        expect(std::to_string(report->end) == facts.at("end"),
               "end " + std::to_string(report->end));
        expect(report->policy.domain == facts.at("domain"), "domain " + report->policy.domain);
        expect(std::to_string(report->records.size()) == facts.at("records"),
               "records " + std::to_string(report->records.size()));
        expect(std::to_string(report->message_count()) == facts.at("count_sum"),
               "count_sum " + std::to_string(report->message_count()));
        (ok ? passed : failed) += 1;
    }
    std::string summary = "conformance: " + std::to_string(passed) + " files passed, " +
                          std::to_string(skipped.size()) + " skipped, " + std::to_string(failed) +
                          " failed";
    for (const std::string& reason : skipped) {
        summary += "\n  skipped " + reason;
    }
    MESSAGE(summary);
    CHECK(passed > 0);
}
