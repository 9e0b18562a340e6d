#include "milex/cli/commands.hpp"

int main(int argc, char** argv) { return milex::cli::main(argc, argv); }
