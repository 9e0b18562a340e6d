#include <doctest/doctest.h>

#include "milex/store/layout.hpp"
#include "unit/support.hpp"

using namespace milex::store;
namespace test = milex::test;

TEST_CASE("the MILEX line is written once and kept right") {
    const auto bashrc = test::temp_dir() / ".bashrc";
    test::write_file(bashrc, "alias ll='ls -l'");
    CHECK(ensure_milex_line(bashrc, "/home/ada/milex") == BashrcChange::added);
    CHECK(ensure_milex_line(bashrc, "/home/ada/milex") == BashrcChange::unchanged);
    CHECK(test::read_file(bashrc) ==
          "alias ll='ls -l'\n# milex keeps its files here (written by milex-configuration)\nexport "
          "MILEX='/home/ada/milex'\n");
    CHECK(ensure_milex_line(bashrc, "/scratch/ada milex") == BashrcChange::updated);
    CHECK(test::read_file(bashrc) ==
          "alias ll='ls -l'\n# milex keeps its files here (written by milex-configuration)\nexport "
          "MILEX='/scratch/ada milex'\n");
}

TEST_CASE("the lines the Python milex appended on every run collapse into one") {
    const auto bashrc = test::temp_dir() / ".bashrc";
    test::write_file(bashrc, "export MILEX=\"/old\"\necho hi\nexport MILEX=\"/old\"\n");
    CHECK(ensure_milex_line(bashrc, "/new") == BashrcChange::updated);
    CHECK(test::read_file(bashrc) == "export MILEX='/new'\necho hi\n");
}

TEST_CASE("a missing bashrc is created") {
    const auto bashrc = test::temp_dir() / ".bashrc";
    CHECK(ensure_milex_line(bashrc, "/x") == BashrcChange::added);
    CHECK(test::read_file(bashrc) == "# milex keeps its files here (written by milex-configuration)\nexport MILEX='/x'\n");
}

TEST_CASE("the layout directories are made under the path") {
    milex::transport::LocalTransport here;
    create_layout(here, (test::temp_dir() / "milex").string());
    for (const auto& dir : layout_directories()) CHECK(std::filesystem::is_directory(test::temp_dir() / "milex" / dir));
}
