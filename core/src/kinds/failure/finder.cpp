// The failure kind's scan over MimeTree::entities (finder.hpp). Each report
// claims every leaf below its container, so ingest never reads an original
// message's attachments as reports of their own. Checks that the container
// is complete (its closing boundary is there) before reading it.
#include "kinds/failure/finder.hpp"

#include "kinds/failure/headers.hpp"
#include "kinds/failure/parse.hpp"
#include "text.hpp"

#include <rua/errors.hpp>
#include <rua/kinds/failure.hpp>

#include <array>

namespace rua::detail::failure {

namespace {

using Children = std::vector<std::vector<int>>;

const MimeEntity& at(const MimeTree& tree, int index) {
    return tree.entities[static_cast<std::size_t>(index)];
}

bool is(const MimeEntity& e, std::string_view type, std::string_view subtype) {
    return e.type == type && e.subtype == subtype;
}

// Sample parts that carry a whole message the walk did not descend into.
bool is_message_leaf(const MimeEntity& e) {
    return is(e, "text", "rfc822") || is(e, "message", "rfc-822") || is(e, "text", "rfc-822");
}

// Sample parts that carry headers only (text/rfc822-header: a real typo).
bool is_headers(const MimeEntity& e) {
    static constexpr std::array<std::pair<const char*, const char*>, 6> k_types = {{
        {"text", "rfc822-headers"},
        {"text", "rfc822-header"},
        {"text", "rfc-822-headers"},
        {"message", "rfc822-headers"},
        {"message", "rfc-822-headers"},
        {"text", "rfc822-headers-only"},
    }};
    for (const auto& [type, subtype] : k_types) {
        if (is(e, type, subtype)) {
            return true;
        }
    }
    return false;
}

bool is_message(const MimeEntity& e) {
    return is(e, "message", "rfc822") || is(e, "message", "global");
}

// The header block of a headers-only part: leading blank lines skipped,
// anything after the first blank line (a body sent by mistake) left out.
std::string_view header_block_of(std::string_view text) {
    while (!text.empty() && (text.front() == '\r' || text.front() == '\n')) {
        text.remove_prefix(1);
    }
    return split_message(text).header;
}

// Decodes an entity's body per its Content-Transfer-Encoding; throws BadInput
// naming `what`.
std::string decoded(const MimeEntity& e, std::string_view what) {
    MimeLeaf leaf;
    leaf.transfer_encoding = e.transfer_encoding;
    leaf.body = e.body;
    try {
        return decode_body(leaf);
    } catch (const BadInput& error) {
        throw BadInput(std::string(what) + ": " + error.what());
    }
}

// The entity's text as received: its header block through its body.
std::string_view entity_text(const MimeEntity& e) {
    if (e.body.data() == nullptr || e.body.empty()) {
        return e.header;
    }
    return {e.header.data(),
            static_cast<std::size_t>(e.body.data() + e.body.size() - e.header.data())};
}

std::string content_type_value(const MimeEntity& e, const Limits& limits) {
    const auto fields = read_fields(e.header, limits, "MIME header", false);
    const auto* field = find_field(fields, "Content-Type");
    return field != nullptr ? field->value : std::string();
}

void check_complete(const MimeEntity& container, const Limits& limits) {
    const auto boundary = content_type_param(content_type_value(container, limits), "boundary");
    if (boundary.empty()) {
        return;
    }
    if (container.body.find("--" + boundary + "--") == std::string_view::npos) {
        throw BadInput("truncated " + container.type + "/" + container.subtype +
                       ": no closing boundary");
    }
}

// Parses the ARF report in container `index` whose feedback part is `feedback`.
ReportPtr read_arf(const MimeTree& tree, const Children& children, int index, int feedback,
                   const Limits& limits, std::string& original_storage) {
    check_complete(at(tree, index), limits);
    const std::string fields = decoded(at(tree, feedback), "message/feedback-report part");
    OriginalText original;
    bool found = false;
    for (const int child : children[static_cast<std::size_t>(index)]) {
        const auto& e = at(tree, child);
        if (child == feedback || found) {
            continue;
        }
        if (is_message(e)) {
            const auto& inner = children[static_cast<std::size_t>(child)];
            if (inner.empty()) {
                // The walk could not decode it; say why.
                original_storage = decoded(e, "original message part");
                original = split_message(original_storage);
            } else {
                original =
                    OriginalText{at(tree, inner.front()).header, at(tree, inner.front()).body};
            }
            found = true;
        } else if (is_message_leaf(e)) {
            original_storage = decoded(e, "original message part");
            original = split_message(original_storage);
            found = true;
        } else if (is_headers(e)) {
            original_storage = decoded(e, "original headers part");
            original = OriginalText{header_block_of(original_storage), std::nullopt};
            found = true;
        }
    }
    return parse_arf(fields, found ? &original : nullptr, limits);
}

// The leaves below entity `index` (it included): in pre-order a subtree
// is one contiguous run of entities.
std::vector<int> leaves_below(const MimeTree& tree, int index) {
    std::vector<int> out;
    std::vector<bool> inside(tree.entities.size(), false);
    for (auto i = static_cast<std::size_t>(index); i < tree.entities.size(); ++i) {
        const auto& e = tree.entities[i];
        inside[i] = static_cast<int>(i) == index ||
                    (e.parent >= 0 && inside[static_cast<std::size_t>(e.parent)]);
        if (!inside[i]) {
            break;
        }
        if (e.leaf_part != 0) {
            out.push_back(e.leaf_part);
        }
    }
    return out;
}

// Runs `read`, turning a refusal into the finding's error.
template <typename Read> void attempt(MessageFinding& finding, Read read) {
    try {
        finding.report = read();
    } catch (const LimitExceeded& error) {
        finding.over_limit = true;
        finding.error = error.what();
    } catch (const BadInput& error) {
        finding.error = error.what();
    }
}

// The message entity (root, or the root of an encapsulated message) that
// holds entity `index`.
int message_of(const MimeTree& tree, int index) {
    while (true) {
        const int parent = at(tree, index).parent;
        if (parent < 0 || is_message(at(tree, parent))) {
            return index;
        }
        index = parent;
    }
}

// A notice is a few lines plus a header block; a bigger text part is some
// other message, not worth copying and searching.
constexpr std::size_t k_max_notice_bytes = 1u << 20;

bool looks_like_notice(std::string_view text) {
    return ifind(text, "dmarc") != std::string_view::npos &&
           (ifind(text, "fail") != std::string_view::npos ||
            ifind(text, "forensic") != std::string_view::npos);
}

// The text form: the first plain-text leaf that reads as a failure notice
// and comes with the original's headers (inline, or a sibling headers part).
void find_text_form(const MimeTree& tree, const Children& children, const Limits& limits,
                    std::vector<MessageFinding>& out) {
    for (std::size_t i = 0; i < tree.entities.size(); ++i) {
        const auto& e = tree.entities[i];
        if (e.leaf_part == 0 || !(is(e, "text", "plain") || e.type.empty()) ||
            e.body.size() > k_max_notice_bytes) {
            continue;
        }
        std::string notice;
        try {
            notice = decoded(e, "notice");
        } catch (const BadInput&) {
            continue;
        }
        if (!looks_like_notice(notice)) {
            continue;
        }
        MessageFinding finding;
        finding.part = e.leaf_part;
        finding.content_type = "text/plain";
        finding.format = "text";
        finding.parts.push_back(e.leaf_part);
        std::string headers;
        const auto inline_start = find_inline_headers(notice);
        if (inline_start == std::string::npos && e.parent >= 0) {
            for (const int sibling : children[static_cast<std::size_t>(e.parent)]) {
                const auto& s = at(tree, sibling);
                if (is_headers(s) && s.leaf_part != 0 && headers.empty()) {
                    try {
                        headers = decoded(s, "original headers part");
                    } catch (const BadInput&) {
                        continue;
                    }
                    finding.parts.push_back(s.leaf_part);
                }
            }
        }
        if (inline_start == std::string::npos && headers.empty()) {
            continue;
        }
        const std::string_view view(notice);
        const auto notice_part = view.substr(0, inline_start);
        const OriginalText original{inline_start == std::string::npos
                                        ? header_block_of(headers)
                                        : split_message(view.substr(inline_start)).header,
                                    std::nullopt};
        finding.bytes = std::string(entity_text(at(tree, message_of(tree, static_cast<int>(i)))));
        attempt(finding, [&]() { return parse_text_form(notice_part, original, limits); });
        out.push_back(std::move(finding));
        return;
    }
}

} // namespace

void find_reports(const MimeTree& tree, const Limits& limits, std::vector<MessageFinding>& out) {
    const std::size_t n = tree.entities.size();
    Children children(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (tree.entities[i].parent >= 0) {
            children[static_cast<std::size_t>(tree.entities[i].parent)].push_back(
                static_cast<int>(i));
        }
    }
    std::vector<bool> claimed(n, false); // inside a report already found
    bool any = false;
    for (std::size_t i = 0; i < n; ++i) {
        const auto& e = tree.entities[i];
        if (e.parent >= 0 && claimed[static_cast<std::size_t>(e.parent)]) {
            claimed[i] = true;
            continue;
        }
        if (e.type != "multipart") {
            continue;
        }
        int feedback = -1;
        for (const int child : children[i]) {
            if (is(at(tree, child), "message", "feedback-report") && feedback < 0) {
                feedback = child;
            }
        }
        if (feedback < 0) {
            continue;
        }
        claimed[i] = true;
        any = true;
        MessageFinding finding;
        finding.parts = leaves_below(tree, static_cast<int>(i));
        finding.part = at(tree, feedback).leaf_part;
        finding.content_type = "message/feedback-report";
        finding.format = "arf";
        finding.bytes = std::string(entity_text(e));
        std::string storage;
        attempt(finding, [&]() {
            return read_arf(tree, children, static_cast<int>(i), feedback, limits, storage);
        });
        out.push_back(std::move(finding));
    }
    if (!any) {
        find_text_form(tree, children, limits, out);
    }
}

} // namespace rua::detail::failure
