#pragma once

#include "cli/CliCommand.h"

// `featurescope bench`: the performance configurations of docs/ARCHITECTURE.md §7, with throughput and peak memory.
class BenchCommand : public CliCommand {
public:
    std::string name() const override { return "bench"; }
    std::string summary() const override { return "run the performance benchmarks"; }
    std::string usage() const override
    {
        return "featurescope bench [--only NAME[,NAME...]] [--threads T] [--smoke] [--json]\n"
               "  configurations: tms-small tms-medium tms-large sgemm sgemm-packed sweep sae sae-lm npy render gui\n"
               "                  lm-train lm-forward lm-forward-bf16 lm-harvest dashboard";
    }
    bool needsGui() const override { return true; } // the render configuration draws offscreen
    int run(const std::vector<std::string>& arguments) override;
};
