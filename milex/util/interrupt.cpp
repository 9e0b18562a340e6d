#include "milex/util/interrupt.hpp"

#include <signal.h>

#include <csignal>
#include <cstring>

#include <fmt/format.h>

namespace milex::util {

namespace {

volatile std::sig_atomic_t g_signal = 0;
struct sigaction g_old_int {}, g_old_term {};

void note_signal(int sig) {
    if (g_signal != 0) {
        // The second one: the user insists. End as the signal would have.
        std::signal(sig, SIG_DFL);
        std::raise(sig);
        return;
    }
    g_signal = sig;
}

} // namespace

InterruptGuard::InterruptGuard() {
    g_signal = 0;
    struct sigaction action {};
    action.sa_handler = note_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &action, &g_old_int);
    ::sigaction(SIGTERM, &action, &g_old_term);
}

InterruptGuard::~InterruptGuard() {
    ::sigaction(SIGINT, &g_old_int, nullptr);
    ::sigaction(SIGTERM, &g_old_term, nullptr);
}

int interrupt_signal() { return g_signal; }

void stop_if_interrupted() {
    if (const int sig = g_signal; sig != 0) throw Interrupted(fmt::format("interrupted by SIG{}", sigabbrev_np(sig)), sig);
}

} // namespace milex::util
