// Reading the scalar values of a TLS report: RFC 3339 date-times (and the
// variants real senders write), session counts (numbers, or numbers in
// strings), and the report's bounded list of warnings. Pure functions: no
// JSON parser, no I/O. Throws BadInput with the member's label first.
#pragma once

#include <rua/limits.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rua::detail::tlsrpt {

// A report's warnings, one short line each. Past k_max lines the rest are
// only counted, and close() adds one line saying how many were left out, so
// a hostile report cannot grow them without bound.
class Warnings {
public:
    static constexpr std::size_t k_max = 100;

    explicit Warnings(std::vector<std::string>& out) : m_out(out) {}
    void add(std::string line);
    void close();

private:
    std::vector<std::string>& m_out;
    std::size_t m_dropped = 0;
};

// One JSON scalar as the SAX parser reports it.
struct Scalar {
    enum class Type { null, boolean, negative, number, other_number, string };
    Type type = Type::null;
    bool boolean = false;
    std::int64_t negative = 0; // Type::negative (nlohmann: a number below zero)
    std::uint64_t number = 0;  // Type::number (zero or above, below 2^64)
    std::string_view text;     // Type::string, or Type::other_number's text
};

// RFC 3339 date-time to UTC seconds, fraction floored. Tolerated with a
// warning: no time zone (UTC), a numeric offset instead of Z (converted),
// a fraction of a second. Throws BadInput `<label> "<text>" is not an RFC
// 3339 date-time` otherwise.
std::int64_t parse_datetime(std::string_view text, std::string_view label, Warnings& warnings);

// A session count: a whole number from 0 to limits.max_count. A count in a
// string ("12") is read with a warning. Throws BadInput for anything else
// (negative, past 2^63 - 1, past max_count, fractional, not a number).
std::uint64_t parse_count(const Scalar& value, std::string_view label, const Limits& limits,
                          Warnings& warnings);

// ASCII lower case.
std::string lower(std::string_view text);

} // namespace rua::detail::tlsrpt
