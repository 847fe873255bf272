// `ruactl db migrate|status`: the schema, through rua::migrate, and the
// schema check every other database command passes first (check_database). Prints what was
// applied or what is pending; never runs SQL of its own.
#include "cli.hpp"
#include "commands.hpp"
#include "output.hpp"
#include "session.hpp"

#include <rua/migrate.hpp>

namespace ruactl {

std::string sql_dir(const Args& args) {
    if (auto dir = args.value("--sql-dir")) {
        return *dir;
    }
    return rua::default_sql_dir();
}

void check_database(const Args& args) {
    rua::check_schema(database_url(args), sql_dir(args));
}

int cmd_db_migrate(const std::string& name, const Argv& argv) {
    Args args(name, argv, {});
    args.expect_operands(0, 0, "");
    const auto applied = rua::migrate(database_url(args), sql_dir(args));
    if (applied.empty()) {
        write_stdout("database schema is up to date\n");
    }
    for (const auto& file : applied) {
        write_stdout(fmt::format("applied {}\n", file));
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
    write_stdout(table);
    return k_exit_ok;
}

} // namespace ruactl
