// Store::load_registry: the rua addresses, their accounts and domains, read
// in one query and turned into the immutable Registry the milter looks up at
// RCPT time. Read-only: must never write to the database.
#include "pool.hpp"

#include <rua/registry.hpp>
#include <rua/store.hpp>

#include <pqxx/pqxx>

namespace rua {

Registry Store::load_registry() {
    return with_connection(m_pool, [](pqxx::connection& conn) {
        pqxx::read_transaction tx(conn);
        // One row per (address, domain); an account without domains yields
        // one row with a NULL domain, which means "any domain".
        const auto rows = tx.exec("SELECT r.address, a.name, r.active, d.domain "
                                  "FROM rua_address r "
                                  "JOIN account a ON a.id = r.account_id "
                                  "LEFT JOIN account_domain d ON d.account_id = a.id "
                                  "ORDER BY r.address, d.domain");
        std::vector<RuaEntry> entries;
        for (const auto& row : rows) {
            const auto address = row[0].as<std::string>();
            if (entries.empty() || entries.back().address != address) {
                RuaEntry entry;
                entry.address = address;
                entry.account = row[1].as<std::string>();
                entry.active = row[2].as<bool>();
                entries.push_back(std::move(entry));
            }
            if (!row[3].is_null()) {
                entries.back().domains.push_back(row[3].as<std::string>());
            }
        }
        return Registry(std::move(entries));
    });
}

} // namespace rua
