#pragma once

#include <string>
#include <vector>

// One subcommand of `featurescope`. run() returns the process exit status: 0 on success, 2 on bad arguments or
// bad input (after printing one line on stderr). Commands throw featurescope::InputError for bad input; the
// dispatcher turns it into that line.
class CliCommand {
public:
    virtual ~CliCommand() = default;
    virtual std::string name() const = 0;
    virtual std::string summary() const = 0;
    virtual std::string usage() const = 0;
    virtual int run(const std::vector<std::string>& arguments) = 0;
    // True when the command needs a QApplication (it draws widgets).
    virtual bool needsGui() const { return false; }
};
