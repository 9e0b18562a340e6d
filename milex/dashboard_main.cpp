#include "milex/cli/commands.hpp"

int main(int argc, char** argv) {
    milex::cli::register_dashboard_server(&milex::cli::serve_dashboard);
    return milex::cli::main(argc, argv);
}
