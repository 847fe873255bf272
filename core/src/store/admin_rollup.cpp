// `ruactl rollup fold` behind rua::Admin: calls sql/0013's rua_rollup_fold,
// which moves the pending reports into the daily rollup's folded tables.
// Holds no rollup SQL of its own (the rule and the tables live in sql/).
#include "store/admin_detail.hpp"

namespace rua {

std::int64_t Admin::fold_rollup() {
    return detail::in_transaction(*m_impl, [&](pqxx::work& tx) {
        return tx.exec("SELECT rua_rollup_fold()")[0][0].as<std::int64_t>();
    });
}

} // namespace rua
