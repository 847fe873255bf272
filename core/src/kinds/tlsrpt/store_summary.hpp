// The tlsrpt kind's sections of `ruactl summary` (store_summary.cpp), for
// the writer in store.cpp. libpqxx: include only from store*.cpp files.
#pragma once

#include <rua/admin.hpp>

#include <pqxx/pqxx>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rua::detail::tlsrpt {

// For the policies whose lower(policy_domain) is `domain` (lower-cased), in
// reports whose period ends within the last `since_seconds_ago` seconds when
// given: "sessions" (policy_domain, policy_type, reports, successful, failed)
// and "failures" (result_type, receiving_mx_hostname, sessions).
std::vector<SummaryTable> summary(pqxx::work& tx, const std::string& domain,
                                  std::optional<std::int64_t> since_seconds_ago);

} // namespace rua::detail::tlsrpt
