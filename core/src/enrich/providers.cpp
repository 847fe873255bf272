// The provider map's data file (packaging/providers.tsv) and the operator's
// writes to provider_map and approved_source (rua::Sources). The lookup rule
// itself lives in SQL (rua_provider_row, sql/0016); nothing here decides
// which row wins.
#include "store/admin_detail.hpp"

#include <rua/address.hpp>
#include <rua/enrich.hpp>
#include <rua/errors.hpp>

#include <fmt/format.h>

#include <unistd.h>

#ifndef RUA_INSTALLED_PROVIDERS
#define RUA_INSTALLED_PROVIDERS "/usr/share/rua-milter/providers.tsv"
#endif
#ifndef RUA_SOURCE_PROVIDERS
#define RUA_SOURCE_PROVIDERS "packaging/providers.tsv"
#endif

namespace rua {

namespace {

bool known_kind(std::string_view kind) {
    return kind == "ptr" || kind == "dkim" || kind == "spf";
}

// Printable, no tab or control byte, at most 100 bytes: a provider name or type.
bool plain_text(std::string_view text) {
    if (text.empty() || text.size() > 100) {
        return false;
    }
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            return false;
        }
    }
    return true;
}

std::vector<std::string> split_tabs(std::string_view line) {
    std::vector<std::string> fields;
    std::size_t at = 0;
    while (true) {
        const auto tab = line.find('\t', at);
        fields.emplace_back(line.substr(at, tab == std::string_view::npos ? tab : tab - at));
        if (tab == std::string_view::npos) {
            return fields;
        }
        at = tab + 1;
    }
}

// Checks and normalises one entry; the error text names what is wrong.
std::optional<std::string> check_entry(ProviderEntry& e) {
    if (!known_kind(e.kind)) {
        return fmt::format("unknown kind \"{}\" (ptr, dkim or spf)", e.kind);
    }
    auto domain = normalize_domain(e.domain);
    if (!domain) {
        return fmt::format("not a domain: \"{}\"", e.domain);
    }
    e.domain = *domain;
    if (!plain_text(e.provider)) {
        return "provider name empty, too long or with control characters";
    }
    if (!plain_text(e.type)) {
        return "provider type empty, too long or with control characters";
    }
    return std::nullopt;
}

} // namespace

std::vector<ProviderEntry> parse_provider_file(std::string_view text, std::string_view name) {
    std::vector<ProviderEntry> entries;
    std::size_t number = 0;
    std::size_t at = 0;
    while (at < text.size()) {
        const auto end = text.find('\n', at);
        std::string_view line =
            text.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
        at = end == std::string_view::npos ? text.size() : end + 1;
        ++number;
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (line.empty() || line[0] == '#') {
            continue;
        }
        const auto fields = split_tabs(line);
        if (fields.size() != 4) {
            throw BadInput(fmt::format("{}:{}: expected 4 tab-separated fields, found {}", name,
                                       number, fields.size()));
        }
        ProviderEntry e{fields[0], fields[1], fields[2], fields[3]};
        if (auto error = check_entry(e)) {
            throw BadInput(fmt::format("{}:{}: {}", name, number, *error));
        }
        entries.push_back(std::move(e));
    }
    return entries;
}

std::string default_provider_file() {
    if (access(RUA_INSTALLED_PROVIDERS, R_OK) == 0) {
        return RUA_INSTALLED_PROVIDERS;
    }
    return RUA_SOURCE_PROVIDERS;
}

struct Sources::Impl {
    Admin::Impl admin;
};

Sources::Sources(ConnectionPool& pool) : m_impl(std::make_unique<Impl>()) {
    m_impl->admin.conninfo = pool.conninfo();
}

Sources::~Sources() = default;

std::size_t Sources::load_providers(const std::vector<ProviderEntry>& entries) {
    return detail::in_transaction(m_impl->admin, [&](pqxx::work& tx) {
        tx.exec("DELETE FROM provider_map WHERE origin = 'shipped'");
        std::size_t rows = 0;
        for (const auto& e : entries) {
            // A domain listed twice for a kind: the first line wins.
            rows += tx.exec_params("INSERT INTO provider_map (kind, domain, provider, "
                                   "provider_type, origin) VALUES ($1, $2, $3, $4, 'shipped') "
                                   "ON CONFLICT DO NOTHING",
                                   e.kind, e.domain, e.provider, e.type)
                        .affected_rows();
        }
        return rows;
    });
}

void Sources::add_provider(const ProviderEntry& entry) {
    ProviderEntry e = entry;
    if (auto error = check_entry(e)) {
        throw BadInput(*error);
    }
    detail::in_transaction(m_impl->admin, [&](pqxx::work& tx) {
        tx.exec_params("INSERT INTO provider_map (kind, domain, provider, provider_type, origin) "
                       "VALUES ($1, $2, $3, $4, 'operator') ON CONFLICT (kind, domain, origin) "
                       "DO UPDATE SET provider = EXCLUDED.provider, "
                       "provider_type = EXCLUDED.provider_type",
                       e.kind, e.domain, e.provider, e.type);
    });
}

bool Sources::remove_provider(const std::string& kind, const std::string& domain) {
    const auto normal = normalize_domain(domain);
    if (!known_kind(kind) || !normal) {
        return false;
    }
    return detail::in_transaction(m_impl->admin, [&](pqxx::work& tx) {
        return tx.exec_params("DELETE FROM provider_map WHERE kind = $1 AND domain = $2 "
                              "AND origin = 'operator'",
                              kind, *normal)
                   .affected_rows() > 0;
    });
}

namespace {

struct Approval {
    std::string domain;
    std::optional<std::string> provider;
    std::optional<std::string> cidr; // as the database normalised it
    std::optional<std::int64_t> account;
};

Approval approval_of(pqxx::work& tx, const std::string& domain, const std::string& what,
                     const std::optional<std::string>& account) {
    Approval a;
    const auto normal = normalize_domain(domain);
    if (!normal) {
        throw BadInput(fmt::format("not a domain: \"{}\"", domain));
    }
    a.domain = *normal;
    // A network when the database reads it as one (192.0.2.0/24, 2001:db8::/32,
    // or a single address); a provider name otherwise.
    tx.exec("SAVEPOINT rua_cidr");
    try {
        a.cidr = tx.exec_params1("SELECT $1::cidr::text", what)[0].as<std::string>();
        tx.exec("RELEASE SAVEPOINT rua_cidr");
    } catch (const pqxx::data_exception&) {
        tx.exec("ROLLBACK TO SAVEPOINT rua_cidr");
        if (!plain_text(what)) {
            throw BadInput("provider name empty, too long or with control characters");
        }
        a.provider = what;
    }
    if (account) {
        const auto row = tx.exec_params("SELECT id FROM account WHERE name = $1", *account);
        if (row.empty()) {
            throw BadInput(fmt::format("no account \"{}\"", *account));
        }
        a.account = row[0][0].as<std::int64_t>();
    }
    return a;
}

const char* opt(const std::optional<std::string>& value) {
    return value ? value->c_str() : nullptr;
}

} // namespace

bool Sources::approve(const std::string& domain, const std::string& what,
                      std::optional<std::string> account) {
    return detail::in_transaction(m_impl->admin, [&](pqxx::work& tx) {
        const Approval a = approval_of(tx, domain, what, account);
        const std::string id = a.account ? std::to_string(*a.account) : std::string();
        return tx.exec_params("INSERT INTO approved_source (account_id, domain, provider, cidr) "
                              "VALUES ($1::bigint, $2, $3, $4::cidr) ON CONFLICT DO NOTHING",
                              a.account ? id.c_str() : nullptr, a.domain, opt(a.provider),
                              opt(a.cidr))
                   .affected_rows() > 0;
    });
}

bool Sources::unapprove(const std::string& domain, const std::string& what,
                        std::optional<std::string> account) {
    return detail::in_transaction(m_impl->admin, [&](pqxx::work& tx) {
        const Approval a = approval_of(tx, domain, what, account);
        const std::string id = a.account ? std::to_string(*a.account) : std::string();
        return tx.exec_params("DELETE FROM approved_source WHERE account_id IS NOT DISTINCT "
                              "FROM $1::bigint AND domain = $2 AND lower(provider) IS NOT "
                              "DISTINCT FROM lower($3) AND cidr IS NOT DISTINCT FROM $4::cidr",
                              a.account ? id.c_str() : nullptr, a.domain, opt(a.provider),
                              opt(a.cidr))
                   .affected_rows() > 0;
    });
}

} // namespace rua
