// Finding failure reports in a walked message: ARF containers (any
// multipart with a message/feedback-report child, at any depth, so a report
// forwarded inside message/rfc822 is found) and, when there is no ARF, the
// plain-text notice form. Never throws for bad input: a refused report is a
// finding with an error.
#pragma once

#include "kinds/kind.hpp"

#include <vector>

namespace rua::detail::failure {

void find_reports(const MimeTree& tree, const Limits& limits, std::vector<MessageFinding>& out);

} // namespace rua::detail::failure
