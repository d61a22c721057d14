#pragma once

#include "mlp/ImageDataset.h"
#include "mlp/MlpClassifier.h"
#include "sae/MatrixActivationSource.h"

namespace featurescope {

// The hidden-layer activations of an MLP classifier on an image set (the Fashion-MNIST test images in the app),
// with each row's label and image. Build one from the trained MLP and one from its shuffled copy for the
// randomized-weights control.
class MlpActivationSource : public MatrixActivationSource {
public:
    MlpActivationSource(const MlpClassifier& model, const ImageDataset& images,
                        std::string name = "fashion-mnist"); // throws InputError

private:
    static EvaluationSet record(const MlpClassifier& model, const ImageDataset& images);
};

} // namespace featurescope
