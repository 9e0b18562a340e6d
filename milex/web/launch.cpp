#include "milex/web/launch.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "milex/introspect/cli_protocol.hpp"
#include "milex/introspect/verify.hpp"
#include "milex/model/bundle.hpp"
#include "milex/scheduler/request.hpp"
#include "milex/store/bundle_store.hpp"
#include "milex/util/file.hpp"

namespace milex::web {

using nlohmann::ordered_json;

namespace {

std::string kind_of(const ordered_json& value) {
    if (value.is_boolean()) return "boolean";
    if (value.is_number()) return "number";
    if (value.is_array()) return "list";
    if (value.is_null()) return "null";
    return "string";
}

/// Why `key` cannot be changed, or "" when it can.
std::string read_only_reason(const model::Job& job, const std::string& key) {
    if (!job.script_options.is_object()) return {};  // upstream rendering: every key as --key=value
    if (job.script_options.contains(key) && !job.script_options[key].is_null()) return {};
    return "left at the application's default when the job was scheduled: milex does not know how the application "
           "spells it (schedule the job again with the option typed to change it)";
}

/// A number typed in a form, as the number it reads as; anything else stays text for the
/// application to judge.
ordered_json as_number(const ordered_json& given) {
    if (!given.is_string()) return given;
    const std::string text = given.get<std::string>();
    const auto parsed = ordered_json::parse(text, nullptr, false);
    return !parsed.is_discarded() && parsed.is_number() ? parsed : given;
}

/// The form's value for `key` in the type of the job's current value.
ordered_json typed(const ordered_json& current, const ordered_json& given) {
    if (current.is_number()) return as_number(given);
    if (current.is_array() && given.is_array()) {
        const bool numbers = !current.empty() && current.front().is_number();
        ordered_json out = ordered_json::array();
        for (const auto& item : given) out.push_back(numbers ? as_number(item) : item);
        return out;
    }
    return given;
}

} // namespace

const std::vector<std::string>& launch_slurm_keys() {
    static const std::vector<std::string> keys = {"partition", "gres", "time", "mem", "cpus_per_task"};
    return keys;
}

ordered_json launch_form(const model::Job& job) {
    ordered_json form = {{"job", job.name}, {"script", job.script}, {"launchable", true}};
    if (job.sweep) form.update({{"launchable", false}, {"why", "a sweep is launched with milex-schedule --sweep"}});
    if (job.container) form.update({{"launchable", false}, {"why", "a container job is launched with milex-schedule"}});
    if (!job.runs_application()) form.update({{"launchable", false}, {"why", "the job runs no application"}});
    ordered_json args = ordered_json::array();
    if (job.script_args.is_object()) {
        for (const auto& [key, value] : job.script_args.items()) {
            ordered_json field = {{"key", key}, {"value", value}, {"kind", kind_of(value)}};
            const std::string why = read_only_reason(job, key);
            field["editable"] = why.empty();
            if (!why.empty()) field["why"] = why;
            args.push_back(field);
        }
    }
    form["args"] = args;
    ordered_json slurm = ordered_json::object();
    for (const auto& key : launch_slurm_keys()) {
        const std::string* value = model::find_option(job.slurm, key);
        slurm[key] = value ? *value : "";
    }
    form["slurm"] = slurm;
    return form;
}

model::Job changed_job(const model::Job& original, const ordered_json& changes) {
    const ordered_json form = launch_form(original);
    if (!form["launchable"].get<bool>()) throw LaunchRefused("", form["why"].get<std::string>());
    model::Job job = original;
    if (changes.contains("args")) {
        if (!changes["args"].is_object()) throw LaunchRefused("", "\"args\" must be an object of argument values");
        for (const auto& [key, given] : changes["args"].items()) {
            if (!job.script_args.contains(key))
                throw LaunchRefused("args." + key, fmt::format("job \"{}\" has no argument \"{}\"", job.name, key));
            if (job.script_args[key] == given) continue;
            if (const std::string why = read_only_reason(job, key); !why.empty())
                throw LaunchRefused("args." + key, fmt::format("{}: {}", key, why));
            job.script_args[key] = typed(job.script_args[key], given);
        }
    }
    if (changes.contains("slurm")) {
        if (!changes["slurm"].is_object()) throw LaunchRefused("", "\"slurm\" must be an object of SLURM options");
        for (const auto& [key, given] : changes["slurm"].items()) {
            const auto& keys = launch_slurm_keys();
            if (std::find(keys.begin(), keys.end(), key) == keys.end() || !given.is_string())
                throw LaunchRefused("slurm." + key, fmt::format("\"{}\" is not a SLURM option the form offers", key));
            const std::string value = given.get<std::string>();
            if (value.empty()) {
                std::erase_if(job.slurm, [&](const model::SlurmOption& o) { return o.key == key; });
                continue;
            }
            // The same check and message as milex-schedule's --KEY.
            if (auto wrong = model::check_slurm_value(key, value))
                throw LaunchRefused("slurm." + key, fmt::format("--{} {}", key, *wrong));
            model::set_option(job.slurm, key, value);
        }
    }
    job.dependencies.clear();
    try {
        introspect::verify_round_trip(job, introspect::cli_timeout());
    } catch (const Error& e) {
        // The field: the key the message starts with, else the changed option the application
        // names in its complaint (argparse: "argument --repeat: invalid int value").
        const std::string message = e.what();
        std::string field;
        for (const auto& [key, value] : job.script_args.items())
            if (message.starts_with(key + ":")) field = "args." + key;
        if (field.empty() && changes.contains("args")) {
            for (const auto& [key, value] : changes["args"].items()) {
                const auto& spelling = job.script_options.is_object() ? job.script_options.value(key, ordered_json())
                                                                      : ordered_json();
                const std::string option = spelling.is_string() ? spelling.get<std::string>() : "--" + key;
                if (message.find("argument " + option + ":") != std::string::npos ||
                    message.find("argument " + option + "/") != std::string::npos)
                    field = "args." + key;
            }
        }
        throw LaunchRefused(field, message);
    }
    job.verified = introspect::job_fingerprint(job);
    return job;
}

void check_allowed(const model::Job& job, const model::Machine& machine) {
    const auto refused = scheduler::disallowed(scheduler::job_request(job, machine), machine);
    if (!refused) return;
    const auto& keys = launch_slurm_keys();
    const bool offered = std::find(keys.begin(), keys.end(), refused->key) != keys.end();
    throw LaunchRefused(offered ? "slurm." + refused->key : "", refused->message);
}

ordered_json allowed_offers(const model::Machine& machine) {
    ordered_json out = ordered_json::object();
    if (!machine.allowed_partitions.empty()) out["partitions"] = machine.allowed_partitions;
    if (!machine.allowed_gpu_types.empty()) out["gpu_types"] = machine.allowed_gpu_types;
    return out;
}

std::filesystem::path write_launch_bundle(const model::Config& config, const std::string& name, model::Job job) {
    const std::string jobs_dir = config.local().path + "/jobs";
    if (auto made = util::make_directories(jobs_dir); !made)
        throw Error(fmt::format("machine \"local\": {}; fix its \"path\" with milex-configuration", made.error()));
    job.dependencies.clear();
    model::Bundle bundle;
    bundle.jobs.push_back(std::move(job));
    return store::BundleStore(jobs_dir).create(name, bundle, std::chrono::system_clock::now()).path;
}

} // namespace milex::web
