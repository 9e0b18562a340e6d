#include <doctest/doctest.h>

#include <signal.h>

#include "milex/transport/remote_shell.hpp"
#include "milex/transport/remote_transport.hpp"
#include "unit/support.hpp"

using namespace milex;
using namespace std::chrono_literals;

namespace {

/// A local `sh` stands in for the remote one: the protocol is the same bytes.
struct LocalCarrier : transport::Carrier {
    explicit LocalCarrier(transport::Replies mode) : m_mode(mode) {}
    transport::Replies replies() const override { return m_mode; }
    transport::Replies m_mode;
    int shells = 0;
    pid_t last_shell = -1;
    std::unique_ptr<transport::Channel> open_shell() override {
        ++shells;
        auto process = util::PipedProcess::start({"/bin/sh"});
        REQUIRE(process);
        last_shell = process->pid();
        return std::make_unique<transport::ProcessChannel>(std::move(*process));
    }
    std::unique_ptr<transport::Channel> exec(const std::string& command) override {
        auto process = util::PipedProcess::start({"/bin/sh", "-c", command});
        REQUIRE(process);
        return std::make_unique<transport::ProcessChannel>(std::move(*process));
    }
};

/// Both reply modes: each test case runs once per mode.
transport::Replies g_mode = transport::Replies::buffered;

struct ShellFixture {
    LocalCarrier* carrier = new LocalCarrier(g_mode);
    transport::RemoteTransport remote{std::unique_ptr<transport::Carrier>(carrier), "the test shell"};
};

/// Runs `body` with a fresh fixture in each reply mode.
template <typename Body>
void in_both_modes(Body body) {
    for (auto mode : {transport::Replies::buffered, transport::Replies::streamed}) {
        CAPTURE(static_cast<int>(mode));
        g_mode = mode;
        ShellFixture f;
        body(f);
    }
}

} // namespace

TEST_CASE("commands through the one shell arrive and come back byte for byte") {
    in_both_modes([](ShellFixture& f) {
        const std::vector<std::string> hazards = {"",           "a b",          "it's",       "\"q\"",     "$HOME",
                                                  "`id`",       "$(id)",        "back\\slash", "new\nline", "tab\there",
                                                  "*",          "; rm -rf /",   "élève ✓",    "-n",        "%s%d\\n"};
        for (const auto& word : hazards) {
            auto result = f.remote.run({"printf", "%s", word}, 5s);
            CHECK_MESSAGE(result.out == word, "word [" << word << "]");
            CHECK(result.exit_code == 0);
        }
        auto both = f.remote.run({"sh", "-c", "printf 'out'; printf 'err' >&2; exit 7"}, 5s);
        CHECK(both.out == "out");
        CHECK(both.err == "err");
        CHECK(both.exit_code == 7);
        CHECK(f.carrier->shells == 1);
    });
}

TEST_CASE("large output on both streams does not deadlock") {
    in_both_modes([](ShellFixture& f) {
        auto result = f.remote.run({"sh", "-c", "head -c 3000000 /dev/zero | tr '\\0' x; head -c 2000000 /dev/zero >&2"}, 20s);
        CHECK(result.out.size() == 3000000);
        CHECK(result.err.size() == 2000000);
        CHECK(result.succeeded());
    });
}

TEST_CASE("a command past its timeout comes back timed out and the next one gets a new shell") {
    in_both_modes([](ShellFixture& f) {
        auto slow = f.remote.run({"sleep", "5"}, 300ms);
        CHECK(slow.timed_out);
        auto next = f.remote.run({"echo", "again"}, 5s);
        CHECK(next.out == "again\n");
        CHECK(f.carrier->shells == 2);
    });
}

TEST_CASE("a killed shell is a lost connection, and the next command opens a new one") {
    in_both_modes([](ShellFixture& f) {
        f.remote.run({"true"}, 5s);
        ::kill(f.carrier->last_shell, SIGKILL);
        CHECK_THROWS_AS(f.remote.run({"echo", "x"}, 5s), transport::ConnectionLost);
        CHECK(f.remote.run({"echo", "x"}, 5s).out == "x\n");
    });
}

TEST_CASE("files go in one tar stream per directory, atomically, with their modes") {
    in_both_modes([](ShellFixture& f) {
        const std::string dir = (test::temp_dir() / "new dir" / "slurm").string();
        f.remote.write_files({{dir + "/a.sh", "#!/bin/bash\necho a\n", transport::FileMode::executable},
                            {dir + "/b's.txt", "b\n", transport::FileMode::plain}});
        CHECK(test::read_file(dir + "/a.sh") == "#!/bin/bash\necho a\n");
        CHECK(test::read_file(dir + "/b's.txt") == "b\n");
        CHECK(std::filesystem::status(dir + "/a.sh").permissions() == std::filesystem::perms(0755));
        CHECK(f.remote.read_file(dir + "/b's.txt") == "b\n");
        int entries = 0;
        for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++entries;
        CHECK(entries == 2);  // no temporary directory left behind
        REQUIRE_THROWS_WITH(f.remote.write_files({{"/proc/milex/x", "x", transport::FileMode::plain}}),
                            doctest::Contains("cannot write /proc/milex/x on the test shell: "));
    });
}

TEST_CASE("paths are expanded by the remote shell, and an unset variable is an error naming it") {
    in_both_modes([](ShellFixture& f) {
        test::ScopedEnv home("HOME", "/home/ada");
        test::ScopedEnv scratch("SCRATCH", "/scratch/ada");
        test::ScopedEnv unset("MILEX_TEST_UNSET", std::nullopt);
        CHECK(f.remote.resolve_path("~/milex") == "/home/ada/milex");
        CHECK(f.remote.resolve_path("$SCRATCH/my jobs") == "/scratch/ada/my jobs");
        CHECK(f.remote.resolve_path("${SCRATCH}/x") == "/scratch/ada/x");
        CHECK(f.remote.resolve_path("/a$/b$") == "/a$/b$");
        CHECK(f.remote.resolve_path("/abs/'q'") == "/abs/'q'");
        CHECK(f.remote.resolve_path("~root/x") == "/root/x");
        REQUIRE_THROWS_WITH(f.remote.resolve_path("$MILEX_TEST_UNSET/milex"),
                            "\"$MILEX_TEST_UNSET/milex\": $MILEX_TEST_UNSET is not set on the test shell");
    });
}

TEST_CASE("a large file is copied in pieces, whole under its name or not at all") {
    in_both_modes([](ShellFixture& f) {
        std::string big(3 * 1024 * 1024 + 17, '\0');
        for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 31 % 251);
        test::write_file(test::temp_dir() / "image.tar", big);
        const std::string target = (test::temp_dir() / "cache dir" / "image.tar").string();
        f.remote.copy_file((test::temp_dir() / "image.tar").string(), target);
        CHECK(test::read_file(target) == big);
        int entries = 0;
        for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(test::temp_dir() / "cache dir"))
            ++entries;
        CHECK(entries == 1);
        REQUIRE_THROWS_WITH(f.remote.copy_file((test::temp_dir() / "image.tar").string(), "/proc/milex/image.tar"),
                            doctest::Contains("cannot write /proc/milex/image.tar (a copy of "));
    });
}
