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
    std::string address; // normalised: lower case, no angle brackets
    std::string account;
    bool active = true;
    std::vector<std::string> domains; // empty: the account accepts any domain
};

class Registry {
public:
    Registry() = default;
    explicit Registry(std::vector<RuaEntry> entries);

    // nullptr when the address is not registered (active or not).
    const RuaEntry* find(std::string_view address) const;

    // True when `domain` (a report's policy domain) is one of the entry's
    // domains or a subdomain of one, or when the entry lists none.
    static bool owns_domain(const RuaEntry& entry, std::string_view domain);

    // "<Dmarc@Example.NET>" -> "dmarc@example.net"; trims white space.
    static std::string normalize_address(std::string_view address);

    std::size_t size() const { return m_entries.size(); }

private:
    std::map<std::string, RuaEntry, std::less<>> m_entries;
};

} // namespace rua
