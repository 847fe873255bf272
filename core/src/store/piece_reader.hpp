// Reads an attachment's bytes on a thread of its own while the caller writes
// them to the server, so that decoding and hashing a large attachment (a
// base64 part is decoded again for its archive) overlap the server's writes
// instead of alternating with them. The bytes come in pieces of `piece`
// bytes (the last one shorter), at most `depth` pieces ahead of the caller:
// memory stays piece * (depth + 2). The digest covers every byte read.
// Never detached: the destructor stops the reader (when the caller gave up
// early) and joins it.
#pragma once

#include "sha256.hpp"

#include <rua/ingest.hpp>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <thread>

namespace rua::detail {

class PieceReader {
public:
    PieceReader(const AttachmentBytes& bytes, std::size_t piece, std::size_t depth);
    ~PieceReader();
    PieceReader(const PieceReader&) = delete;
    PieceReader& operator=(const PieceReader&) = delete;
    PieceReader(PieceReader&&) = delete;
    PieceReader& operator=(PieceReader&&) = delete;

    // The next piece in `out`, false after the last one; throws what
    // reading the bytes threw.
    bool next(std::string& out);
    // The SHA-256 of all the bytes (32 bytes), once next() returned false.
    std::string digest();

private:
    void run(const AttachmentBytes& bytes);
    void push(std::string piece);

    const std::size_t m_piece;
    const std::size_t m_depth;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<std::string> m_ready;
    bool m_done = false; // the reader has read everything, or failed
    bool m_stop = false; // the caller gave up: the reader stops at its next piece
    std::exception_ptr m_error;
    Sha256 m_hash;        // the reader's until m_done
    std::thread m_thread; // last: started after the members it uses
};

} // namespace rua::detail
