// rua::ingest over real sender messages from the shared corpus (read in
// place, never copied): the MIME and compression quirks of each sender,
// table-driven, with the part, compression, kind and outcome we expect.
#include <rua/ingest.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

std::string read_corpus(const std::string& path) {
    std::ifstream in(std::string(RUA_CORPUS_DIR) + "/" + path, std::ios::binary);
    REQUIRE(in.is_open());
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

struct Case {
    const char* path;
    std::size_t reports;
    int part;                // of the first report
    const char* compression; // of the first report
    const char* kind;        // of the first report
    const char* first_error; // "" when none
};

const Case k_cases[] = {
    // Google: the whole message is application/zip.
    {"mjl-+mox/testdata/dmarc-reports/google.eml", 1, 1, "zip", "aggregate", ""},
    // Mimecast: top-level application/gzip with CRLF after the gzip stream.
    {"domainaware+parsedmarc/samples/aggregate/mimecast-weird-gzip.eml", 1, 1, "gzip", "aggregate",
     ""},
    // Outlook: multipart/related and an HTML part before the attachment.
    {"mjl-+mox/testdata/dmarc-reports/outlook.eml", 1, 3, "gzip", "aggregate", ""},
    // Amazon SES: application/octet-stream with a continued filename.
    {"stalwartlabs+mail-auth/resources/dmarc-feedback/104.eml", 1, 2, "gzip", "aggregate", ""},
    {"mjl-+mox/testdata/dmarc-reports/yahoo.eml", 1, 2, "gzip", "aggregate", ""},
    {"tierpod+dmarc-report-converter/pkg/dmarc/testdata/test.xml.gz.gz", 1, 0, "gzip+gzip",
     "aggregate", ""},
    {"tierpod+dmarc-report-converter/pkg/dmarc/testdata/test.xml.zip", 1, 0, "zip", "aggregate",
     ""},
    // Not aggregate reports: a TLS report (its gzip attachment), failure
    // reports (the ARF message parts; the failure kind's tests cover their
    // content), an empty file.
    {"domainaware+parsedmarc/samples/smtp_tls/google.com_smtp_tls_report.eml", 1, 2, "gzip",
     "tlsrpt", ""},
    {"stalwartlabs+mail-auth/resources/arf/001.eml", 1, 2, "none", "failure", ""},
    {"domainaware+parsedmarc/_deleted/samples/forensic/subject.eml", 1, 2, "none", "failure", ""},
    {"domainaware+parsedmarc/samples/empty.xml", 0, 0, "", "", "no report found in the input"},
};

} // namespace

TEST_CASE("real sender messages from the corpus are unpacked as expected") {
    if (!std::filesystem::exists(std::string(RUA_CORPUS_DIR) + "/INDEX.tsv")) {
        MESSAGE("corpus messages: SKIPPED, ../shared/corpus not found");
        return;
    }
    for (const auto& c : k_cases) {
        const std::string path = c.path;
        CAPTURE(path);
        const auto raw = read_corpus(path);
        const auto result = rua::ingest(raw, rua::Limits{}, c.path);
        CHECK(result.reports.size() == c.reports);
        if (c.reports > 0 && !result.reports.empty()) {
            CHECK(result.reports[0]->source.part == c.part);
            CHECK(result.reports[0]->source.compression == c.compression);
            CHECK(std::string(result.reports[0]->kind()) == c.kind);
            CHECK(result.attachments.size() == c.reports);
        }
        CHECK(result.first_error() == c.first_error);
    }
}
