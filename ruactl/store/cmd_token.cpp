// `ruactl token add|list|revoke`: the API tokens rua-web accepts. Thin:
// parse the words, call rua::Admin, print. `token add` prints the new token
// and nothing else on standard output (it is shown once: only its hash is
// kept); nothing here ever prints a hash.
#include "cli.hpp"
#include "commands.hpp"
#include "output.hpp"
#include "session.hpp"

#include <limits>

namespace ruactl {

int cmd_token_add(const std::string& name, const Argv& argv) {
    Args args(name, argv,
              {{"--account", true, false}, {"--admin", false, false}, {"--label", true, false}});
    args.expect_operands(0, 0, "");
    const auto account = args.value("--account");
    if (account.has_value() == args.has("--admin")) {
        throw UsageError(fmt::format("{}: give either --account NAME or --admin", name));
    }
    Session session(args);
    const auto token = session.admin().add_token(account, args.value("--label"));
    write_stdout(token + "\n");
    return k_exit_ok;
}

int cmd_token_list(const std::string& name, const Argv& argv) {
    Args args(name, argv, {{"--account", true, false}});
    args.expect_operands(0, 0, "");
    Session session(args);
    std::vector<Row> rows;
    for (const auto& token : session.admin().tokens(args.value("--account"))) {
        rows.push_back({std::to_string(token.id), token.account.value_or("(admin)"),
                        token.label.value_or("-"), format_time(token.created_at),
                        token.revoked_at ? format_time(*token.revoked_at) : "-"});
    }
    write_stdout(render_table({"ID", "ACCOUNT", "LABEL", "CREATED", "REVOKED"}, rows,
                              {true, false, false, false, false}));
    return k_exit_ok;
}

int cmd_token_revoke(const std::string& name, const Argv& argv) {
    Args args(name, argv, {});
    args.expect_operands(1, 1, "ID");
    const auto id = static_cast<std::int64_t>(
        parse_count(name + ": ID", args.operands()[0],
                    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())));
    Session session(args);
    if (session.admin().revoke_token(id)) {
        write_stdout(fmt::format("token {} revoked\n", id));
    } else {
        write_stdout(fmt::format("token {} was already revoked\n", id));
    }
    return k_exit_ok;
}

} // namespace ruactl
