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

    // True when argv should be handled here rather than by the GUI (a subcommand, --help, --version, a stray word,
    // or a file to open that is missing).
    static bool wantsCommandLine(int argc, char** argv);
    // `featurescope FILE` with a session (.fss) or an array file (.npy, .npz, .safetensors) as the first argument
    // opens the GUI with that file: its path when argv asks for that and the file exists, else "". Qt's own options
    // (single dash, with their values) may follow it.
    static std::string fileToOpen(int argc, char** argv);
    // True for the names of files the GUI opens from the command line (by suffix, any case).
    static bool isOpenableFileName(const std::string& argument);
    int run(int argc, char** argv);
    std::string helpText() const;

private:
    std::vector<std::unique_ptr<CliCommand>> m_commands;
};
