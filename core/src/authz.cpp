// RFC 7489 section 7.1 for a provider that receives other domains' reports:
// the authorisation records it must publish, and the check of a customer's
// DMARC record against what is registered here. Pure: DNS answers come from
// the caller's TxtResolver, the registry from the caller.
#include "text.hpp"

#include <rua/address.hpp>
#include <rua/authz.hpp>
#include <rua/psl.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <iterator>
#include <set>
#include <stdexcept>

namespace rua {

namespace {

using detail::istarts_with;
using detail::lower;
using detail::lower_ascii;
using detail::trim;

// "%21" -> "!": the URI's percent-encoding (RFC 3986); an incomplete escape
// stays as it is.
std::string percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    const auto value = [](char c) -> int {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        const char l = lower_ascii(c);
        return l >= 'a' && l <= 'f' ? l - 'a' + 10 : -1;
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && value(text[i + 1]) >= 0 &&
            value(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(value(text[i + 1]) * 16 + value(text[i + 2])));
            i += 2;
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

// "mailto:dmarc@example.net!10m, https://x" -> {"dmarc@example.net"}: the
// mailto: URIs only (the only scheme RFC 7489 defines delivery for).
std::vector<std::string> mailto_addresses(std::string_view list) {
    std::vector<std::string> out;
    while (!list.empty()) {
        const auto comma = list.find(',');
        auto uri = trim(list.substr(0, comma));
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        if (const auto bang = uri.find('!'); bang != std::string_view::npos) {
            uri = uri.substr(0, bang);
        }
        if (!istarts_with(uri, "mailto:")) {
            continue;
        }
        const auto decoded = percent_decode(uri.substr(7));
        const auto address = normalize_address(decoded);
        out.push_back(address ? *address : lower(decoded));
    }
    return out;
}

const RuaEntry* find_entry(const std::vector<RuaEntry>& ours, const std::string& address) {
    const auto it = std::find_if(ours.begin(), ours.end(),
                                 [&](const RuaEntry& e) { return e.address == address; });
    return it == ours.end() ? nullptr : &*it;
}

std::string domain_part(const std::string& address) {
    const auto at = address.rfind('@');
    return at == std::string::npos ? std::string() : address.substr(at + 1);
}

bool is_dmarc(std::string_view text) {
    return parse_dmarc_record(text).error.empty();
}

} // namespace

DmarcRecord parse_dmarc_record(std::string_view text) {
    DmarcRecord record;
    bool first = true;
    while (!text.empty() || first) {
        const auto semi = text.find(';');
        const auto tag = trim(text.substr(0, semi));
        text = semi == std::string_view::npos ? std::string_view() : text.substr(semi + 1);
        const auto eq = tag.find('=');
        const auto name = lower(trim(tag.substr(0, eq)));
        const auto value =
            eq == std::string_view::npos ? std::string_view() : trim(tag.substr(eq + 1));
        if (first) {
            first = false;
            if (name != "v" || eq == std::string_view::npos) {
                record.error = "does not start with v=DMARC1";
                return record;
            }
            if (value != "DMARC1") {
                record.error = fmt::format("wrong version \"{}\" (must be DMARC1)", value);
                return record;
            }
        } else if (name == "rua") {
            record.rua = mailto_addresses(value);
        } else if (name == "ruf") {
            record.ruf = mailto_addresses(value);
        }
    }
    return record;
}

std::string_view to_string(TxtAnswer::Status status) {
    switch (status) {
    case TxtAnswer::Status::ok:
        return "ok";
    case TxtAnswer::Status::nxdomain:
        return "no such name";
    case TxtAnswer::Status::nodata:
        return "no TXT record";
    case TxtAnswer::Status::servfail:
        return "server failure";
    case TxtAnswer::Status::timeout:
        return "timed out";
    }
    return "unknown";
}

std::vector<AuthzRecord> authorization_records(const std::vector<RuaEntry>& entries, bool wildcard,
                                               std::vector<std::string>& unlisted) {
    std::set<std::pair<std::string, std::string>> seen; // (rua domain, domain)
    for (const auto& entry : entries) {
        const auto rua_domain = domain_part(entry.address);
        if (rua_domain.empty()) {
            continue;
        }
        if (entry.domains.empty()) {
            unlisted.push_back(entry.address);
            if (wildcard) {
                seen.emplace(rua_domain, "*");
            }
            continue;
        }
        for (const auto& domain : entry.domains) {
            if (same_organisation(domain, rua_domain)) {
                continue; // its own organisation: no authorisation needed
            }
            seen.emplace(rua_domain, wildcard ? std::string("*") : domain);
        }
    }
    std::vector<AuthzRecord> out;
    out.reserve(seen.size());
    for (const auto& [rua_domain, domain] : seen) {
        out.push_back({domain, rua_domain});
    }
    return out;
}

std::string zone_lines(const std::vector<AuthzRecord>& records) {
    std::string out;
    for (const auto& record : records) {
        out += fmt::format("{} IN TXT \"v=DMARC1\"\n", record.owner());
    }
    return out;
}

bool AuthzCheck::all_ok() const {
    return std::all_of(findings.begin(), findings.end(),
                       [](const AuthzFinding& f) { return f.level == AuthzFinding::Level::ok; });
}

bool AuthzCheck::dns_failed() const {
    return std::any_of(findings.begin(), findings.end(), [](const AuthzFinding& f) {
        return f.level == AuthzFinding::Level::failed;
    });
}

AuthzCheck check_authorization(std::string_view raw_domain, const std::vector<RuaEntry>& ours,
                               TxtResolver& resolver) {
    AuthzCheck check;
    using Level = AuthzFinding::Level;
    const auto add = [&check](Level level, std::string text) {
        check.findings.push_back({level, std::move(text)});
    };
    const auto normalised = normalize_domain(raw_domain);
    if (!normalised) {
        throw std::invalid_argument(fmt::format("\"{}\" is not a domain name", raw_domain));
    }
    const std::string& domain = *normalised;
    // The domain's own record, else its organisational domain's (RFC 7489
    // 6.6.3): the record a reporter would find.
    std::vector<std::string> names = {"_dmarc." + domain};
    if (const auto org = registrable_domain(domain); org && *org != domain) {
        names.push_back("_dmarc." + *org);
    }
    DmarcRecord record;
    for (const auto& name : names) {
        check.record_name = name;
        const auto answer = resolver.txt(name);
        if (answer.status == TxtAnswer::Status::servfail ||
            answer.status == TxtAnswer::Status::timeout) {
            add(Level::failed, fmt::format("{}: {}", name, to_string(answer.status)));
            return check;
        }
        std::vector<std::string> dmarc;
        std::copy_if(answer.texts.begin(), answer.texts.end(), std::back_inserter(dmarc),
                     [](const std::string& t) { return istarts_with(trim(t), "v=dmarc"); });
        if (dmarc.size() > 1) {
            add(Level::missing,
                fmt::format("{}: {} DMARC records (must be exactly one)", name, dmarc.size()));
            return check;
        }
        if (dmarc.size() == 1) {
            check.record = dmarc[0];
            record = parse_dmarc_record(dmarc[0]);
            break;
        }
    }
    if (check.record.empty()) {
        check.record_name = names.front();
        add(Level::missing, fmt::format("no DMARC record at {}", names.front()));
        return check;
    }
    if (!record.error.empty()) {
        add(Level::missing, fmt::format("{}: {}", check.record_name, record.error));
        return check;
    }
    const std::string policy_domain = check.record_name.substr(std::string_view("_dmarc.").size());
    const auto mine = [&](const std::vector<std::string>& addresses) {
        std::vector<const RuaEntry*> out;
        for (const auto& address : addresses) {
            if (const auto* entry = find_entry(ours, address)) {
                out.push_back(entry);
            }
        }
        return out;
    };
    const auto rua = mine(record.rua);
    if (rua.empty()) {
        add(Level::missing,
            record.rua.empty()
                ? std::string("rua= names no mailto: address")
                : fmt::format("rua= does not point at an address registered here (it names {})",
                              fmt::join(record.rua, ", ")));
        return check;
    }
    std::set<std::string> authorised; // rua domains already checked
    const auto check_entries = [&](const char* tag, const std::vector<const RuaEntry*>& entries) {
        for (const auto* entry : entries) {
            if (!Registry::owns_domain(*entry, domain)) {
                add(Level::missing, fmt::format("{}={} is registered for account {}, which does "
                                                "not list {}: its reports would be refused",
                                                tag, entry->address, entry->account, domain));
                continue;
            }
            add(Level::ok, fmt::format("{}={} is registered here (account {})", tag, entry->address,
                                       entry->account));
            const auto rua_domain = domain_part(entry->address);
            if (same_organisation(domain, rua_domain) || !authorised.insert(rua_domain).second) {
                continue;
            }
            // Named after the domain the record was retrieved from (7.1 step
            // 3): the organisational domain when the record was found there.
            const AuthzRecord wanted{policy_domain, rua_domain};
            const auto owner = wanted.owner();
            const auto name = owner.substr(0, owner.size() - 1);
            const auto answer = resolver.txt(name);
            if (answer.status == TxtAnswer::Status::servfail ||
                answer.status == TxtAnswer::Status::timeout) {
                add(Level::failed, fmt::format("{}: {}", name, to_string(answer.status)));
            } else if (std::any_of(answer.texts.begin(), answer.texts.end(), is_dmarc)) {
                add(Level::ok, fmt::format("{} authorises {}", name, rua_domain));
            } else if (answer.texts.empty()) {
                add(Level::missing, fmt::format("no authorisation record: {} TXT \"v=DMARC1\" ({})",
                                                name, to_string(answer.status)));
            } else {
                add(Level::missing, fmt::format("{}: wrong version: \"{}\" (must begin v=DMARC1)",
                                                name, answer.texts.front()));
            }
        }
    };
    check_entries("rua", rua);
    check_entries("ruf", mine(record.ruf));
    return check;
}

} // namespace rua
