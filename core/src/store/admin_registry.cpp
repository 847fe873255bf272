// Registry management for `ruactl account|domain|rua`: accounts, the policy
// domains they own and their rua addresses. Addresses and domains are
// normalised by rua/address.hpp, the form the milter looks them up in, so it
// finds what the operator registered. Never deletes an account implicitly.
#include "store/admin_detail.hpp"

#include <rua/address.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace rua {

namespace {

std::string trimmed(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
        text.remove_prefix(1);
    }
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
        text.remove_suffix(1);
    }
    return std::string(text);
}

std::string account_name(std::string_view raw) {
    auto name = trimmed(raw);
    if (name.empty()) {
        throw AdminError("account name is empty");
    }
    if (std::any_of(name.begin(), name.end(),
                    [](unsigned char c) { return c < ' ' || c == 0x7f; })) {
        throw AdminError(fmt::format("invalid account name \"{}\": control character", name));
    }
    return name;
}

std::string domain_name(std::string_view raw) {
    auto domain = normalize_domain(raw);
    if (!domain) {
        throw AdminError(fmt::format("invalid domain \"{}\"", trimmed(raw)));
    }
    return *domain;
}

std::string rua_address(std::string_view raw) {
    auto address = normalize_address(raw);
    if (!address) {
        throw AdminError(
            fmt::format("invalid rua address \"{}\": expected local@domain", trimmed(raw)));
    }
    return *address;
}

std::int64_t find_account(pqxx::work& tx, const std::string& name) {
    const auto rows = tx.exec_params("SELECT id FROM account WHERE name = $1", name);
    if (rows.empty()) {
        throw NotFound(fmt::format("account \"{}\" does not exist", name));
    }
    return rows[0][0].as<std::int64_t>();
}

std::vector<std::string> split_words(const pqxx::field& field) {
    std::vector<std::string> out;
    if (field.is_null()) {
        return out;
    }
    const auto text = field.as<std::string>();
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto end = text.find(' ', pos);
        if (end == std::string::npos) {
            end = text.size();
        }
        if (end > pos) {
            out.push_back(text.substr(pos, end - pos));
        }
        pos = end + 1;
    }
    return out;
}

constexpr const char* k_account_domains =
    "(SELECT string_agg(d.domain, ' ' ORDER BY d.domain) FROM account_domain d "
    "WHERE d.account_id = a.id)";

} // namespace

void Admin::add_account(std::string_view raw_name) {
    const auto name = account_name(raw_name);
    detail::in_transaction(*m_impl, [&](pqxx::work& tx) {
        const auto rows = tx.exec_params(
            "INSERT INTO account (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING id",
            name);
        if (rows.empty()) {
            throw AlreadyExists(fmt::format("account \"{}\" already exists", name));
        }
    });
}

std::vector<AccountInfo> Admin::accounts() {
    return detail::in_transaction(*m_impl, [&](pqxx::work& tx) {
        const auto rows = tx.exec(fmt::format(
            "SELECT a.name, {}, (SELECT count(*) FROM rua_address r WHERE r.account_id = a.id) "
            "FROM account a ORDER BY a.name",
            k_account_domains));
        std::vector<AccountInfo> out;
        for (const auto& row : rows) {
            out.push_back(
                {row[0].as<std::string>(), split_words(row[1]), row[2].as<std::size_t>()});
        }
        return out;
    });
}

void Admin::add_domain(std::string_view raw_domain, std::string_view raw_account) {
    const auto domain = domain_name(raw_domain);
    const auto account = account_name(raw_account);
    detail::in_transaction(*m_impl, [&](pqxx::work& tx) {
        const auto id = find_account(tx, account);
        const auto rows = tx.exec_params("INSERT INTO account_domain (account_id, domain) "
                                         "VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1",
                                         id, domain);
        if (rows.empty()) {
            throw AlreadyExists(
                fmt::format("domain {} is already listed for account \"{}\"", domain, account));
        }
    });
}

std::size_t Admin::remove_domain(std::string_view raw_domain, std::string_view raw_account) {
    const auto domain = domain_name(raw_domain);
    const auto account = raw_account.empty() ? std::string() : account_name(raw_account);
    return detail::in_transaction(*m_impl, [&](pqxx::work& tx) {
        std::int64_t id = 0;
        if (!account.empty()) {
            id = find_account(tx, account);
        } else {
            const auto owners = tx.exec_params("SELECT a.id, a.name FROM account_domain d "
                                               "JOIN account a ON a.id = d.account_id "
                                               "WHERE d.domain = $1 ORDER BY a.name",
                                               domain);
            if (owners.empty()) {
                throw NotFound(fmt::format("domain {} is not listed for any account", domain));
            }
            if (owners.size() > 1) {
                std::vector<std::string> names;
                names.reserve(owners.size());
                for (const auto& row : owners) {
                    names.push_back("\"" + row[1].as<std::string>() + "\"");
                }
                throw AdminError(
                    fmt::format("domain {} is listed for accounts {}: name one with --account",
                                domain, fmt::join(names, ", ")));
            }
            id = owners[0][0].as<std::int64_t>();
        }
        const auto removed = tx.exec_params(
            "DELETE FROM account_domain WHERE account_id = $1 AND domain = $2", id, domain);
        if (removed.affected_rows() == 0) {
            throw NotFound(
                fmt::format("domain {} is not listed for account \"{}\"", domain, account));
        }
        return tx.exec_params("SELECT count(*) FROM account_domain WHERE account_id = $1", id)[0][0]
            .as<std::size_t>();
    });
}

std::string Admin::add_rua(std::string_view raw_address, std::string_view raw_account,
                           const std::vector<std::string>& raw_domains) {
    const auto address = rua_address(raw_address);
    const bool implicit = trimmed(raw_account).empty();
    auto account = implicit ? address.substr(address.find('@') + 1) : account_name(raw_account);
    std::vector<std::string> domains;
    domains.reserve(raw_domains.size());
    for (const auto& raw : raw_domains) {
        domains.push_back(domain_name(raw));
    }
    return detail::in_transaction(*m_impl, [&](pqxx::work& tx) -> std::string {
        if (implicit) {
            tx.exec_params("INSERT INTO account (name) VALUES ($1) ON CONFLICT (name) DO NOTHING",
                           account);
        }
        const auto id = find_account(tx, account);
        const auto rows = tx.exec_params("INSERT INTO rua_address (address, account_id) "
                                         "VALUES ($1, $2) ON CONFLICT (address) DO NOTHING "
                                         "RETURNING id",
                                         address, id);
        if (rows.empty()) {
            const auto owner = tx.exec_params("SELECT a.name FROM rua_address r JOIN account a "
                                              "ON a.id = r.account_id WHERE r.address = $1",
                                              address);
            throw AlreadyExists(
                fmt::format("rua address {} is already registered (account \"{}\")", address,
                            owner.empty() ? std::string("?") : owner[0][0].as<std::string>()));
        }
        for (const auto& domain : domains) {
            tx.exec_params("INSERT INTO account_domain (account_id, domain) VALUES ($1, $2) "
                           "ON CONFLICT DO NOTHING",
                           id, domain);
        }
        return account;
    });
}

std::vector<RuaEntry> Admin::ruas() {
    return detail::in_transaction(*m_impl, [&](pqxx::work& tx) {
        const auto rows =
            tx.exec(fmt::format("SELECT r.address, a.name, r.active, {} FROM rua_address r "
                                "JOIN account a ON a.id = r.account_id ORDER BY r.address",
                                k_account_domains));
        std::vector<RuaEntry> out;
        for (const auto& row : rows) {
            out.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<bool>(),
                           split_words(row[3])});
        }
        return out;
    });
}

void Admin::remove_rua(std::string_view raw_address) {
    const auto address = rua_address(raw_address);
    detail::in_transaction(*m_impl, [&](pqxx::work& tx) {
        const auto done = tx.exec_params("DELETE FROM rua_address WHERE address = $1", address);
        if (done.affected_rows() == 0) {
            throw NotFound(fmt::format("rua address {} is not registered", address));
        }
    });
}

void Admin::set_rua_active(std::string_view raw_address, bool active) {
    const auto address = rua_address(raw_address);
    detail::in_transaction(*m_impl, [&](pqxx::work& tx) {
        const auto done = tx.exec_params("UPDATE rua_address SET active = $2 WHERE address = $1",
                                         address, active);
        if (done.affected_rows() == 0) {
            throw NotFound(fmt::format("rua address {} is not registered", address));
        }
    });
}

} // namespace rua
