// Validation of everything a client sends in a URL: each endpoint names the
// query parameters it takes, and every value is checked and converted here
// before any query runs. Throws BadRequest (HTTP 400) with a one-line
// message; never passes a client's text on unchecked.
#pragma once

#include <rua/query.hpp>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace rua::web {

class BadRequest : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The query parameters of one request, each at most once.
class Params {
public:
    // `given`: name -> value as decoded by the HTTP layer (a multimap: a
    // name given twice is refused). `allowed`: the endpoint's parameters;
    // any other name is refused.
    Params(const std::multimap<std::string, std::string>& given,
           std::initializer_list<std::string_view> allowed);

    // since=Nd, N in 1..3660; default 30.
    int days() const;
    // limit (1.., capped at `max`; default min(50, max)) and offset (0..10^9).
    query::Page page(std::int64_t max) const;
    // format=json|csv; default json. True for csv.
    bool csv() const;
    // table=NAME among `names` (CSV of a multi-table answer); default the first.
    std::string table(std::initializer_list<std::string_view> names) const;
    // A boolean parameter: 1, 0, true or false; false when absent.
    bool flag(std::string_view name) const;
    // by= (source, provider, reporter, dkim-domain, spf-domain, header-from,
    // day; default source), since=, failing=, rollup= and top= (1..1000,
    // default 20) of a breakdown.
    query::BreakdownQuery breakdown() const;
    // The filters and order of the sources list.
    query::SourceFilter source_filter() const;
    std::optional<std::string> text(std::string_view name) const;

private:
    std::map<std::string, std::string, std::less<>> m_values;
};

// A domain from a path or a parameter, in the one normal form (lower case,
// IDNA A-labels, no trailing dot). Throws BadRequest.
std::string domain_value(std::string_view text);
// A report or failure id: 1..2^63-1. Throws BadRequest.
std::int64_t id_value(std::string_view text);
// An IPv4 or IPv6 address, canonical text. Throws BadRequest.
std::string ip_value(std::string_view text);

} // namespace rua::web
