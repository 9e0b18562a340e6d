#include "milex/store/run_store.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "milex/model/machine.hpp"
#include "milex/util/error.hpp"
#include "milex/util/text.hpp"

namespace milex::store {

RunStore::RunStore(fs::path runs_dir) : m_dir(std::move(runs_dir)) {}

util::FileLock RunStore::lock(const std::string& bundle_stem, const std::string& machine) const {
    auto lock = util::FileLock::acquire(m_dir / fmt::format(".{}@{}.lock", bundle_stem, machine));
    if (!lock) throw Error(lock.error());
    return std::move(*lock);
}

fs::path RunStore::path_for(const std::string& bundle_stem, const std::string& machine, int submission) const {
    return m_dir / fmt::format("{}@{}.{}.json", bundle_stem, machine, submission);
}

namespace {
/// The submission number in `<prefix><n>.json`, or 0 for other names.
int submission_of(const std::string& file, const std::string& prefix) {
    if (!file.starts_with(prefix) || !file.ends_with(".json")) return 0;
    const std::string number = file.substr(prefix.size(), file.size() - prefix.size() - 5);
    if (number.empty() || number.size() > 6 || !std::all_of(number.begin(), number.end(), ::isdigit)) return 0;
    return std::stoi(number);
}
} // namespace

int RunStore::next_submission(const std::string& bundle_stem, const std::string& machine) const {
    const std::string prefix = fmt::format("{}@{}.", bundle_stem, machine);
    int highest = 0;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(m_dir, ec))
        highest = std::max(highest, submission_of(entry.path().filename().string(), prefix));
    return highest + 1;
}

namespace {

/// The 1-based line of byte offset `byte` in `text`.
size_t line_at(const std::string& text, size_t byte) {
    byte = std::min(byte, text.size());
    return 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(byte), '\n'));
}

/// Applies one journal entry to `jobs`; json exceptions propagate.
void apply_journal_entry(const nlohmann::ordered_json& entry, std::vector<model::JobRun>& jobs) {
    if (!entry.is_object()) throw std::invalid_argument("not an object");
    // Counts are whole numbers: nlohmann's get<size_t>() of 1e300 or -1 is undefined behaviour or a wrap.
    auto count = [&](const char* key) {
        if (!entry.at(key).is_number_unsigned()) throw std::invalid_argument(fmt::format("\"{}\" must be a whole number", key));
        return entry.at(key).get<size_t>();
    };
    if (entry.contains("truncate")) {
        jobs.resize(std::min(jobs.size(), count("truncate")));
        return;
    }
    const size_t index = entry.contains("index") ? count("index") : jobs.size();
    model::JobRun job = model::job_run_from_json(entry.at("job"));
    if (index < jobs.size()) jobs[index] = std::move(job);
    else if (index == jobs.size()) jobs.push_back(std::move(job));
    else throw std::invalid_argument(fmt::format("it notes job {} of a record that holds {}", index, jobs.size()));
}

} // namespace

model::RunRecord parse_run_record(const std::string& text, const std::optional<std::string>& journal,
                                  const std::string& source) {
    nlohmann::ordered_json j;
    try {
        j = nlohmann::ordered_json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw Error(fmt::format("{}:{}: not valid JSON; move the file aside (milex-run then starts the run anew)",
                                source, line_at(text, e.byte == 0 ? 0 : e.byte - 1)));
    } catch (const nlohmann::json::exception&) {  // a number too large (out_of_range 406)
        throw Error(fmt::format("{}: not valid JSON (a number too large); move the file aside (milex-run then starts the "
                                "run anew)",
                                source));
    }
    model::RunRecord record = model::run_from_json(j, source);
    if (!journal) return record;
    // The journal: entries changed since the record was last written whole, one JSON line each.
    const auto lines = util::split(*journal, '\n');
    for (size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].empty()) continue;
        // The last line without its newline was cut short by a crash: what it noted never happened.
        const bool torn_end = i + 1 == lines.size();
        try {
            apply_journal_entry(nlohmann::ordered_json::parse(lines[i]), record.jobs);
        } catch (const std::exception& e) {
            const bool not_json = dynamic_cast<const nlohmann::json::parse_error*>(&e) != nullptr;
            if (torn_end && not_json) continue;
            // nlohmann's "[json.exception.type_error.302] " prefix says nothing to a user.
            std::string why = e.what();
            if (why.starts_with("[json.exception.")) why = why.substr(why.find("] ") + 2);
            throw Error(fmt::format("{}.journal:{}: not a journal entry of milex ({}); move the journal aside and run "
                                    "`milex status` to see which jobs the record lacks",
                                    source, i + 1, not_json ? "not JSON" : util::excerpt(why)));
        }
    }
    return record;
}

StoredRun RunStore::load(const fs::path& path) const {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    const auto modified = fs::last_write_time(path, ec);
    auto text = util::read_file(path);
    if (!text) throw Error(text.error());
    auto journal = util::read_file(journal_of(path));
    std::optional<std::string> journal_text;
    if (journal) journal_text = std::move(*journal);
    StoredRun run{path, parse_run_record(*text, journal_text, model::display_path(path)), size, modified, 0};
    run.journal_size = journal_text ? journal_text->size() : 0;
    return run;
}

fs::path RunStore::journal_of(const fs::path& path) { return path.string() + ".journal"; }

void RunStore::record_job(const StoredRun& run, size_t index) const {
    const nlohmann::ordered_json entry = {{"index", index}, {"job", model::job_run_json(run.record.jobs.at(index))}};
    if (auto written = util::append_durably(journal_of(run.path), entry.dump() + "\n"); !written)
        throw Error(written.error());
}

void RunStore::record_truncation(const StoredRun& run, size_t count) const {
    if (auto written = util::append_durably(journal_of(run.path), nlohmann::ordered_json{{"truncate", count}}.dump() + "\n");
        !written)
        throw Error(written.error());
}

void RunStore::note_saved(StoredRun& run) const {
    std::error_code ec;
    run.size = fs::file_size(run.path, ec);
    run.modified = fs::last_write_time(run.path, ec);
    run.journal_size = 0;
}

void RunStore::reload_if_changed(StoredRun& run) const {
    std::error_code ec, journal_ec;
    const auto journal = fs::file_size(journal_of(run.path), journal_ec);
    if (fs::file_size(run.path, ec) == run.size && fs::last_write_time(run.path, ec) == run.modified && !ec &&
        (journal_ec ? 0 : journal) == run.journal_size)
        return;
    run = load(run.path);
}

std::vector<RunFile> RunStore::files() const {
    std::vector<RunFile> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(m_dir, ec)) {
        const std::string file = entry.path().filename().string();
        const auto at = file.rfind('@');
        if (file.starts_with(".") || !file.ends_with(".json") || at == std::string::npos) continue;
        const std::string rest = file.substr(at + 1, file.size() - at - 6);  // machine.N
        const auto dot = rest.rfind('.');
        if (dot == std::string::npos) continue;
        const std::string number = rest.substr(dot + 1);
        if (number.empty() || !std::all_of(number.begin(), number.end(), ::isdigit)) continue;
        found.push_back({entry.path(), file.substr(0, at), rest.substr(0, dot), std::stoi(number),
                         fs::last_write_time(entry.path(), ec)});
    }
    std::sort(found.begin(), found.end(), [](const RunFile& a, const RunFile& b) {
        if (a.modified != b.modified) return a.modified > b.modified;
        return a.path > b.path;
    });
    return found;
}

std::vector<StoredRun> RunStore::runs(const std::string& bundle_stem, const std::string& machine,
                                      const std::string& bundle_file) const {
    std::vector<StoredRun> found;
    const std::string prefix = fmt::format("{}@{}.", bundle_stem, machine);
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(m_dir, ec)) {
        if (submission_of(entry.path().filename().string(), prefix) == 0) continue;
        auto run = load(entry.path());
        if (run.record.bundle_file == bundle_file) found.push_back(std::move(run));
    }
    std::sort(found.begin(), found.end(),
              [](const StoredRun& a, const StoredRun& b) { return a.record.submission < b.record.submission; });
    return found;
}

std::vector<StoredRun> RunStore::all() const {
    std::vector<StoredRun> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(m_dir, ec)) {
        const std::string file = entry.path().filename().string();
        if (file.starts_with(".") || !file.ends_with(".json") || file.find('@') == std::string::npos) continue;
        found.push_back(load(entry.path()));
    }
    std::sort(found.begin(), found.end(), [](const StoredRun& a, const StoredRun& b) {
        if (a.record.created != b.record.created) return a.record.created > b.record.created;
        if (a.record.bundle != b.record.bundle) return a.record.bundle > b.record.bundle;
        return a.record.submission > b.record.submission;
    });
    return found;
}

namespace {
fs::path cache_file(const fs::path& dir, const std::string& machine) {
    return dir / fmt::format(".machine-{}.json", machine);
}
} // namespace

std::optional<nlohmann::ordered_json> RunStore::machine_cache(const std::string& machine, const std::string& key) const {
    auto text = util::read_file(cache_file(m_dir, machine));
    if (!text) return std::nullopt;
    try {
        auto cache = nlohmann::ordered_json::parse(*text);
        if (cache.is_object() && cache.contains(key)) return cache[key];
    } catch (const nlohmann::json::exception&) {
    }
    return std::nullopt;  // unreadable: asked again and rewritten
}

void RunStore::set_machine_cache(const std::string& machine, const std::string& key,
                                 const nlohmann::ordered_json& value) const {
    nlohmann::ordered_json cache = nlohmann::ordered_json::object();
    if (auto text = util::read_file(cache_file(m_dir, machine))) {
        try {
            cache = nlohmann::ordered_json::parse(*text);
        } catch (const nlohmann::json::exception&) {
        }
    }
    if (!cache.is_object()) cache = nlohmann::ordered_json::object();
    cache[key] = value;
    if (auto written = util::write_file_atomic(cache_file(m_dir, machine), cache.dump(2) + "\n"); !written)
        throw Error(written.error());
}

void RunStore::save(const fs::path& path, const model::RunRecord& record) const {
    std::string text = record.to_json().dump(2);
    text += '\n';
    if (auto written = util::write_file_atomic(path, text); !written) throw Error(written.error());
    // The record holds everything now; a crash before this line re-applies the journal to it,
    // which changes nothing.
    std::error_code ec;
    fs::remove(journal_of(path), ec);
}

} // namespace milex::store
