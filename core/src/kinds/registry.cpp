// The one place the parse halves of the report kinds are registered, in
// the order ingest asks them. To add a kind: a folder under kinds/, one
// entry here and one in writers.cpp.
#include "kinds/kind.hpp"
#include "kinds/kinds.hpp"

namespace rua::detail {

const std::vector<const Kind*>& kinds() {
    static const std::vector<const Kind*> k_kinds = {&aggregate_kind(), &tlsrpt_kind(),
                                                     &failure_kind()};
    return k_kinds;
}

} // namespace rua::detail
