// `ruactl rollup fold`: folds the reports pending in the daily rollup
// (sql/0013) into its folded tables; run every minute by
// rua-milter-fold.timer. Prints one line; never touches the rollup's tables
// but through rua::Admin::fold_rollup.
#include "cli.hpp"
#include "commands.hpp"
#include "output.hpp"
#include "session.hpp"

namespace ruactl {

int cmd_rollup_fold(const std::string& name, const Argv& argv) {
    Args args(name, argv, {});
    args.expect_operands(0, 0, "");
    Session session(args);
    const auto folded = session.admin().fold_rollup();
    write_stdout(fmt::format("folded {} pending reports\n", folded));
    return k_exit_ok;
}

} // namespace ruactl
