#include <iostream>

#include <fmt/format.h>

#include "milex/cli/commands.hpp"
#include "milex/cli/flags.hpp"
#include "milex/cli/removal.hpp"
#include "milex/submit/remove_runs.hpp"
#include "milex/util/clock.hpp"
#include "milex/util/error.hpp"
#include "milex/util/text.hpp"

namespace milex::cli {

int clean_command(const Args& args) {
    CLI::App app{"Remove what ended runs left: their scripts, logs, checkpoints (on each machine, over SSH too)\n"
                 "and records, for runs whose record was last written longer ago than --older-than.\n"
                 "Live runs and bundles are never touched.",
                 "milex clean"};
    std::string older_than = "30d";
    std::optional<std::string> machine;
    bool dry_run = false;
    app.add_option("--older-than,--older_than", older_than, "age: a number and s, m, h, d or w (default 30d)");
    app.add_option("--machine", machine, "only the runs on this machine");
    app.add_flag("--dry-run,--dry_run", dry_run, "list what would be removed, remove nothing");
    if (auto done = parse_strict(app, args)) return *done;
    const auto age = util::parse_age(older_than);
    if (!age)
        throw UsageError(fmt::format("milex clean: --older-than \"{}\" is not an age; write a whole number and a "
                                     "unit: 90s, 45m, 12h, 30d or 2w",
                                     older_than));

    const auto removal =
        submit::clean_runs(load_config(), *age, machine, dry_run ? submit::DryRun::yes : submit::DryRun::no);
    print_removal(removal, std::cout);
    std::uintmax_t bytes = 0;
    for (const auto& path : removal.removed) bytes += path.bytes;
    const std::string where = machine ? fmt::format(" on \"{}\"", *machine) : "";
    if (removal.runs.empty() && removal.problems.empty())
        std::cout << fmt::format("milex clean: nothing to clean: no ended run{} older than {}\n", where, older_than);
    else if (!removal.runs.empty())
        std::cout << fmt::format("milex clean: {} {} run{} ({} files and folders, {} bytes): {}\n",
                                 dry_run ? "would remove" : "removed", removal.runs.size(),
                                 removal.runs.size() == 1 ? "" : "s", removal.removed.size(), bytes,
                                 util::join(removal.runs, ", "));
    if (removal.problems.empty()) return 0;
    for (const auto& problem : removal.problems) std::cerr << "milex: error: " << problem << "\n";
    return 1;
}

} // namespace milex::cli
