#pragma once

#include "cli/CliCommand.h"

// `featurescope tms`: trains toy models of superposition and prints their measures and weights.
class TmsCommand : public CliCommand {
public:
    std::string name() const override { return "tms"; }
    std::string summary() const override { return "train toy models of superposition; print measures and weights"; }
    std::string usage() const override
    {
        return "featurescope tms --n N --m M [--model linear|relu-output|relu-hidden|untied-abs] "
               "[--feature-probability P | --instances K --p-min P] [--importance-decay R] [--steps S] [--batch B] "
               "[--lr LR] [--adamw] [--seed SEED] [--restarts K] [--threads T] [--save FILE.safetensors] [--json]";
    }
    int run(const std::vector<std::string>& arguments) override;
};
