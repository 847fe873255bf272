// Checks for URL parameters and path pieces. Every limit here is part of the
// API (openapi.json says the same); messages name the parameter and never
// echo more than a short, escaped piece of what was sent.
#include "params.hpp"

#include <rua/address.hpp>
#include <rua/model.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace rua::web {

namespace {

constexpr std::size_t k_max_text = 255;
constexpr std::int64_t k_max_offset = 1000000000;

bool printable(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte >= 0x20 && byte != 0x7f;
    });
}

// Up to 40 printable bytes of `text` for a message, JSON-safe once quoted.
std::string shown(std::string_view text) {
    std::string out;
    for (const char c : text.substr(0, 40)) {
        const auto byte = static_cast<unsigned char>(c);
        out += byte >= 0x20 && byte < 0x7f ? c : '?';
    }
    return text.size() > 40 ? out + "..." : out;
}

std::int64_t number(std::string_view name, std::string_view text, std::int64_t min,
                    std::int64_t max) {
    if (text.empty() || text.size() > 19 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        throw BadRequest(fmt::format("{}: \"{}\" is not a number", name, shown(text)));
    }
    std::int64_t value = 0;
    for (const char c : text) {
        if (value > (std::numeric_limits<std::int64_t>::max() - (c - '0')) / 10) {
            throw BadRequest(
                fmt::format("{}: {} is out of range ({}..{})", name, shown(text), min, max));
        }
        value = value * 10 + (c - '0');
    }
    if (value < min || value > max) {
        throw BadRequest(fmt::format("{}: {} is out of range ({}..{})", name, value, min, max));
    }
    return value;
}

} // namespace

Params::Params(const std::multimap<std::string, std::string>& given,
               std::initializer_list<std::string_view> allowed) {
    for (const auto& [name, value] : given) {
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
            throw BadRequest(fmt::format("unknown parameter \"{}\"", shown(name)));
        }
        if (!m_values.emplace(name, value).second) {
            throw BadRequest(fmt::format("parameter \"{}\" given twice", name));
        }
    }
}

std::optional<std::string> Params::text(std::string_view name) const {
    const auto it = m_values.find(name);
    if (it == m_values.end()) {
        return std::nullopt;
    }
    if (it->second.empty() || it->second.size() > k_max_text || !printable(it->second)) {
        throw BadRequest(fmt::format("{}: not 1 to {} printable characters", name, k_max_text));
    }
    return it->second;
}

int Params::days() const {
    const auto value = text("since");
    if (!value) {
        return 30;
    }
    if (value->back() != 'd') {
        throw BadRequest(fmt::format("since: \"{}\" is not a number of days (30d)", shown(*value)));
    }
    return static_cast<int>(
        number("since", std::string_view(*value).substr(0, value->size() - 1), 1, 3660));
}

query::Page Params::page(std::int64_t max) const {
    query::Page page;
    page.limit = std::min<std::int64_t>(50, max);
    if (const auto limit = text("limit")) {
        // Bounded, not refused: a client asking for more gets MaxPageSize.
        const bool huge =
            limit->size() > 9 &&
            std::all_of(limit->begin(), limit->end(), [](char c) { return c >= '0' && c <= '9'; });
        page.limit = huge ? max : std::min(number("limit", *limit, 1, 999999999), max);
    }
    if (const auto offset = text("offset")) {
        page.offset = number("offset", *offset, 0, k_max_offset);
    }
    return page;
}

bool Params::csv() const {
    const auto value = text("format");
    if (!value || *value == "json") {
        return false;
    }
    if (*value == "csv") {
        return true;
    }
    throw BadRequest(fmt::format("format: \"{}\" is not json or csv", shown(*value)));
}

std::string Params::table(std::initializer_list<std::string_view> names) const {
    const auto value = text("table");
    if (!value) {
        return std::string(*names.begin());
    }
    if (std::find(names.begin(), names.end(), *value) == names.end()) {
        throw BadRequest(
            fmt::format("table: \"{}\" is not one of this answer's tables", shown(*value)));
    }
    return *value;
}

bool Params::flag(std::string_view name) const {
    const auto value = text(name);
    if (!value) {
        return false;
    }
    if (*value != "1" && *value != "0" && *value != "true" && *value != "false") {
        throw BadRequest(fmt::format("{}: not 1, 0, true or false", name));
    }
    return *value == "1" || *value == "true";
}

query::BreakdownQuery Params::breakdown() const {
    query::BreakdownQuery q;
    if (const auto by = text("by")) {
        const auto parsed = query::breakdown_by(*by);
        if (!parsed) {
            throw BadRequest(fmt::format("by: \"{}\" is not source, provider, reporter, "
                                         "dkim-domain, spf-domain, header-from or day",
                                         shown(*by)));
        }
        q.by = *parsed;
    }
    q.days = days();
    q.failing_only = flag("failing");
    q.rollup = flag("rollup");
    if (const auto top = text("top")) {
        q.top = number("top", *top, 1, query::k_breakdown_max_top);
    }
    return q;
}

query::SourceFilter Params::source_filter() const {
    query::SourceFilter filter;
    filter.failing_only = flag("failing");
    filter.reporter = text("reporter");
    if (const auto dkim = text("dkim_domain")) {
        filter.dkim_domain = domain_value(*dkim);
    }
    if (const auto spf = text("spf_domain")) {
        filter.spf_domain = domain_value(*spf);
    }
    if (const auto sort = text("sort")) {
        if (*sort != "messages" && *sort != "failing" && *sort != "compliance" &&
            *sort != "source_ip") {
            throw BadRequest(fmt::format(
                "sort: \"{}\" is not messages, failing, compliance or source_ip", shown(*sort)));
        }
        filter.sort = *sort;
    }
    if (const auto order = text("order")) {
        if (*order != "asc" && *order != "desc") {
            throw BadRequest("order: not asc or desc");
        }
        filter.descending = *order == "desc";
    }
    return filter;
}

std::string domain_value(std::string_view text) {
    auto domain = text.size() <= 253 && printable(text) ? normalize_domain(text) : std::nullopt;
    if (!domain) {
        throw BadRequest(fmt::format("\"{}\" is not a domain name", shown(text)));
    }
    return *domain;
}

std::int64_t id_value(std::string_view text) {
    return number("id", text, 1, std::numeric_limits<std::int64_t>::max());
}

std::string ip_value(std::string_view text) {
    const auto address = text.size() <= 64 ? IpAddress::parse(text) : std::nullopt;
    if (!address || text.find_first_of(" \t") != std::string_view::npos) {
        throw BadRequest(fmt::format("\"{}\" is not an IP address", shown(text)));
    }
    return address->text();
}

} // namespace rua::web
