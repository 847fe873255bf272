// The message/feedback-report part of an ARF report, field by field, into a
// FailureReport (RFC 5965 section 3, RFC 6591 section 3, RFC 9991). Names
// are matched in any case; single-valued fields that appear twice or carry
// several values keep the first and say so in warnings. Must never mask,
// drop or reorder what `fields` keeps: the exactly-once key is made of it.
#include "kinds/failure/date.hpp"
#include "kinds/failure/headers.hpp"
#include "kinds/failure/parse.hpp"
#include "text.hpp"

#include <rua/errors.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace rua::detail::failure {

namespace {

constexpr const char* k_part = "message/feedback-report part";

// The values of every field named `name`, in order.
std::vector<std::string_view> values_of(const std::vector<ArfField>& fields,
                                        std::string_view name) {
    std::vector<std::string_view> out;
    for (const auto& f : fields) {
        if (iequals(f.name, name)) {
            out.emplace_back(f.value);
        }
    }
    return out;
}

// How a single-valued field is read.
enum class Shape {
    text,  // any text (User-Agent, SPF-DNS)
    token, // one token: a second one after ';', ',' or a space is flagged
};

// The first value of single-valued field `name`, flagged when it appears
// more than once or (for tokens) holds several values.
OptString single(FailureReport& report, std::string_view name, Shape shape) {
    const auto values = values_of(report.fields, name);
    if (values.empty()) {
        return std::nullopt;
    }
    if (values.size() > 1) {
        report.warnings.push_back(
            fmt::format("{} appears {} times; the first is used", name, values.size()));
    }
    std::string_view value = values.front();
    if (shape == Shape::token) {
        const auto cut = value.find_first_of(";, \t");
        if (cut != std::string_view::npos) {
            const auto rest = trim(value.substr(cut + 1));
            if (!rest.empty() && rest.find_first_not_of(";, \t") != std::string_view::npos) {
                report.warnings.push_back(
                    fmt::format("{} holds several values; the first is used", name));
            }
            value = trim(value.substr(0, cut));
        }
    }
    return std::string(value);
}

// Comma-separated lists over every field named `name`, lower-cased.
std::vector<std::string> list_of(const FailureReport& report, std::string_view name) {
    std::vector<std::string> out;
    for (const auto value : values_of(report.fields, name)) {
        std::size_t pos = 0;
        while (pos <= value.size()) {
            const auto comma = value.find(',', pos);
            const auto end = comma == std::string_view::npos ? value.size() : comma;
            const auto item = trim(value.substr(pos, end - pos));
            if (!item.empty()) {
                out.push_back(lower(item));
            }
            pos = end + 1;
        }
    }
    return out;
}

std::optional<IpAddress> source_ip(FailureReport& report, const std::string& value) {
    // "192.0.2.1 (host.example)" and "[192.0.2.1]" as real senders write them.
    auto text = trim(value);
    text = text.substr(0, text.find_first_of(" \t("));
    if (text.size() > 2 && text.front() == '[' && text.back() == ']') {
        text = text.substr(1, text.size() - 2);
    }
    auto ip = IpAddress::parse(text);
    if (!ip) {
        report.warnings.push_back("Source-IP is not an IP address: " + excerpt(value));
    }
    return ip;
}

void arrival(FailureReport& report) {
    for (const char* name : {"Arrival-Date", "Received-Date"}) {
        if (const auto value = single(report, name, Shape::text)) {
            report.arrival_date = parse_date(*value);
            if (!report.arrival_date) {
                report.warnings.push_back(
                    fmt::format("{} is not a readable date: {}", name, excerpt(*value)));
            }
            return;
        }
    }
}

// "dns; mta.example" -> "mta.example".
std::string mta_name(const std::string& value) {
    const auto semicolon = value.find(';');
    return std::string(trim(semicolon == std::string::npos
                                ? std::string_view(value)
                                : std::string_view(value).substr(semicolon + 1)));
}

void read_feedback_fields(FailureReport& report) {
    if (auto type = single(report, "Feedback-Type", Shape::token)) {
        report.feedback_type = lower(*type);
    } else {
        throw BadInput(std::string(k_part) + " has no Feedback-Type field");
    }
    report.user_agent = single(report, "User-Agent", Shape::text);
    report.version = single(report, "Version", Shape::token);
    arrival(report);
    if (const auto ip = single(report, "Source-IP", Shape::text)) {
        report.source_ip = source_ip(report, *ip);
    }
    report.reported_domain = single(report, "Reported-Domain", Shape::token);
    if (const auto from = single(report, "Original-Mail-From", Shape::text)) {
        report.original_mail_from = bare_address(*from);
    }
    for (const auto value : values_of(report.fields, "Original-Rcpt-To")) {
        if (auto address = bare_address(value); !address.empty()) {
            report.original_rcpt_to.push_back(std::move(address));
        }
    }
    if (const auto mta = single(report, "Reporting-MTA", Shape::text)) {
        report.reporting_mta = mta_name(*mta);
    }
    report.auth_failure = list_of(report, "Auth-Failure");
    if (auto result = single(report, "Delivery-Result", Shape::token)) {
        report.delivery_result = lower(*result);
    }
    report.identity_alignment = list_of(report, "Identity-Alignment");
    report.dkim_domain = single(report, "DKIM-Domain", Shape::token);
    report.dkim_identity = single(report, "DKIM-Identity", Shape::token);
    report.dkim_selector = single(report, "DKIM-Selector", Shape::token);
    report.spf_dns = single(report, "SPF-DNS", Shape::text);
    for (const auto value : values_of(report.fields, "Authentication-Results")) {
        report.authentication_results.emplace_back(value);
    }
}

} // namespace

std::unique_ptr<FailureReport> parse_arf(std::string_view feedback, const OriginalText* original,
                                         const Limits& limits) {
    if (trim(feedback).empty()) {
        throw BadInput(std::string(k_part) + " is empty");
    }
    auto report = std::make_unique<FailureReport>();
    report->format = "arf";
    report->fields = read_fields(feedback, limits, k_part, true);
    read_feedback_fields(*report);
    if (original != nullptr) {
        read_original(*report, *original, limits);
    } else {
        report->warnings.emplace_back("the report carries no original message or headers");
    }
    if (report->feedback_type == "auth-failure" && report->domains().empty()) {
        throw BadInput("failure report names no domain: no Reported-Domain and no From address "
                       "in the original");
    }
    return report;
}

} // namespace rua::detail::failure
