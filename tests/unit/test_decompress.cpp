// The unpacking stage alone (no XML parser): gzip, multi-member and double
// gzip, raw zlib, zip members, and the bounds that stop bombs early.
#include "decompress.hpp"
#include "fixtures.hpp"

#include <rua/errors.hpp>

#include <doctest/doctest.h>
#include <zlib.h>

#include <cstdint>

using namespace rua::detail;

namespace {

struct Unpacked {
    std::vector<std::string> payloads;
    std::vector<std::string> compressions;
    std::vector<std::string> members;
    std::vector<std::string> notes;
    std::size_t total = 0;
};

std::string read_all(ByteSource& source) {
    std::string out;
    char buffer[4096];
    for (std::size_t got = 0; (got = source.read(buffer, sizeof buffer)) > 0;) {
        out.append(buffer, got);
    }
    return out;
}

// Unpacks and reads every payload whole, the way the XML stage would.
Unpacked unpack_all(std::string_view bytes, const rua::Limits& limits = {}) {
    Unpacked result;
    Budget budget(limits, bytes.size());
    unpack(
        bytes, limits, budget,
        [&](Payload& payload) {
            result.payloads.push_back(read_all(payload.source));
            result.compressions.push_back(payload.compression);
            result.members.push_back(payload.member.value_or("-"));
        },
        [&](rua::Diagnostic::Level, std::string note) { result.notes.push_back(std::move(note)); });
    result.total = budget.total();
    return result;
}

const std::string k_xml = "<feedback><report_metadata/></feedback>\n";

} // namespace

TEST_CASE("gunzip streams the XML out of a gzip attachment") {
    const auto gz = fixtures::gzip(k_xml);
    MemorySource compressed(gz);
    Budget budget(rua::Limits{}, 100);
    InflateSource inflater(compressed, InflateSource::Kind::gzip, budget);
    CHECK(read_all(inflater) == k_xml);
    CHECK(inflater.trailing_bytes() == 0);
    CHECK(budget.total() == k_xml.size());
}

TEST_CASE("a plain XML attachment is one uncompressed payload") {
    const auto out = unpack_all(k_xml);
    REQUIRE(out.payloads.size() == 1);
    CHECK(out.payloads[0] == k_xml);
    CHECK(out.compressions[0] == "none");
}

TEST_CASE("multi-member gzip is inflated member after member") {
    const auto out = unpack_all(fixtures::gzip("<feedback>") + fixtures::gzip("</feedback>"));
    REQUIRE(out.payloads.size() == 1);
    CHECK(out.payloads[0] == "<feedback></feedback>");
    CHECK(out.compressions[0] == "gzip");
    CHECK(out.notes.empty());
}

TEST_CASE("trailing bytes after a gzip stream are ignored with a warning") {
    const auto out = unpack_all(fixtures::gzip(k_xml) + "\r\n");
    REQUIRE(out.payloads.size() == 1);
    CHECK(out.payloads[0] == k_xml);
    REQUIRE(out.notes.size() == 1);
    CHECK(out.notes[0] == "ignored 2 bytes after the end of the gzip stream");
}

TEST_CASE("double gzip is re-sniffed and peeled twice") {
    const auto out = unpack_all(fixtures::gzip(fixtures::gzip(k_xml)));
    REQUIRE(out.payloads.size() == 1);
    CHECK(out.payloads[0] == k_xml);
    CHECK(out.compressions[0] == "gzip+gzip");
}

TEST_CASE("raw zlib streams are inflated") {
    const auto out = unpack_all(fixtures::zlib(k_xml));
    REQUIRE(out.payloads.size() == 1);
    CHECK(out.payloads[0] == k_xml);
    CHECK(out.compressions[0] == "zlib");
}

TEST_CASE("a truncated gzip stream is bad input") {
    const auto whole = fixtures::gzip(fixtures::report_xml("a", "b", 50));
    CHECK_THROWS_WITH_AS(unpack_all(std::string_view(whole).substr(0, whole.size() / 2)),
                         "truncated gzip stream", rua::BadInput);
    // Only the CRC and size trailer missing: the data is whole, the stream is not.
    CHECK_THROWS_WITH_AS(unpack_all(std::string_view(whole).substr(0, whole.size() - 4)),
                         "truncated gzip stream", rua::BadInput);
}

TEST_CASE("a corrupt gzip stream names zlib's reason") {
    auto bytes = fixtures::gzip(k_xml);
    bytes[10] = '\xff'; // the first deflate block header
    CHECK_THROWS_WITH_AS(unpack_all(bytes), "corrupt gzip stream: invalid block type",
                         rua::BadInput);
}

TEST_CASE("layers beyond max_layers are refused") {
    std::string bytes = k_xml;
    for (int i = 0; i < 3; ++i) {
        bytes = fixtures::gzip(bytes);
    }
    rua::Limits limits;
    limits.max_layers = 2;
    CHECK_THROWS_WITH_AS(unpack_all(bytes, limits), "more than 2 layers of compression",
                         rua::LimitExceeded);
    limits.max_layers = 3;
    CHECK(unpack_all(bytes, limits).compressions.at(0) == "gzip+gzip+gzip");
}

TEST_CASE("a gzip bomb of 1 GiB of zeros stops at the decompressed limit") {
    const auto bomb = fixtures::gzip_zeros(std::size_t{1} << 30);
    REQUIRE(bomb.size() < (2u << 20));
    Budget budget(rua::Limits{}, bomb.size());
    MemorySource compressed(bomb);
    InflateSource inflater(compressed, InflateSource::Kind::gzip, budget);
    CHECK_THROWS_WITH_AS(read_all(inflater), "decompressed size exceeds 67108864 bytes",
                         rua::LimitExceeded);
    CHECK(budget.total() > (64u << 20));
    CHECK(budget.total() <= (64u << 20) + (1u << 20)); // stopped within one read of the bound
    CHECK(budget.exhausted());
}

TEST_CASE("the decompression ratio is enforced only beyond one MiB of output") {
    const auto small = fixtures::gzip_zeros(512u << 10); // ~1000:1, but small
    rua::Limits limits;
    limits.max_ratio = 10;
    CHECK(unpack_all(small, limits).notes.empty());
    const auto large = fixtures::gzip_zeros(8u << 20);
    CHECK_THROWS_WITH_AS(unpack_all(large, limits), "decompression ratio exceeds 10:1",
                         rua::LimitExceeded);
}

TEST_CASE("every regular zip member is its own payload") {
    const auto archive = fixtures::zip({{"a.xml", "<a/>"}, {"b.xml.gz", fixtures::gzip("<b/>")}});
    const auto out = unpack_all(archive);
    REQUIRE(out.payloads.size() == 2);
    CHECK(out.payloads[0] == "<a/>");
    CHECK(out.members[0] == "a.xml");
    CHECK(out.compressions[0] == "zip");
    CHECK(out.payloads[1] == "<b/>");
    CHECK(out.compressions[1] == "zip+gzip");
}

TEST_CASE("zip members are read by content whatever their names; directories and links skipped") {
    using Type = fixtures::ZipMember::Type;
    const auto archive = fixtures::zip({
        {"../../etc/passwd.xml", "<odd/>"},
        {"reports/", "", Type::directory},
        {"link.xml", "/etc/passwd", Type::symlink},
        {"/abs.xml", "<abs/>"},
        {"good.xml", "<good/>"},
    });
    const auto out = unpack_all(archive);
    REQUIRE(out.payloads.size() == 3);
    CHECK(out.payloads[0] == "<odd/>");
    CHECK(out.payloads[1] == "<abs/>");
    CHECK(out.payloads[2] == "<good/>");
    CHECK(out.members[2] == "good.xml");
    REQUIRE(out.notes.size() == 4);
    CHECK(out.notes[0] ==
          "zip member \"../../etc/passwd.xml\": name looks like a path trick (read by content "
          "only)");
    CHECK(out.notes[1] == "zip member \"reports/\": directory (skipped)");
    CHECK(out.notes[2] == "zip member \"link.xml\": symbolic link (skipped)");
    CHECK(out.notes[3] ==
          "zip member \"/abs.xml\": name looks like a path trick (read by content only)");
}

// One stored (uncompressed) member with an empty name, as a streaming zip
// writer makes it: built byte by byte, since archive writers refuse the name.
std::string zip_with_empty_name(const std::string& data) {
    const auto crc = static_cast<std::uint32_t>(
        crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
    const auto size = static_cast<std::uint32_t>(data.size());
    std::string out;
    const auto u16 = [&out](unsigned v) {
        out.push_back(static_cast<char>(v & 0xff));
        out.push_back(static_cast<char>((v >> 8) & 0xff));
    };
    const auto u32 = [&](std::uint32_t v) {
        u16(v & 0xffff);
        u16(v >> 16);
    };
    out += "PK\x03\x04";
    u16(20); // version needed
    u16(0);  // flags
    u16(0);  // stored
    u16(0);  // time
    u16(0);  // date
    u32(crc);
    u32(size);
    u32(size);
    u16(0); // name length: empty
    u16(0); // extra length
    out += data;
    const auto central = static_cast<std::uint32_t>(out.size());
    out += "PK\x01\x02";
    u16(20); // made by
    u16(20);
    u16(0);
    u16(0);
    u16(0);
    u16(0);
    u32(crc);
    u32(size);
    u32(size);
    u16(0); // name length
    u16(0); // extra
    u16(0); // comment
    u16(0); // disk
    u16(0); // internal attributes
    u32(0); // external attributes
    u32(0); // local header offset
    const auto central_size = static_cast<std::uint32_t>(out.size()) - central;
    out += "PK\x05\x06";
    u16(0);
    u16(0);
    u16(1);
    u16(1);
    u32(central_size);
    u32(central);
    u16(0);
    return out;
}

TEST_CASE("a zip member with an empty name (a streamed zip) is read by its content") {
    const auto archive = zip_with_empty_name("<feedback-like/>");
    const auto out = unpack_all(archive);
    REQUIRE(out.payloads.size() == 1);
    CHECK(out.payloads[0] == "<feedback-like/>");
    CHECK(out.notes.empty());
}

TEST_CASE("more zip members than max_zip_members are refused") {
    std::vector<fixtures::ZipMember> members;
    members.reserve(4);
    for (int i = 0; i < 4; ++i) {
        members.push_back({"r" + std::to_string(i) + ".xml", "<r/>"});
    }
    rua::Limits limits;
    limits.max_zip_members = 3;
    CHECK_THROWS_WITH_AS(unpack_all(fixtures::zip(members), limits),
                         "zip archive has more than 3 members", rua::LimitExceeded);
    limits.max_zip_members = 4;
    CHECK(unpack_all(fixtures::zip(members), limits).payloads.size() == 4);
}

TEST_CASE("a zip bomb member stops at the decompressed limit") {
    const auto bomb = fixtures::zip_zeros("bomb.xml", std::size_t{256} << 20);
    REQUIRE(bomb.size() < (2u << 20));
    CHECK_THROWS_WITH_AS(unpack_all(bomb), "decompressed size exceeds 67108864 bytes",
                         rua::LimitExceeded);
    rua::Limits limits;
    limits.max_decompressed_bytes = 4u << 20;
    CHECK_THROWS_WITH_AS(unpack_all(bomb, limits), "decompressed size exceeds 4194304 bytes",
                         rua::LimitExceeded);
}

TEST_CASE("a corrupt zip is bad input") {
    auto archive = fixtures::zip({{"a.xml", fixtures::report_xml("o", "i", 20)}});
    archive.resize(archive.size() / 2);
    CHECK_THROWS_AS(unpack_all(archive), rua::BadInput);
}

TEST_CASE("a zip inside gzip is unpacked, a zip inside a zip is refused per member") {
    const auto inner = fixtures::zip({{"r.xml", "<r/>"}});
    const auto out = unpack_all(fixtures::gzip(inner));
    REQUIRE(out.payloads.size() == 1);
    CHECK(out.payloads[0] == "<r/>");
    CHECK(out.compressions[0] == "gzip+zip");
    const auto nested = unpack_all(fixtures::zip({{"in.zip", inner}, {"ok.xml", "<ok/>"}}));
    REQUIRE(nested.payloads.size() == 1);
    CHECK(nested.payloads[0] == "<ok/>");
    CHECK(nested.notes ==
          std::vector<std::string>{"zip member \"in.zip\": zip inside a zip is not supported"});
}
