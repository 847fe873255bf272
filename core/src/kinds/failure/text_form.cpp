// The text form of a failure report: a plain-text notice ("A message
// claiming to be from you has failed the published DMARC policy ...") with
// "Name: value" lines and the original's headers, as Exim/cPanel and others
// send instead of ARF. Only the lines before the original's headers are
// notice fields; nothing is guessed from prose.
#include "kinds/failure/date.hpp"
#include "kinds/failure/headers.hpp"
#include "kinds/failure/parse.hpp"
#include "text.hpp"

#include <rua/errors.hpp>

#include <array>

namespace rua::detail::failure {

namespace {

// Lines of `text`, without their line breaks.
template <typename F> void each_line(std::string_view text, F f) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto eol = text.find('\n', pos);
        const auto end = eol == std::string_view::npos ? text.size() : eol;
        auto line = text.substr(pos, end - pos);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (!f(line, pos)) {
            return;
        }
        pos = end + 1;
    }
}

// "  Sender IP Address: 192.0.2.1" -> a field (names may hold spaces here).
bool notice_field(std::string_view line, ArfField& out) {
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 48) {
        return false;
    }
    const auto name = trim(line.substr(0, colon));
    const auto value = trim(line.substr(colon + 1));
    if (name.empty() || value.empty()) {
        return false;
    }
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == ' ' || c == '-' || c == '_';
        if (!ok) {
            return false;
        }
    }
    out.name = std::string(name);
    out.value = valid_utf8(unfold(value));
    return true;
}

// The notice field names that map to report fields, lower-cased.
constexpr std::array<const char*, 4> k_domain_names = {"sender domain", "reported domain", "domain",
                                                       "from domain"};
constexpr std::array<const char*, 4> k_ip_names = {"sender ip address", "sender ip", "source ip",
                                                   "ip address"};
constexpr std::array<const char*, 3> k_date_names = {"received date", "arrival date",
                                                     "date received"};

template <std::size_t N>
bool named(const std::string& name, const std::array<const char*, N>& names) {
    for (const char* n : names) {
        if (name == n) {
            return true;
        }
    }
    return false;
}

} // namespace

std::size_t find_inline_headers(std::string_view notice) {
    std::size_t found = std::string_view::npos;
    std::size_t run_start = std::string_view::npos;
    int fields = 0;
    bool has_from = false;
    const auto finish = [&]() {
        if (run_start != std::string_view::npos && fields >= 3 && has_from) {
            found = run_start;
        }
        run_start = std::string_view::npos;
        fields = 0;
        has_from = false;
    };
    each_line(notice, [&](std::string_view line, std::size_t pos) {
        if (opens_field(line)) {
            if (run_start == std::string_view::npos) {
                run_start = pos;
            }
            ++fields;
            has_from = has_from || istarts_with(line, "from:");
        } else if (!(run_start != std::string_view::npos && !line.empty() &&
                     (line[0] == ' ' || line[0] == '\t'))) {
            finish();
        }
        return found == std::string_view::npos;
    });
    finish();
    return found;
}

std::unique_ptr<FailureReport> parse_text_form(std::string_view notice,
                                               const OriginalText& original, const Limits& limits) {
    auto report = std::make_unique<FailureReport>();
    report->format = "text";
    report->feedback_type = "auth-failure"; // the notice says DMARC failed
    report->auth_failure = {"dmarc"};
    const std::size_t max_fields = max_header_fields(limits);
    each_line(notice, [&](std::string_view line, std::size_t /*pos*/) {
        ArfField field;
        if (line.size() <= limits.max_field_bytes && notice_field(line, field)) {
            if (report->fields.size() >= max_fields) {
                throw LimitExceeded("failure notice has more than " + std::to_string(max_fields) +
                                    " fields");
            }
            report->fields.push_back(std::move(field));
        }
        return true;
    });
    for (const auto& field : report->fields) {
        const std::string name = lower(field.name);
        if (named(name, k_domain_names) && !report->reported_domain) {
            report->reported_domain = field.value;
        } else if (named(name, k_ip_names) && !report->source_ip) {
            report->source_ip = IpAddress::parse(field.value);
            if (!report->source_ip) {
                report->warnings.push_back(field.name +
                                           " is not an IP address: " + excerpt(field.value));
            }
        } else if (named(name, k_date_names) && !report->arrival_date) {
            report->arrival_date = parse_date(field.value);
            if (!report->arrival_date) {
                report->warnings.push_back(field.name +
                                           " is not a readable date: " + excerpt(field.value));
            }
        }
    }
    read_original(*report, original, limits);
    if (report->domains().empty()) {
        throw BadInput("failure notice names no domain: no Sender Domain and no From address in "
                       "the original");
    }
    return report;
}

} // namespace rua::detail::failure
