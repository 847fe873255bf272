// One message's time limits in the store: the checks before work starts, the
// per-transaction statement_timeout, and the wording of a statement that was
// cancelled or timed out. Must never let a job run past a cancel unnoticed.
#include "pg_errors.hpp"
#include "pool.hpp"

#include <rua/cancel.hpp>
#include <rua/errors.hpp>

#include <pqxx/except>
#include <pqxx/transaction_base>

#include <algorithm>
#include <string>

namespace rua {
namespace {

constexpr const char* k_cancelled = "cancelled: the caller stopped waiting for the database";
constexpr const char* k_late = "time limit reached before the database work could finish";
// SQLSTATE query_canceled: a statement_timeout or a cancel request.
constexpr const char* k_query_canceled = "57014";

bool has_deadline(const StoreJob& job) {
    return job.deadline != std::chrono::steady_clock::time_point{};
}

} // namespace

void check_job(const StoreJob& job) {
    if (job.cancel && job.cancel->cancelled()) {
        throw TryLater(k_cancelled);
    }
    if (has_deadline(job) && std::chrono::steady_clock::now() >= job.deadline) {
        throw TryLater(k_late);
    }
}

void limit_transaction(pqxx::transaction_base& tx, const StoreJob& job) {
    check_job(job);
    if (!has_deadline(job)) {
        return;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        job.deadline - std::chrono::steady_clock::now());
    const auto ms = std::max<std::int64_t>(1, left.count());
    // is_local = true: like SET LOCAL, gone at COMMIT or ROLLBACK.
    tx.conn().prepare("rua_statement_timeout", "SELECT set_config('statement_timeout', $1, true)");
    tx.exec_prepared("rua_statement_timeout", std::to_string(ms));
}

void rethrow_for_job(const StoreJob& job) {
    try {
        throw;
    } catch (const pqxx::sql_error& e) {
        if (job.cancel && job.cancel->cancelled()) {
            throw TryLater(std::string(k_cancelled) + " (" + pg_reason(e.what()) + ")");
        }
        if (e.sqlstate() == k_query_canceled && has_deadline(job)) {
            throw TryLater(std::string(k_late) + " (" + pg_reason(e.what()) + ")");
        }
        rethrow_as_rua_error();
    } catch (const Error&) {
        throw;
    } catch (...) {
        if (job.cancel && job.cancel->cancelled()) {
            throw TryLater(k_cancelled);
        }
        rethrow_as_rua_error();
    }
}

} // namespace rua
