#include "milex/render/script.hpp"

#include <fmt/format.h>
#include <kainjow/mustache.hpp>

#include "milex/render/arguments.hpp"
#include "milex/scheduler/dialect.hpp"
#include "milex/scheduler/request.hpp"
#include "milex/util/shell.hpp"
#include "milex/util/error.hpp"

namespace milex::render {

namespace mustache = kainjow::mustache;

extern const char* const k_job_template;  // generated from templates/job.sh.mustache

const std::string& job_template() {
    static const std::string text = k_job_template;
    return text;
}

std::vector<std::string> sweep_words(const model::Job& job, size_t combination) {
    std::vector<std::string> words;
    if (!job.sweep) return words;
    const auto& values = job.sweep->combinations.at(combination);
    for (size_t i = 0; i < job.sweep->keys.size(); ++i) {
        nlohmann::ordered_json one = {{job.sweep->keys[i], values[i]}};
        for (auto& word : words_for_key(one, job.script_options, job.sweep->keys[i])) words.push_back(std::move(word));
    }
    return words;
}

ApplicationWords base_word_parts(const model::Job& job) {
    // A sweep's keys come from its combination, not from script_args.
    if (!job.sweep) return split_application_words(job.script_args, job.script_options);
    nlohmann::ordered_json base = job.script_args;
    for (const auto& key : job.sweep->keys) base.erase(key);
    return split_application_words(base, job.script_options);
}

std::vector<std::string> base_words(const model::Job& job) {
    ApplicationWords parts = base_word_parts(job);
    parts.options.insert(parts.options.end(), parts.positionals.begin(), parts.positionals.end());
    return parts.options;
}

std::string application_call(const model::Job& job) {
    std::vector<std::vector<std::string>> lines{{util::shell_quote(job.script)}};
    const ApplicationWords parts = base_word_parts(job);
    for (const auto& word : parts.options) lines.push_back({util::shell_quote(word)});
    if (job.sweep) lines.push_back({"\"${milex_sweep[@]}\""});
    for (const auto& word : parts.positionals) lines.push_back({util::shell_quote(word)});
    return continued_lines(lines);
}

namespace {

std::string sweep_block(const model::Job& job) {
    if (!job.sweep) return {};
    const size_t count = job.sweep->combinations.size();
    std::string block = fmt::format(
        "\n# Sweep: array task i runs combination i of {} (MILEX_TASK_ID: parts of a split sweep add their offset)\n"
        "milex_task=$MILEX_TASK_ID\n"
        "case \"$milex_task\" in\n",
        count);
    block.reserve(block.size() + count * 64);
    for (size_t i = 0; i < count; ++i) {
        block += fmt::format("  {}) milex_sweep=(", i);
        bool first = true;
        for (const auto& word : sweep_words(job, i)) {
            if (!first) block += ' ';
            block += util::shell_quote(word);
            first = false;
        }
        block += ") ;;\n";
    }
    block += "  *) echo \"milex: this sweep has no combination $milex_task\" >&2; exit 1 ;;\nesac\n";
    return block;
}

/// The job runs its code snapshot: from the snapshot's `code` folder, which PYTHONPATH leads
/// with (and its src/ when it has one), the snapshot's copy of the executable first on PATH.
std::string snapshot_block(const model::Job& job) {
    if (!job.snapshot) return {};
    const model::Snapshot& s = *job.snapshot;
    std::string block = fmt::format(
        "\n# Code snapshot: commit {}{}, shipped by milex-run to $MILEX/code/{}\n"
        "export MILEX_CODE=\"$MILEX\"/{}\n"
        "cd \"$MILEX_CODE\"/{} || {{ echo \"milex: code snapshot $MILEX_CODE is missing on $(hostname)\" >&2; exit 1; }}\n"
        "export PYTHONPATH=\"$PWD${{PYTHONPATH:+:$PYTHONPATH}}\"\n"
        "[ ! -d src ] || PYTHONPATH=\"$PWD/src:$PYTHONPATH\"\n",
        s.commit, s.dirty ? fmt::format(" with uncommitted changes (diff sha256 {})", s.diff_sha256) : "", s.id(),
        util::shell_quote("code/" + s.id()), util::shell_quote(job.code.empty() ? "." : job.code));
    if (!s.bin.empty()) block += fmt::format("export PATH=\"$MILEX_CODE\"/{}:\"$PATH\"\n", util::shell_quote(s.bin));
    return block;
}

} // namespace

namespace {

/// What every script has: the scheduler's directives, header, MILEX, its environment mapping, modules, env_command, pre-commands.
/// The sections of the end (conversion, container, application) are off until set.
mustache::data script_data(const model::Job& job, const model::Machine& machine, const std::string& bundle,
                           const std::string& version, int attempt) {
    const scheduler::Dialect& dialect = scheduler::dialect_of(machine.scheduler);
    mustache::data directives{mustache::data::type::list};
    for (const auto& line : dialect.directives(job, machine)) directives.push_back(mustache::data("line", line));
    mustache::data modules{mustache::data::type::list};
    for (const auto& module : machine.modules) modules.push_back(mustache::data("module", util::shell_quote(module)));
    mustache::data pre_commands{mustache::data::type::list};
    int number = 0;
    for (const auto& command : job.pre_commands) {
        mustache::data item;
        item.set("command", command);
        item.set("number", std::to_string(++number));
        pre_commands.push_back(item);
    }

    mustache::data data;
    data.set("directives", directives);
    data.set("attempt", std::to_string(attempt));
    data.set("restarts", dialect.restart_count());
    {
        const bool array = job.sweep || model::find_option(job.slurm, "array") != nullptr;
        std::string dir = "\"$MILEX\"/checkpoints/" + util::shell_quote(bundle) + "/" + util::shell_quote(job.name);
        if (array) dir += "/\"$MILEX_TASK_ID\"";
        data.set("checkpoint_dir", dir);
    }
    data.set("environment", dialect.environment());
    data.set("dependency_check", dialect.dependency_check());
    data.set("version", version);
    data.set("job", job.name);
    data.set("bundle", bundle);
    data.set("machine", machine.name);
    data.set("milex_path", util::shell_quote(machine.path));
    data.set("modules", modules);
    if (!machine.env_command.empty()) data.set("env_command", machine.env_command);
    else data.set("env_command", false);
    data.set("has_pre_commands", !job.pre_commands.empty());
    data.set("pre_commands", pre_commands);
    data.set("sweep", sweep_block(job));
    data.set("snapshot", snapshot_block(job));
    data.set("conversion", false);
    data.set("container", false);
    data.set("application", false);
    data.set("long_job", false);
    return data;
}

std::string render_template(const mustache::data& data) {
    static mustache::mustache k_template{job_template()};  // render() is not const
    if (!k_template.is_valid()) throw Error("templates/job.sh.mustache: " + k_template.error_message());
    return k_template.render(data);
}

} // namespace

std::string render_script(const ScriptInput& input) {
    mustache::data data = script_data(input.job, input.machine, input.bundle, input.version, input.attempt);
    const scheduler::Dialect& dialect = scheduler::dialect_of(input.machine.scheduler);
    const auto signal = scheduler::job_signal(scheduler::job_request(input.job, input.machine));
    if (signal) {
        // A job warned before its limit runs its application in the background, so that the
        // script can pass the signal on and wait for the application to save its state.
        mustache::data long_job;
        if (input.job.container) {
            const RuntimeImage image = input.image ? *input.image : direct_image(*input.job.container, input.machine);
            long_job.set("what", fmt::format("Application, in a container run by {}: image {} ({})",
                                             model::runtime_name(input.machine.container_runtime),
                                             input.job.container->image, image.note));
            long_job.set("call", container_call(input.job, input.machine, image));
        } else {
            long_job.set("what", "Application");
            long_job.set("call", application_call(input.job));
        }
        long_job.set("signal", signal->name);
        long_job.set("seconds", std::to_string(signal->seconds));
        long_job.set("attempt_start", input.job.retries > 0 ? dialect.attempt_start(input.job) : "");
        long_job.set("attempt_end", input.job.retries > 0
                                        ? dialect.attempt_end(input.job, signal->name,
                                                              util::shell_path_word(input.lock, "MILEX"))
                                        : "");
        data.set("long_job", long_job);
    } else if (input.job.container) {
        const RuntimeImage image = input.image ? *input.image : direct_image(*input.job.container, input.machine);
        mustache::data container;
        container.set("runtime", model::runtime_name(input.machine.container_runtime));
        container.set("image", input.job.container->image);
        container.set("note", image.note);
        container.set("call", container_call(input.job, input.machine, image));
        data.set("container", container);
    } else {
        data.set("application", application_call(input.job));
    }
    return render_template(data);
}

std::string render_conversion_script(const ConversionInput& input, const model::Machine& machine,
                                     const std::string& bundle, const std::string& version) {
    model::Job job;
    job.name = input.job_name;
    mustache::data data = script_data(job, machine, bundle, version, 1);
    mustache::data conversion;
    conversion.set("runtime", model::runtime_name(machine.container_runtime));
    conversion.set("note", input.note);
    conversion.set("sif", util::shell_path_word(input.sif, "MILEX"));
    conversion.set("build", conversion_call(machine, input.archive));
    data.set("conversion", conversion);
    return render_template(data);
}

} // namespace milex::render
