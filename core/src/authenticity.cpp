// Which Authentication-Results of a message to believe, and the verdict on a
// report they give: only fields whose authserv-id is trusted and that sit
// above this host's own Received field count. Never trusts a field for
// being well formed alone, never does I/O (no DNS: alignment is by the
// public suffix list).
#include "text.hpp"

#include <rua/address.hpp>
#include <rua/authres.hpp>
#include <rua/psl.hpp>

#include <algorithm>
#include <array>

namespace rua {

namespace {

constexpr std::array<const char*, 4> k_names = {"unknown", "unauthenticated", "dkim-aligned",
                                                "dmarc-pass"};

struct Field {
    std::string_view name;
    std::string_view value; // folded as received
};

// The next header field of `header` from `pos`, continuation lines
// included; std::nullopt at the end of the header. A line without a colon
// is skipped (it is no field).
std::optional<Field> next_field(std::string_view header, std::size_t& pos) {
    while (pos < header.size()) {
        const std::size_t start = pos;
        // The field runs until a line that does not start with white space.
        std::size_t end = start;
        for (;;) {
            const auto nl = header.find('\n', end);
            end = nl == std::string_view::npos ? header.size() : nl + 1;
            if (end >= header.size() || (header[end] != ' ' && header[end] != '\t')) {
                break;
            }
        }
        pos = end;
        const std::string_view line = header.substr(start, end - start);
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) {
            continue;
        }
        return Field{detail::trim(line.substr(0, colon)), line.substr(colon + 1)};
    }
    return std::nullopt;
}

// The message's header: up to the first empty line.
std::string_view header_of(std::string_view raw) {
    std::size_t pos = 0;
    while (pos < raw.size()) {
        const auto nl = raw.find('\n', pos);
        if (nl == std::string_view::npos) {
            return raw;
        }
        const std::string_view line = raw.substr(pos, nl - pos);
        if (line.empty() || line == "\r") {
            return raw.substr(0, pos);
        }
        pos = nl + 1;
    }
    return raw;
}

// The host after "by" in a Received field's value, comments removed;
// empty when it has none.
std::string received_by(std::string_view value) {
    std::string text;
    int depth = 0;
    for (char c : value) {
        if (c == '(') {
            ++depth;
        } else if (c == ')' && depth > 0) {
            --depth;
        } else if (depth == 0) {
            text += detail::is_space(c) ? ' ' : c;
        }
    }
    std::string_view rest = text;
    while (!rest.empty()) {
        const auto space = rest.find(' ');
        const std::string_view word = rest.substr(0, space);
        rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
        if (detail::iequals(word, "by")) {
            rest = detail::trim(rest);
            const auto stop = rest.find_first_of(" ;");
            return detail::lower(rest.substr(0, stop));
        }
    }
    return {};
}

// The domain of a property value: "example.com" or "user@example.com",
// normalised; empty when it is not a domain.
std::string domain_of_value(std::string_view value) {
    const auto at = value.rfind('@');
    if (at != std::string_view::npos) {
        value.remove_prefix(at + 1);
    }
    return normalize_domain(detail::trim(value)).value_or(std::string());
}

bool aligned_pass(const AuthResults& fields, std::string_view method, std::string_view property,
                  std::string_view reporter) {
    for (const auto& result : fields.results) {
        if (result.method != method || result.result != "pass") {
            continue;
        }
        const std::string* value = result.property(property);
        if (value == nullptr) {
            continue;
        }
        const std::string domain = domain_of_value(*value);
        if (!domain.empty() && same_organisation(domain, reporter)) {
            return true;
        }
    }
    return false;
}

} // namespace

const char* to_string(Authenticity authenticity) {
    return k_names.at(static_cast<std::size_t>(authenticity));
}

std::optional<Authenticity> authenticity_from_string(std::string_view text) {
    for (std::size_t i = 0; i < k_names.size(); ++i) {
        if (text == k_names.at(i)) {
            return static_cast<Authenticity>(i);
        }
    }
    return std::nullopt;
}

bool is_authentic(Authenticity authenticity) {
    return authenticity == Authenticity::dmarc_pass || authenticity == Authenticity::dkim_aligned;
}

std::vector<AuthResults> trusted_authentication_results(std::string_view raw_message,
                                                        const AuthenticityPolicy& policy) {
    std::vector<AuthResults> out;
    if (policy.trusted_ids.empty()) {
        return out;
    }
    const std::string_view header = header_of(raw_message);
    std::size_t pos = 0;
    while (auto field = next_field(header, pos)) {
        if (detail::iequals(field->name, "Received")) {
            if (!policy.own_host.empty() &&
                detail::iequals(received_by(field->value), detail::lower(policy.own_host))) {
                break; // what follows was there before this host received it
            }
            continue;
        }
        if (!detail::iequals(field->name, "Authentication-Results")) {
            continue;
        }
        auto parsed = parse_authentication_results(field->value);
        if (!parsed || std::find(policy.trusted_ids.begin(), policy.trusted_ids.end(),
                                 parsed->authserv_id) == policy.trusted_ids.end()) {
            continue;
        }
        out.push_back(std::move(*parsed));
        if (out.size() >= k_authres_max_results) {
            break;
        }
    }
    return out;
}

AuthenticityFinding judge_authenticity(const std::vector<AuthResults>& trusted,
                                       std::string_view reporter_domain) {
    if (trusted.empty()) {
        return {};
    }
    const std::string reporter = domain_of_value(reporter_domain);
    if (!reporter.empty()) {
        for (const auto& fields : trusted) {
            if (aligned_pass(fields, "dmarc", "header.from", reporter)) {
                return {Authenticity::dmarc_pass, fields.authserv_id};
            }
        }
        for (const auto& fields : trusted) {
            if (aligned_pass(fields, "dkim", "header.d", reporter)) {
                return {Authenticity::dkim_aligned, fields.authserv_id};
            }
        }
    }
    return {Authenticity::unauthenticated, trusted.front().authserv_id};
}

} // namespace rua
