#include "cli/DashboardCommand.h"

#include "cli/ArgumentParser.h"
#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "lm/LanguageModel.h"
#include "lm/TextCorpus.h"
#include "lmfeatures/FeatureDashboard.h"
#include "sae/ImportedSae.h"
#include "sae/SaeLensLoader.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <sstream>
#include <thread>
#include <unistd.h>

using namespace featurescope;

namespace {

std::vector<int> parseFeatures(const std::string& text, int count)
{
    std::vector<int> out;
    std::stringstream list(text);
    std::string item;
    while (std::getline(list, item, ',')) {
        std::size_t used = 0;
        long value = -1;
        try {
            value = std::stol(item, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != item.size())
            throw InputError("option --features: '" + item + "' is not a feature index");
        if (value < 0 || value >= count)
            throw InputError("option --features: feature " + item + " is outside the SAE's " + std::to_string(count) +
                             " features");
        out.push_back(int(value));
    }
    if (out.empty())
        throw InputError("option --features is empty");
    return out;
}

nlohmann::json tokenStrings(const Tokenizer& tokenizer, const std::vector<int>& ids)
{
    nlohmann::json out = nlohmann::json::array();
    for (const int id : ids)
        out.push_back(tokenizer.tokenBytes(id));
    return out;
}

nlohmann::json exampleJson(const Tokenizer& tokenizer, const DashboardExample& e)
{
    return {{"sequence", e.sequence},
            {"position", e.position},
            {"first_position", e.first},
            {"max_activation", e.maxActivation},
            {"token_ids", e.tokenIds},
            {"tokens", tokenStrings(tokenizer, e.tokenIds)},
            {"activations", e.activations}};
}

nlohmann::json logitsJson(const Tokenizer& tokenizer, const std::vector<LogitEffects::Token>& tokens)
{
    nlohmann::json out = nlohmann::json::array();
    for (const auto& t : tokens)
        out.push_back({{"id", t.id}, {"token", tokenizer.tokenBytes(t.id)}, {"value", t.value}});
    return out;
}

nlohmann::json pairsJson(const std::vector<std::pair<int, float>>& pairs, const char* valueName)
{
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [index, value] : pairs)
        out.push_back({{"index", index}, {valueName, value}});
    return out;
}

} // namespace

int DashboardCommand::run(const std::vector<std::string>& arguments)
{
    ArgumentParser args("dashboard",
                        {{"model", true, "model folder (Hugging Face GPT-2 layout)"},
                         {"sae", true, "SAELens folder (cfg.json + weights) whose d_in is the hook's width"},
                         {"corpus", true, "text file or folder the model reads"},
                         {"hook", true, "the SAE's hook (default: its cfg.json hook_name)"},
                         {"tokens", true, "positions to scan, in whole windows (default 16384)"},
                         {"context", true, "window length in tokens, BOS included (default min(n_positions, 128))"},
                         {"features", true, "comma-separated feature indices (default: all)"},
                         {"examples", true, "top examples per feature (default 10)"},
                         {"logits", true, "top and bottom logit effects per feature (default 10)"},
                         {"threads", true, "batches encoded at once (default: all cores)"},
                         {"raw", false, "ignore cfg.json's prepend_bos and model_from_pretrained_kwargs"}});
    args.parse(arguments);
    if (args.flag("help")) {
        std::cout << usage() << "\n\n" << args.helpText()
                  << "\nActivations are the SAE's codes at each scanned position; windows start with BOS when the SAE's"
                     "\ncfg.json asks for it (prepend_bos) and the tokenizer has one. density = active positions / scanned"
                     "\npositions. top_examples: the strongest position of each of the best windows, with up to 8 tokens"
                     "\nof context either side (position is the strongest token's index in its window, first_position"
                     "\nthat of tokens[0]). quantile_groups: the active positions split into 5 bands of equal count,"
                     "\nweakest first. top_logits/bottom_logits: the decoder direction carried into the residual stream"
                     "\n(through W_out for mlp.hook_post), made mean-free when the writing weights are centred, times"
                     "\nln_final's gain and the unembedding (none for mlp.hook_pre). activation_histogram: log10 bins of"
                     "\nthe non-zero codes. nearest: decoder cosine; co_firing: Jaccard index of the active positions.\n";
        return 0;
    }
    if (!args.has("model") || !args.has("sae") || !args.has("corpus"))
        throw InputError("dashboard needs --model DIR, --sae DIR and --corpus PATH");
    const LanguageModel lm = LanguageModel::load(args.text("model"));
    const ImportedSae sae = SaeLensLoader::load(args.text("sae"));
    const GptConfig& config = lm.model().config();
    const std::string hookName = args.text("hook", sae.config().hookName);
    if (hookName.empty())
        throw InputError(args.text("sae") + ": cfg.json names no hook_name: give --hook NAME");
    const GptHookPoint hook = GptHookPoint::parse(hookName, config.layers);
    const TransformerLensProcessing processing =
        args.flag("raw") ? TransformerLensProcessing::raw()
                         : TransformerLensProcessing::fromSaeLensConfig(sae.config().raw, args.text("sae") + "/cfg.json");
    DashboardSettings settings;
    settings.context = int(args.integer("context", std::min(config.positions, 128), 2, config.positions));
    settings.maxTokens = std::uint64_t(args.integer("tokens", 16384, settings.context, 1ll << 31));
    settings.threads = int(args.integer("threads", std::max(1u, std::thread::hardware_concurrency()), 1, 256));
    CardOptions options;
    options.topExamples = int(args.integer("examples", 10, 1, 1000));
    options.logits = int(args.integer("logits", 10, 0, config.vocabSize));
    const std::vector<int> wanted = args.has("features") ? parseFeatures(args.text("features"), sae.latentDim())
                                                         : std::vector<int>{};

    FeatureDashboard dashboard(lm, sae, hook, processing);
    ProgressReporter progress([](double f, const std::string&) { std::fprintf(stderr, "\rdashboard: %3.0f %%", 100.0 * f); });
    const bool tty = isatty(2);
    dashboard.scan(lm.tokenizer().encode(TextCorpus::load(args.text("corpus")).text()), settings, tty ? &progress : nullptr);
    if (tty)
        std::fprintf(stderr, "\n");

    std::vector<int> features = wanted;
    if (features.empty())
        for (int f = 0; f < sae.latentDim(); ++f)
            features.push_back(f);
    const Tokenizer& tokenizer = lm.tokenizer();
    if (!args.flag("json")) {
        std::printf("%s: %lld positions in %lld windows of %d%s\n", hook.name().c_str(),
                    static_cast<long long>(dashboard.tokensScanned()), static_cast<long long>(dashboard.windows()),
                    dashboard.context(), dashboard.truncated() ? " (stopped early: too many active codes to keep)" : "");
        for (const int f : features) {
            const FeatureCard c = dashboard.card(f, options);
            std::string top;
            for (const auto& t : c.topLogits)
                top += nlohmann::json(tokenizer.tokenBytes(t.id)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + " ";
            std::printf("feature %d: density %.4g, max %.4g, top logits %s\n", f, c.density, double(c.maxActivation),
                        top.c_str());
        }
        return 0;
    }
    nlohmann::json out;
    out["hook"] = hook.name();
    out["context"] = dashboard.context();
    out["tokens_scanned"] = dashboard.tokensScanned();
    out["windows"] = dashboard.windows();
    out["truncated"] = dashboard.truncated();
    out["processing"] = dashboard.processing().toJson();
    out["features"] = nlohmann::json::array();
    for (const int f : features) {
        const FeatureCard c = dashboard.card(f, options);
        nlohmann::json j;
        j["index"] = c.index;
        j["density"] = c.density;
        j["active_tokens"] = c.activeTokens;
        j["max_activation"] = c.maxActivation;
        j["top_examples"] = nlohmann::json::array();
        for (const auto& e : c.topExamples)
            j["top_examples"].push_back(exampleJson(tokenizer, e));
        j["quantile_groups"] = nlohmann::json::array();
        for (const auto& q : c.quantileGroups) {
            nlohmann::json g = {{"lower", q.lower}, {"upper", q.upper}, {"count", q.count}, {"examples", nlohmann::json::array()}};
            for (const auto& e : q.examples)
                g["examples"].push_back(exampleJson(tokenizer, e));
            j["quantile_groups"].push_back(g);
        }
        j["top_logits"] = c.logitsAvailable ? logitsJson(tokenizer, c.topLogits) : nlohmann::json(nullptr);
        j["bottom_logits"] = c.logitsAvailable ? logitsJson(tokenizer, c.bottomLogits) : nlohmann::json(nullptr);
        j["activation_histogram"] = {{"log10_edges", c.histogramEdges}, {"counts", c.histogramCounts}};
        j["nearest"] = pairsJson(c.nearest, "cosine");
        j["co_firing"] = pairsJson(c.coFiring, "jaccard");
        out["features"].push_back(j);
    }
    std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return 0;
}
