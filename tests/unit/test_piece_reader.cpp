// An attachment's bytes read ahead on another thread (store/piece_reader.hpp):
// every byte in order, in pieces of the asked size, the digest of them all,
// a reading failure thrown to the caller, and a caller that gives up early
// stops the reader.
#include "fixtures.hpp"
#include "sha256.hpp"
#include "store/piece_reader.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// Hands its bytes over in chunks of `chunk` bytes; throws after `fail_after`
// chunks when set; counts the chunks it handed over.
class ChunkedBytes final : public rua::AttachmentBytes {
public:
    ChunkedBytes(std::string bytes, std::size_t chunk, std::size_t fail_after = 0)
        : m_bytes(std::move(bytes)), m_chunk(chunk), m_fail_after(fail_after) {}
    void read(const std::function<void(std::string_view)>& fn) const override {
        const std::string_view all(m_bytes);
        for (std::size_t at = 0; at < all.size(); at += m_chunk) {
            if (m_fail_after != 0 && handed == m_fail_after) {
                throw std::runtime_error("chunk " + std::to_string(handed) + " is corrupt");
            }
            ++handed;
            fn(all.substr(at, m_chunk));
        }
    }
    std::optional<std::string_view> whole() const override { return std::nullopt; }
    mutable std::atomic<std::size_t> handed{0};

private:
    std::string m_bytes;
    std::size_t m_chunk;
    std::size_t m_fail_after;
};

std::vector<std::string> all_pieces(rua::detail::PieceReader& reader) {
    std::vector<std::string> pieces;
    std::string piece;
    while (reader.next(piece)) {
        pieces.push_back(piece);
    }
    return pieces;
}

} // namespace

TEST_CASE("every byte comes in order, in pieces of the asked size, with their digest") {
    const std::string bytes = fixtures::bytes_sample(1000);
    for (const std::size_t chunk : {std::size_t{7}, std::size_t{64}, std::size_t{1000}}) {
        CAPTURE(chunk);
        const ChunkedBytes source(bytes, chunk);
        rua::detail::PieceReader reader(source, 64, 2);
        const auto pieces = all_pieces(reader);
        REQUIRE(pieces.size() == 16); // 15 of 64 bytes, then 40
        std::string joined;
        for (std::size_t i = 0; i < pieces.size(); ++i) {
            CHECK(pieces[i].size() == (i + 1 < pieces.size() ? 64u : 40u));
            joined += pieces[i];
        }
        CHECK(joined == bytes);
        CHECK(reader.digest() == rua::detail::sha256(bytes));
    }
}

TEST_CASE("no bytes: no piece, the digest of nothing") {
    const ChunkedBytes source("", 16);
    rua::detail::PieceReader reader(source, 64, 2);
    CHECK(all_pieces(reader).empty());
    CHECK(reader.digest() == rua::detail::sha256(""));
}

TEST_CASE("a failure while reading reaches the caller after the pieces read before it") {
    const ChunkedBytes source(fixtures::bytes_sample(1000), 100, 5); // 500 bytes, then the throw
    rua::detail::PieceReader reader(source, 200, 1);
    std::string piece;
    REQUIRE(reader.next(piece));
    CHECK(piece == fixtures::bytes_sample(1000).substr(0, 200));
    REQUIRE(reader.next(piece));
    CHECK(piece == fixtures::bytes_sample(1000).substr(200, 200));
    CHECK_THROWS_WITH_AS(reader.next(piece), "chunk 5 is corrupt", std::runtime_error);
    CHECK_THROWS_AS(static_cast<void>(reader.digest()), std::logic_error);
}

TEST_CASE("a caller that gives up early stops the reader, which reads no further ahead") {
    const ChunkedBytes source(fixtures::bytes_sample(100000), 10);
    {
        rua::detail::PieceReader reader(source, 10, 2);
        std::string piece;
        REQUIRE(reader.next(piece));
        CHECK(piece == fixtures::bytes_sample(10));
    } // joined here, not hung: the reader stopped at its next piece
    // One taken, at most two waiting and one being pushed when it stopped.
    CHECK(source.handed <= 4);
}

TEST_CASE("the digest before every piece was taken is a mistake") {
    const ChunkedBytes source(fixtures::bytes_sample(300), 100);
    rua::detail::PieceReader reader(source, 100, 4);
    std::string piece;
    REQUIRE(reader.next(piece));
    CHECK_THROWS_AS(static_cast<void>(reader.digest()), std::logic_error);
}
