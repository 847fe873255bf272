// Every failure report of ../shared/corpus (INDEX.tsv, kind "failure") is
// found by the failure kind and matches the ARF fields its last column
// lists. The corpus is read in place and may be absent (CI): the test then
// says SKIPPED and passes.
#include "failure_util.hpp"
#include "kinds/failure/date.hpp"

#include <algorithm>
#include <filesystem>

namespace {

std::vector<std::string> split(const std::string& line, char separator) {
    std::vector<std::string> out(1);
    for (const char c : line) {
        if (c == separator) {
            out.emplace_back();
        } else {
            out.back().push_back(c);
        }
    }
    return out;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// "ARF{A=1, B=x, y, C=2}" -> {{"A","1"}, {"B","x, y"}, {"C","2"}}: a ", "
// starts a new pair only when a "Name=" follows.
std::vector<std::pair<std::string, std::string>> arf_fields(const std::string& column) {
    std::vector<std::pair<std::string, std::string>> out;
    const auto start = column.find("ARF{");
    if (start == std::string::npos) {
        return out;
    }
    const auto end = column.find('}', start);
    const std::string body = column.substr(start + 4, end - start - 4);
    std::size_t pos = 0;
    while (pos < body.size()) {
        std::size_t next = pos;
        while (true) {
            next = body.find(", ", next);
            if (next == std::string::npos) {
                break;
            }
            const auto eq = body.find('=', next + 2);
            const auto name = body.substr(next + 2, eq == std::string::npos ? 0 : eq - next - 2);
            if (!name.empty() && name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
                                                        "nopqrstuvwxyz-") == std::string::npos) {
                break;
            }
            next += 2;
        }
        const auto pair = body.substr(pos, next == std::string::npos ? next : next - pos);
        const auto eq = pair.find('=');
        out.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
        pos = next == std::string::npos ? body.size() : next + 2;
    }
    return out;
}

std::vector<std::string> list_of(const std::string& value) {
    std::vector<std::string> out;
    for (auto item : split(value, ',')) {
        item.erase(0, item.find_first_not_of(' '));
        out.push_back(lower(item));
    }
    return out;
}

void check_field(const rua::FailureReport& r, const std::string& name, const std::string& value) {
    INFO(name << "=" << value);
    if (name == "Feedback-Type") {
        CHECK(r.feedback_type == lower(value));
    } else if (name == "User-Agent") {
        CHECK(r.user_agent == value);
    } else if (name == "Version") {
        CHECK(r.version == value);
    } else if (name == "Arrival-Date" || name == "Received-Date") {
        REQUIRE(r.arrival_date);
        CHECK(r.arrival_date == rua::detail::failure::parse_date(value));
    } else if (name == "Source-IP") {
        REQUIRE(r.source_ip);
        CHECK(r.source_ip->text() == rua::IpAddress::parse(split(value, ' ')[0])->text());
    } else if (name == "Reported-Domain") {
        CHECK(r.reported_domain == value);
    } else if (name == "DKIM-Domain") {
        CHECK(r.dkim_domain == value);
    } else if (name == "DKIM-Selector") {
        CHECK(r.dkim_selector == value);
    } else if (name == "Delivery-Result") {
        CHECK(r.delivery_result == lower(value));
    } else if (name == "Auth-Failure") {
        CHECK(r.auth_failure == list_of(value));
    } else if (name == "Identity-Alignment") {
        CHECK(r.identity_alignment == list_of(value));
    } else {
        FAIL("unknown field in INDEX.tsv: " << name);
    }
}

} // namespace

TEST_CASE("every failure report of the corpus is found with the fields INDEX.tsv lists") {
    const std::filesystem::path dir = RUA_CORPUS_DIR;
    std::ifstream index(dir / "INDEX.tsv");
    if (!index) {
        MESSAGE("SKIPPED: no corpus at " << dir.string());
        return;
    }
    std::string line;
    std::getline(index, line); // header
    int rows = 0;
    while (std::getline(index, line)) {
        const auto columns = split(line, '\t');
        if (columns.size() < 11 || columns[5] != "failure") {
            continue;
        }
        ++rows;
        INFO(columns[0]);
        std::ifstream in(dir / columns[0], std::ios::binary);
        REQUIRE(in);
        std::ostringstream raw;
        raw << in.rdbuf();
        const auto report = failure_test::parse_one(raw.str());
        const auto fields = arf_fields(columns[10]);
        CHECK(report.format == (fields.empty() ? "text" : "arf"));
        for (const auto& [name, value] : fields) {
            check_field(report, name, value);
        }
        CHECK_FALSE(report.domains().empty());
    }
    CHECK(rows >= 11);
}
