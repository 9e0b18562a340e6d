#include "milex/submit/array_pieces.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "milex/util/error.hpp"

namespace milex::submit {

std::vector<Piece> pieces_of(const model::Job& job, const model::SlurmOptions& options,
                             const std::vector<size_t>* tasks, size_t max_array, const std::string& machine) {
    const std::string* spec = model::find_option(options, "array");
    if (!spec) return {Piece{}};
    const auto percent = spec->find('%');
    const std::string limit = percent == std::string::npos ? "" : spec->substr(percent);
    std::vector<size_t> indices;
    if (tasks) {
        indices = *tasks;
    } else {
        for (const auto& index : model::array_indices(*spec)) indices.push_back(std::stoull(index));
    }
    std::sort(indices.begin(), indices.end());
    const size_t largest = indices.empty() ? 0 : indices.back();
    if (max_array == 0 || largest < max_array) {
        if (!tasks) return {Piece{}};
        return {Piece{model::fold_indices(indices) + limit, 0}};
    }
    if (!job.sweep)
        throw Error(fmt::format("job \"{}\": array {} goes beyond index {}, the largest machine \"{}\" accepts "
                                "(MaxArraySize {}); make it a --sweep, which milex splits, or use smaller indices",
                                job.name, *spec, max_array - 1, machine, max_array));
    std::vector<Piece> pieces;
    std::vector<size_t> local;
    size_t chunk = indices.front() / max_array;
    auto flush = [&] {
        if (local.empty()) return;
        pieces.push_back({model::fold_indices(local) + limit, chunk * max_array});
        local.clear();
    };
    for (size_t index : indices) {
        if (index / max_array != chunk) {
            flush();
            chunk = index / max_array;
        }
        local.push_back(index - chunk * max_array);
    }
    flush();
    return pieces;
}

} // namespace milex::submit
