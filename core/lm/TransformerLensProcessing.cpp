#include "lm/TransformerLensProcessing.h"

#include "common/InputError.h"
#include "lm/GptHooks.h"

namespace featurescope {

TransformerLensProcessing TransformerLensProcessing::raw()
{
    TransformerLensProcessing p;
    p.prependBos = false;
    p.centerWritingWeights = false;
    p.foldLn = false;
    return p;
}

TransformerLensProcessing TransformerLensProcessing::fromSaeLensConfig(const nlohmann::json& cfg, const std::string& where)
{
    TransformerLensProcessing p;
    if (!cfg.is_object())
        return p;
    auto readBool = [&](const nlohmann::json& object, const char* key, bool& target, const std::string& path) {
        const auto it = object.find(key);
        if (it == object.end() || it->is_null())
            return;
        if (!it->is_boolean())
            throw InputError(where + ": " + path + key + " must be true or false");
        target = it->get<bool>();
    };
    // SAELens 6 keeps these under metadata; older versions at the top level. The top level wins when both exist.
    const nlohmann::json* sources[2] = {nullptr, &cfg};
    const auto metadata = cfg.find("metadata");
    if (metadata != cfg.end() && metadata->is_object())
        sources[0] = &*metadata;
    for (const nlohmann::json* source : sources) {
        if (!source)
            continue;
        const std::string prefix = source == &cfg ? "" : "metadata.";
        readBool(*source, "prepend_bos", p.prependBos, prefix);
        const auto kwargs = source->find("model_from_pretrained_kwargs");
        if (kwargs == source->end() || kwargs->is_null())
            continue;
        if (!kwargs->is_object())
            throw InputError(where + ": " + prefix + "model_from_pretrained_kwargs must be an object");
        const std::string inner = prefix + "model_from_pretrained_kwargs.";
        readBool(*kwargs, "center_writing_weights", p.centerWritingWeights, inner);
        readBool(*kwargs, "fold_ln", p.foldLn, inner);
    }
    return p;
}

void TransformerLensProcessing::applyTo(GptHooks& hooks) const
{
    hooks.setCenterResidual(centerWritingWeights);
    hooks.setFoldFinalNorm(foldLn);
}

nlohmann::json TransformerLensProcessing::toJson() const
{
    return {{"prepend_bos", prependBos}, {"center_writing_weights", centerWritingWeights}, {"fold_ln", foldLn}};
}

} // namespace featurescope
