// The lenient date reader (date.hpp): a small tokenizer over the value, then
// the RFC 5322 shape (weekday ignored, as senders get it wrong) or the ISO
// 8601 shape. Civil dates become days with Howard Hinnant's days_from_civil
// arithmetic (public domain algorithm), written out here.
#include "kinds/failure/date.hpp"

#include "text.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>

namespace rua::detail::failure {

namespace {

constexpr std::array<const char*, 12> k_months = {"jan", "feb", "mar", "apr", "may", "jun",
                                                  "jul", "aug", "sep", "oct", "nov", "dec"};

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::int64_t days_from_civil(std::int64_t y, int m, int d) {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = y - era * 400;
    const auto doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const auto doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int days_in_month(std::int64_t y, int m) {
    static constexpr std::array<int, 12> k_days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : k_days[static_cast<std::size_t>(m - 1)];
}

struct Civil {
    std::int64_t year = 0;
    int month = 0, day = 0, hour = 0, minute = 0, second = 0;
    int offset = 0; // seconds east of UTC
};

std::optional<std::int64_t> to_seconds(const Civil& c) {
    if (c.year < 1900 || c.year > 9999 || c.month < 1 || c.month > 12 || c.day < 1 ||
        c.day > days_in_month(c.year, c.month) || c.hour > 23 || c.minute > 59 || c.second > 60) {
        return std::nullopt;
    }
    const int second = c.second == 60 ? 59 : c.second; // a leap second is the second before
    return days_from_civil(c.year, c.month, c.day) * 86400 + std::int64_t{c.hour} * 3600 +
           std::int64_t{c.minute} * 60 + second - c.offset;
}

// Reads up to `max` digits at `pos`; -1 when there is none.
int digits(std::string_view s, std::size_t& pos, std::size_t max, std::size_t* count = nullptr) {
    int value = 0;
    std::size_t n = 0;
    while (pos < s.size() && n < max && is_digit(s[pos])) {
        value = value * 10 + (s[pos] - '0');
        ++pos;
        ++n;
    }
    if (count != nullptr) {
        *count = n;
    }
    return n == 0 ? -1 : value;
}

void skip_spaces(std::string_view s, std::size_t& pos) {
    while (pos < s.size() && (is_space(s[pos]) || s[pos] == ',')) {
        ++pos;
    }
}

// "+hhmm", "-hh:mm", "Z", "UT", "GMT", "EST", ...; nullopt when unknown.
// A missing zone reads as UTC (RFC 5322's -0000: no information).
std::optional<int> zone(std::string_view s, std::size_t& pos) {
    skip_spaces(s, pos);
    if (pos >= s.size() || s[pos] == '(') {
        return 0;
    }
    if (s[pos] == '+' || s[pos] == '-') {
        const int sign = s[pos] == '-' ? -1 : 1;
        ++pos;
        std::size_t n = 0;
        const int hh = digits(s, pos, 2, &n);
        if (n != 2) {
            return std::nullopt;
        }
        if (pos < s.size() && s[pos] == ':') {
            ++pos;
        }
        const int mm = digits(s, pos, 2, &n);
        if (n != 2 || hh > 23 || mm > 59) {
            return std::nullopt;
        }
        return sign * (hh * 3600 + mm * 60);
    }
    std::size_t end = pos;
    while (end < s.size() && is_alpha(s[end])) {
        ++end;
    }
    const std::string name = lower(s.substr(pos, end - pos));
    pos = end;
    struct Named {
        const char* name;
        int hours;
    };
    static constexpr std::array<Named, 12> k_zones = {{{"ut", 0},
                                                       {"utc", 0},
                                                       {"gmt", 0},
                                                       {"z", 0},
                                                       {"est", -5},
                                                       {"edt", -4},
                                                       {"cst", -6},
                                                       {"cdt", -5},
                                                       {"mst", -7},
                                                       {"mdt", -6},
                                                       {"pst", -8},
                                                       {"pdt", -7}}};
    for (const auto& z : k_zones) {
        if (name == z.name) {
            return z.hours * 3600;
        }
    }
    if (name.size() == 1 && name != "j") {
        return 0; // military zones: RFC 5322 says to read them as -0000
    }
    return std::nullopt;
}

// What may follow a date: nothing, or a comment such as "(PDT)".
bool only_comment_left(std::string_view s, std::size_t pos) {
    skip_spaces(s, pos);
    return pos >= s.size() || s[pos] == '(';
}

// hh:mm[:ss[.fraction]]
bool time_of_day(std::string_view s, std::size_t& pos, Civil& c) {
    c.hour = digits(s, pos, 2);
    if (c.hour < 0 || pos >= s.size() || s[pos] != ':') {
        return false;
    }
    ++pos;
    std::size_t n = 0;
    c.minute = digits(s, pos, 2, &n);
    if (n != 2) {
        return false;
    }
    if (pos < s.size() && s[pos] == ':') {
        ++pos;
        c.second = digits(s, pos, 2, &n);
        if (n != 2) {
            return false;
        }
        if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
            ++pos;
            while (pos < s.size() && is_digit(s[pos])) {
                ++pos;
            }
        }
    }
    return true;
}

std::optional<std::int64_t> iso_8601(std::string_view s) {
    Civil c;
    std::size_t pos = 0;
    std::size_t n = 0;
    c.year = digits(s, pos, 4, &n);
    if (n != 4 || pos >= s.size() || s[pos] != '-') {
        return std::nullopt;
    }
    ++pos;
    c.month = digits(s, pos, 2, &n);
    if (n != 2 || pos >= s.size() || s[pos] != '-') {
        return std::nullopt;
    }
    ++pos;
    c.day = digits(s, pos, 2, &n);
    if (n != 2) {
        return std::nullopt;
    }
    if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ')) {
        ++pos;
        if (!time_of_day(s, pos, c)) {
            return std::nullopt;
        }
        const auto offset = zone(s, pos);
        if (!offset) {
            return std::nullopt;
        }
        c.offset = *offset;
    }
    if (!only_comment_left(s, pos)) {
        return std::nullopt;
    }
    return to_seconds(c);
}

std::optional<std::int64_t> rfc_5322(std::string_view s) {
    Civil c;
    std::size_t pos = 0;
    skip_spaces(s, pos);
    // An optional weekday, whatever it says.
    if (pos < s.size() && is_alpha(s[pos])) {
        while (pos < s.size() && is_alpha(s[pos])) {
            ++pos;
        }
        skip_spaces(s, pos);
    }
    c.day = digits(s, pos, 2);
    if (c.day < 0) {
        return std::nullopt;
    }
    skip_spaces(s, pos);
    if (pos < s.size() && s[pos] == '-') {
        ++pos; // "8-Mar-2005"
    }
    std::size_t end = pos;
    while (end < s.size() && is_alpha(s[end])) {
        ++end;
    }
    const std::string month = lower(s.substr(pos, end - pos));
    if (month.size() < 3) {
        return std::nullopt;
    }
    for (std::size_t m = 0; m < k_months.size(); ++m) {
        if (month.compare(0, 3, k_months[m]) == 0) {
            c.month = static_cast<int>(m) + 1;
        }
    }
    if (c.month == 0) {
        return std::nullopt;
    }
    pos = end;
    skip_spaces(s, pos);
    if (pos < s.size() && s[pos] == '-') {
        ++pos;
    }
    std::size_t n = 0;
    const int year = digits(s, pos, 4, &n);
    if (year < 0) {
        return std::nullopt;
    }
    // RFC 5322 4.3: two digits are 1950-2049, three add 1900.
    c.year = n == 2 ? (year < 50 ? 2000 + year : 1900 + year) : n == 3 ? 1900 + year : year;
    skip_spaces(s, pos);
    if (!time_of_day(s, pos, c)) {
        return std::nullopt;
    }
    const auto offset = zone(s, pos);
    if (!offset || !only_comment_left(s, pos)) {
        return std::nullopt;
    }
    c.offset = *offset;
    return to_seconds(c);
}

} // namespace

std::optional<std::int64_t> parse_date(std::string_view text) {
    text = trim(text);
    if (text.empty() || text.size() > 200) {
        return std::nullopt;
    }
    if (auto iso = iso_8601(text)) {
        return iso;
    }
    return rfc_5322(text);
}

std::string format_date(std::int64_t seconds) {
    static constexpr std::array<const char*, 7> k_days = {"Thu", "Fri", "Sat", "Sun",
                                                          "Mon", "Tue", "Wed"};
    static constexpr std::array<const char*, 12> k_names = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::int64_t days = seconds / 86400;
    std::int64_t rest = seconds % 86400;
    if (rest < 0) {
        rest += 86400;
        --days;
    }
    // civil_from_days, the inverse of days_from_civil.
    const std::int64_t z = days + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = z - era * 146097;
    const auto yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const auto doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const auto mp = (5 * doy + 2) / 153;
    const auto day = doy - (153 * mp + 2) / 5 + 1;
    const auto month = mp < 10 ? mp + 3 : mp - 9;
    const auto year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    const auto weekday = static_cast<std::size_t>(((days % 7) + 7) % 7);
    return fmt::format("{}, {} {} {} {:02}:{:02}:{:02} +0000", k_days[weekday], day,
                       k_names[static_cast<std::size_t>(month - 1)], year, rest / 3600,
                       rest / 60 % 60, rest % 60);
}

} // namespace rua::detail::failure
