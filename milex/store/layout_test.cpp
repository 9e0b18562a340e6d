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

TEST_CASE("two machine entries on one account keep each other's lines; MILEX stays with the first") {
    MachineLines result;
    std::string text = with_machine_lines("alias ll='ls -l'\n", "far", "/home/ada/far", result);
    CHECK(result.change == BashrcChange::added);
    CHECK(text == "alias ll='ls -l'\n# milex keeps its files here (written by milex-configuration)\n"
                  "export MILEX='/home/ada/far'\nexport MILEX_FAR='/home/ada/far'\n");
    result = {};
    text = with_machine_lines(text, "far-gpu", "/scratch/ada/gpu", result);
    CHECK(result.change == BashrcChange::added);
    CHECK(result.milex_kept == "'/home/ada/far'");
    CHECK(text == "alias ll='ls -l'\n# milex keeps its files here (written by milex-configuration)\n"
                  "export MILEX='/home/ada/far'\nexport MILEX_FAR='/home/ada/far'\n"
                  "export MILEX_FAR_GPU='/scratch/ada/gpu'\n");
    // Setting either up again changes nothing.
    result = {};
    CHECK(with_machine_lines(text, "far", "/home/ada/far", result) == text);
    CHECK(result.change == BashrcChange::unchanged);
    result = {};
    CHECK(with_machine_lines(text, "far-gpu", "/scratch/ada/gpu", result) == text);
    CHECK(result.change == BashrcChange::unchanged);
    // The first machine moves: MILEX follows it, since it was its path.
    result = {};
    text = with_machine_lines(text, "far", "/work/ada/far", result);
    CHECK(result.change == BashrcChange::updated);
    CHECK_FALSE(result.milex_kept);
    CHECK(text == "alias ll='ls -l'\n# milex keeps its files here (written by milex-configuration)\n"
                  "export MILEX='/work/ada/far'\nexport MILEX_FAR='/work/ada/far'\n"
                  "export MILEX_FAR_GPU='/scratch/ada/gpu'\n");
    // The second moves: only its own variable does.
    result = {};
    text = with_machine_lines(text, "far-gpu", "/scratch/ada/gpu2", result);
    CHECK(result.change == BashrcChange::updated);
    CHECK(result.milex_kept == "'/work/ada/far'");
    CHECK(text.find("export MILEX='/work/ada/far'\n") != std::string::npos);
    CHECK(text.find("export MILEX_FAR_GPU='/scratch/ada/gpu2'\n") != std::string::npos);
}

TEST_CASE("a machine's lines: the Python milex's repeated MILEX lines collapse; no final newline is kept as it was") {
    MachineLines result;
    CHECK(with_machine_lines("export MILEX=\"/old\"\necho hi\nexport MILEX=\"/old\"", "far", "/old", result) ==
          "export MILEX='/old'\necho hi\nexport MILEX_FAR='/old'\n");
    CHECK(result.change == BashrcChange::added);
    CHECK_FALSE(result.milex_kept);
    CHECK(machine_variable("gpu.cluster-2") == "MILEX_GPU_CLUSTER_2");
}
