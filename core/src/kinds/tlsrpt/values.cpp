// The scalar readers of the tlsrpt kind (values.hpp). Date arithmetic is
// done by hand (days from the civil date) rather than with timegm, which
// depends on the process time zone and is not thread-safe everywhere.
// Sender text in messages always goes through printable().
#include "kinds/tlsrpt/values.hpp"

#include "filename.hpp"

#include <rua/errors.hpp>

#include <fmt/format.h>

#include <limits>
#include <optional>

namespace rua::detail::tlsrpt {

namespace {

constexpr std::size_t k_quoted_max = 64; // sender text quoted in a message

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_leap(int year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {
    static constexpr int k_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap(year) ? 29 : k_days[month - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's method).
std::int64_t days_from_civil(int year, int month, int day) {
    const std::int64_t y = month <= 2 ? year - 1 : year;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t yoe = y - era * 400;
    const std::int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

// A cursor over a date-time that throws the one refusal message.
class DateReader {
public:
    DateReader(std::string_view text, std::string_view label) : m_text(text), m_label(label) {}

    [[noreturn]] void bad() const {
        throw BadInput(fmt::format("{} \"{}\" is not an RFC 3339 date-time", m_label,
                                   printable(m_text, k_quoted_max)));
    }
    int digits(std::size_t n) {
        if (m_pos + n > m_text.size()) {
            bad();
        }
        int value = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const char c = m_text[m_pos + i];
            if (!is_digit(c)) {
                bad();
            }
            value = value * 10 + (c - '0');
        }
        m_pos += n;
        return value;
    }
    void expect(char a, char b = '\0') {
        if (!next_is(a) && (b == '\0' || !next_is(b))) {
            bad();
        }
        ++m_pos;
    }
    bool next_is(char c) const { return m_pos < m_text.size() && m_text[m_pos] == c; }
    bool at_end() const { return m_pos == m_text.size(); }
    void skip() { ++m_pos; }
    std::size_t pos() const { return m_pos; }
    std::string_view rest(std::size_t from) const { return m_text.substr(from, m_pos - from); }

private:
    std::string_view m_text;
    std::string_view m_label;
    std::size_t m_pos = 0;
};

[[noreturn]] void too_large(std::string_view label, std::string_view text) {
    throw BadInput(fmt::format("{} {} exceeds 2^63 - 1", label, text));
}

// Digits only (at least one), as in a count written as a string.
bool all_digits(std::string_view text) {
    if (text.empty()) {
        return false;
    }
    for (const char c : text) {
        if (!is_digit(c)) {
            return false;
        }
    }
    return true;
}

std::uint64_t checked_count(std::uint64_t value, std::string_view label, const Limits& limits) {
    if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        too_large(label, std::to_string(value));
    }
    if (value > limits.max_count) {
        throw BadInput(
            fmt::format("{} {} exceeds the count bound {}", label, value, limits.max_count));
    }
    return value;
}

// A count written as text: digits, or '-' and digits; nullopt for any
// other text (the caller words that refusal).
std::optional<std::uint64_t> count_from_text(std::string_view text, std::string_view label,
                                             const Limits& limits) {
    const bool negative = !text.empty() && text.front() == '-';
    const std::string_view digits = negative ? text.substr(1) : text;
    if (!all_digits(digits)) {
        return std::nullopt;
    }
    if (negative) {
        throw BadInput(fmt::format("{} is negative ({})", label, printable(text, k_quoted_max)));
    }
    std::uint64_t value = 0;
    for (const char c : digits) {
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
            too_large(label, printable(text, k_quoted_max));
        }
        value = value * 10 + digit;
    }
    return checked_count(value, label, limits);
}

} // namespace

void Warnings::add(std::string line) {
    if (m_out.size() < k_max) {
        m_out.push_back(std::move(line));
    } else {
        ++m_dropped;
    }
}

void Warnings::close() {
    if (m_dropped > 0) {
        m_out.push_back(fmt::format("{} more warnings not shown", m_dropped));
        m_dropped = 0;
    }
}

std::int64_t parse_datetime(std::string_view text, std::string_view label, Warnings& warnings) {
    DateReader in(text, label);
    const int year = in.digits(4);
    in.expect('-');
    const int month = in.digits(2);
    in.expect('-');
    const int day = in.digits(2);
    in.expect('T', 't');
    const int hour = in.digits(2);
    in.expect(':');
    const int minute = in.digits(2);
    in.expect(':');
    const int second = in.digits(2);
    bool fraction = false;
    if (in.next_is('.')) {
        in.skip();
        const std::size_t start = in.pos();
        while (!in.at_end() && !in.next_is('Z') && !in.next_is('z') && !in.next_is('+') &&
               !in.next_is('-')) {
            in.digits(1);
        }
        if (in.pos() == start) {
            in.bad();
        }
        fraction = true;
    }
    std::int64_t offset = 0; // seconds east of UTC
    if (in.at_end()) {
        warnings.add(fmt::format("{} has no time zone (taken as UTC)", label));
    } else if (in.next_is('Z') || in.next_is('z')) {
        in.skip();
    } else {
        const std::size_t start = in.pos();
        const int sign = in.next_is('-') ? -1 : 1;
        in.expect('+', '-');
        const int hours = in.digits(2);
        in.expect(':');
        const int minutes = in.digits(2);
        if (hours > 23 || minutes > 59) {
            in.bad();
        }
        offset = std::int64_t{sign} * (std::int64_t{hours} * 3600 + std::int64_t{minutes} * 60);
        warnings.add(
            fmt::format("{} has offset {} instead of Z (converted to UTC)", label, in.rest(start)));
    }
    if (!in.at_end() || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) ||
        hour > 23 || minute > 59 || second > 60) {
        in.bad();
    }
    if (fraction) {
        warnings.add(fmt::format("{} has a fraction of a second (floored)", label));
    }
    const std::int64_t seconds =
        std::int64_t{hour} * 3600 + std::int64_t{minute} * 60 + std::int64_t{second};
    return days_from_civil(year, month, day) * 86400 + seconds - offset;
}

std::uint64_t parse_count(const Scalar& value, std::string_view label, const Limits& limits,
                          Warnings& warnings) {
    switch (value.type) {
    case Scalar::Type::number:
        return checked_count(value.number, label, limits);
    case Scalar::Type::negative:
        throw BadInput(fmt::format("{} is negative ({})", label, value.negative));
    case Scalar::Type::other_number: {
        // nlohmann reads an integer past 2^64 (or any fraction or exponent)
        // as a double; its text tells which.
        if (const auto n = count_from_text(value.text, label, limits)) {
            return *n;
        }
        throw BadInput(
            fmt::format("{} {} is not an integer", label, printable(value.text, k_quoted_max)));
    }
    case Scalar::Type::string: {
        const auto n = count_from_text(value.text, label, limits);
        if (!n) {
            throw BadInput(fmt::format("{} \"{}\" is not a number", label,
                                       printable(value.text, k_quoted_max)));
        }
        warnings.add(fmt::format("{} is a string", label));
        return *n;
    }
    case Scalar::Type::null:
    case Scalar::Type::boolean:
        break;
    }
    throw BadInput(fmt::format("{} is not a number", label));
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

} // namespace rua::detail::tlsrpt
