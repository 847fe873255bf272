// Tests for mbox splitting and the Maildir / directory walk used by
// `ruactl import`. Every file is created by the test in its own scratch
// directory, removed at the end; nothing outside it is touched.
#include <rua/mailbox.hpp>

#include <doctest/doctest.h>

#include <stdlib.h>

#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

// A scratch directory that is removed with everything in it.
class ScratchDir {
public:
    ScratchDir() {
        std::string pattern = (fs::temp_directory_path() / "rua-mailbox-XXXXXX").string();
        REQUIRE(mkdtemp(pattern.data()) != nullptr);
        m_path = pattern;
    }
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(m_path, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    const fs::path& path() const { return m_path; }

    fs::path write(const fs::path& relative, const std::string& content) const {
        const auto full = m_path / relative;
        fs::create_directories(full.parent_path());
        std::ofstream out(full, std::ios::binary);
        out << content;
        return full;
    }

private:
    fs::path m_path;
};

std::vector<std::string> relative_names(const rua::WalkResult& result, const fs::path& base) {
    std::vector<std::string> names;
    for (const auto& file : result.files) {
        names.push_back(file.lexically_relative(base).generic_string());
    }
    return names;
}

} // namespace

TEST_CASE("an mbox with three messages splits into three, unescaping >From lines") {
    const std::string mbox = "From a@example.com Mon Jan  1 00:00:00 2024\n"
                             "Subject: one\n"
                             "\n"
                             ">From the start\n"
                             "\n"
                             "From b@example.com Mon Jan  1 00:00:01 2024\n"
                             "Subject: two\n"
                             "\n"
                             ">>From twice quoted\n"
                             "From inside a paragraph stays\n"
                             "\n"
                             "From c@example.com Mon Jan  1 00:00:02 2024\n"
                             "Subject: three\n"
                             "\n"
                             "last body\n"
                             "\n";
    REQUIRE(rua::looks_like_mbox(mbox));
    const auto messages = rua::split_mbox(mbox);
    REQUIRE(messages.size() == 3);
    CHECK(messages[0] == "Subject: one\n\nFrom the start\n");
    CHECK(messages[1] == "Subject: two\n\n>From twice quoted\nFrom inside a paragraph stays\n");
    CHECK(messages[2] == "Subject: three\n\nlast body\n");
}

TEST_CASE("mbox messages keep CRLF line ends and extra blank lines inside the body") {
    const std::string mbox = "From x Mon Jan  1 00:00:00 2024\r\n"
                             "A: 1\r\n"
                             "\r\n"
                             "\r\n"
                             "body\r\n"
                             "\r\n"
                             "From y Mon Jan  1 00:00:00 2024\r\n"
                             "B: 2\r\n";
    const auto messages = rua::split_mbox(mbox);
    REQUIRE(messages.size() == 2);
    CHECK(messages[0] == "A: 1\r\n\r\n\r\nbody\r\n");
    CHECK(messages[1] == "B: 2\r\n");
}

TEST_CASE("an empty mbox yields no message and is not taken for an mbox") {
    CHECK_FALSE(rua::looks_like_mbox(""));
    CHECK(rua::split_mbox("").empty());
}

TEST_CASE("content that does not start with a From line is not an mbox") {
    CHECK_FALSE(rua::looks_like_mbox("Subject: x\n\nFrom y\n"));
    CHECK(rua::split_mbox("Subject: x\n\nFrom y\n").empty());
    CHECK_FALSE(rua::looks_like_mbox(">From x\n"));
}

TEST_CASE("a Maildir gives the files in cur and new, never tmp or dotfiles") {
    ScratchDir dir;
    dir.write("box/cur/1.host:2,S", "a");
    dir.write("box/new/2.host", "b");
    dir.write("box/new/.hidden", "c");
    dir.write("box/tmp/3.host", "d");
    dir.write("box/.Sent/cur/4.host", "e");
    REQUIRE(rua::is_maildir(dir.path() / "box"));
    const auto result = rua::collect_files({dir.path() / "box"});
    CHECK(result.errors.empty());
    CHECK(relative_names(result, dir.path()) ==
          std::vector<std::string>{"box/cur/1.host:2,S", "box/new/2.host"});
}

TEST_CASE("directories are walked recursively in sorted order, skipping dotfiles") {
    ScratchDir dir;
    dir.write("tree/b.xml", "1");
    dir.write("tree/a/z.eml", "2");
    dir.write("tree/a/deeper/y.gz", "3");
    dir.write("tree/.git/config", "4");
    dir.write("tree/.hidden.xml", "5");
    dir.write("tree/mail/cur/m1", "6"); // a Maildir inside a tree
    fs::create_directories(dir.path() / "tree/mail/new");
    fs::create_directories(dir.path() / "tree/empty");
    CHECK_FALSE(rua::is_maildir(dir.path() / "tree"));
    const auto result = rua::collect_files({dir.path() / "tree"});
    CHECK(result.errors.empty());
    CHECK(relative_names(result, dir.path()) ==
          std::vector<std::string>{"tree/a/deeper/y.gz", "tree/a/z.eml", "tree/b.xml",
                                   "tree/mail/cur/m1"});
}

TEST_CASE("a file named explicitly is taken even when it is a dotfile") {
    ScratchDir dir;
    const auto file = dir.write(".report.xml", "x");
    const auto result = rua::collect_files({file});
    CHECK(result.errors.empty());
    REQUIRE(result.files.size() == 1);
    CHECK(result.files[0] == file);
}

TEST_CASE("a missing path is reported as an error, not thrown") {
    ScratchDir dir;
    const auto missing = dir.path() / "nope";
    const auto result = rua::collect_files({missing});
    CHECK(result.files.empty());
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0] == missing.string() + ": No such file or directory");
}

TEST_CASE("a symbolic link to a directory inside a tree is not followed") {
    ScratchDir dir;
    dir.write("tree/a.xml", "1");
    fs::create_directory_symlink(dir.path() / "tree", dir.path() / "tree/loop");
    const auto result = rua::collect_files({dir.path() / "tree"});
    CHECK(result.errors.empty());
    CHECK(relative_names(result, dir.path()) == std::vector<std::string>{"tree/a.xml"});
}
