// Monthly partitions and retention (sql/0012): creating the partitions of the
// coming months and expiring old records, attachments and quarantined
// messages, through the SQL functions of that migration. Never deletes a
// report's exactly-once key (its report row) nor the daily rollup (0013's
// day_*_folded); never creates or drops a table but through 0012's functions.
#pragma once

#include <rua/store.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace rua {

// How long something is kept: calendar months plus seconds ("13mo", "30d").
struct RetentionPeriod {
    std::int64_t months = 0;
    std::int64_t seconds = 0;
};

struct RetentionSettings {
    RetentionPeriod records{13, 0}; // aggregate records (their daily rollup stays)
    RetentionPeriod raw{3, 0};      // raw attachments
    RetentionPeriod quarantine{0, std::int64_t{30} * 86400}; // quarantined messages
    bool dry_run = false; // say what would be done, change nothing
};

// One retention session: a single connection opened on first use from the
// pool's conninfo. Every method throws TryLater when the database cannot be
// reached or a table stays locked past a few seconds (the milter's writes
// are never held up for long), Error for anything else the database reports.
class Retention {
public:
    explicit Retention(ConnectionPool& pool); // no I/O
    ~Retention();
    Retention(const Retention&) = delete;
    Retention& operator=(const Retention&) = delete;

    // Creates the monthly partitions of every partitioned table for the
    // current UTC month and the `months_ahead` following ones, moving rows of
    // those months out of the default partitions; one transaction per
    // partition. Returns one line per partition created (with dry_run: that
    // would be created; nothing changes). Existing partitions give no line.
    std::vector<std::string> create_partitions(int months_ahead, bool dry_run);

    // Drops the expired monthly partitions and deletes expired rows from the
    // default partitions and the quarantine, in one transaction (the daily
    // rollup's pending reports are folded first, so their totals stay). Returns one line per
    // partition dropped or table deleted from, then a summary line.
    std::vector<std::string> apply(const RetentionSettings& settings);

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

} // namespace rua
