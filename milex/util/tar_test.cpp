#include <doctest/doctest.h>

#include <sys/stat.h>

#include "milex/util/process.hpp"
#include "milex/util/tar.hpp"
#include "unit/support.hpp"

using namespace milex;

TEST_CASE("tar -x unpacks what TarWriter wrote, byte for byte, with modes and long names") {
    util::TarWriter tar;
    std::string binary;
    for (int i = 0; i < 2000; ++i) binary += static_cast<char>(i * 7);
    const std::string long_name = std::string(120, 'n') + "/" + std::string(90, 'f') + ".sh";
    tar.add_file("job.sh", "#!/bin/bash\necho 'hi' \"$x\"\n", 0755);
    tar.add_file("empty", "", 0644);
    tar.add_file("blob", binary, 0600);
    tar.add_file(long_name, "deep\n", 0644);
    test::write_file(test::temp_dir() / "a.tar", tar.finish());
    const auto out = test::temp_dir() / "out";
    std::filesystem::create_directories(out / std::string(120, 'n'));
    auto result = util::run_process({"tar", "-x", "-f", (test::temp_dir() / "a.tar").string(), "-C", out.string()});
    REQUIRE(result);
    INFO(result->err);
    REQUIRE(result->succeeded());
    CHECK(test::read_file(out / "job.sh") == "#!/bin/bash\necho 'hi' \"$x\"\n");
    CHECK(test::read_file(out / "empty").empty());
    CHECK(test::read_file(out / "blob") == binary);
    CHECK(test::read_file(out / long_name) == "deep\n");
    struct stat st {};
    REQUIRE(::stat((out / "job.sh").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0755);
    REQUIRE(::stat((out / "blob").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("tar_end finds where an archive's entries end, so that archives join into one") {
    util::TarWriter first, second;
    first.add_file("a/one", std::string(700, 'x'), 0644);
    first.add_file("a/zeros", std::string(512, '\0'), 0644);  // a block of zeros as content is no end
    second.add_file("b/two", "2\n", 0644);
    const std::string one = first.finish(), two = second.finish();
    CHECK(util::tar_end(one) == 512 + 1024 + 512 + 512);
    std::string joined = one.substr(0, util::tar_end(one)) + two;
    test::write_file(test::temp_dir() / "j.tar", joined);
    auto result = util::run_process({"tar", "-tf", (test::temp_dir() / "j.tar").string()});
    REQUIRE(result);
    CHECK(result->out == "a/one\na/zeros\nb/two\n");
    CHECK_THROWS_WITH(util::tar_end(std::string(512, 'q')), "not a tar archive: a header's size field is not octal");
    CHECK_THROWS_WITH(util::tar_end(one.substr(0, 512)), "not a tar archive: it has no end-of-archive block");
}
