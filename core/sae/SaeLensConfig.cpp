#include "sae/SaeLensConfig.h"

#include "common/InputError.h"
#include "io/FileText.h"
#include "io/JsonReader.h"
#include "io/MappedFile.h"

#include <cctype>
#include <cmath>

namespace featurescope {

std::string saeLensArchitectureName(SaeLensArchitecture architecture)
{
    switch (architecture) {
    case SaeLensArchitecture::Standard: return "standard";
    case SaeLensArchitecture::JumpReLU: return "jumprelu";
    case SaeLensArchitecture::TopK: return "topk";
    }
    return "standard";
}

std::string saeLensNormalizationName(SaeLensNormalization normalization)
{
    switch (normalization) {
    case SaeLensNormalization::None: return "none";
    case SaeLensNormalization::ExpectedAverageOnlyIn: return "expected_average_only_in";
    case SaeLensNormalization::ConstantNormRescale: return "constant_norm_rescale";
    case SaeLensNormalization::LayerNorm: return "layer_norm";
    }
    return "none";
}

namespace {

std::string kindOf(const nlohmann::json& j)
{
    if (j.is_object()) return "an object";
    if (j.is_array()) return "an array";
    if (j.is_string()) return "a string";
    if (j.is_boolean()) return "a boolean";
    if (j.is_null()) return "null";
    return "a number";
}

int majorVersion(const std::string& version)
{
    std::size_t i = 0;
    while (i < version.size() && (version[i] == 'v' || version[i] == ' '))
        ++i;
    int major = 0, digits = 0;
    while (i < version.size() && std::isdigit(static_cast<unsigned char>(version[i])) && digits < 6) {
        major = major * 10 + (version[i++] - '0');
        ++digits;
    }
    return digits ? major : -1;
}

} // namespace

SaeLensConfig SaeLensConfig::parse(const std::string& text, const std::string& where)
{
    auto fail = [&](const std::string& problem) { return InputError(where + ": " + problem); };
    if (text.size() > kMaxFileBytes)
        throw fail("larger than 10 MB");
    // Depth-limited: the copy into `raw` below (and any later dump) recurses once per level.
    nlohmann::json j = JsonReader::parse(text, where, "", JsonLimits::withMaxBytes(kMaxFileBytes));
    if (!j.is_object())
        throw fail("must hold a JSON object, not " + kindOf(j));

    auto field = [&](const nlohmann::json& object, const char* key) -> const nlohmann::json* {
        const auto it = object.find(key);
        return it == object.end() || it->is_null() ? nullptr : &*it;
    };
    auto integer = [&](const nlohmann::json& object, const char* key, long long min, long long max,
                       bool required) -> long long {
        const nlohmann::json* v = field(object, key);
        if (!v) {
            if (required)
                throw fail(std::string("missing ") + key);
            return 0;
        }
        long long value = 0;
        if (v->is_number_integer())
            value = v->get<long long>();
        else if (v->is_number_unsigned())
            value = v->get<std::uint64_t>() > std::uint64_t(max) ? max + 1 : (long long)v->get<std::uint64_t>();
        else if (v->is_number_float() && std::abs(v->get<double>()) < 1e15 &&
                 v->get<double>() == double((long long)v->get<double>()))
            value = (long long)v->get<double>();
        else
            throw fail(std::string(key) + " is " + kindOf(*v) + ", not an integer");
        if (value < min || value > max)
            throw fail(std::string(key) + " = " + std::to_string(value) + " is out of range [" +
                       std::to_string(min) + ", " + std::to_string(max) + "]");
        return value;
    };
    auto boolean = [&](const nlohmann::json& object, const char* key, bool fallback) {
        const nlohmann::json* v = field(object, key);
        if (!v)
            return fallback;
        if (!v->is_boolean())
            throw fail(std::string(key) + " is " + kindOf(*v) + ", not true or false");
        return v->get<bool>();
    };
    auto string = [&](const nlohmann::json& object, const char* key) -> std::string {
        const nlohmann::json* v = field(object, key);
        if (!v)
            return {};
        if (!v->is_string())
            throw fail(std::string(key) + " is " + kindOf(*v) + ", not a string");
        return v->get<std::string>();
    };

    SaeLensConfig c;
    c.raw = j;
    const nlohmann::json* metadata = field(j, "metadata");
    if (metadata && !metadata->is_object())
        throw fail("metadata is " + kindOf(*metadata) + ", not an object");
    c.saeLensVersion = string(j, "sae_lens_version");
    if (c.saeLensVersion.empty() && metadata)
        c.saeLensVersion = string(*metadata, "sae_lens_version");
    // SAELens's own rule: without a version >= 6 the config is the pre-6 flat layout.
    c.preV6Layout = majorVersion(c.saeLensVersion) < 6;

    c.dIn = int(integer(j, "d_in", 1, kMaxInputDim, true));
    c.dSae = int(integer(j, "d_sae", 1, kMaxLatentDim, true));
    c.applyBDecToInput = boolean(j, "apply_b_dec_to_input", true);
    if (const std::string d = string(j, "dtype"); !d.empty())
        c.dtype = d;
    if (const nlohmann::json* n = field(j, "normalize_activations")) {
        if (n->is_boolean()) {
            c.normalization = n->get<bool>() ? SaeLensNormalization::ExpectedAverageOnlyIn : SaeLensNormalization::None;
        } else if (n->is_string()) {
            const std::string name = n->get<std::string>();
            bool found = false;
            for (auto v : {SaeLensNormalization::None, SaeLensNormalization::ExpectedAverageOnlyIn,
                           SaeLensNormalization::ConstantNormRescale, SaeLensNormalization::LayerNorm})
                if (saeLensNormalizationName(v) == name) {
                    c.normalization = v;
                    found = true;
                }
            if (!found)
                throw fail("unknown normalize_activations " + FileText::quoted(name) +
                           " (expected none, expected_average_only_in, constant_norm_rescale or layer_norm)");
        } else {
            throw fail("normalize_activations is " + kindOf(*n) + ", not a string");
        }
    }
    if (const std::string r = string(j, "reshape_activations"); !r.empty() && r != "none" && r != "hook_z")
        throw fail("unknown reshape_activations " + FileText::quoted(r));

    const std::string architecture = string(j, "architecture");
    if (c.preV6Layout) {
        std::string fn = string(j, "activation_fn_str");
        if (fn.empty())
            fn = string(j, "activation_fn");
        if (fn.empty())
            fn = "relu";
        c.hookName = string(j, "hook_name");
        if (c.hookName.empty())
            c.hookName = string(j, "hook_point");
        c.modelName = string(j, "model_name");
        c.finetuningScalingFactor = boolean(j, "finetuning_scaling_factor", false);
        const std::string arch = architecture.empty() ? "standard" : architecture;
        if (fn == "topk" || arch == "topk") {
            c.architecture = SaeLensArchitecture::TopK;
            const nlohmann::json* kwargs = field(j, "activation_fn_kwargs");
            if (kwargs && !kwargs->is_object())
                throw fail("activation_fn_kwargs is " + kindOf(*kwargs) + ", not an object");
            if (kwargs && field(*kwargs, "k"))
                c.k = int(integer(*kwargs, "k", 1, c.dSae, true));
            else
                c.k = int(integer(j, "k", 1, c.dSae, true));
        } else if (arch == "jumprelu") {
            c.architecture = SaeLensArchitecture::JumpReLU;
        } else if (arch == "standard") {
            c.architecture = SaeLensArchitecture::Standard;
        } else {
            throw fail("unsupported SAE architecture " + FileText::quoted(arch) + " (supported: standard, jumprelu, topk)");
        }
        if (fn == "tanh-relu")
            c.tanhRelu = true;
        else if (fn != "relu" && fn != "topk")
            throw fail("unsupported activation_fn " + FileText::quoted(fn) + " (supported: relu, tanh-relu, topk)");
        if (c.tanhRelu && c.architecture != SaeLensArchitecture::Standard)
            throw fail("activation_fn tanh-relu is supported only with the standard architecture");
    } else {
        if (architecture.empty())
            throw fail("cfg.json (SAELens " + FileText::printable(c.saeLensVersion, 20) + " layout) has no architecture");
        if (architecture == "standard")
            c.architecture = SaeLensArchitecture::Standard;
        else if (architecture == "jumprelu")
            c.architecture = SaeLensArchitecture::JumpReLU;
        else if (architecture == "topk")
            c.architecture = SaeLensArchitecture::TopK;
        else
            throw fail("unsupported SAE architecture " + FileText::quoted(architecture) +
                       " (supported: standard, jumprelu, topk)");
        if (c.architecture == SaeLensArchitecture::TopK) {
            c.k = int(integer(j, "k", 1, c.dSae, false));
            if (c.k == 0)
                c.k = std::min(100, c.dSae); // SAELens's TopKSAEConfig default
            c.rescaleActsByDecoderNorm = boolean(j, "rescale_acts_by_decoder_norm", false);
        }
        if (metadata) {
            c.hookName = string(*metadata, "hook_name");
            c.modelName = string(*metadata, "model_name");
        }
    }
    return c;
}

SaeLensConfig SaeLensConfig::read(const std::string& path)
{
    const auto file = MappedFile::open(path);
    if (file->size() > kMaxFileBytes)
        throw InputError(path + ": cfg.json is larger than 10 MB");
    return parse(std::string(reinterpret_cast<const char*>(file->data()), std::size_t(file->size())), path);
}

nlohmann::json SaeLensConfig::toJson(const nlohmann::json& metadata) const
{
    nlohmann::json meta = {{"sae_lens_version", "6.0.0"}, {"sae_lens_training_version", "6.0.0"}};
    if (!hookName.empty())
        meta["hook_name"] = hookName;
    if (!modelName.empty())
        meta["model_name"] = modelName;
    if (metadata.is_object())
        for (auto it = metadata.begin(); it != metadata.end(); ++it)
            meta[it.key()] = it.value();
    nlohmann::json j = {{"architecture", saeLensArchitectureName(architecture)},
                        {"d_in", dIn},
                        {"d_sae", dSae},
                        {"dtype", "float32"},
                        {"device", "cpu"},
                        {"apply_b_dec_to_input", applyBDecToInput},
                        {"normalize_activations", saeLensNormalizationName(normalization)},
                        {"reshape_activations", "none"},
                        {"metadata", meta}};
    if (architecture == SaeLensArchitecture::TopK) {
        j["k"] = k;
        j["rescale_acts_by_decoder_norm"] = rescaleActsByDecoderNorm;
    }
    return j;
}

} // namespace featurescope
