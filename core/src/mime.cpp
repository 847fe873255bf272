// The MIME walk: plain Content-* fields read by hand (mime_fields.cpp),
// anything unusual through vmime (RFC 2047/2231, charsets, comments),
// multipart splitting and message/rfc822 descent by hand over the caller's
// buffer. Must never copy a body, recurse past Limits::max_mime_depth or
// count more leaves than Limits::max_parts.
#include "mime.hpp"

#include "base64.hpp"
#include "filename.hpp"
#include "mime_fields.hpp"
#include "text.hpp"

#include <rua/errors.hpp>

#include <fmt/format.h>
#include <vmime/contentDispositionField.hpp>
#include <vmime/contentTypeField.hpp>
#include <vmime/vmime.hpp>

#include <algorithm>
#include <cstring>
#include <new>

namespace rua::detail {

namespace {

bool blank(std::string_view line) {
    return std::all_of(line.begin(), line.end(),
                       [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

// An entity split at the first empty (or white-space-only: Lotus Notes)
// line. Without one, the entity is all header.
struct Entity {
    std::string_view header;
    std::string_view body;
};

Entity split_entity(std::string_view text) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto eol = text.find('\n', pos);
        const auto line = text.substr(pos, eol == std::string_view::npos ? eol : eol - pos);
        if (blank(line)) {
            const auto body = eol == std::string_view::npos ? text.size() : eol + 1;
            return {text.substr(0, pos), text.substr(body)};
        }
        if (eol == std::string_view::npos) {
            break;
        }
        pos = eol + 1;
    }
    return {text, {}};
}

// What we need from one entity's header.
struct Labels {
    std::string type;    // "multipart", "" when absent
    std::string subtype; // "mixed"
    std::string boundary;
    OptString filename;
    std::string transfer_encoding;
};

std::string word_text(const vmime::word& word) {
    try {
        return word.getConvertedText(vmime::charset(vmime::charsets::UTF_8));
    } catch (const vmime::exception&) {
        return word.getBuffer();
    }
}

// Only the fields we read go to vmime, each bounded in size: a header of
// 400,000 fields or one 30 MB Subject must not cost seconds and hundreds of
// megabytes. Trustwave SEG writes "ContentType:" for "Content-Type:"; when
// the real field is missing, the misspelt one is used under the real name.
constexpr std::size_t k_max_field_bytes = 64u << 10;

std::string relevant_fields(std::string_view header) {
    std::string kept;
    std::string misspelt;
    bool has_real = false;
    std::size_t pos = 0;
    while (pos < header.size()) {
        // One logical field: a line and its folded continuation lines.
        std::size_t end = pos;
        do {
            const auto eol = header.find('\n', end);
            end = eol == std::string_view::npos ? header.size() : eol + 1;
        } while (end < header.size() && (header[end] == ' ' || header[end] == '\t'));
        const auto field = header.substr(pos, end - pos);
        pos = end;
        if (field.size() > k_max_field_bytes) {
            continue;
        }
        if (istarts_with(field, "content-type:")) {
            has_real = true;
            kept += field;
        } else if (istarts_with(field, "content-disposition:") ||
                   istarts_with(field, "content-transfer-encoding:")) {
            kept += field;
        } else if (istarts_with(field, "contenttype:") && misspelt.empty()) {
            misspelt = "Content-Type:" + std::string(field.substr(std::strlen("contenttype:")));
        }
        if (!kept.empty() && kept.back() != '\n') {
            kept += "\r\n";
        }
    }
    if (!has_real && !misspelt.empty()) {
        kept += misspelt;
    }
    return kept;
}

// The labels vmime reads from `fields` (the relevant fields only).
RawLabels read_labels_vmime(const std::string& fields) {
    RawLabels labels;
    vmime::header header;
    try {
        header.parse(fields);
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const std::exception&) {
        return labels; // an unreadable header labels nothing; the body is still sniffed
    }
    try {
        if (header.hasField(vmime::fields::CONTENT_TYPE)) {
            auto field = header.findField<vmime::contentTypeField>(vmime::fields::CONTENT_TYPE);
            if (field) {
                auto media = field->getValue<vmime::mediaType>();
                labels.type = lower(media->getType());
                labels.subtype = lower(media->getSubType());
                if (field->hasBoundary()) {
                    labels.boundary = field->getBoundary();
                }
                if (auto name = field->findParameter("name")) {
                    labels.type_name = word_text(name->getValue());
                }
            }
        }
        if (header.hasField(vmime::fields::CONTENT_DISPOSITION)) {
            auto field = header.findField<vmime::contentDispositionField>(
                vmime::fields::CONTENT_DISPOSITION);
            if (field && field->hasFilename()) {
                labels.disposition_name = word_text(field->getFilename());
            }
        }
        if (header.hasField(vmime::fields::CONTENT_TRANSFER_ENCODING)) {
            auto field = header.findField(vmime::fields::CONTENT_TRANSFER_ENCODING);
            if (auto value = field->getValue<vmime::encoding>()) {
                labels.transfer_encoding = lower(value->getName());
            }
        }
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const std::exception&) {
        // A field vmime cannot make sense of is a missing label, nothing more.
    }
    return labels;
}

// Plain fields are read by hand (mime_fields.cpp); anything unusual
// (RFC 2047/2231, comments, 8-bit) goes to vmime.
Labels read_labels(std::string_view header_text) {
    const std::string fields = relevant_fields(header_text);
    RawLabels raw;
    if (!read_simple_fields(fields, raw)) {
        raw = read_labels_vmime(fields);
    }
    Labels labels;
    labels.type = std::move(raw.type);
    labels.subtype = std::move(raw.subtype);
    labels.boundary = std::move(raw.boundary);
    labels.transfer_encoding = std::move(raw.transfer_encoding);
    if (raw.disposition_name) {
        labels.filename = sanitize_filename(*raw.disposition_name);
    }
    if (!labels.filename && raw.type_name) {
        labels.filename = sanitize_filename(*raw.type_name);
    }
    return labels;
}

// The parts of a multipart body between "--boundary" lines; empty when no
// delimiter line is found.
std::vector<std::string_view> split_multipart(std::string_view body, const std::string& boundary) {
    std::vector<std::string_view> parts;
    const std::string delimiter = "--" + boundary;
    std::size_t part_start = std::string_view::npos;
    std::size_t pos = 0;
    while (pos < body.size()) {
        // Jump to the next "--boundary" that starts a line (a base64 body
        // has thousands of lines; looking at each one cost more).
        pos = body.find(delimiter, pos);
        if (pos == std::string_view::npos) {
            break;
        }
        if (pos > 0 && body[pos - 1] != '\n') {
            ++pos;
            continue;
        }
        auto eol = body.find('\n', pos);
        const auto next = eol == std::string_view::npos ? body.size() : eol + 1;
        const auto line = body.substr(pos, next - pos);
        const auto rest = line.substr(delimiter.size());
        const bool closing = rest.substr(0, 2) == "--";
        if (closing || blank(rest.substr(0, rest.find('\n')))) {
            if (part_start != std::string_view::npos) {
                // The line break before a delimiter belongs to the delimiter.
                auto end = pos;
                if (end > part_start && body[end - 1] == '\n') {
                    --end;
                }
                if (end > part_start && body[end - 1] == '\r') {
                    --end;
                }
                parts.push_back(body.substr(part_start, end - part_start));
            }
            if (closing) {
                return parts;
            }
            part_start = next;
        }
        pos = next;
    }
    if (part_start != std::string_view::npos) {
        parts.push_back(body.substr(part_start)); // no closing delimiter
    }
    return parts;
}

class Walker {
public:
    Walker(const Limits& limits, MimeTree& tree) : m_limits(limits), m_tree(tree) {}

    void walk(std::string_view text, std::size_t depth, int parent = -1) {
        if (depth > m_limits.max_mime_depth) {
            throw LimitExceeded(
                fmt::format("MIME nesting deeper than {} levels", m_limits.max_mime_depth));
        }
        const auto entity = split_entity(text);
        auto labels = read_labels(entity.header);
        // Every entity leads to at least one leaf, so their number stays
        // bounded by max_parts times the nesting depth.
        const int self = static_cast<int>(m_tree.entities.size());
        m_tree.entities.push_back(MimeEntity{parent, labels.type, labels.subtype, entity.header,
                                             entity.body, labels.transfer_encoding, 0});
        if (labels.type == "multipart" && !labels.boundary.empty()) {
            const auto parts = split_multipart(entity.body, labels.boundary);
            if (!parts.empty()) {
                for (const auto part : parts) {
                    walk(part, depth + 1, self);
                }
                return;
            }
            // No delimiter at all: a mislabelled single part, sniffed as a leaf.
        }
        if (labels.type == "message" &&
            (labels.subtype == "rfc822" || labels.subtype == "global")) {
            MimeLeaf carrier{0, std::nullopt, std::nullopt, labels.transfer_encoding, entity.body};
            if (!is_transfer_encoded(carrier)) {
                walk(entity.body, depth + 1, self);
                return;
            }
            std::unique_ptr<std::string> decoded;
            try {
                decoded = std::make_unique<std::string>(decode_body(carrier));
            } catch (const BadInput&) {
                // Not descended into: it becomes a leaf, and ingest reports
                // the same decoding error for that part.
            }
            if (decoded) {
                m_tree.storage.push_back(std::move(decoded));
                walk(*m_tree.storage.back(), depth + 1, self);
                return;
            }
        }
        if (m_tree.leaves.size() >= m_limits.max_parts) {
            throw LimitExceeded(
                fmt::format("message has more than {} MIME parts", m_limits.max_parts));
        }
        MimeLeaf leaf;
        leaf.part = static_cast<int>(m_tree.leaves.size()) + 1;
        if (!labels.type.empty()) {
            leaf.content_type = labels.type + "/" + labels.subtype;
        }
        leaf.filename = std::move(labels.filename);
        leaf.transfer_encoding = std::move(labels.transfer_encoding);
        leaf.body = entity.body;
        m_tree.entities[static_cast<std::size_t>(self)].leaf_part = leaf.part;
        m_tree.leaves.push_back(std::move(leaf));
    }

private:
    const Limits& m_limits;
    MimeTree& m_tree;
};

} // namespace

MimeTree walk_mime(std::string_view raw, const Limits& limits) {
    MimeTree tree;
    Walker(limits, tree).walk(raw, 0);
    return tree;
}

bool is_transfer_encoded(const MimeLeaf& leaf) {
    return leaf.transfer_encoding == "base64" || leaf.transfer_encoding == "quoted-printable";
}

std::string decode_body(const MimeLeaf& leaf) {
    if (leaf.transfer_encoding == "base64") {
        return decode_base64(leaf.body);
    }
    if (leaf.transfer_encoding == "quoted-printable") {
        return decode_quoted_printable(leaf.body);
    }
    return std::string(leaf.body);
}

} // namespace rua::detail
