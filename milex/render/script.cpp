#include "milex/render/script.hpp"

#include <kainjow/mustache.hpp>

#include "milex/render/arguments.hpp"
#include "milex/util/shell.hpp"
#include "milex/util/error.hpp"

namespace milex::render {

namespace mustache = kainjow::mustache;

extern const char* const k_job_template;  // generated from templates/job.sh.mustache

const std::string& job_template() {
    static const std::string text = k_job_template;
    return text;
}

model::SlurmOptions script_options(const model::Job& job, const model::Machine& machine) {
    model::SlurmOptions options;
    options.push_back({"job_name", job.name});
    const bool array = model::find_option(job.slurm, "array") != nullptr;
    // Logs beside the scripts unless the job says otherwise; array tasks each get their own.
    options.push_back({"output", machine.path + (array ? "/slurm/%x-%A_%a.out" : "/slurm/%x-%j.out")});
    if (!machine.slurm_account.empty()) options.push_back({"account", machine.slurm_account});
    if (!machine.partition.empty()) options.push_back({"partition", machine.partition});
    return model::merged(model::merged(options, machine.sbatch), job.slurm);
}

std::string application_call(const model::Job& job) {
    std::string call = util::shell_quote(job.script);
    for (const auto& word : application_words(job.script_args, job.script_options)) {
        call += " \\\n  ";
        call += util::shell_quote(word);
    }
    return call;
}

std::string render_script(const ScriptInput& input) {
    static mustache::mustache k_template{job_template()};  // render() is not const
    if (!k_template.is_valid()) throw Error("templates/job.sh.mustache: " + k_template.error_message());

    mustache::data sbatch{mustache::data::type::list};
    for (const auto& option : script_options(input.job, input.machine)) {
        mustache::data line;
        line.set("option", model::sbatch_option(option.key));
        line.set("value", option.value);
        sbatch.push_back(line);
    }
    mustache::data modules{mustache::data::type::list};
    for (const auto& module : input.machine.modules) modules.push_back(mustache::data("module", util::shell_quote(module)));
    mustache::data pre_commands{mustache::data::type::list};
    int number = 0;
    for (const auto& command : input.job.pre_commands) {
        mustache::data item;
        item.set("command", command);
        item.set("number", std::to_string(++number));
        pre_commands.push_back(item);
    }

    mustache::data data;
    data.set("sbatch", sbatch);
    data.set("version", input.version);
    data.set("job", input.job.name);
    data.set("bundle", input.bundle);
    data.set("machine", input.machine.name);
    data.set("milex_path", util::shell_quote(input.machine.path));
    data.set("modules", modules);
    if (!input.machine.env_command.empty()) data.set("env_command", input.machine.env_command);
    else data.set("env_command", false);
    data.set("has_pre_commands", !input.job.pre_commands.empty());
    data.set("pre_commands", pre_commands);
    data.set("application", application_call(input.job));
    return k_template.render(data);
}

} // namespace milex::render
