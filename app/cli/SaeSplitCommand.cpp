#include "cli/SaeSplitCommand.h"

#include "cli/ArgumentParser.h"
#include "cli/SaeOptions.h"
#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "experiments/SaeFeatureSplitting.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>

using featurescope::InputError;
using namespace featurescope;

namespace {

// Options of `sae` that write files or evaluate a given SAE: one run's business.
const char* const kRefused[] = {"sae", "save", "save-diverged", "codes", "features-csv", "export-activations"};

} // namespace

int SaeSplitCommand::run(const std::vector<std::string>& arguments)
{
    std::vector<ArgumentParser::Option> options = SaeOptions::list();
    for (auto& option : options)
        if (option.name == "d-sae")
            option.help = "latents of the narrowest (1x) SAE (default: the source's d_sae / 8)";
    options.push_back({"widths", true, "comma-separated width multipliers, increasing from 1 (1,2,4,8)"});
    ArgumentParser args("sae-split", options);
    args.parse(arguments);
    if (args.flag("help")) {
        std::cout << args.helpText()
                  << "\nJSON: widths[] with multiplier, d_sae, alive (latents active on some evaluation input), l0, mse,\n"
                     "explained_variance, mmcs (ground truth), links[] {child, parent, cosine}: each live latent's best\n"
                     "match by decoder cosine in the next narrower SAE, and splits[] {parent, children}: the narrower\n"
                     "latents with two or more children; most_split_root: the 1x latent with the largest family.\n";
        return 0;
    }
    for (const char* refused : kRefused)
        if (args.has(refused))
            throw InputError(std::string("--") + refused + " applies to `featurescope sae` (one run), not to sae-split");
    if (SaeOptions::sourceName(args) == "lm")
        throw InputError("sae-split runs the generated and file sources, not --source lm");
    std::vector<std::string> rest;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        if (arguments[i] == "--widths") {
            ++i;
            continue;
        }
        rest.push_back(arguments[i]);
    }
    ArgumentParser baseArgs("sae-split", SaeOptions::list());
    baseArgs.parse(rest);
    SaeSplittingSpec spec;
    spec.base = SaeOptions::config(baseArgs);
    if (!args.has("d-sae")) // the source's default width is the widest SAE's, not the narrowest
        spec.base.sae.latentDim = std::max(1, spec.base.sae.latentDim / 8);
    if (args.has("widths")) {
        spec.multipliers.clear();
        for (double m : args.numberList("widths", {})) {
            if (!(m >= 1.0 && m <= 64.0 && m == std::floor(m)))
                throw InputError("option --widths expects whole multipliers from 1 to 64, e.g. 1,2,4,8");
            spec.multipliers.push_back(int(m));
        }
    }
    ProgressReporter progress([](double fraction, const std::string& message) {
        static int lastPercent = -10;
        const int percent = int(fraction * 100.0);
        if (percent >= lastPercent + 10) {
            lastPercent = percent;
            std::cerr << "sae-split: " << percent << " %: " << message << "\n";
        }
    });
    const SaeSplittingResult result = SaeFeatureSplitting::run(spec, progress);
    if (args.flag("json")) {
        nlohmann::json out = result.toJson();
        out["source"] = SaeOptions::sourceName(args);
        out["variant"] = saeVariantName(spec.base.sae.variant);
        out["steps"] = spec.base.training.steps;
        out["seed"] = spec.base.training.seed;
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    std::cout << "SAE " << saeVariantName(spec.base.sae.variant) << " on " << SaeOptions::sourceName(args)
              << " at widths";
    for (int m : spec.multipliers)
        std::cout << " " << m << "x";
    std::cout << " (links: each latent's closest decoder direction one width narrower)\n";
    char line[256];
    for (std::size_t w = 0; w < result.widths.size(); ++w) {
        const SaeSplittingWidth& width = result.widths[w];
        int splits = 0;
        double cosine = 0.0;
        int links = 0;
        if (w > 0) {
            for (int p = 0; p < result.widths[w - 1].latents; ++p)
                splits += result.children(int(w) - 1, p).size() >= 2 ? 1 : 0;
            for (int j = 0; j < width.latents; ++j)
                if (width.parent[std::size_t(j)] >= 0) {
                    cosine += width.parentCosine[std::size_t(j)];
                    ++links;
                }
        }
        std::snprintf(line, sizeof line, "  %2dx  d_sae %-6d alive %-6d L0 %-7.2f var. explained %.3f", width.multiplier,
                      width.latents, width.aliveCount(), width.l0, width.explainedVariance);
        std::cout << line;
        if (w > 0) {
            std::snprintf(line, sizeof line, "  mean link cosine %.3f, %d of %d narrower latents split", links ? cosine / links : 0.0,
                          splits, result.widths[w - 1].latents);
            std::cout << line;
        }
        std::cout << "\n";
    }
    const int root = result.mostSplitRoot();
    if (root >= 0) {
        std::cout << "largest family: 1x latent " << root;
        const auto family = result.family(0, root);
        for (std::size_t w = 1; w < family.size(); ++w)
            std::cout << " -> " << family[w].size() << " at " << result.widths[w].multiplier << "x";
        std::cout << "\n";
    }
    return 0;
}
