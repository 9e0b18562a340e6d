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
