#include "cli/SaeSweepCommand.h"

#include "cli/ArgumentParser.h"
#include "cli/SaeOptions.h"
#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "experiments/SaeExperiment.h"
#include "sae/SaeConfig.h"
#include "experiments/SaeSweep.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <set>

using featurescope::InputError;
using namespace featurescope;

namespace {

// Options of `sae` that write files or evaluate a given SAE: one run's business, not a sweep's.
const char* const kRefused[] = {"sae", "save", "save-diverged", "codes", "features-csv", "export-activations",
                                 "checkpoint-every", "checkpoint-dir", "resume"};

} // namespace

int SaeSweepCommand::run(const std::vector<std::string>& arguments)
{
    std::vector<ArgumentParser::Option> options = SaeOptions::list();
    for (auto& option : options) {
        if (option.name == "l1")
            option.help = "comma-separated sparsity coefficients to sweep (tm2023, 2024, jumprelu)";
        else if (option.name == "k")
            option.help = "comma-separated k values to sweep (topk, batchtopk)";
        else if (option.name == "seed")
            option.help = "first seed (0); the runs of each value use seeds SEED .. SEED + N - 1";
    }
    options.push_back({"seeds", true, "seeds per value (3): mean and standard deviation over them"});
    ArgumentParser args("sae-sweep", options);
    args.parse(arguments);
    if (args.flag("help")) {
        std::cout << args.helpText();
        return 0;
    }
    for (const char* refused : kRefused)
        if (args.has(refused))
            throw InputError(std::string("--") + refused + " applies to `featurescope sae` (one run), not to a sweep");
    if (args.has("l1") == args.has("k"))
        throw InputError("give exactly one of --l1 A,B,C and --k A,B,C: the values to sweep");
    if (SaeOptions::sourceName(args) == "lm")
        throw InputError("sae-sweep runs the generated and file sources; for a language model run `sae --source lm` per value");
    const bool sweepK = args.has("k");
    const std::string parameter = sweepK ? "k" : "l1";
    const std::vector<double> values = args.numberList(parameter, {});
    if (values.empty() || values.size() > 64)
        throw InputError("option --" + parameter + " expects 1 to 64 comma-separated values");
    const int seeds = int(args.integer("seeds", 3, 1, 100));

    // The base configuration is `sae` with every option but the swept one.
    std::vector<std::string> rest;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        if (arguments[i] == "--" + parameter || arguments[i] == "--seeds") {
            ++i; // and its value
            continue;
        }
        rest.push_back(arguments[i]);
    }
    ArgumentParser baseArgs("sae-sweep", SaeOptions::list());
    baseArgs.parse(rest);
    const SaeExperimentConfig base = SaeOptions::config(baseArgs);
    const SaeVariant variant = base.sae.variant;
    if (sweepK && !base.sae.selectsTopK())
        throw InputError("--k sweeps need --variant topk, batchtopk or matryoshka");
    if (!sweepK && base.sae.selectsTopK())
        throw InputError("the " + saeVariantName(variant) + " variant has no sparsity coefficient: sweep --k instead");
    for (double v : values) // named by option here; SaeSweepSpec::validate words it for the panel
        if (!std::isfinite(v) || v < 0.0 || v > 1e3 || (sweepK && (v < 1 || v != std::floor(v) || v > base.sae.latentDim)))
            throw InputError(sweepK ? "option --k expects whole numbers between 1 and --d-sae"
                                    : "option --l1 expects coefficients between 0 and 1000");
    SaeSweepSpec spec;
    spec.base = base;
    spec.values = values;
    spec.seeds = seeds;
    spec.validate();
    const SaeSweepSeries series =
        SaeSweep::run({spec}, ProgressReporter(), [](int run, int total, const SaeSweepSpec& s, double value, std::uint64_t seed) {
            std::cerr << "sae-sweep: run " << run << " of " << total << ": " << s.parameterName() << " " << value
                      << ", seed " << seed << "\n";
        }).front();
    const nlohmann::json swept = series.toJson();
    const nlohmann::json& points = swept["points"];
    const std::vector<std::size_t>& front = series.paretoFront;

    if (args.flag("json")) {
        const nlohmann::json out = {{"parameter", parameter},
                                    {"variant", saeVariantName(variant)},
                                    {"source", SaeOptions::sourceName(args)},
                                    {"seeds", seeds},
                                    {"steps", base.training.steps},
                                    {"d_sae", base.sae.latentDim},
                                    {"points", points},
                                    {"pareto_front", front}};
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    std::cout << "SAE " << saeVariantName(variant) << " on " << SaeOptions::sourceName(args) << ", " << seeds
              << " seed(s) per value (mean ± standard deviation; * = on the L0-MSE Pareto front)\n";
    char line[256];
    std::snprintf(line, sizeof line, "  %-10s %-16s %-20s %-16s %-14s %s\n", parameter.c_str(), "L0", "MSE",
                  "var. explained", "dead", "MMCS");
    std::cout << line;
    const std::set<std::size_t> onFront(front.begin(), front.end());
    for (std::size_t i = 0; i < points.size(); ++i) {
        const auto& m = points[i]["mean"];
        const auto& sd = points[i]["std"];
        auto cell = [&](const char* key, const char* format) {
            if (!m.contains(key))
                return std::string("-");
            char text[48];
            std::snprintf(text, sizeof text, format, m[key].get<double>(), sd[key].get<double>());
            return std::string(text);
        };
        std::snprintf(line, sizeof line, "%s %-10g %-17s %-21s %-17s %-15s %s\n", onFront.count(i) ? "*" : " ",
                      points[i]["value"].get<double>(), cell("l0", "%.2f ± %.2f").c_str(),
                      cell("mse", "%.3g ± %.2g").c_str(), cell("explained_variance", "%.3f ± %.3f").c_str(),
                      cell("dead_fraction", "%.3f ± %.3f").c_str(), cell("mmcs", "%.3f ± %.3f").c_str());
        std::cout << line;
    }
    return 0;
}
