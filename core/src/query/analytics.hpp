// Internal to the query layer's analytics (analytics.cpp, readiness.cpp):
// the percentage rule and the domains one question covers. Must never
// expose pqxx beyond core/src.
#pragma once

#include "query/read.hpp"

namespace rua::query::detail {

// 100 * part / whole at one decimal, half away from zero (PostgreSQL's
// round(numeric, 1)); nullopt when whole is 0.
std::optional<double> percent(std::int64_t part, std::int64_t whole);

// The policy domains a question about `domain` covers: `domain` itself, or
// with `rollup` each of the principal's domains (registered, or with data
// in the last `days` days) whose registrable domain is `domain`'s. Throws
// NotVisible when the principal sees none of them.
std::vector<std::string> covered_domains(pqxx::transaction_base& tx, const Principal& who,
                                         const std::string& domain, int days, bool rollup);

} // namespace rua::query::detail
