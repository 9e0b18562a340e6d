#include "milex/transport/prompt.hpp"

#include <mutex>

namespace milex::transport {

namespace {

std::mutex g_mutex;
Prompt g_prompt;

} // namespace

void set_prompt(Prompt prompt) {
    std::lock_guard lock(g_mutex);
    g_prompt = std::move(prompt);
}

std::optional<std::string> ask(const std::string& instruction, const std::string& prompt) {
    Prompt current;
    {
        std::lock_guard lock(g_mutex);
        current = g_prompt;
    }
    if (!current) return std::nullopt;
    return current(instruction, prompt);
}

bool can_ask() {
    std::lock_guard lock(g_mutex);
    return static_cast<bool>(g_prompt);
}

} // namespace milex::transport
