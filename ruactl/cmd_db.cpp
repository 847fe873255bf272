// `ruactl db migrate|status`: the schema, through rua::migrate. Prints what
// was applied or what is pending; never runs SQL of its own.
#include "cli.hpp"
#include "commands.hpp"
#include "output.hpp"

#include <rua/migrate.hpp>

#include <cstdio>

namespace ruactl {

namespace {

std::string sql_dir(const Args& args) {
    if (auto dir = args.value("--sql-dir")) {
        return *dir;
    }
    return rua::default_sql_dir();
}

} // namespace

int cmd_db_migrate(const std::string& name, const Argv& argv) {
    Args args(name, argv, {});
    args.expect_operands(0, 0, "");
    const auto applied = rua::migrate(database_url(args), sql_dir(args));
    if (applied.empty()) {
        std::printf("database schema is up to date\n");
    }
    for (const auto& file : applied) {
        std::printf("applied %s\n", file.c_str());
    }
    return k_exit_ok;
}

int cmd_db_status(const std::string& name, const Argv& argv) {
    Args args(name, argv, {});
    args.expect_operands(0, 0, "");
    std::vector<Row> rows;
    for (const auto& state : rua::migration_status(database_url(args), sql_dir(args))) {
        rows.push_back({fmt::format("{:04}", state.version), state.name,
                        state.applied_at.value_or("pending")});
    }
    const auto table = render_table({"VERSION", "NAME", "APPLIED"}, rows, {});
    std::fwrite(table.data(), 1, table.size(), stdout);
    return k_exit_ok;
}

} // namespace ruactl
