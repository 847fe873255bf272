// The rua registry as the milter needs it at RCPT time: an immutable snapshot
// of registered addresses, their accounts and the domains each account
// receives reports for. Loaded by the store; looked up without I/O.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rua {

struct RuaEntry {
    std::string address; // normalize_address's form (rua/address.hpp)
    std::string account;
    bool active = true;
    std::vector<std::string> domains; // empty: the account accepts any domain
};

class Registry {
public:
    Registry() = default;
    explicit Registry(std::vector<RuaEntry> entries);

    // nullptr when the address is not registered (active or not) or cannot
    // be normalised (normalize_address).
    const RuaEntry* find(std::string_view address) const;

    // True when `domain` (a report's policy domain, normalised here by
    // normalize_domain) is one of the entry's domains or a subdomain of one,
    // or when the entry lists none. A domain that cannot be normalised is
    // owned only by an entry that lists none.
    static bool owns_domain(const RuaEntry& entry, std::string_view domain);

    // True when any of `entries` owns `domain`: a message to several rua
    // addresses is for all of their accounts.
    static bool any_owns_domain(const std::vector<RuaEntry>& entries, std::string_view domain);

    std::size_t size() const { return m_entries.size(); }

private:
    std::map<std::string, RuaEntry, std::less<>> m_entries;
};

} // namespace rua
