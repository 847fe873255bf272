// `ruactl retention apply`: creates the coming months' partitions, then
// expires records, raw attachments and quarantined messages past their
// periods (rua::Retention, sql/0012). Prints what it did, one line each;
// never deletes a report's exactly-once key or a daily rollup.
#include "cli.hpp"
#include "commands.hpp"
#include "output.hpp"
#include "session.hpp"

#include <rua/retention.hpp>

namespace ruactl {

namespace {

// "13mo" and "1y" (calendar months, years), else parse_duration's forms
// ("30d", "2w", "12h"); zero is refused (it would expire everything).
rua::RetentionPeriod parse_period(const std::string& option, const std::string& text) {
    const auto bad = [&]() {
        return UsageError(fmt::format(
            "{}: invalid period '{}' (expected a positive number and mo, y, w, d, h, m or s, "
            "e.g. 13mo)",
            option, text));
    };
    rua::RetentionPeriod period;
    std::size_t unit = 0;
    std::int64_t per = 0;
    if (text.size() > 2 && text.compare(text.size() - 2, 2, "mo") == 0) {
        unit = 2;
        per = 1;
    } else if (text.size() > 1 && text.back() == 'y') {
        unit = 1;
        per = 12;
    }
    if (unit > 0) {
        const auto digits = text.substr(0, text.size() - unit);
        std::int64_t value = 0;
        for (const char c : digits) {
            if (c < '0' || c > '9' || value > 100'000) {
                throw bad();
            }
            value = value * 10 + (c - '0');
        }
        period.months = value * per;
    } else {
        try {
            period.seconds = parse_duration(option, text);
        } catch (const UsageError&) {
            throw bad();
        }
    }
    if (period.months == 0 && period.seconds == 0) {
        throw bad();
    }
    return period;
}

} // namespace

int cmd_retention_apply(const std::string& name, const Argv& argv) {
    Args args(name, argv,
              {{"--records", true, false},
               {"--raw", true, false},
               {"--quarantine", true, false},
               {"--months-ahead", true, false},
               {"--dry-run", false, false}});
    args.expect_operands(0, 0, "");
    rua::RetentionSettings settings;
    if (auto text = args.value("--records")) {
        settings.records = parse_period("--records", *text);
    }
    if (auto text = args.value("--raw")) {
        settings.raw = parse_period("--raw", *text);
    }
    if (auto text = args.value("--quarantine")) {
        settings.quarantine = parse_period("--quarantine", *text);
    }
    int months_ahead = 3;
    if (auto text = args.value("--months-ahead")) {
        months_ahead = text == "0" ? 0 : static_cast<int>(parse_count("--months-ahead", *text, 24));
    }
    settings.dry_run = args.has("--dry-run");
    Session session(args);
    rua::Retention retention(session.pool());
    // Partitions first, printed before retention runs (it may still fail).
    for (const auto& line : retention.create_partitions(months_ahead, settings.dry_run)) {
        write_stdout(line + "\n");
    }
    flush_stdout();
    for (const auto& line : retention.apply(settings)) {
        write_stdout(line + "\n");
    }
    return k_exit_ok;
}

} // namespace ruactl
