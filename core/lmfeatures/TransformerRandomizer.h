#pragma once

#include <cstdint>
#include <string>

namespace featurescope {

class GptWeights;

// The randomized-transformer controls of SAE studies: the same architecture without what training put in it.
//  - Shuffle: each weight matrix's entries permuted at random (its value distribution kept, its structure gone);
//  - Reinit: each weight matrix re-drawn from a normal with that matrix's own mean and standard deviation (Heap et
//    al. 2025, "Sparse autoencoders can interpret randomly initialized transformers");
//  - Untrained: the model as GPT-2's initialisation leaves it (matrices N(0, 0.02), gains 1, biases 0).
// "Matrices" are the token and position embeddings and the four linear layers per block; LayerNorm gains and
// all biases are kept by Shuffle and Reinit. With keepEmbeddings the embeddings stay trained in every control.
class TransformerRandomizer {
public:
    enum class Control { Shuffle, Reinit, Untrained };

    static Control parse(const std::string& name); // "shuffle", "reinit", "untrained"; InputError otherwise
    static std::string name(Control control);
    static void apply(GptWeights& weights, Control control, std::uint64_t seed, bool keepEmbeddings = false);
};

} // namespace featurescope
