#include "milex/introspect/verify.hpp"

#include <set>

#include <fmt/format.h>

#include "milex/introspect/cli_protocol.hpp"
#include "milex/render/arguments.hpp"
#include "milex/render/script.hpp"
#include "milex/util/error.hpp"
#include "milex/util/hash.hpp"
#include "milex/util/text.hpp"

namespace milex::introspect {

using nlohmann::ordered_json;

namespace {

std::string shown(const std::vector<std::string>& words) {
    return words.empty() ? std::string("nothing") : util::excerpt(util::join(words, " "), 100);
}

/// The key whose rendered words the -cli's complaint quotes, if one does.
std::string key_named_in(const std::string& complaint, const model::Job& job) {
    for (const auto& [key, value] : job.script_args.items()) {
        for (const auto& word : render::words_for_key(job.script_args, job.script_options, key))
            if (!word.empty() && complaint.find(word) != std::string::npos) return key;
    }
    return {};
}

} // namespace

std::string job_fingerprint(const model::Job& job) {
    return "sha256:" + util::sha256_hex(job.script + "\n" + job.script_args.dump() + "\n" + job.script_options.dump() +
                                        (job.sweep ? "\n" + job.sweep->to_json().dump() : ""));
}

namespace {

/// A sweep is checked at its first and last combination: the application accepts the words
/// of each, and reads every key that is not swept as the bundle says.
void verify_sweep(const model::Job& job, std::chrono::milliseconds timeout, const std::string& context) {
    ordered_json base = job.script_args;
    for (const auto& key : job.sweep->keys) base.erase(key);
    const size_t last = job.sweep->combinations.size() - 1;
    for (size_t c : {size_t{0}, last}) {
        const render::ApplicationWords parts = render::base_word_parts(job);
        std::vector<std::string> words = parts.options;
        for (auto& word : render::sweep_words(job, c)) words.push_back(std::move(word));
        words.insert(words.end(), parts.positionals.begin(), parts.positionals.end());
        ordered_json answer;
        try {
            answer = describe_arguments(job.script, words, timeout);
        } catch (const Error& e) {
            throw Error(fmt::format("{}sweep combination {} (rendered as {}) is refused: {}", context, c, shown(words),
                                    e.what()))
                .with_details(e.details());
        }
        for (const auto& [key, expected] : base.items()) {
            const auto got = answer.find(key);
            if (got != answer.end() && *got == expected) continue;
            throw Error(fmt::format("{}{}: rendered as {} in sweep combination {}, {}-cli read it as {} instead of {}",
                                    context, key,
                                    shown(render::words_for_key(job.script_args, job.script_options, key)), c,
                                    job.script, got == answer.end() ? "nothing" : util::excerpt(got->dump(), 60),
                                    util::excerpt(expected.dump(), 60)));
        }
    }
}

} // namespace

void verify_round_trip(const model::Job& job, std::chrono::milliseconds timeout, const std::string& context) {
    if (job.sweep) {
        verify_sweep(job, timeout, context);
        return;
    }
    const std::vector<std::string> words = render::application_words(job.script_args, job.script_options);
    const std::string program = job.script + "-cli";
    ordered_json answer;
    try {
        answer = describe_arguments(job.script, words, timeout);
    } catch (const Error& e) {
        const std::string complaint = e.details().empty() ? e.what() : util::last_line(e.details());
        const std::string key = key_named_in(complaint, job);
        if (!key.empty())
            throw Error(fmt::format("{}{}: rendered as {}, {} failed: {}", context, key,
                                    shown(render::words_for_key(job.script_args, job.script_options, key)), program,
                                    complaint))
                .with_details(e.details());
        throw Error(fmt::format("{}the words milex would run {} with ({}) are refused: {}", context, job.script,
                                shown(words), e.what()))
            .with_details(e.details());
    }
    for (const auto& [key, expected] : job.script_args.items()) {
        const auto got = answer.find(key);
        if (got != answer.end() && *got == expected) continue;
        const auto rendered = render::words_for_key(job.script_args, job.script_options, key);
        const bool untyped = job.script_options.is_object() &&
                             (!job.script_options.contains(key) || job.script_options[key].is_null());
        if (untyped && got != answer.end())
            throw Error(fmt::format("{}{}: the bundle says {}, but it was not typed at schedule time, so milex leaves "
                                    "it to the application, which makes it {}; give it a spelling in "
                                    "\"script_options\", e.g. \"{}\": \"--{}\"",
                                    context, key, expected.dump(), got->dump(), key, key));
        if (got == answer.end())
            throw Error(fmt::format("{}{}: rendered as {}, {} did not report it at all", context, key, shown(rendered),
                                    program));
        throw Error(fmt::format("{}{}: rendered as {}, {} read it as {} instead of {}", context, key, shown(rendered),
                                program, util::excerpt(got->dump(), 60), util::excerpt(expected.dump(), 60)));
    }
    for (const auto& [key, value] : answer.items()) {
        if (!job.script_args.contains(key))
            throw Error(fmt::format("{}{} reports \"{}\" = {}, which the bundle does not have; schedule the job again",
                                    context, program, key, util::excerpt(value.dump(), 60)));
    }
}

size_t verify_changed_jobs(const model::Bundle& bundle, std::chrono::milliseconds timeout) {
    std::set<std::string> checked;
    for (const auto& job : bundle.jobs) {
        if (!job.runs_application()) continue;  // a container command of its own: nothing rendered
        const std::string fingerprint = job_fingerprint(job);
        if (fingerprint == job.verified || checked.count(fingerprint)) continue;
        verify_round_trip(job, timeout, fmt::format("job \"{}\": ", job.name));
        checked.insert(fingerprint);
    }
    return checked.size();
}

} // namespace milex::introspect
