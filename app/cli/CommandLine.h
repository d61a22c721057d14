#pragma once

#include "cli/CliCommand.h"

#include <memory>
#include <string>
#include <vector>

// The `featurescope SUBCOMMAND ...` dispatcher: finds the command, creates a QApplication only for commands that
// draw, and turns every InputError into one stderr line and exit status 2.
class CommandLine {
public:
    CommandLine();
    ~CommandLine();

    // True when argv should be handled here rather than by the GUI (a subcommand, --help, --version, or a stray word).
    static bool wantsCommandLine(int argc, char** argv);
    int run(int argc, char** argv);
    std::string helpText() const;

private:
    std::vector<std::unique_ptr<CliCommand>> m_commands;
};
