#include "milex/submit/containers.hpp"

#include "milex/scheduler/request.hpp"

#include <unistd.h>

#include <map>
#include <set>

#include <fmt/format.h>

#include "milex/render/script.hpp"
#include "milex/util/error.hpp"
#include "milex/util/file.hpp"
#include "milex/util/shell.hpp"
#include "milex/util/text.hpp"

namespace milex::submit {

namespace {

using model::ContainerRuntime;

constexpr std::chrono::seconds k_check_timeout{120};
constexpr std::chrono::minutes k_load_timeout{30};

bool apptainer_like(ContainerRuntime runtime) {
    return runtime == ContainerRuntime::apptainer || runtime == ContainerRuntime::singularity;
}

std::string short_id(const std::string& id) { return id.substr(0, 12); }

/// Which of `paths` (rendered like bind sources: `~`, `$VAR` and relative paths expand as on
/// the node, under the machine's `$MILEX`) are missing on the machine, in one shell call.
/// Returns, for each missing one, its index and the path it expanded to (empty when a
/// variable was not set there).
std::map<size_t, std::string> missing_paths(transport::Transport& transport, const model::Machine& machine,
                                            const std::vector<std::string>& paths) {
    std::map<size_t, std::string> missing;
    if (paths.empty()) return missing;
    std::string script = "MILEX=" + util::shell_quote(machine.path) + "; export MILEX\n";
    for (size_t i = 0; i < paths.size(); ++i)
        script += fmt::format("p=$( {{ printf '%s' {}; }} 2>/dev/null ); [ -n \"$p\" ] && [ -e \"$p\" ] || printf "
                              "'%s\\t%s\\0' {} \"$p\"\n",
                              util::shell_path_word(paths[i], "MILEX"), i);
    auto result = transport.run({"sh", "-c", script}, k_check_timeout);
    if (!result.succeeded())
        throw Error(fmt::format("cannot check the container paths on machine \"{}\": sh {}: {}", machine.name,
                                result.describe_end(k_check_timeout), util::last_line(result.err)));
    for (const auto& entry : util::split(result.out, '\0')) {
        const size_t tab = entry.find('\t');
        if (tab == std::string::npos) continue;
        missing[std::stoul(entry.substr(0, tab))] = entry.substr(tab + 1);
    }
    return missing;
}

/// Collects the problems and the facts of one planning pass.
class Planner {
public:
    Planner(const model::Bundle& bundle, const model::Machine& machine, transport::Transport* transport,
            image::LocalImages* local_images)
        : m_bundle(bundle), m_machine(machine), m_transport(transport), m_local(local_images) {}

    ContainerPlan plan() {
        std::vector<const model::Job*> jobs;
        for (const auto& job : m_bundle.jobs)
            if (job.container) jobs.push_back(&job);
        ContainerPlan out;
        if (jobs.empty()) return out;
        if (m_local) out.engine = m_local->engine();
        const char* runtime = model::runtime_name(m_machine.container_runtime);
        if (m_machine.container_runtime == ContainerRuntime::none) {
            throw Error(fmt::format("job \"{}\" runs in a container, but machine \"{}\" has no \"container_runtime\"; "
                                    "set one (apptainer, singularity, podman or docker), e.g. milex-configuration --set "
                                    "{}.container_runtime=apptainer",
                                    jobs.front()->name, m_machine.name, m_machine.name));
        }
        std::set<std::string> seen;
        for (const model::Job* job : jobs) {
            if (model::wants_gpus(*job->container, scheduler::job_request(*job, m_machine)) &&
                !m_machine.gpus_in_containers())
                m_problems.push_back(fmt::format(
                    "job \"{}\" asks for GPUs in its container, but {} on machine \"{}\" has no GPU support "
                    "(\"container_gpus\" is false); install the NVIDIA Container Toolkit there and set "
                    "\"container_gpus\": true, or give the container \"gpus\": false",
                    job->name, runtime, m_machine.name));
            if (seen.insert(job->container->image).second) image(*job, out);
            for (const auto& volume : job->container->volumes) bind(*job, volume.source);
        }
        check_paths(out);
        if (!m_problems.empty()) throw Error(m_problems);
        return out;
    }

private:
    void image(const model::Job& job, ContainerPlan& out) {
        const std::string& name = job.container->image;
        ImagePlan plan;
        plan.image = name;
        if (model::image_kind(name) != model::ImageKind::local || !apptainer_like(m_machine.container_runtime)) {
            try {
                plan.runtime_image = render::direct_image(*job.container, m_machine);
            } catch (const Error& e) {
                m_problems.push_back(fmt::format("job \"{}\": {}", job.name, e.what()));
                return;
            }
        }
        if (model::image_kind(name) == model::ImageKind::local) {
            if (!m_local) {
                m_problems.push_back(fmt::format("job \"{}\": image \"{}\" is an image of podman or docker, but neither "
                                                 "is installed here; install podman, or use a docker://… reference",
                                                 job.name, name));
                return;
            }
            auto id = m_local->id(name);
            if (!id) {
                m_problems.push_back(fmt::format("job \"{}\": image \"{}\" is not among this host's {} images; build or "
                                                 "pull it first (or use a docker://… reference)",
                                                 job.name, name, m_local->engine()));
                return;
            }
            plan.id = *id;
            plan.archive = fmt::format("{}/{}.tar", m_machine.container_cache, plan.id);
            if (apptainer_like(m_machine.container_runtime)) {
                plan.sif = fmt::format("{}/{}.sif", m_machine.container_cache, plan.id);
                plan.runtime_image = {plan.sif, true,
                                      fmt::format("{} = {} image {}, converted once per image id", name,
                                                  m_local->engine(), short_id(plan.id))};
                plan.convert = plan.copy = true;  // until the machine says it has them
                m_cache_checks.push_back({out.images.size(), plan.sif});
                m_cache_checks.push_back({out.images.size(), plan.archive});
            } else if (m_machine.remote()) {
                plan.load = plan.copy = true;
                m_cache_checks.push_back({out.images.size(), plan.archive});
            }
        }
        out.images.push_back(std::move(plan));
    }

    void bind(const model::Job& job, const std::string& source) {
        if (m_bind_seen.insert(source).second) m_binds.push_back({job.name, source});
    }

    /// Asks the machine, in one call, about every bind source and cached file.
    void check_paths(ContainerPlan& out) {
        if (!m_transport) return;
        std::vector<std::string> paths;
        for (const auto& [job, source] : m_binds) paths.push_back(source);
        for (const auto& check : m_cache_checks) paths.push_back(check.path);
        const auto missing = missing_paths(*m_transport, m_machine, paths);
        for (size_t i = 0; i < m_binds.size(); ++i) {
            auto it = missing.find(i);
            if (it == missing.end()) continue;
            const auto& [job, source] = m_binds[i];
            const std::string where = it->second.empty() ? "a variable in it is not set there" : it->second;
            m_problems.push_back(fmt::format("job \"{}\": bind source \"{}\" does not exist on machine \"{}\" ({}); "
                                             "create it or fix the container's \"volumes\"",
                                             job, source, m_machine.name, where));
        }
        for (size_t k = 0; k < m_cache_checks.size(); ++k) {
            const bool present = !missing.count(m_binds.size() + k);
            ImagePlan& plan = out.images[m_cache_checks[k].image];
            if (m_cache_checks[k].path == plan.sif && present) plan.convert = plan.copy = false;
            if (m_cache_checks[k].path == plan.archive && present) plan.copy = false;
        }
        // A remote podman/docker may hold the image already, under any name.
        for (auto& plan : out.images) {
            if (!plan.load) continue;
            auto has = m_transport->run({model::runtime_name(m_machine.container_runtime), "image", "inspect", "--format",
                                         "{{.Id}}", plan.id},
                                        k_check_timeout);
            if (has.succeeded()) plan.load = plan.copy = false;
        }
    }

    struct CacheCheck {
        size_t image;
        std::string path;
    };

    const model::Bundle& m_bundle;
    const model::Machine& m_machine;
    transport::Transport* m_transport;
    image::LocalImages* m_local;
    std::vector<std::string> m_problems;
    std::set<std::string> m_bind_seen;
    std::vector<std::pair<std::string, std::string>> m_binds;  ///< (first job, source)
    std::vector<CacheCheck> m_cache_checks;
};

} // namespace

std::string ImagePlan::conversion_job() const { return "milex-convert-" + short_id(id); }

std::string ImagePlan::summary(const model::Machine& machine, const std::string& engine) const {
    const char* runtime = model::runtime_name(machine.container_runtime);
    if (id.empty()) return runtime_image.note;
    if (!sif.empty()) {
        if (!convert) return fmt::format("reusing the cached {} (image id {})", sif, short_id(id));
        if (!copy)
            return fmt::format("{} is in the cache already; job {} converts it to {}", archive, conversion_job(), sif);
        return fmt::format("export with {} save, copy to {}, then job {} converts it to {}", engine, archive,
                           conversion_job(), sif);
    }
    if (!machine.remote()) return fmt::format("{}'s image here (id {}), used as it is", runtime, short_id(id));
    if (!load) return fmt::format("{} on machine \"{}\" has it already (id {})", runtime, machine.name, short_id(id));
    if (!copy) return fmt::format("{} is in the cache already; {} load reads it", archive, runtime);
    return fmt::format("export with {} save, copy to {}, then {} load", engine, archive, runtime);
}

const ImagePlan& ContainerPlan::of(const std::string& image) const {
    for (const auto& plan : images)
        if (plan.image == image) return plan;
    throw Error(fmt::format("image \"{}\" was not planned", image));
}

ContainerPlan plan_containers(const model::Bundle& bundle, const model::Machine& machine,
                              transport::Transport* transport, image::LocalImages* local_images) {
    return Planner(bundle, machine, transport, local_images).plan();
}

void prepare_images(const ContainerPlan& containers, const model::Machine& machine, transport::Transport& transport,
                    image::LocalImages* local_images, const std::string& scratch_dir,
                    const std::function<void(const std::string&)>& step) {
    const char* runtime = model::runtime_name(machine.container_runtime);
    bool made_cache = false;
    for (const auto& plan : containers.images) {
        if (plan.copy) {
            if (!local_images) throw Error(fmt::format("image \"{}\" cannot be exported: no podman or docker here", plan.image));
            if (auto made = util::make_directories(scratch_dir); !made) throw Error(made.error());
            if (!made_cache) {
                transport.make_directories(machine.container_cache);
                made_cache = true;
            }
            const std::string exported = fmt::format("{}/{}.{}.tar", scratch_dir, plan.id, ::getpid());
            step(fmt::format("exporting {} with {} save", plan.image, local_images->engine()));
            try {
                local_images->save(plan.image, exported);
                step(fmt::format("copying {} to {} on machine \"{}\"", plan.image, plan.archive, machine.name));
                transport.copy_file(exported, plan.archive);
            } catch (...) {
                std::error_code ec;
                std::filesystem::remove(exported, ec);
                throw;
            }
            std::error_code ec;
            std::filesystem::remove(exported, ec);
        }
        if (plan.load) {
            step(fmt::format("loading {} into {} on machine \"{}\"", plan.image, runtime, machine.name));
            auto loaded = transport.run({runtime, "load", "--input", plan.archive}, k_load_timeout);
            if (!loaded.succeeded())
                throw Error(fmt::format("{} load of {} on machine \"{}\" {}: {}", runtime, plan.archive, machine.name,
                                        loaded.describe_end(k_load_timeout), util::last_line(loaded.err)));
        }
    }
}

} // namespace milex::submit
