#include "lm/GptConfig.h"

#include "common/InputError.h"
#include "io/AtomicFileWriter.h"
#include "io/FileText.h"
#include "io/MappedFile.h"

#include <cmath>

namespace featurescope {

std::uint64_t GptConfig::parameterCount() const
{
    const std::uint64_t d = std::uint64_t(width), f = std::uint64_t(inner);
    const std::uint64_t perLayer = 4 * d            // two LayerNorms
                                   + d * 3 * d + 3 * d // c_attn
                                   + d * d + d         // attention c_proj
                                   + d * f + f         // c_fc
                                   + f * d + d;        // mlp c_proj
    return std::uint64_t(vocabSize) * d + std::uint64_t(positions) * d + std::uint64_t(layers) * perLayer + 2 * d;
}

void GptConfig::validate(const std::string& where) const
{
    auto range = [&](const char* key, long long value, long long max) {
        if (value < 1 || value > max)
            throw InputError(where + ": " + key + " = " + std::to_string(value) + " is out of range [1, " +
                             std::to_string(max) + "]");
    };
    range("n_layer", layers, kMaxLayers);
    range("n_head", heads, kMaxHeads);
    range("n_embd", width, kMaxWidth);
    range("n_inner", inner, kMaxInner);
    range("vocab_size", vocabSize, kMaxVocab);
    range("n_positions", positions, kMaxPositions);
    if (width % heads != 0)
        throw InputError(where + ": n_head = " + std::to_string(heads) + " does not divide n_embd = " +
                         std::to_string(width));
    if (!(layerNormEpsilon > 0.0 && layerNormEpsilon < 1.0))
        throw InputError(where + ": layer_norm_epsilon must be in (0, 1)");
    if (parameterCount() > kMaxParameters)
        throw InputError(where + ": the model would have " + std::to_string(parameterCount()) +
                         " parameters, more than the limit of " + std::to_string(kMaxParameters));
}

GptConfig GptConfig::parse(const std::string& text, const std::string& where)
{
    auto fail = [&](const std::string& problem) { return InputError(where + ": " + problem); };
    if (text.size() > kMaxFileBytes)
        throw fail("larger than 1 MB (not a model config)");
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw fail("not valid JSON (" + FileText::printable(e.what(), 160) + ")");
    }
    if (!j.is_object())
        throw fail("must hold a JSON object");

    auto integer = [&](const char* key, bool required, long long fallback) -> long long {
        const auto it = j.find(key);
        if (it == j.end() || it->is_null()) {
            if (required)
                throw fail(std::string("missing ") + key);
            return fallback;
        }
        if (it->is_number_integer())
            return it->get<long long>();
        if (it->is_number_unsigned()) // larger than any long long: out of range either way
            return -1;
        if (it->is_number_float()) {
            const double v = it->get<double>();
            if (std::abs(v) < 1e15 && v == std::floor(v))
                return (long long)v;
        }
        throw fail(std::string(key) + " is not an integer");
    };
    // Range-checked with the value as written, so the message quotes it.
    auto size = [&](const char* key, long long max) -> int {
        const long long v = integer(key, true, 0);
        if (v < 1 || v > max)
            throw fail(std::string(key) + " = " + (v < 0 && j[key].is_number_unsigned() ? j[key].dump() : std::to_string(v)) +
                       " is out of range [1, " + std::to_string(max) + "]");
        return int(v);
    };

    GptConfig c;
    if (const auto it = j.find("model_type"); it != j.end() && !it->is_null()) {
        if (!it->is_string() || it->get<std::string>() != "gpt2")
            throw fail("model_type " + FileText::quoted(it->is_string() ? it->get<std::string>() : it->dump()) +
                       " is not gpt2 (only the GPT-2 architecture is supported)");
    }
    c.layers = size("n_layer", kMaxLayers);
    c.heads = size("n_head", kMaxHeads);
    c.width = size("n_embd", kMaxWidth);
    c.vocabSize = size("vocab_size", kMaxVocab);
    c.positions = size("n_positions", kMaxPositions);
    const auto innerIt = j.find("n_inner");
    c.inner = innerIt == j.end() || innerIt->is_null() ? 4 * c.width : size("n_inner", kMaxInner);
    if (const auto it = j.find("layer_norm_epsilon"); it != j.end() && !it->is_null()) {
        if (!it->is_number())
            throw fail("layer_norm_epsilon is not a number");
        c.layerNormEpsilon = it->get<double>();
    }
    if (const auto it = j.find("activation_function"); it != j.end() && !it->is_null()) {
        const std::string name = it->is_string() ? it->get<std::string>() : std::string("?");
        if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast")
            c.activation = GptActivation::GeluTanh;
        else if (name == "gelu")
            c.activation = GptActivation::GeluErf;
        else
            throw fail("unsupported activation_function " + FileText::quoted(name) +
                       " (supported: gelu_new, gelu_pytorch_tanh, gelu)");
    }
    // Variants of the attention that this implementation does not compute: refuse rather than run wrongly.
    if (const auto it = j.find("scale_attn_weights"); it != j.end() && it->is_boolean() && !it->get<bool>())
        throw fail("scale_attn_weights = false is not supported");
    if (const auto it = j.find("scale_attn_by_inverse_layer_idx"); it != j.end() && it->is_boolean() && it->get<bool>())
        throw fail("scale_attn_by_inverse_layer_idx = true is not supported");
    c.validate(where);
    return c;
}

GptConfig GptConfig::read(const std::string& path)
{
    const auto file = MappedFile::open(path);
    if (file->size() > kMaxFileBytes)
        throw InputError(path + ": larger than 1 MB (not a model config)");
    return parse(std::string(reinterpret_cast<const char*>(file->data()), std::size_t(file->size())), path);
}

nlohmann::json GptConfig::toJson() const
{
    return {{"model_type", "gpt2"},
            {"architectures", {"GPT2LMHeadModel"}},
            {"n_layer", layers},
            {"n_head", heads},
            {"n_embd", width},
            {"n_inner", inner},
            {"vocab_size", vocabSize},
            {"n_positions", positions},
            {"n_ctx", positions},
            {"layer_norm_epsilon", layerNormEpsilon},
            {"activation_function", activation == GptActivation::GeluErf ? "gelu" : "gelu_new"},
            {"tie_word_embeddings", true}};
}

void GptConfig::write(const std::string& path) const
{
    AtomicFileWriter::writeFile(path, toJson().dump(1) + "\n");
}

} // namespace featurescope
