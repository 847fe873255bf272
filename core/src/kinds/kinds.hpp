// The entry points of the kind folders, for the two registration lists
// (registry.cpp, writers.cpp) only. Each folder defines its pair.
#pragma once

namespace rua::detail {

class Kind;
class Writer;

const Kind& aggregate_kind();     // kinds/aggregate/kind.cpp
const Writer& aggregate_writer(); // kinds/aggregate/store.cpp
const Kind& tlsrpt_kind();        // kinds/tlsrpt/kind.cpp
const Writer& tlsrpt_writer();    // kinds/tlsrpt/store.cpp
const Kind& failure_kind();       // kinds/failure/kind.cpp
const Writer& failure_writer();   // kinds/failure/store.cpp

} // namespace rua::detail
