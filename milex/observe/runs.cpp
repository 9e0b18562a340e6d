#include "milex/observe/runs.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "milex/scheduler/connect.hpp"
#include "milex/store/bundle_store.hpp"
#include "milex/transport/connect.hpp"
#include "milex/util/error.hpp"
#include "milex/util/file.hpp"
#include "milex/util/text.hpp"

namespace milex::observe {

MachineAccess open_machine(const model::Config& config, const std::string& name) {
    MachineAccess access;
    access.machine = config.get(name);
    access.transport = transport::connect(access.machine);
    access.scheduler = scheduler::make_scheduler(access.machine, *access.transport);
    return access;
}

store::RunStore run_store(const model::Config& config) { return store::RunStore(config.local().path + "/runs"); }

namespace {

/// "diamond_20261122023840" → "diamond".
std::string bundle_name(const std::string& stem) {
    auto file = store::parse_bundle_file_name(stem + ".json");
    return file ? file->name : stem;
}

} // namespace

store::StoredRun select_run(const store::RunStore& runs, const std::string& reference,
                            const std::optional<std::string>& machine) {
    // Chosen by file name (stem@machine.N.json), so only the chosen record is read.
    const std::vector<store::RunFile> files = runs.files();
    std::set<std::string> known;
    for (const auto& file : files) known.insert(bundle_name(file.bundle));
    for (const auto& file : files) {
        if (machine && file.machine != *machine) continue;
        const std::string file_stem = file.path.stem().string();  // stem@machine.N
        const bool match = reference.empty() || file.bundle == reference || bundle_name(file.bundle) == reference ||
                           file_stem == reference || file_stem.starts_with(reference + ".");
        if (match) return runs.load(file.path);
    }
    const std::string where = machine ? fmt::format(" on machine \"{}\"", *machine) : "";
    if (known.empty()) throw Error(fmt::format("no runs yet{}; submit a bundle with milex-run", where));
    const std::vector<std::string> names(known.begin(), known.end());
    if (reference.empty())
        throw Error(fmt::format("no runs{}; the bundles that ran: {}", where, util::join(names, ", ")));
    throw Error(fmt::format("no run of \"{}\"{}{}; the bundles that ran: {}", reference, where,
                            util::did_you_mean(reference, names), util::join(names, ", ")));
}

store::StoredRun select_one_run(const store::RunStore& runs, const std::string& reference,
                                const std::optional<std::string>& machine) {
    std::vector<std::string> matches;
    std::filesystem::path first;
    for (const auto& file : runs.files()) {
        if (machine && file.machine != *machine) continue;
        const std::string file_stem = file.path.stem().string();  // stem@machine.N
        if (file_stem == reference) return runs.load(file.path);  // named exactly
        if (file.bundle == reference || bundle_name(file.bundle) == reference || file_stem.starts_with(reference + ".")) {
            if (matches.empty()) first = file.path;
            matches.push_back(file_stem);
        }
    }
    if (matches.size() == 1) return runs.load(first);
    if (matches.empty()) return select_run(runs, reference, machine);  // its error names the bundles that ran
    std::sort(matches.begin(), matches.end());
    throw Error(fmt::format("\"{}\" means {} runs: {}; name one of them", reference, matches.size(),
                            util::join(matches, ", ")));
}

RunAccess open_run(model::Config config, const std::string& reference, const std::optional<std::string>& machine) {
    store::RunStore runs = run_store(config);
    store::StoredRun run = select_run(runs, reference, machine);
    MachineAccess access = open_machine(config, run.record.machine);
    return {std::move(config), std::move(runs), std::move(run), std::move(access)};
}

} // namespace milex::observe
