// The in-memory rua registry snapshot: pure lookups, no I/O. Built by the
// store from the database, shared read-only between milter threads.
#include <rua/registry.hpp>

#include <algorithm>
#include <cctype>

namespace rua {

namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
        text.remove_prefix(1);
    }
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
        text.remove_suffix(1);
    }
    return text;
}

} // namespace

Registry::Registry(std::vector<RuaEntry> entries) {
    for (auto& entry : entries) {
        entry.address = normalize_address(entry.address);
        for (auto& domain : entry.domains) {
            domain = lower(trim(domain));
        }
        auto key = entry.address;
        m_entries.insert_or_assign(std::move(key), std::move(entry));
    }
}

const RuaEntry* Registry::find(std::string_view address) const {
    auto it = m_entries.find(normalize_address(address));
    return it == m_entries.end() ? nullptr : &it->second;
}

bool Registry::owns_domain(const RuaEntry& entry, std::string_view domain) {
    if (entry.domains.empty()) {
        return true;
    }
    auto wanted = lower(trim(domain));
    while (!wanted.empty() && wanted.back() == '.') {
        wanted.pop_back();
    }
    for (const auto& own : entry.domains) {
        if (wanted == own) {
            return true;
        }
        // A subdomain of an owned domain: "mail.example.com" under "example.com".
        if (wanted.size() > own.size() + 1 &&
            wanted.compare(wanted.size() - own.size(), own.size(), own) == 0 &&
            wanted[wanted.size() - own.size() - 1] == '.') {
            return true;
        }
    }
    return false;
}

std::string Registry::normalize_address(std::string_view address) {
    auto text = trim(address);
    if (text.size() >= 2 && text.front() == '<' && text.back() == '>') {
        text = trim(text.substr(1, text.size() - 2));
    }
    return lower(text);
}

} // namespace rua
