#include "cli/LmSpliceCommand.h"

#include "cli/ArgumentParser.h"
#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "lm/GptHookPoint.h"
#include "lm/LanguageModel.h"
#include "lm/SpliceEvaluation.h"
#include "lm/TextCorpus.h"
#include "lm/TransformerLensProcessing.h"
#include "sae/ImportedSae.h"
#include "sae/SaeLensLoader.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <optional>
#include <unistd.h>

using namespace featurescope;

int LmSpliceCommand::run(const std::vector<std::string>& arguments)
{
    ArgumentParser args("lm splice",
                        {{"model", true, "model folder (Hugging Face GPT-2 layout)"},
                         {"sae", true, "SAELens folder (cfg.json + weights) whose d_in is the hook's width"},
                         {"text-file", true, "text file (or folder) the model reads"},
                         {"hook", true, "hook to splice into (default: the SAE's hook_name)"},
                         {"context", true, "window length in tokens (default n_positions)"},
                         {"tokens", true, "at most this many tokens of the text (default 16384)"},
                         {"batch", true, "windows per forward pass (default 8)"},
                         {"raw", false, "ignore cfg.json's prepend_bos and model_from_pretrained_kwargs: the plain "
                                        "Hugging Face forward pass, no BOS"}});
    args.parse(arguments);
    if (args.flag("help")) {
        std::cout << args.helpText()
                  << "\nce_loss_score = (CE_ablated - CE_spliced) / (CE_ablated - CE_clean): 1 = the splice loses nothing,"
                     "\n0 = as bad as zeroing the hook. kl_div_score = (KL_ablated - KL_spliced) / KL_ablated, KL from the"
                     "\nclean prediction, averaged over positions.\n"
                     "\nThe hook sees what the SAE saw in training, as its cfg.json says (TransformerLens's defaults where"
                     "\nit is silent): prepend_bos puts BOS first in every window; model_from_pretrained_kwargs"
                     "\ncenter_writing_weights makes residual-stream vectors mean-free; fold_ln moves ln_final's gain and"
                     "\nbias after ln_final.hook_normalized. The JSON's \"processing\" says what was applied.\n";
        return 0;
    }
    if (!args.has("model") || !args.has("sae") || !args.has("text-file"))
        throw InputError("lm splice needs --model DIR, --sae DIR and --text-file F");
    const LanguageModel lm = LanguageModel::load(args.text("model"));
    const ImportedSae sae = SaeLensLoader::load(args.text("sae"));
    const auto& config = lm.model().config();
    const std::string hookName = args.text("hook", sae.config().hookName);
    if (hookName.empty())
        throw InputError(args.text("sae") + ": cfg.json names no hook_name: give --hook NAME");
    const GptHookPoint hook = GptHookPoint::parse(hookName, config.layers);
    if (hook.width(config) != sae.inputDim())
        throw InputError("the SAE reads " + std::to_string(sae.inputDim()) + " values but " + hookName + " has " +
                         std::to_string(hook.width(config)));
    const int context = int(args.integer("context", config.positions, 2, config.positions));
    const auto tokens = std::size_t(args.integer("tokens", 16384, context, 1 << 26));
    const int batch = int(args.integer("batch", 8, 1, 4096));
    std::vector<int> ids = lm.tokenizer().encode(TextCorpus::load(args.text("text-file")).text());
    if (ids.size() > tokens)
        ids.resize(tokens);

    // SAEs see one activation per column; the hook hands over one per row.
    const SpliceEvaluation::Replacement replace = [&sae](RowMatrixMap activation) {
        const Eigen::MatrixXf inputs = activation.transpose();
        activation = sae.reconstruct(inputs).transpose();
    };
    ProgressReporter progress([](double f, const std::string&) { std::fprintf(stderr, "\rsplice: %3.0f %%", 100.0 * f); });
    const bool tty = isatty(2);
    TransformerLensProcessing processing = TransformerLensProcessing::raw();
    if (!args.flag("raw"))
        processing = TransformerLensProcessing::fromSaeLensConfig(sae.config().raw, args.text("sae") + "/cfg.json");
    std::optional<int> bos;
    if (processing.prependBos)
        bos = lm.tokenizer().bosId(); // a byte-level model has none: its windows start with text
    processing.prependBos = bos.has_value();
    const SpliceScores s = SpliceEvaluation::evaluate(lm.model(), hook, replace, ids, context, batch,
                                                      tty ? &progress : nullptr, processing, bos);
    if (tty)
        std::fprintf(stderr, "\n");
    if (args.flag("json")) {
        const nlohmann::json out{{"hook", hook.name()},       {"context", context},
                                 {"windows", s.windows},      {"tokens", s.tokens},
                                 {"ce_loss_clean", s.ceClean}, {"ce_loss_with_sae", s.ceSpliced},
                                 {"ce_loss_with_ablation", s.ceAblated}, {"ce_loss_score", s.ceLossScore},
                                 {"kl_div_with_sae", s.klSpliced}, {"kl_div_with_ablation", s.klAblated},
                                 {"kl_div_score", s.klDivScore}, {"processing", processing.toJson()}};
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    std::printf("%s, %lld windows of %d tokens\n", hook.name().c_str(), static_cast<long long>(s.windows), context);
    std::printf("  next-token loss: clean %.4f, with the SAE %.4f, zero-ablated %.4f nats\n", s.ceClean, s.ceSpliced,
                s.ceAblated);
    std::printf("  ce_loss_score %.4f   kl_div_score %.4f (KL with the SAE %.4g, ablated %.4g)\n", s.ceLossScore,
                s.klDivScore, s.klSpliced, s.klAblated);
    return 0;
}
