#include "sae/MlpActivationSource.h"

namespace featurescope {

EvaluationSet MlpActivationSource::record(const MlpClassifier& model, const ImageDataset& images)
{
    EvaluationSet set;
    set.activations = model.hiddenActivations(images);
    set.labels.assign(images.labels.begin(), images.labels.end());
    set.classCount = std::max(images.classCount, model.config().classes);
    set.images = images.pixels;
    set.imageRows = images.rows;
    set.imageCols = images.cols;
    return set;
}

MlpActivationSource::MlpActivationSource(const MlpClassifier& model, const ImageDataset& images, std::string name)
    : MatrixActivationSource(record(model, images), std::move(name))
{
}

} // namespace featurescope
