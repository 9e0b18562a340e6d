#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "milex/cli/commands.hpp"
#include "milex/cli/flags.hpp"
#include "milex/transport/prompt.hpp"
#include "milex/util/error.hpp"
#include "milex/util/file.hpp"
#include "milex/util/process.hpp"
#include "milex/web/dashboard.hpp"

namespace milex::cli {

namespace {

namespace fs = std::filesystem;

/// Where the running dashboards leave their URL (0600): $XDG_RUNTIME_DIR, else ~/.milex.
fs::path url_directory() {
    if (const char* runtime = std::getenv("XDG_RUNTIME_DIR"); runtime && *runtime) return fs::path(runtime) / "milex";
    const char* home = std::getenv("HOME");
    return fs::path(home && *home ? home : "/tmp") / ".milex";
}

int list_dashboards() {
    std::error_code ec;
    bool any = false;
    for (const auto& entry : fs::directory_iterator(url_directory(), ec)) {
        const std::string name = entry.path().filename().string();
        if (!name.starts_with("dashboard-") || entry.path().extension() != ".json") continue;
        auto text = util::read_file(entry.path());
        if (!text) continue;
        const auto info = nlohmann::json::parse(*text, nullptr, false);
        if (info.is_discarded() || !info.contains("pid") || !info.contains("url")) continue;
        if (::kill(info["pid"].get<int>(), 0) != 0) {  // a dashboard that did not stop cleanly
            fs::remove(entry.path(), ec);
            continue;
        }
        std::cout << info["url"].get<std::string>() << "\n";
        any = true;
    }
    if (!any) std::cout << "milex dashboard: none running; start one with milex dashboard\n";
    return 0;
}

} // namespace

int serve_dashboard(const Args& args) {
    CLI::App app{"Serve the web dashboard on 127.0.0.1: runs, jobs, logs, machines; cancel from the page.\n"
                 "Prints one URL with a fresh token; Ctrl-C stops it.",
                 "milex dashboard"};
    web::DashboardOptions options;
    bool open = false, list = false;
    double interval = 5;
    app.add_option("--port", options.port, "port on 127.0.0.1 (default: a free one)");
    app.add_option("--machine", options.machines, "only these machines (default: every machine of the config)")
        ->expected(1, -1);
    app.add_option("--interval", interval, "seconds between two polls of a machine's scheduler (default 5)");
    app.add_option("--threads", options.threads, "server threads; each open browser tab holds one (default 32)");
    app.add_flag("--open", open, "open the URL in a browser (xdg-open)");
    app.add_flag("--list", list, "print the URLs of the dashboards running here");
    if (auto done = parse_strict(app, args)) return *done;
    if (list) return list_dashboards();
    if (interval < 0.2) throw UsageError("milex dashboard: --interval must be at least 0.2 seconds");
    options.interval = std::chrono::milliseconds(static_cast<long>(interval * 1000));
    if (options.threads < 4) throw UsageError("milex dashboard: --threads must be at least 4");

    // A long-lived server of many threads: glibc gives threads malloc arenas of their own (up to
    // 8 per core), each keeping what a parse of a large run record freed. Two arenas: 25 MB with
    // ten browsers on a 1,000-job run instead of 60 MB (tools/bench dashboard).
    mallopt(M_ARENA_MAX, 2);
    const model::Config config = model::load_config(model::config_path());
    web::Dashboard dashboard(config, options);
    // Connections are opened here, where a passphrase or MFA code can still be typed; from now
    // on nobody is asked, and a machine that needs an answer says so on its card.
    dashboard.open_machines();
    transport::set_prompt({});
    const int port = dashboard.bind();

    // Ctrl-C and SIGTERM stop the server from a thread of their own (blocked everywhere else).
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    std::thread stopper([&] {
        int received = 0;
        sigwait(&stop_signals, &received);
        dashboard.stop();
    });

    const fs::path dir = url_directory();
    std::error_code ec;
    fs::create_directories(dir, ec);
    fs::permissions(dir, fs::perms::owner_all, ec);
    const fs::path url_file = dir / fmt::format("dashboard-{}.json", port);
    const nlohmann::json info = {{"url", dashboard.url()}, {"port", port}, {"pid", ::getpid()}};
    if (auto written = util::write_file_atomic(url_file, info.dump() + "\n", fs::perms::owner_read | fs::perms::owner_write);
        !written)
        throw Error(written.error());

    dashboard.start_polling();
    std::cout << "milex dashboard: serving on 127.0.0.1 (Ctrl-C stops it); open\n    " << dashboard.url() << "\n"
              << std::flush;
    if (open) {
        util::ProcessOptions quiet;
        quiet.timeout = std::chrono::seconds(10);
        auto opened = util::run_process({"xdg-open", dashboard.url()}, quiet);
        if (!opened || !opened->succeeded()) std::cerr << "milex dashboard: cannot open a browser here; open the URL above\n";
    }
    dashboard.serve();
    ::kill(::getpid(), SIGTERM);  // wakes the stopper if the server ended by itself
    stopper.join();
    fs::remove(url_file, ec);
    std::cout << "milex dashboard: stopped\n";
    return 0;
}

} // namespace milex::cli
