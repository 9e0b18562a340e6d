#include "milex/model/bundle.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "milex/util/document.hpp"
#include "milex/util/error.hpp"
#include "milex/util/json_members.hpp"
#include "milex/util/text.hpp"

namespace milex::model {

using nlohmann::ordered_json;

namespace {

const std::vector<std::string>& job_keys() {
    static const std::vector<std::string> keys = {"name",         "script",       "script_args", "script_options",
                                                  "verified",     "dependencies", "pre_commands", "pre-commands",
                                                  "slurm",        "sweep",        "container",    "id",
                                                  "code",         "snapshot",
                                                  "retries",      "retry_on"};
    return keys;
}

/// Validation of one job; problems are appended as `source: job "X": …`.
class JobReader {
public:
    JobReader(const std::string& source, std::vector<std::string>& problems) : m_source(source), m_problems(problems) {}

    std::optional<Job> read(const std::string& key, ordered_json& value) {
        m_job = key;
        if (auto wrong = name_problem(key, "job"); !wrong.empty()) problem(wrong);
        if (!value.is_object()) {
            problem("must be an object with at least \"script\"");
            return std::nullopt;
        }
        Job job;
        job.name = key;
        bool dashed_pre_commands = false, plain_pre_commands = false;
        for (auto& [k, v] : value.items()) {
            if (k == "name") {
                if (!v.is_null() && v != key)
                    problem(fmt::format("has \"name\": {} but is stored under \"{}\"; make them the same", v.dump(), key));
            } else if (k == "script") {
                if (!v.is_string() || v.get<std::string>().empty())
                    problem("\"script\" must name the application, e.g. \"train\"");
                else
                    job.script = v.get<std::string>();
            } else if (k == "script_args") {
                if (v.is_object()) job.script_args = std::move(v);  // the tree is ours: no copy
                else if (!v.is_null()) problem("\"script_args\" must be an object of the application's arguments");
            } else if (k == "script_options") {
                if (v.is_object()) job.script_options = std::move(v);
                else if (!v.is_null()) problem("\"script_options\" must be an object: how each argument is written");
            } else if (k == "verified") {
                if (v.is_string()) job.verified = v.get<std::string>();
                else if (!v.is_null()) problem("\"verified\" must be a string (or left out)");
            } else if (k == "dependencies") {
                job.dependencies = strings(v, "dependencies", "job names");
            } else if (k == "pre_commands" || k == "pre-commands") {
                (k == "pre_commands" ? plain_pre_commands : dashed_pre_commands) = true;
                auto commands = strings(v, k, "shell commands");
                job.pre_commands.insert(job.pre_commands.end(), commands.begin(), commands.end());
            } else if (k == "slurm") {
                job.slurm = slurm(v);
            } else if (k == "retries") {
                if (v.is_number_unsigned() && v.get<unsigned long long>() <= 100) job.retries = v.get<int>();
                else if (!v.is_null()) problem("\"retries\" must be a whole number from 0 to 100");
            } else if (k == "retry_on") {
                auto words = v.is_string() ? util::split(v.get<std::string>(), ',')
                                           : strings(v, "retry_on", "reasons to retry");
                auto reasons = model::parse_retry_on(words);
                if (reasons) job.retry_on = *reasons;
                else if (!words.empty() || v.is_string()) problem("\"retry_on\" " + reasons.error());
            } else if (k == "sweep") {
                job.sweep = sweep(v);
            } else if (k == "container") {
                if (!v.is_null())
                    job.container = model::container_from_json(v, [&](const std::string&, const std::string& message) {
                        problem("container " + message);
                    });
            } else if (k == "code") {
                if (!v.is_string()) problem("\"code\" must be a folder of the code tree, relative to its root, e.g. \"src\"");
                else if (auto wrong = code_path_problem(v.get<std::string>()); !wrong.empty()) problem("\"code\" " + wrong);
                else job.code = v.get<std::string>();
            } else if (k == "snapshot") {
                if (!v.is_null()) job.snapshot = snapshot_from_json(v, [&](const std::string& message) { problem(message); });
            } else if (k == "id") {
                // The Python milex wrote the last SLURM id into the bundle; run records keep it now.
            } else {
                problem(fmt::format("unknown key \"{}\"{}", k, util::did_you_mean(k, job_keys())));
            }
        }
        check_spellings(job);
        if (job.sweep) {
            for (const auto& swept : job.sweep->keys)
                if (!job.script_args.contains(swept))
                    problem(fmt::format("\"sweep\" sets \"{}\", which \"script_args\" does not have", swept));
            if (find_option(job.slurm, "array"))
                problem("has both \"sweep\" and slurm \"array\": a sweep is an array of its own; remove \"array\"");
        }
        if (job.snapshot && job.container)
            problem("has both \"snapshot\" and \"container\": a container job does not run a code snapshot; bind the "
                    "code into the container instead");
        if (plain_pre_commands && dashed_pre_commands)
            problem("has both \"pre_commands\" and \"pre-commands\"; keep one");
        if (!value.contains("script") && job.runs_application()) problem("has no \"script\"; add the application's name, e.g. \"script\": \"train\"");
        return job;
    }

private:
    void problem(const std::string& message) {
        m_problems.push_back(fmt::format("{}: job \"{}\" {}", m_source, m_job, message));
    }

    std::optional<Sweep> sweep(const ordered_json& v) {
        if (v.is_null()) return std::nullopt;
        const char* shape = "\"sweep\" must be {\"keys\": [\"lr\", …], \"combinations\": [[0.1, …], …]}";
        if (!v.is_object() || !v.contains("keys") || !v["keys"].is_array() || !v.contains("combinations") ||
            !v["combinations"].is_array()) {
            problem(shape);
            return std::nullopt;
        }
        Sweep sw;
        for (const auto& key : v["keys"]) {
            if (!key.is_string()) {
                problem(shape);
                return std::nullopt;
            }
            sw.keys.push_back(key.get<std::string>());
        }
        sw.combinations.reserve(v["combinations"].size());
        for (const auto& combination : v["combinations"]) {
            if (!combination.is_array() || combination.size() != sw.keys.size()) {
                problem(fmt::format("\"sweep\": every combination must have {} values, one per key", sw.keys.size()));
                return std::nullopt;
            }
            sw.combinations.emplace_back(combination.begin(), combination.end());
        }
        if (sw.combinations.empty()) problem("\"sweep\" has no combinations");
        if (v.contains("limit")) {
            if (v["limit"].is_number_unsigned() && v["limit"].get<size_t>() > 0) sw.limit = v["limit"].get<size_t>();
            else problem("\"sweep\": \"limit\" must be a whole number of at least 1");
        }
        for (const auto& [k, value] : v.items())
            if (k != "keys" && k != "combinations" && k != "limit")
                problem(fmt::format("\"sweep\" has unknown key \"{}\"", k));
        return sw;
    }

    /// Every spelling is one of the forms Job::script_options lists, for a key of script_args.
    void check_spellings(const Job& job) {
        if (!job.script_options.is_object()) return;
        for (const auto& [key, spelling] : job.script_options.items()) {
            if (!job.script_args.contains(key)) {
                problem(fmt::format("\"script_options\" has \"{}\", which \"script_args\" does not; remove it from both "
                                    "or neither",
                                    key));
                continue;
            }
            const bool option = spelling.is_string() && spelling.get<std::string>().size() > 1 &&
                                spelling.get<std::string>()[0] == '-';
            const bool flag = spelling.is_object() && spelling.size() == 2 && spelling.contains("flag") &&
                              spelling["flag"].is_string() && spelling.contains("when");
            const bool positional = spelling.is_number_unsigned() || (spelling.is_number_integer() && spelling >= 0);
            if (!option && !flag && !positional && !spelling.is_null())
                problem(fmt::format("\"script_options\": \"{}\" must be an option such as \"--{}\" or \"-n\", a "
                                    "positional place (0, 1, …), {{\"flag\": …, \"when\": …}} or null",
                                    key, key));
        }
    }

    std::vector<std::string> strings(const ordered_json& v, const std::string& key, const char* what) {
        std::vector<std::string> out;
        if (v.is_null()) return out;
        if (v.is_string()) return {v.get<std::string>()};
        if (v.is_array() && std::all_of(v.begin(), v.end(), [](const ordered_json& x) { return x.is_string(); })) {
            for (const auto& x : v) out.push_back(x.get<std::string>());
            return out;
        }
        problem(fmt::format("\"{}\" must be a list of {}", key, what));
        return out;
    }

    SlurmOptions slurm(const ordered_json& v) {
        SlurmOptions out;
        if (v.is_null()) return out;
        if (!v.is_object()) {
            problem("\"slurm\" must be an object such as {\"time\": \"01:00:00\"}");
            return out;
        }
        const auto& known = known_slurm_keys(OptionOwner::job);
        for (const auto& [key, value] : v.items()) {
            if (value.is_null()) continue;  // the Python milex writes every key, null when unset
            if (key == "account") {
                problem("\"slurm\" has \"account\", which belongs to the machine: set \"slurm_account\" in the "
                        "machine config so the bundle stays shareable");
                continue;
            }
            if (std::find(known.begin(), known.end(), key) == known.end()) {
                // Suggested among the machine's keys too: "acount" means account, which then gets
                // its own explanation.
                problem(fmt::format("\"slurm\" has unknown option \"{}\"{}", key,
                                    util::did_you_mean(key, known_slurm_keys(OptionOwner::machine))));
                continue;
            }
            std::string text;
            if (value.is_string()) text = value.get<std::string>();
            else if (value.is_number_integer()) text = std::to_string(value.get<long long>());
            else if (value.is_boolean() && key == "requeue") text = value.get<bool>() ? "true" : "false";
            else {
                problem(fmt::format("slurm \"{}\" must be a string or a whole number", key));
                continue;
            }
            if (auto wrong = check_slurm_value(key, text)) problem(fmt::format("slurm \"{}\" {}", key, *wrong));
            else set_option(out, key, text);
        }
        return out;
    }

    const std::string& m_source;
    std::vector<std::string>& m_problems;
    std::string m_job;
};

} // namespace

const Job* Bundle::find(const std::string& name) const {
    for (const auto& job : jobs)
        if (job.name == name) return &job;
    return nullptr;
}

std::vector<std::string> Bundle::names() const {
    std::vector<std::string> out;
    out.reserve(jobs.size());
    for (const auto& job : jobs) out.push_back(job.name);
    return out;
}

ordered_json Bundle::to_json() const {
    // Names are unique in a Bundle: append, without ordered_map's linear search for each key.
    ordered_json j = ordered_json::object();
    auto& members = j.get_ref<ordered_json::object_t&>();
    members.reserve(jobs.size());
    for (const auto& job : jobs) members.emplace_back(job.name, job.to_json());
    return j;
}

std::string Bundle::dump() const { return to_json().dump(4) + "\n"; }

BundleReading read_bundle_text(const std::string& text, const std::string& source) {
    // Job by job as the parser completes each one (util/json_members.hpp): linear in the number
    // of jobs, and the tree of one job at a time is all that is held besides the Bundle.
    BundleReading reading;
    JobReader reader(source, reading.problems);
    auto scan = util::for_each_member(text, [&](std::string name, ordered_json value) {
        if (auto job = reader.read(name, value)) {
            reading.bundle.jobs.push_back(std::move(*job));
        } else {
            reading.bundle.jobs.emplace_back();
            reading.bundle.jobs.back().name = std::move(name);
        }
    });
    if (!scan) throw Error(util::json_error_text(scan.error(), source));
    if (!scan->object) throw Error(fmt::format("{}: a bundle must be a JSON object of jobs keyed by name", source));
    for (const auto& name : scan->duplicates)
        reading.problems.push_back(fmt::format("{}: job \"{}\" is given twice; keep one", source, name));
    if (scan->members == 0) reading.problems.push_back(fmt::format("{}: the bundle has no jobs", source));
    return reading;
}

Bundle parse_bundle(const std::string& text, const std::string& source) {
    BundleReading reading = read_bundle_text(text, source);
    if (!reading.problems.empty()) throw Error(reading.problems);
    return std::move(reading.bundle);
}

} // namespace milex::model
