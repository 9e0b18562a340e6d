#include "milex/store/bundle_store.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "milex/model/machine.hpp"
#include "milex/util/error.hpp"
#include "milex/util/file.hpp"
#include "milex/util/text.hpp"

namespace milex::store {

std::optional<BundleFile> parse_bundle_file_name(const fs::path& path) {
    // <name>_<14 digits>.json, read by hand: it runs for every file of the jobs folder.
    const std::string file = path.filename().string();
    constexpr size_t k_tail = 1 + 14 + 5;  // "_" stamp ".json"
    if (file.size() <= k_tail || !file.ends_with(".json") || file[file.size() - k_tail] != '_') return std::nullopt;
    std::string stamp = file.substr(file.size() - k_tail + 1, 14);
    if (!util::parse_file_stamp(stamp)) return std::nullopt;
    return BundleFile{path, file.substr(0, file.size() - k_tail), std::move(stamp)};
}

BundleStore::BundleStore(fs::path jobs_dir) : m_dir(std::move(jobs_dir)) {}

model::Bundle read_bundle(const fs::path& path) {
    auto text = util::read_file(path);
    if (!text) throw Error(text.error());
    return model::parse_bundle(*text, model::display_path(path));
}

std::vector<BundleFile> BundleStore::versions(const std::string& name) const {
    std::vector<BundleFile> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(m_dir, ec)) {
        auto file = parse_bundle_file_name(entry.path());
        if (file && file->name == name) {
            file->path = fs::weakly_canonical(file->path, ec);
            found.push_back(*file);
        }
    }
    std::sort(found.begin(), found.end(), [](const BundleFile& a, const BundleFile& b) { return a.stamp > b.stamp; });
    return found;
}

BundleFile BundleStore::locate(const std::string& reference) const {
    std::error_code ec;
    const bool looks_like_path = reference.find('/') != std::string::npos ||
                                 (reference.size() > 5 && reference.ends_with(".json"));
    if (looks_like_path) {
        if (!fs::is_regular_file(reference, ec))
            throw Error(fmt::format("bundle file {} does not exist", reference));
        fs::path path = fs::weakly_canonical(fs::absolute(reference, ec), ec);
        if (auto parsed = parse_bundle_file_name(path)) return *parsed;
        // A file named freely (a shared example, say): its name is the bundle name, stamped now.
        return BundleFile{path, path.stem().string(), ""};
    }
    if (auto exact = parse_bundle_file_name(fs::weakly_canonical(m_dir / (reference + ".json"), ec))) {
        if (fs::is_regular_file(exact->path, ec)) return *exact;
    }
    auto found = versions(reference);
    if (!found.empty()) return found.front();

    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(m_dir, ec)) {
        if (auto file = parse_bundle_file_name(entry.path());
            file && std::find(names.begin(), names.end(), file->name) == names.end())
            names.push_back(file->name);
    }
    std::sort(names.begin(), names.end());
    if (names.empty())
        throw Error(fmt::format("no bundle \"{}\": {} holds no bundles yet; make one with milex-schedule", reference,
                                model::display_path(m_dir)));
    throw Error(fmt::format("no bundle \"{}\" in {}{}; there are: {}", reference, model::display_path(m_dir),
                            util::did_you_mean(reference, names), util::join(names, ", ")));
}

BundleFile BundleStore::create(const std::string& name, const model::Bundle& bundle, util::SystemTime now) const {
    if (auto wrong = model::name_problem(name, "bundle"); !wrong.empty()) throw Error(wrong);
    // Stamps are seconds; a taken second moves us one second on, as the Python milex does.
    auto made = util::create_file_exclusive(
        [&](int attempt) {
            return m_dir / fmt::format("{}_{}.json", name, util::file_stamp(now + std::chrono::seconds(attempt)));
        },
        1000, bundle.dump());
    if (!made) throw Error(made.error());
    return *parse_bundle_file_name(*made);
}

AppendResult BundleStore::append(const std::string& name, const std::function<model::Job(const model::Bundle&)>& make_job,
                                 NameClash clash, util::SystemTime now) const {
    if (auto wrong = model::name_problem(name, "bundle"); !wrong.empty()) throw Error(wrong);
    auto lock = util::FileLock::acquire(m_dir / fmt::format(".{}.lock", name));
    if (!lock) throw Error(lock.error());

    auto found = versions(name);
    model::Bundle bundle;
    if (!found.empty()) bundle = read_bundle(found.front().path);
    model::Job job = make_job(bundle);
    if (bundle.find(job.name)) {
        if (clash == NameClash::refuse)
            throw Error(fmt::format("bundle \"{}\" already has a job \"{}\"; choose another --job_name", name, job.name));
        const std::string base = job.name;
        for (int i = 1; bundle.find(job.name); ++i) job.name = fmt::format("{}_{:03}", base, i);
    }
    const std::string job_name = job.name;
    bundle.jobs.push_back(std::move(job));

    if (found.empty()) {
        BundleFile made = create(name, bundle, now);
        return {made.path, job_name, true};
    }
    if (auto written = util::write_file_atomic(found.front().path, bundle.dump()); !written)
        throw Error(written.error());
    return {found.front().path, job_name, false};
}

} // namespace milex::store
