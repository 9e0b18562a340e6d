#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "milex/cli/commands.hpp"
#include "milex/cli/terminal.hpp"
#include "milex/transport/prompt.hpp"
#include "milex/util/error.hpp"
#include "milex/util/memory.hpp"
#include "milex/util/text.hpp"
#include "milex/version.hpp"

namespace milex::cli {

namespace {

struct Command {
    const char* name;
    const char* summary;
    int (*run)(const Args&);
};

// The one table of commands; `milex-<name>` and `milex <name>` reach the same function.
const Command k_commands[] = {
    {"schedule", "describe a job with its application's -cli and save it in a bundle", schedule_command},
    {"run", "submit a bundle to a machine, in dependency order", run_command},
    {"submit", "the same as run (the Python milex's name)", run_command},
    {"configuration", "edit, check, show or set the machine config", configuration_command},
    {"status", "show each job of a run: state, exit code, elapsed, node, pending reason", status_command},
    {"logs", "print a job's output; --follow streams it until the job ends", logs_command},
    {"cancel", "cancel a run's jobs that have not ended (or the named ones)", cancel_command},
    {"resubmit", "submit failed (or named) jobs again, with everything that depends on them", resubmit_command},
    {"stop", "stop a run (or some jobs): cancel what has not ended, recorded as stopped, not failed", stop_command},
    {"resume", "go on with a stopped run: submit what was stopped or never submitted, as new attempts", resume_command},
    {"delete", "stop a run and remove its record, scripts and logs (the bundle stays)", delete_command},
    {"clean", "remove the records, scripts, logs and checkpoints of ended runs older than --older-than", clean_command},
    {"resources", "free and total GPUs and CPUs per partition, and who waits for them", resources_command},
    {"usage", "your CPU and GPU hours per account, fair-share factor and limits", usage_command},
    {"list", "bundles and their runs, newest first", list_command},
    {"container", "write a starting Dockerfile (template) or list the images made from it (list)", container_command},
    {"dashboard", "serve the web dashboard on 127.0.0.1: runs, logs, machines, cancel", dashboard_command},
};

std::vector<std::string> command_names() {
    std::vector<std::string> names;
    for (const auto& c : k_commands) names.emplace_back(c.name);
    return names;
}

int usage(std::ostream& out) {
    out << "usage: milex <command> [flags]   (or milex-<command> [flags])\n\ncommands:\n";
    for (const auto& c : k_commands) out << fmt::format("  {:<15} {}\n", c.name, c.summary);
    out << "\nmilex <command> --help shows a command's flags.\n";
    return 0;
}

void print_error(const Error& e) {
    for (const auto& line : e.lines()) std::cerr << "milex: error: " << line << "\n";
    if (!util::trim(e.details()).empty()) {
        for (const auto& line : util::split(util::trim(e.details()), '\n')) std::cerr << "    " << line << "\n";
    }
}

int dispatch(int argc, char** argv) {
    std::string self = argc > 0 ? argv[0] : "milex";
    self = self.substr(self.find_last_of('/') + 1);
    Args args(argv + std::min(argc, 1), argv + argc);

    std::string name;
    if (self.starts_with("milex-")) {
        name = self.substr(6);
    } else {
        if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") return usage(std::cout);
        if (args[0] == "--version" || args[0] == "version") {
            std::cout << "milex " << version() << "\n";
            return 0;
        }
        name = args[0];
        args.erase(args.begin());
    }
    for (const auto& command : k_commands) {
        if (name != command.name) continue;
        // Every command but the dashboard (a server whose memory should go back) lives for a
        // moment and builds large transient trees (run records).
        if (command.run != dashboard_command) util::tune_memory_for_a_short_run();
        return command.run(args);
    }
    throw UsageError(fmt::format("unknown command \"{}\"{}; run milex --help for the list", name,
                                 util::did_you_mean(name, command_names())));
}

} // namespace

namespace {
int (*g_dashboard_server)(const Args&) = nullptr;
} // namespace

void register_dashboard_server(int (*serve)(const Args&)) { g_dashboard_server = serve; }

int dashboard_command(const Args& args) {
    if (g_dashboard_server) return g_dashboard_server(args);
    std::error_code ec;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
    const std::filesystem::path server = self.parent_path() / "milex-dashboard";
    if (ec || ::access(server.c_str(), X_OK) != 0)
        throw Error(fmt::format("milex dashboard runs {}, which is not there; install milex whole (cmake --install, or "
                                "the package) or build the target milex-dashboard",
                                ec ? "milex-dashboard beside milex" : server.string()));
    std::vector<std::string> words = {"milex-dashboard"};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    std::cout << std::flush;
    ::execv(server.c_str(), argv.data());
    throw Error(fmt::format("cannot start {}: {}", server.string(), std::strerror(errno)));
}

int main(int argc, char** argv) {
    // A closed pipe (milex … | head) is a write error to handle, not a signal to die of.
    std::signal(SIGPIPE, SIG_IGN);
    // Passphrases and keyboard-interactive answers are typed on this terminal, if there is one.
    if (::isatty(STDIN_FILENO)) transport::set_prompt(ask_secret);
    try {
        return dispatch(argc, argv);
    } catch (const Error& e) {
        print_error(e);
        return e.exit_code();
    } catch (const std::exception& e) {
        std::cerr << "milex: error: " << e.what() << "\n";
        return 1;
    }
}

} // namespace milex::cli
