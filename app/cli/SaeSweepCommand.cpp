#include "cli/SaeSweepCommand.h"

#include "cli/ArgumentParser.h"
#include "cli/SaeOptions.h"
#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "experiments/SaeExperiment.h"
#include "sae/SaeConfig.h"
#include "sae/SaeEvaluator.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <set>

using featurescope::InputError;
using namespace featurescope;

namespace {

// The per-run numbers a sweep reports (those a run has: the ground-truth scores only on synthetic and toy data).
const char* const kMetrics[] = {"l0",   "mse",  "explained_variance", "dead_fraction", "ultra_rare_fraction",
                                "dense_fraction", "mmcs", "mcc", "f1_mean", "shrinkage", "absorption_rate"};

// Options of `sae` that write files or evaluate a given SAE: one run's business, not a sweep's.
const char* const kRefused[] = {"sae", "save", "save-diverged", "codes", "features-csv", "export-activations",
                                 "checkpoint-every", "checkpoint-dir", "resume"};

// Indices of the points no other point beats on both L0 and MSE (lower is better for both).
std::vector<std::size_t> paretoFront(const std::vector<double>& l0, const std::vector<double>& mse)
{
    std::vector<std::size_t> front;
    for (std::size_t i = 0; i < l0.size(); ++i) {
        bool dominated = false;
        for (std::size_t j = 0; j < l0.size() && !dominated; ++j)
            dominated = j != i && l0[j] <= l0[i] && mse[j] <= mse[i] && (l0[j] < l0[i] || mse[j] < mse[i]);
        if (!dominated)
            front.push_back(i);
    }
    return front;
}

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
    for (double v : values) {
        if (!std::isfinite(v) || v < 0.0 || v > 1e3 || (sweepK && (v < 1 || v != std::floor(v) || v > base.sae.latentDim)))
            throw InputError(sweepK ? "option --k expects whole numbers between 1 and --d-sae"
                                    : "option --l1 expects coefficients between 0 and 1000");
    }

    nlohmann::json points = nlohmann::json::array();
    std::vector<double> meanL0, meanMse;
    const std::uint64_t firstSeed = base.training.seed;
    const int total = int(values.size()) * seeds;
    int done = 0;
    for (double value : values) {
        nlohmann::json runs = nlohmann::json::array();
        for (int s = 0; s < seeds; ++s) {
            SaeExperimentConfig config = base;
            if (sweepK)
                config.sae.k = int(value);
            else
                config.sae.l1 = value;
            config.training.seed = firstSeed + std::uint64_t(s);
            std::cerr << "sae-sweep: run " << ++done << " of " << total << ": " << parameter << " " << value << ", seed "
                      << config.training.seed << "\n";
            SaeSourceFactory sources;
            const SaeRunResult run = SaeExperiment::train(config, sources, ProgressReporter());
            const nlohmann::json all = run.toJson(config);
            nlohmann::json r = {{"seed", config.training.seed}, {"status", all.value("status", std::string())}};
            for (const char* key : kMetrics)
                if (all.contains(key) && all[key].is_number())
                    r[key] = all[key];
            runs.push_back(std::move(r));
        }
        nlohmann::json mean = nlohmann::json::object(), spread = nlohmann::json::object();
        for (const char* key : kMetrics) {
            double sum = 0.0, sq = 0.0;
            bool everyRun = true;
            for (const auto& r : runs)
                everyRun = everyRun && r.contains(key);
            if (!everyRun)
                continue;
            for (const auto& r : runs)
                sum += r[key].get<double>();
            const double m = sum / double(runs.size());
            for (const auto& r : runs)
                sq += (r[key].get<double>() - m) * (r[key].get<double>() - m);
            mean[key] = m;
            spread[key] = runs.size() > 1 ? std::sqrt(sq / double(runs.size() - 1)) : 0.0;
        }
        meanL0.push_back(mean.value("l0", 0.0));
        meanMse.push_back(mean.value("mse", 0.0));
        points.push_back({{"value", value}, {"runs", std::move(runs)}, {"mean", std::move(mean)}, {"std", std::move(spread)}});
    }
    const std::vector<std::size_t> front = paretoFront(meanL0, meanMse);
    for (std::size_t i : front)
        points[i]["pareto"] = true;

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
