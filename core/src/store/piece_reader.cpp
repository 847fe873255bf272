// An attachment's bytes in pieces, read ahead on a thread of its own
// (piece_reader.hpp).
#include "piece_reader.hpp"

#include <algorithm>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace rua::detail {
namespace {

// Thrown inside the reader to leave AttachmentBytes::read once the caller
// gave up; never seen outside.
struct Stopped {};

} // namespace

PieceReader::PieceReader(const AttachmentBytes& bytes, std::size_t piece, std::size_t depth)
    : m_piece(std::max<std::size_t>(piece, 1)), m_depth(std::max<std::size_t>(depth, 1)),
      m_thread([this, &bytes] { run(bytes); }) {}

PieceReader::~PieceReader() {
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_changed.notify_all();
    m_thread.join();
}

void PieceReader::run(const AttachmentBytes& bytes) {
    std::exception_ptr error;
    try {
        std::string piece;
        piece.reserve(m_piece);
        bytes.read([&](std::string_view chunk) {
            m_hash.add(chunk);
            while (!chunk.empty()) {
                const std::size_t take = std::min(m_piece - piece.size(), chunk.size());
                piece.append(chunk.substr(0, take));
                chunk.remove_prefix(take);
                if (piece.size() == m_piece) {
                    push(std::exchange(piece, std::string()));
                    piece.reserve(m_piece);
                }
            }
        });
        if (!piece.empty()) {
            push(std::move(piece));
        }
    } catch (const Stopped&) {
        // the caller is gone: nothing to report
    } catch (...) {
        error = std::current_exception();
    }
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        m_error = error;
        m_done = true;
    }
    m_changed.notify_all();
}

void PieceReader::push(std::string piece) {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_changed.wait(lock, [this] { return m_stop || m_ready.size() < m_depth; });
    if (m_stop) {
        throw Stopped{};
    }
    m_ready.push_back(std::move(piece));
    lock.unlock();
    m_changed.notify_all();
}

bool PieceReader::next(std::string& out) {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_changed.wait(lock, [this] { return m_done || !m_ready.empty(); });
    if (!m_ready.empty()) {
        out = std::move(m_ready.front());
        m_ready.pop_front();
        lock.unlock();
        m_changed.notify_all();
        return true;
    }
    if (m_error) {
        std::rethrow_exception(m_error);
    }
    return false;
}

std::string PieceReader::digest() {
    const std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_done || !m_ready.empty() || m_error) {
        throw std::logic_error("PieceReader::digest before every piece was taken");
    }
    return m_hash.digest();
}

} // namespace rua::detail
