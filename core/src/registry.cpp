// The in-memory rua registry snapshot: pure lookups, no I/O. Built by the
// store from the database, shared read-only between milter threads. Every
// comparison goes through the one normal form of rua/address.hpp.
#include <rua/address.hpp>
#include <rua/registry.hpp>

#include <algorithm>

namespace rua {

Registry::Registry(std::vector<RuaEntry> entries) {
    for (auto& entry : entries) {
        // A row that does not normalise (stored before the normaliser) keeps
        // its text: no RCPT can match it, and `ruactl rua list` still shows it.
        if (auto address = normalize_address(entry.address)) {
            entry.address = std::move(*address);
        }
        for (auto& domain : entry.domains) {
            if (auto normal = normalize_domain(domain)) {
                domain = std::move(*normal);
            }
        }
        auto key = entry.address;
        m_entries.insert_or_assign(std::move(key), std::move(entry));
    }
}

const RuaEntry* Registry::find(std::string_view address) const {
    const auto normal = normalize_address(address);
    if (!normal) {
        return nullptr;
    }
    auto it = m_entries.find(*normal);
    return it == m_entries.end() ? nullptr : &it->second;
}

bool Registry::owns_domain(const RuaEntry& entry, std::string_view domain) {
    if (entry.domains.empty()) {
        return true;
    }
    const auto wanted = normalize_domain(domain);
    if (!wanted) {
        return false;
    }
    for (const auto& own : entry.domains) {
        if (*wanted == own) {
            return true;
        }
        // A subdomain of an owned domain: "mail.example.com" under "example.com".
        if (wanted->size() > own.size() + 1 &&
            wanted->compare(wanted->size() - own.size(), own.size(), own) == 0 &&
            (*wanted)[wanted->size() - own.size() - 1] == '.') {
            return true;
        }
    }
    return false;
}

bool Registry::any_owns_domain(const std::vector<RuaEntry>& entries, std::string_view domain) {
    return std::any_of(entries.begin(), entries.end(),
                       [&](const RuaEntry& entry) { return owns_domain(entry, domain); });
}

} // namespace rua
