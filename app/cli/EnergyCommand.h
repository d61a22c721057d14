#pragma once

#include "cli/CliCommand.h"

// `featurescope energy`: the Landauer-bound calculation for a hardware preset or explicit figures
// (docs/ARCHITECTURE.md §6), printed as JSON (--json) or a short summary; `--list-presets` lists the compiled-in presets.
class EnergyCommand : public CliCommand {
public:
    std::string name() const override { return "energy"; }
    std::string summary() const override { return "Landauer-bound calculation for a preset or explicit figures"; }
    std::string usage() const override
    {
        return "featurescope energy [--preset NAME] [--figure dense16|fp32] [--tflops X] [--watts W] "
               "[--temperature K] [--bits-per-op B] [--count flop|mac] [--utilization U] [--overhead F] [--sparse] "
               "[--json]\n       featurescope energy --list-presets [--json]";
    }
    int run(const std::vector<std::string>& arguments) override;
};
