// The rua addresses an import or a fetch is told its messages reached
// (--rua): each must be registered, as the milter only takes mail for those.
#include "session.hpp"

#include <rua/address.hpp>
#include <rua/errors.hpp>

#include <fmt/format.h>

namespace ruactl {

std::vector<rua::RuaEntry> registered_ruas(const Args& args, rua::ConnectionPool& pool) {
    std::vector<rua::RuaEntry> entries;
    const auto ruas = args.values("--rua");
    if (ruas.empty()) {
        return entries;
    }
    rua::Store store(pool);
    const auto registry = store.load_registry();
    for (const auto& address : ruas) {
        const rua::RuaEntry* entry = registry.find(address);
        if (entry == nullptr) {
            throw rua::Error(fmt::format("rua address {} is not registered",
                                         rua::normalize_address(address).value_or(address)));
        }
        entries.push_back(*entry);
    }
    return entries;
}

} // namespace ruactl
