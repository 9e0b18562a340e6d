#include "milex/graph/order.hpp"

#include <algorithm>
#include <functional>
#include <queue>
#include <unordered_map>

#include <fmt/format.h>

#include "milex/util/error.hpp"
#include "milex/util/text.hpp"

namespace milex::graph {

namespace {

std::string known_names(const model::Bundle& bundle) {
    auto names = bundle.names();
    if (names.size() > 12) {
        names.resize(12);
        names.push_back("…");
    }
    return util::join(names, ", ");
}

/// A cycle among the jobs that Kahn's algorithm could not place, as "A -> B -> A".
std::string find_cycle(const model::Bundle& bundle, const std::vector<std::vector<size_t>>& depends_on,
                       const std::vector<size_t>& indegree) {
    // Walk dependency edges from a job left over; every left-over job has a left-over
    // dependency, so the walk must come back to a job it has seen.
    size_t start = 0;
    while (indegree[start] == 0) ++start;
    std::vector<int> seen_at(bundle.jobs.size(), -1);
    std::vector<size_t> path;
    size_t current = start;
    while (seen_at[current] < 0) {
        seen_at[current] = static_cast<int>(path.size());
        path.push_back(current);
        for (size_t dep : depends_on[current]) {
            if (indegree[dep] > 0) {
                current = dep;
                break;
            }
        }
    }
    std::vector<size_t> cycle(path.begin() + seen_at[current], path.end());
    // Shown in the direction of running (dependency first), from the job that comes first in
    // the file.
    std::reverse(cycle.begin(), cycle.end());
    std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
    std::vector<std::string> names;
    for (size_t i : cycle) names.push_back(bundle.jobs[i].name);
    names.push_back(names.front());
    return util::join(names, " -> ");
}

} // namespace

std::vector<size_t> dependency_order(const model::Bundle& bundle, const std::string& source) {
    const size_t n = bundle.jobs.size();
    std::unordered_map<std::string, size_t> index;
    index.reserve(n);
    for (size_t i = 0; i < n; ++i) index.emplace(bundle.jobs[i].name, i);

    std::vector<std::string> problems;
    std::vector<std::vector<size_t>> depends_on(n), dependents(n);
    for (size_t i = 0; i < n; ++i) {
        for (const auto& dep : bundle.jobs[i].dependencies) {
            auto it = index.find(dep);
            if (it == index.end()) {
                problems.push_back(fmt::format("{}: job \"{}\" depends on unknown job \"{}\"{}; the bundle has: {}",
                                               source, bundle.jobs[i].name, dep,
                                               util::did_you_mean(dep, bundle.names()), known_names(bundle)));
                continue;
            }
            if (std::find(depends_on[i].begin(), depends_on[i].end(), it->second) != depends_on[i].end()) continue;
            depends_on[i].push_back(it->second);
            dependents[it->second].push_back(i);
        }
    }

    std::vector<size_t> indegree(n);
    std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
    for (size_t i = 0; i < n; ++i) {
        indegree[i] = depends_on[i].size();
        if (indegree[i] == 0) ready.push(i);
    }
    std::vector<size_t> order;
    order.reserve(n);
    while (!ready.empty()) {
        size_t i = ready.top();
        ready.pop();
        order.push_back(i);
        for (size_t d : dependents[i])
            if (--indegree[d] == 0) ready.push(d);
    }
    if (order.size() != n)
        problems.push_back(fmt::format("{}: dependency cycle: {}; remove one of these dependencies", source,
                                       find_cycle(bundle, depends_on, indegree)));
    if (!problems.empty()) throw Error(problems);
    return order;
}

void check_dependencies(const model::Bundle& bundle, const model::Job& job, const std::string& bundle_name) {
    for (const auto& dep : job.dependencies) {
        if (dep == job.name)
            throw Error(fmt::format("job \"{}\" cannot depend on itself: dependency cycle: {} -> {}", job.name,
                                    job.name, job.name));
        if (bundle.find(dep)) continue;
        if (bundle.jobs.empty())
            throw Error(fmt::format("unknown dependency \"{}\": bundle \"{}\" has no jobs yet; schedule \"{}\" first "
                                    "and add this job with --append",
                                    dep, bundle_name, dep));
        throw Error(fmt::format("unknown dependency \"{}\"{}; bundle \"{}\" has: {}", dep,
                                util::did_you_mean(dep, bundle.names()), bundle_name, known_names(bundle)));
    }
}

} // namespace milex::graph
