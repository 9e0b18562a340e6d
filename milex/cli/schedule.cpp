#include <iostream>

#include <fmt/format.h>

#include "milex/cli/commands.hpp"
#include "milex/cli/flags.hpp"
#include "milex/cli/run.hpp"
#include "milex/graph/order.hpp"
#include "milex/introspect/cli_protocol.hpp"
#include "milex/introspect/parser_cache.hpp"
#include "milex/introspect/snapshot.hpp"
#include "milex/introspect/spelling.hpp"
#include "milex/introspect/sweep.hpp"
#include "milex/introspect/verify.hpp"
#include "milex/scheduler/request.hpp"
#include "milex/store/bundle_store.hpp"
#include "milex/util/error.hpp"
#include "milex/util/file.hpp"
#include "milex/util/text.hpp"

namespace milex::cli {

namespace {

struct ScheduleFlags {
    std::string app;
    std::optional<std::string> bundle_name;
    std::optional<std::string> job_name;
    bool append = false;
    std::vector<std::string> dependencies;
    std::vector<std::string> pre_commands;
    bool run_now = false;
    RunFlags run;
    std::vector<std::string> sweep;
    std::optional<std::string> sweep_file;
    std::optional<size_t> array_limit;
    /// key → (flag as typed, value), in the order of the upstream `slurm` section
    std::vector<std::pair<std::string, std::optional<std::string>>> slurm = {
        {"array", {}}, {"tasks", {}}, {"cpus_per_task", {}}, {"gres", {}}, {"gpus", {}},
        {"mem", {}},   {"time", {}},  {"partition", {}}, {"signal", {}},
    };
    bool requeue = false;
    bool no_requeue = false;
    std::optional<int> retries;
    std::vector<std::string> retry_on;
    // The container: a compose-like file, and flags over it.
    std::optional<std::string> container_file;
    std::optional<std::string> image;
    std::vector<std::string> binds;
    std::vector<std::string> container_env;
    std::optional<std::string> workdir;
    // The code snapshot.
    bool snapshot = false;
    bool snapshot_dirty = false;
    std::optional<std::string> code;
};

/// The job's container from --container FILE and the flags over it (--image replaces the
/// file's image, --bind and --container-env add to its lists, --workdir replaces), or nothing
/// when no container flag was given. Every problem is thrown together.
std::optional<model::Container> make_container(const ScheduleFlags& flags) {
    std::optional<model::Container> container;
    if (flags.container_file) {
        auto text = util::read_file(*flags.container_file);
        if (!text) throw UsageError("--container: " + text.error());
        auto document = util::parse_document(*text, *flags.container_file);
        if (!document) throw Error(document.error());
        container = model::container_from_document(*document);
    }
    const bool any_flag = flags.image || !flags.binds.empty() || !flags.container_env.empty() || flags.workdir;
    if (!container && !any_flag) return std::nullopt;
    if (!container) container.emplace();

    std::vector<std::string> problems;
    if (flags.image) {
        if (flags.image->empty() || flags.image->find_first_of(" \t\n") != std::string::npos)
            problems.push_back(fmt::format("--image \"{}\" must name an image, e.g. docker://python:3.11-slim or "
                                           "localhost/train:1",
                                           *flags.image));
        container->image = *flags.image;
    }
    for (const auto& bind : flags.binds) {
        if (auto volume = model::parse_volume(bind)) container->volumes.push_back(*volume);
        else problems.push_back("--bind " + volume.error());
    }
    for (const auto& assignment : flags.container_env) {
        if (auto parsed = model::parse_assignment(assignment)) container->set_environment(parsed->first, parsed->second);
        else problems.push_back("--container-env " + parsed.error());
    }
    if (flags.workdir) {
        if (!flags.workdir->starts_with("/"))
            problems.push_back(fmt::format("--workdir \"{}\" must be an absolute path in the container, such as /work",
                                           *flags.workdir));
        container->working_dir = *flags.workdir;
    }
    if (container->image.empty() && problems.empty())
        problems.push_back("--bind, --container-env and --workdir need an image: give --image (e.g. "
                           "--image docker://python:3.11-slim) or --container FILE");
    if (!problems.empty()) throw Error(problems, 2);
    return container;
}

/// A hint for when the application refused an argument that looks like a misspelt milex flag
/// (it reached the application because milex did not know it).
std::string misspelt_flag_hint(const CLI::App& app, const std::vector<std::string>& app_args) {
    const auto flags = flag_names(app);
    for (const auto& arg : app_args) {
        if (!arg.starts_with("--")) continue;
        const std::string flag = arg.substr(0, arg.find('='));
        if (std::find(flags.begin(), flags.end(), flag) != flags.end()) continue;
        if (auto close = util::closest_match(flag, flags))
            return fmt::format(" ({} went to the application; did you mean milex's {}?)", flag, *close);
    }
    return {};
}

constexpr std::string_view k_milex_prefix = "--milex-";

/// milex's own words among `args` (those before any `--`).
struct OwnWords {
    std::vector<std::string> args;  ///< `args` with each `--milex-NAME` written `--NAME` for CLI11
    std::vector<std::string> bare;  ///< milex's flags typed without --milex- (their name part)
};

/// Every flag of `app` also has the spelling `--milex-NAME` (table-driven: a flag added to the
/// table has it too), which never reaches the application. The others are noted: a bare word
/// that the application's parser also knows is an error (see refuse_shared_words).
OwnWords own_words(const CLI::App& app, const std::vector<std::string>& args) {
    const auto names = flag_names(app);
    OwnWords own;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& word = args[i];
        const std::string name = word.substr(0, word.find('='));
        std::string plain = name;
        if (name.starts_with(k_milex_prefix)) {
            plain = "--" + name.substr(k_milex_prefix.size());
            if (std::find(names.begin(), names.end(), plain) == names.end()) {
                std::vector<std::string> spelled;
                for (const auto& n : names) spelled.push_back(std::string(k_milex_prefix) + n.substr(2));
                throw UsageError(fmt::format("milex-schedule: unknown flag \"{}\"{} (see milex-schedule --help)", name,
                                             util::did_you_mean(name, spelled)));
            }
        } else if (name.starts_with("-") && name != "-h" && name != "--help" && app.get_option_no_throw(name) != nullptr) {
            own.bare.push_back(name);
        }
        own.args.push_back(plain + word.substr(name.size()));
        // A sweep option may be written with its dashes (--sweep --n=1,2), which CLI11 would
        // take for a flag.
        if (plain == "--sweep" && name == word && i + 1 < args.size() && args[i + 1].starts_with("-"))
            own.args.back() += "=" + args[++i];
    }
    return own;
}

/// A word milex took as its own that the application's parser also accepts is refused, with
/// both meanings and both ways to write it. Without a parser map, an answer key named like the
/// flag (`dry_run` for --dry-run) counts as the application's too.
void refuse_shared_words(const CLI::App& app, const std::string& application, const std::vector<std::string>& bare,
                         const introspect::ParserMap* map, const nlohmann::ordered_json& answer) {
    for (const auto& word : bare) {
        std::string theirs;
        if (map) {
            if (const auto* option = map->find(word))
                theirs = fmt::format("{}'s option {}{}", application, util::join(option->strings, ", "),
                                     option->help.empty() ? "" : " (" + option->help + ")");
        } else {
            std::string dest = word.substr(word.find_first_not_of('-'));
            std::replace(dest.begin(), dest.end(), '-', '_');
            if (answer.is_object() && answer.contains(dest))
                theirs = fmt::format("an option of {} (its -cli reports \"{}\")", application, dest);
        }
        if (theirs.empty()) continue;
        const CLI::Option* ours = app.get_option_no_throw(word);
        throw UsageError(fmt::format(
            "milex-schedule: {} is both milex's flag ({}) and {}; for the application write it after -- "
            "(milex-schedule {} … -- {}), for milex write {}{}",
            word, ours ? ours->get_description() : "", theirs, application, word, k_milex_prefix,
            word.substr(word.find_first_not_of('-'))));
    }
}

model::Job make_job(const ScheduleFlags& flags, nlohmann::ordered_json script_args,
                    nlohmann::ordered_json script_options, std::optional<model::Container> container) {
    model::Job job;
    job.name = flags.job_name.value_or(flags.app);
    job.script = flags.app;
    job.script_args = std::move(script_args);
    job.script_options = std::move(script_options);
    job.dependencies = flags.dependencies;
    job.pre_commands = flags.pre_commands;
    for (const auto& [key, value] : flags.slurm)
        if (value) job.slurm.push_back({key, *value});
    if (flags.requeue || flags.no_requeue) job.slurm.push_back({"requeue", flags.requeue ? "true" : "false"});
    job.retries = flags.retries.value_or(0);
    if (!flags.retry_on.empty()) job.retry_on = *model::parse_retry_on(flags.retry_on);  // checked before
    job.container = std::move(container);
    return job;
}

} // namespace

int schedule_command(const Args& all_args) {
    CLI::App app{"Describe a job with its application's -cli and save it in a bundle.\n"
                 "Every argument milex does not know goes, in order, to the application; after -- all of them do.",
                 "milex-schedule"};
    ScheduleFlags flags;
    app.add_option("application", flags.app, "the application; APPLICATION-cli must be on PATH")->required();
    app.add_option("--name", flags.bundle_name, "bundle name (default: the application's name)");
    app.add_option("--job_name,--job-name", flags.job_name, "job name in the bundle (default: the application's name)");
    app.add_flag("--append", flags.append, "add the job to the newest bundle of that name instead of a new bundle");
    app.add_option("--dependencies", flags.dependencies, "jobs of the bundle this job runs after")->expected(1, -1);
    app.add_option("--pre-commands,--pre_commands", flags.pre_commands, "shell commands run before the application")
        ->expected(1, -1);
    for (auto& [key, value] : flags.slurm) {
        std::string names = "--" + key;
        if (key.find('_') != std::string::npos) {
            std::string dashed = key;
            std::replace(dashed.begin(), dashed.end(), '_', '-');
            names += ",--" + dashed;
        }
        app.add_option(names, value)->group("SLURM (the job's resources)");
    }
    const std::string long_group = "Long jobs (signals, requeue, retries on the cluster)";
    app.get_option("--signal")->description("SIGNAL@SECONDS: the application gets SIGNAL that long before the time limit, "
                                            "e.g. USR1@300")->group(long_group);
    app.add_flag("--requeue", flags.requeue, "let the scheduler queue the job again when it is preempted or its node fails")
        ->group(long_group);
    app.add_flag("--no-requeue,--no_requeue", flags.no_requeue, "never let the scheduler queue the job again")
        ->group(long_group);
    app.add_option("--retries", flags.retries, "run the job again on the cluster, up to N times, when it ends in a "
                                               "--retry-on state")
        ->group(long_group);
    app.add_option("--retry-on,--retry_on", flags.retry_on, "timeout,preempted,node_fail (the default: all three)")
        ->delimiter(',')
        ->group(long_group);
    app.add_option("--sweep", flags.sweep, "option=v1,v2,…: run every combination as one array job (repeatable)")
        ->expected(1)
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->group("Sweeps");
    app.add_option("--sweep-file,--sweep_file", flags.sweep_file,
                   "YAML of option: [values] (the grid) and/or combinations: [{option: value}]")
        ->group("Sweeps");
    app.add_option("--array-limit,--array_limit", flags.array_limit, "run at most N tasks of the array at once")
        ->group("Sweeps");
    const std::string container_group = "Container (the job runs in an image)";
    app.add_option("--container", flags.container_file,
                   "YAML or JSON file with image, command, entrypoint, environment, volumes, working_dir, gpus")
        ->group(container_group);
    app.add_option("--image", flags.image, "docker://REF, an image of podman/docker here, or a .sif file")
        ->group(container_group);
    app.add_option("--bind", flags.binds, "SOURCE:TARGET[:ro]; a relative SOURCE is under $MILEX (repeatable)")
        ->group(container_group)
        ->expected(1)
        ->take_all();
    app.add_option("--container-env,--container_env", flags.container_env, "NAME=value in the container (repeatable)")
        ->group(container_group)
        ->expected(1)
        ->take_all();
    app.add_option("--workdir", flags.workdir, "working directory in the container")->group(container_group);
    const std::string snapshot_group = "Code snapshot (the job runs the code as it is now)";
    app.add_flag("--snapshot", flags.snapshot,
                 "record the commit of the application's code; milex-run ships it and the job runs from it")
        ->group(snapshot_group);
    app.add_flag("--snapshot-dirty,--snapshot_dirty", flags.snapshot_dirty,
                 "--snapshot of a tree with uncommitted changes: ships it as it is, its diff's SHA-256 recorded")
        ->group(snapshot_group);
    app.add_option("--code", flags.code,
                   "with --snapshot: the code's folder in its git work tree (default: the project of an editable pip "
                   "install, else the tree of the executable)")
        ->group(snapshot_group);
    app.add_flag("--run-now,--run_now,--submit", flags.run_now, "submit the bundle to --machine right away");
    flags.run.machine.add_to(app);
    app.add_flag("--dry-run,--dry_run", flags.run.dry_run, "with --run-now: print what would be submitted");
    app.add_flag("--again", flags.run.again, "with --run-now: submit even if this bundle ran there before");
    app.add_flag("--no-verify,--no_verify", flags.run.no_verify,
                 "skip the round trip (APP-cli re-reading the words the batch script will use)");
    app.footer("Every flag can also be written --milex-NAME (--milex-dry-run, --milex-time=10): that spelling is "
               "always milex's, never the application's. A flag of milex that the application's parser also "
               "accepts is refused unless written so (or after -- for the application).");

    // Everything after "--" belongs to the application, whatever it looks like.
    auto split = std::find(all_args.begin(), all_args.end(), "--");
    const OwnWords own = own_words(app, std::vector<std::string>(all_args.begin(), split));
    std::vector<std::string> app_args;
    if (auto done = parse(app, own.args, app_args)) return *done;
    if (split != all_args.end()) app_args.insert(app_args.end(), split + 1, all_args.end());

    std::vector<std::string> problems;
    if (auto wrong = model::name_problem(flags.bundle_name.value_or(flags.app), "bundle"); !wrong.empty())
        problems.push_back("--name: " + wrong);
    if (auto wrong = model::name_problem(flags.job_name.value_or(flags.app), "job"); !wrong.empty())
        problems.push_back("--job_name: " + wrong);
    for (const auto& [key, value] : flags.slurm) {
        if (!value) continue;
        if (auto wrong = model::check_slurm_value(key, *value)) problems.push_back(fmt::format("--{} {}", key, *wrong));
    }
    const bool snapshot = flags.snapshot || flags.snapshot_dirty;
    if (flags.code && !snapshot) problems.push_back("--code goes with --snapshot (or --snapshot-dirty)");
    if (flags.requeue && flags.no_requeue) problems.push_back("give --requeue or --no-requeue, not both");
    if (flags.retries && (*flags.retries < 0 || *flags.retries > 100))
        problems.push_back(fmt::format("--retries {} must be a whole number from 0 to 100", *flags.retries));
    if (!flags.retry_on.empty()) {
        if (auto reasons = model::parse_retry_on(flags.retry_on); !reasons) problems.push_back("--retry-on " + reasons.error());
        else if (flags.retries.value_or(0) == 0) problems.push_back("--retry-on goes with --retries N (how many times to retry)");
    }
    if (!problems.empty()) throw Error(problems, 2);
    std::optional<model::Container> container = make_container(flags);
    if (container && snapshot)
        throw UsageError("milex-schedule: --snapshot does not go with a container job; bind the code into the "
                         "container instead (--bind)");

    const model::Config config = load_config();
    if (flags.run_now) flags.run.machine.resolve(config);  // an unknown --machine stops us before anything is written

    const auto timeout = introspect::cli_timeout();
    const size_t cli_jobs = introspect::cli_jobs();
    std::optional<introspect::SweepSpec> sweep_spec;
    if (!flags.sweep.empty() && flags.sweep_file)
        throw UsageError("milex-schedule: give the sweep with --sweep or with --sweep-file, not both");
    if (!flags.sweep.empty()) sweep_spec = introspect::sweep_from_flags(flags.sweep);
    if (flags.sweep_file) sweep_spec = introspect::sweep_from_file(*flags.sweep_file);
    if (sweep_spec) {
        if (flags.array_limit) sweep_spec->limit = *flags.array_limit;
        if (std::any_of(flags.slurm.begin(), flags.slurm.end(), [](const auto& o) { return o.first == "array" && o.second; }))
            throw UsageError("milex-schedule: a sweep is an array of its own; leave out --array (--array-limit caps it)");
    } else if (flags.array_limit) {
        throw UsageError("milex-schedule: --array-limit goes with --sweep or --sweep-file (for --array, write 0-99%10)");
    }
    model::Job job = make_job(flags, nullptr, nullptr, std::move(container));
    // Retries that contradict the request are refused now, not when the bundle is run.
    if (auto problem = scheduler::retry_problem(job, job.slurm)) throw UsageError(*problem);
    // The application's parser, learnt from its --help once and cached: it says which typed
    // word sets which key, and which of milex's words the application would take too.
    const std::filesystem::path parsers_dir = config.local().path + "/cache/parsers";
    introspect::LearntParser parser = introspect::learn_parser(flags.app, parsers_dir, timeout);
    auto describe = [&] {
        const introspect::ParserMap* map = parser.map ? &*parser.map : nullptr;
        if (map) refuse_shared_words(app, flags.app, own.bare, map, nullptr);
        try {
            if (sweep_spec) {
                introspect::describe_sweep(job, app_args, *sweep_spec, timeout, map, cli_jobs);
            } else {
                job.script_args = introspect::describe_arguments(flags.app, app_args, timeout);
                job.script_options = introspect::infer_spellings(app_args, job.script_args, map);
            }
        } catch (const Error& e) {
            throw Error(e.lines().front() + misspelt_flag_hint(app, app_args)).with_details(e.details());
        }
        if (!map) refuse_shared_words(app, flags.app, own.bare, nullptr, job.script_args);
    };
    describe();
    if (parser.from_cache && !parser.knows(job.script_args)) {
        // An answer with a key the cached map never saw: the parser changed; learn it again.
        parser = introspect::learn_parser(flags.app, parsers_dir, timeout, introspect::Relearn::always);
        describe();
    }

    if (!flags.run.no_verify && job.sweep) {
        introspect::verify_round_trip(job, timeout);
        job.verified = introspect::job_fingerprint(job);
    } else if (!flags.run.no_verify) {
        try {
            introspect::verify_round_trip(job, timeout);
        } catch (const Error& first) {
            // The spellings may have been guessed wrong where the upstream rendering is right
            // (an application whose options are spelled like their dests): try that before
            // giving up, and report the first failure if it fails too.
            model::Job upstream = job;
            upstream.script_options = nullptr;
            bool upstream_agrees = true;
            try {
                introspect::verify_round_trip(upstream, timeout);
            } catch (const Error&) {
                upstream_agrees = false;
            }
            if (!upstream_agrees)
                throw Error(fmt::format("{}; typed as: {} (write that key the way `{}-cli --help` spells it, e.g. "
                                        "its long option as --option=value)",
                                        first.lines().front(), util::excerpt(util::join(app_args, " "), 100),
                                        flags.app))
                    .with_details(first.details());
            job = std::move(upstream);
        }
        job.verified = introspect::job_fingerprint(job);
    }

    if (snapshot) {
        // After every check of the job, before its bundle: a refused tree leaves no bundle.
        const introspect::CodeTree tree = introspect::find_code_tree(flags.app, flags.code);
        const introspect::TakenSnapshot taken = introspect::take_snapshot(
            tree, flags.snapshot_dirty ? introspect::Dirty::allow : introspect::Dirty::refuse, config.local().path + "/code");
        job.code = tree.code;
        job.snapshot = taken.snapshot;
        std::cout << fmt::format("milex-schedule: code snapshot {} of {} (found by {}){}{}\n", taken.snapshot.id(),
                                 tree.root.string(), tree.found_by,
                                 taken.branch.empty() ? "" : ", branch " + taken.branch,
                                 taken.snapshot.dirty ? ", with its uncommitted changes" : "");
    }

    const std::string jobs_dir = config.local().path + "/jobs";
    if (auto made = util::make_directories(jobs_dir); !made)
        throw Error(fmt::format("machine \"local\": {}; fix its \"path\" with milex-configuration", made.error()));
    store::BundleStore bundles(jobs_dir);
    const std::string bundle_name = flags.bundle_name.value_or(flags.app);
    const auto now = std::chrono::system_clock::now();
    std::filesystem::path written;
    std::string job_name = job.name;
    if (flags.append) {
        const auto clash = flags.job_name ? store::NameClash::refuse : store::NameClash::rename;
        auto result = bundles.append(
            bundle_name,
            [&](const model::Bundle& bundle) {
                graph::check_dependencies(bundle, job, bundle_name);
                return job;
            },
            clash, now);
        written = result.path;
        job_name = result.job_name;
        if (job_name != job.name)
            std::cerr << fmt::format("milex-schedule: bundle \"{}\" already has a job \"{}\"; this one is \"{}\"\n",
                                     bundle_name, job.name, job_name);
    } else {
        graph::check_dependencies(model::Bundle{}, job, bundle_name);
        model::Bundle bundle;
        bundle.jobs.push_back(job);
        written = bundles.create(bundle_name, bundle, now).path;
    }
    // Only now: a refused job leaves no file behind, not even the parser's.
    introspect::remember_parser(flags.app, parser, job.script_args, parsers_dir);
    std::cout << fmt::format("milex-schedule: saved job \"{}\" in {}\n", job_name, model::display_path(written))
              << std::flush;

    if (flags.run_now) return run_bundle(config, written.string(), flags.run);
    return 0;
}

} // namespace milex::cli
