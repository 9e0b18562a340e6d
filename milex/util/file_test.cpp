#include <doctest/doctest.h>

#include <sys/stat.h>

#include <thread>
#include <vector>

#include "milex/util/file.hpp"
#include "unit/support.hpp"

using namespace milex::util;
namespace test = milex::test;

TEST_CASE("atomic writes replace the whole file and keep its mode") {
    const auto path = test::temp_dir() / "config.json";
    REQUIRE(write_file_atomic(path, "one", std::filesystem::perms(0600)));
    CHECK(test::read_file(path) == "one");
    ::chmod(path.c_str(), 0640);
    REQUIRE(write_file_atomic(path, "two"));
    CHECK(test::read_file(path) == "two");
    struct stat st {};
    ::stat(path.c_str(), &st);
    CHECK((st.st_mode & 0777) == 0640);
    // No temporary file is left behind.
    CHECK(std::distance(std::filesystem::directory_iterator(test::temp_dir()), {}) == 1);
}

TEST_CASE("an atomic write into a missing directory fails with the path") {
    auto result = write_file_atomic(test::temp_dir() / "missing" / "x", "data");
    REQUIRE_FALSE(result);
    CHECK(result.error().find("cannot write " + (test::temp_dir() / "missing" / "x").string()) == 0);
}

TEST_CASE("exclusive creation never overwrites: it takes the next free name") {
    auto name = [](int attempt) { return milex::test::temp_dir() / ("bundle_" + std::to_string(attempt) + ".json"); };
    REQUIRE(create_file_exclusive(name, 10, "first").value() == name(0));
    REQUIRE(create_file_exclusive(name, 10, "second").value() == name(1));
    CHECK(test::read_file(name(0)) == "first");
    CHECK(test::read_file(name(1)) == "second");
    auto full = create_file_exclusive(name, 2, "third");
    REQUIRE_FALSE(full);
    CHECK(full.error() == "cannot write " + name(0).string() + ": 2 names beside it are all taken");
    // No temporary file is left behind.
    CHECK(std::distance(std::filesystem::directory_iterator(test::temp_dir()), {}) == 2);
}

TEST_CASE("a file lock serialises writers") {
    const auto lock_path = test::temp_dir() / ".lock";
    const auto counter = test::temp_dir() / "counter";
    test::write_file(counter, "0");
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
        threads.emplace_back([&] {
            for (int j = 0; j < 25; ++j) {
                auto lock = FileLock::acquire(lock_path);
                REQUIRE(lock);
                int value = std::stoi(test::read_file(counter));
                test::write_file(counter, std::to_string(value + 1));
            }
        });
    }
    for (auto& t : threads) t.join();
    CHECK(test::read_file(counter) == "200");
}

TEST_CASE("make_directories names the directory it could not make") {
    test::write_file(test::temp_dir() / "file", "x");
    auto result = make_directories(test::temp_dir() / "file" / "sub");
    REQUIRE_FALSE(result);
    CHECK(result.error().find("cannot create directory " + (test::temp_dir() / "file" / "sub").string()) == 0);
}

TEST_CASE("a file is copied whole under its new name, or not at all") {
    const auto dir = test::temp_dir();
    test::write_file(dir / "image.tar", std::string(300000, 'x') + "end");
    REQUIRE(copy_file_atomic(dir / "image.tar", dir / "cache.tar"));
    CHECK(test::read_file(dir / "cache.tar") == test::read_file(dir / "image.tar"));
    auto missing = copy_file_atomic(dir / "nope.tar", dir / "other.tar");
    REQUIRE_FALSE(missing);
    CHECK(missing.error() == "cannot copy " + (dir / "nope.tar").string() + " to " + (dir / "other.tar").string() +
                                 ": No such file or directory");
    size_t entries = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++entries;
    CHECK(entries == 2);  // no temporary file left behind
}

TEST_CASE("an append drops a line torn by an earlier crash, so that it never swallows the new one") {
    const auto path = test::temp_dir() / "journal";
    REQUIRE(append_durably(path, "one\n"));
    test::write_file(path, test::read_file(path) + "half of a li");  // a crash in the middle of a line
    REQUIRE(append_durably(path, "two\n"));
    CHECK(test::read_file(path) == "one\ntwo\n");
    test::write_file(path, "torn without any newline");
    REQUIRE(append_durably(path, "three\n"));
    CHECK(test::read_file(path) == "three\n");
}

TEST_CASE("a full disk is named with the file and the free space, and an append is taken back whole") {
    // /dev/full answers every write with ENOSPC.
    auto result = append_durably("/dev/full", "line\n");
    REQUIRE_FALSE(result);
    CHECK(result.error().starts_with("cannot write /dev/full: No space left on device ("));
    CHECK(result.error().ends_with(" bytes free on the file system of /dev); free some space and run the command again"));
}
