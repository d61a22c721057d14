#pragma once

#include "cli/CliCommand.h"

// `featurescope lm SUBCOMMAND`: GPT-2-architecture language models - tokenize text, run a model with a hook, evaluate
// its loss on a text, train a small byte-level model on a corpus.
class LmCommand : public CliCommand {
public:
    std::string name() const override { return "lm"; }
    std::string summary() const override { return "language models: tokenize, run (with hooks), eval, train, generate, harvest, splice an SAE"; }
    std::string usage() const override
    {
        return "featurescope lm tokenize --model DIR (--text T | --text-file F) [--json]\n"
               "       featurescope lm run --model DIR (--text T | --ids 1,2,3) [--prepend-bos] [--hook NAME] [--center] [--fold-ln] [--bf16] [--json]\n"
               "       featurescope lm eval --model DIR --text-file F [--context C] [--json]\n"
               "       featurescope lm train [--corpus PATH] [--layers L --d-model D --heads H --d-mlp F --context C]\n"
               "                             [--batch B --steps S --lr LR --warmup W --schedule constant|cosine --seed S --threads T]\n"
               "                             [--eval FILE] --out DIR [--json]\n"
               "       featurescope lm harvest --model DIR --corpus PATH --hook NAME [--tokens N --context C --no-bos --center\n"
               "                               --fold-ln | --sae-config SAE_DIR]\n"
               "                               --out FILE.npz [--json]\n"
               "       featurescope lm generate --model DIR --prompt T [--tokens N --temperature T --top-k K --seed S]\n"
               "                                [--steer SAE_DIR:FEATURE:STRENGTH [--clamp]] [--json]\n"
               "       featurescope lm splice --model DIR --sae DIR --text-file F [--hook NAME --context C --tokens N --raw] [--json]";
    }
    int run(const std::vector<std::string>& arguments) override;
};
