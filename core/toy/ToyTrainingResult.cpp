#include "toy/ToyTrainingResult.h"

namespace featurescope {

void ToyTrainingResult::analyse()
{
    measures.clear();
    geometry.clear();
    for (int i = 0; i < model.instanceCount(); ++i) {
        measures.push_back(computeFeatureMeasures(model.instance(i).W));
        geometry.push_back(findFeatureGeometry(model.instance(i).W));
    }
}

} // namespace featurescope
