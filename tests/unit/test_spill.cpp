// Tests for rua::SpillBuffer: exact contents in memory and after spilling to
// a temporary file, truncate to a mark on either side of the spill, the
// empty buffer, and the one-line error when no temporary file can be made.
#include <rua/errors.hpp>
#include <rua/spill.hpp>

#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>

namespace {

std::string contents(const rua::SpillBuffer& buffer) {
    std::string out;
    buffer.for_each_chunk([&](std::string_view piece) {
        CHECK_FALSE(piece.empty());
        out.append(piece);
    });
    return out;
}

// Through write_to(fd): a temporary file, read back whole.
std::string written(const rua::SpillBuffer& buffer) {
    std::FILE* file = std::tmpfile();
    REQUIRE(file != nullptr);
    buffer.write_to(fileno(file));
    std::string out;
    std::rewind(file);
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, file)) > 0) {
        out.append(buf, n);
    }
    CHECK(std::fclose(file) == 0);
    return out;
}

// 0..255 repeated, so a misplaced byte shows.
std::string pattern(std::size_t size, int seed) {
    std::string out(size, '\0');
    for (std::size_t i = 0; i < size; ++i) {
        out[i] = static_cast<char>((i * 7 + static_cast<std::size_t>(seed)) & 0xff);
    }
    return out;
}

} // namespace

TEST_CASE("an empty spill buffer has no chunks and writes nothing") {
    const rua::SpillBuffer buffer(16);
    CHECK(buffer.size() == 0);
    CHECK(buffer.empty());
    CHECK_FALSE(buffer.spilled());
    int calls = 0;
    buffer.for_each_chunk([&](std::string_view) { ++calls; });
    CHECK(calls == 0);
    CHECK(written(buffer).empty());
}

TEST_CASE("a spill buffer below its threshold keeps the bytes in memory") {
    rua::SpillBuffer buffer(16);
    buffer.append("hello ");
    buffer.append("world");
    CHECK_FALSE(buffer.spilled());
    CHECK(buffer.size() == 11);
    CHECK(contents(buffer) == "hello world");
    CHECK(written(buffer) == "hello world");
}

TEST_CASE("a spill buffer past its threshold moves to a file and keeps every byte in order") {
    rua::SpillBuffer buffer(1000);
    std::string expected;
    for (int i = 0; i < 300; ++i) {
        const std::string piece = pattern(static_cast<std::size_t>(i % 97) + 1, i);
        buffer.append(piece);
        expected += piece;
    }
    const std::string big = pattern(700000, 3); // larger than a read-back chunk
    buffer.append(big);
    expected += big;
    buffer.append("tail");
    expected += "tail";
    CHECK(buffer.spilled());
    CHECK(buffer.size() == expected.size());
    CHECK(contents(buffer) == expected);
    CHECK(written(buffer) == expected);
}

TEST_CASE("truncate to a mark forgets what came after it, in memory and in the file") {
    rua::SpillBuffer buffer(8);
    buffer.append("abc");
    const std::size_t in_memory = buffer.mark();
    buffer.append("def");
    buffer.truncate(in_memory);
    CHECK(contents(buffer) == "abc");

    buffer.append("0123456789"); // spills
    REQUIRE(buffer.spilled());
    const std::size_t in_file = buffer.mark();
    CHECK(in_file == 13);
    buffer.append("XYZ");
    buffer.append(pattern(50, 1));
    buffer.truncate(in_file);
    CHECK(buffer.size() == 13);
    CHECK(contents(buffer) == "abc0123456789");

    buffer.truncate(2); // back into what the file holds
    CHECK(contents(buffer) == "ab");
    buffer.append("c-after");
    CHECK(contents(buffer) == "abc-after");
    buffer.append(pattern(20, 2)); // spills again over the cut file
    CHECK(contents(buffer) == "abc-after" + pattern(20, 2));
    buffer.truncate(0);
    CHECK(buffer.empty());
    CHECK(written(buffer).empty());
}

TEST_CASE("truncate past the end is refused") {
    rua::SpillBuffer buffer(8);
    buffer.append("abc");
    CHECK_THROWS_AS(buffer.truncate(4), std::out_of_range);
    CHECK(contents(buffer) == "abc");
}

TEST_CASE("a moved spill buffer takes the file with it") {
    rua::SpillBuffer buffer(4);
    buffer.append("0123456789");
    rua::SpillBuffer moved(std::move(buffer));
    CHECK(contents(moved) == "0123456789");
    rua::SpillBuffer assigned;
    assigned = std::move(moved);
    CHECK(contents(assigned) == "0123456789");
}

TEST_CASE("a spill buffer that cannot make its file says where and why, and keeps its bytes") {
    rua::SpillBuffer buffer(4, "/nonexistent-rua-spill-dir");
    buffer.append("abc");
    CHECK_THROWS_WITH_AS(buffer.append("defg"),
                         "cannot create a temporary file in /nonexistent-rua-spill-dir: "
                         "No such file or directory",
                         rua::TryLater);
    CHECK(contents(buffer) == "abc");
}

TEST_CASE("a failed write to the destination is an error naming the reason") {
    rua::SpillBuffer buffer(4);
    buffer.append("0123456789");
    const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    CHECK_THROWS_WITH_AS(buffer.write_to(fd), "cannot write: Bad file descriptor", rua::Error);
    ::close(fd);
}
