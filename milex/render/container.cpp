#include "milex/render/container.hpp"

#include "milex/scheduler/request.hpp"

#include <fmt/format.h>

#include "milex/render/arguments.hpp"
#include "milex/render/script.hpp"
#include "milex/util/error.hpp"
#include "milex/util/shell.hpp"
#include "milex/util/text.hpp"

namespace milex::render {

namespace {

using model::ContainerRuntime;

bool apptainer_like(ContainerRuntime runtime) {
    return runtime == ContainerRuntime::apptainer || runtime == ContainerRuntime::singularity;
}

std::string word(std::string_view text) { return util::shell_quote(text); }

/// Two bash words as one: `'a'` and `'b'` become `'ab'` rather than `'a''b'`.
std::string joined_words(const std::string& first, const std::string& second) {
    if (first.ends_with('\'') && second.starts_with('\'')) return first.substr(0, first.size() - 1) + second.substr(1);
    return first + second;
}

/// A bind: the source as a path word, then `:TARGET[:ro]` as it is.
std::string volume_word(const model::Volume& volume) {
    return joined_words(util::shell_path_word(volume.source, "MILEX"),
                        word(":" + volume.target + (volume.read_only ? ":ro" : "")));
}

} // namespace

std::string continued_lines(const std::vector<std::vector<std::string>>& groups) {
    std::string out;
    for (const auto& group : groups) {
        if (group.empty()) continue;
        if (!out.empty()) out += " \\\n  ";
        out += util::join(group, " ");
    }
    return out;
}

RuntimeImage direct_image(const model::Container& container, const model::Machine& machine) {
    const std::string& image = container.image;
    const auto runtime = machine.container_runtime;
    const char* name = model::runtime_name(runtime);
    switch (model::image_kind(image)) {
    case model::ImageKind::pulled:
        if (apptainer_like(runtime)) return {image, false, "pulled by " + std::string(name)};
        if (!image.starts_with("docker://"))
            throw Error(fmt::format("image \"{}\" is for apptainer or singularity; {} on machine \"{}\" takes "
                                    "docker://… references and image names",
                                    image, name, machine.name));
        if (runtime == ContainerRuntime::docker) return {image.substr(9), false, "pulled by docker"};
        return {image, false, "pulled by podman"};
    case model::ImageKind::file:
        if (apptainer_like(runtime)) return {image, true, "an image file"};
        throw Error(fmt::format("image \"{}\" is an Apptainer image file, which {} on machine \"{}\" cannot run; use "
                                "an image name or a docker://… reference",
                                image, name, machine.name));
    case model::ImageKind::local:
        if (!apptainer_like(runtime)) return {image, false, "used as it is named"};
        throw Error(fmt::format("image \"{}\" must be converted for {} on machine \"{}\" first", image, name,
                                machine.name));
    }
    return {image, false, ""};
}

std::string container_call(const model::Job& job, const model::Machine& machine, const RuntimeImage& image) {
    if (!job.container) throw Error(fmt::format("job \"{}\" has no container", job.name));
    const model::Container& c = *job.container;
    const auto runtime = machine.container_runtime;
    const std::string program = model::runtime_name(runtime);
    if (program.empty())
        throw Error(fmt::format("machine \"{}\" has no \"container_runtime\"", machine.name));
    const bool apptainer = apptainer_like(runtime);

    std::vector<std::vector<std::string>> groups;
    if (apptainer && !c.environment.empty()) {
        // env(1) sets APPTAINERENV_NAME for the runtime, which hands NAME to the container.
        groups.push_back({word("env")});
        const std::string prefix = runtime == ContainerRuntime::apptainer ? "APPTAINERENV_" : "SINGULARITYENV_";
        for (const auto& [name, value] : c.environment) groups.push_back({word(prefix + name + "=" + value)});
    }
    if (apptainer) groups.push_back({word(program), word("exec")});
    else groups.push_back({word(program), word("run"), word("--rm")});

    std::vector<std::string> options;
    for (const auto& option : machine.container_options) options.push_back(word(option));
    groups.push_back(std::move(options));

    if (model::wants_gpus(c, scheduler::job_request(job, machine))) {
        if (apptainer) groups.push_back({word("--nv")});
        else if (runtime == ContainerRuntime::podman) groups.push_back({word("--device"), word("nvidia.com/gpu=all")});
        else groups.push_back({word("--gpus"), word("all")});
    }
    for (const auto& volume : c.volumes) {
        const std::string flag = apptainer ? "--bind" : "-v";
        groups.push_back({word(flag), volume_word(volume)});
    }
    if (!apptainer)
        for (const auto& [name, value] : c.environment) groups.push_back({word("-e"), word(name + "=" + value)});
    if (!c.working_dir.empty()) groups.push_back({word(apptainer ? "--pwd" : "-w"), word(c.working_dir)});

    std::vector<std::string> command = c.entrypoint;
    if (!apptainer && !command.empty()) {
        // docker and podman take the entrypoint's program as an option, its arguments after the image.
        groups.push_back({word("--entrypoint"), word(command.front())});
        command.erase(command.begin());
    }
    groups.push_back({image.path ? util::shell_path_word(image.reference, "MILEX") : word(image.reference)});

    ApplicationWords words;
    if (!c.command.empty()) {
        command.insert(command.end(), c.command.begin(), c.command.end());
    } else {
        command.push_back(job.script);
        words = base_word_parts(job);
        command.insert(command.end(), words.options.begin(), words.options.end());
    }
    for (const auto& part : command) groups.push_back({word(part)});
    // A sweep task's own words, chosen by the script before the call, then the positionals.
    if (job.sweep && c.command.empty()) groups.push_back({"\"${milex_sweep[@]}\""});
    for (const auto& part : words.positionals) groups.push_back({word(part)});
    return continued_lines(groups);
}

std::string conversion_call(const model::Machine& machine, const std::string& archive) {
    const std::string program = model::runtime_name(machine.container_runtime);
    return util::join({word(program), word("build"), "\"$milex_sif.part.$$\"",
                       joined_words(word("docker-archive://"), util::shell_path_word(archive, "MILEX"))},
                      " ");
}

} // namespace milex::render
