#include "ScaleLabJob.h"

#include "ScaleLabText.h"

#include "common/InputError.h"
#include "scale/ScaleInvarianceModels.h"

#include <QFileInfo>

#include <algorithm>
#include <new>

using CoreLab = featurescope::ScaleInvarianceLab;
using featurescope::ScaleInvarianceModels;
using scalelab::grouped;
using scalelab::tr;

namespace {

// Sweep points from 0.1 to 10: fine for cheap models, coarser when each point takes a while.
int sweepPoints(const CoreLab& lab)
{
    const double cost = scalelab::evaluationCost(lab);
    return cost <= 1e8 ? 41 : cost <= 3e9 ? 21 : 9;
}

// Trains a tied or untied toy model; false when cancelled.
bool buildToy(const ScaleLabRequest& request, featurescope::ProgressReporter* progress, ScaleLabPrepared& out)
{
    const bool tied = request.model == ScaleLabModel::TiedToy;
    const featurescope::ToyTrainingResult trained =
        ScaleInvarianceModels::trainToy(tied, ScaleInvarianceModels::kDefaultToySteps, request.seed, progress);
    if (trained.status == featurescope::TrainingStatus::Cancelled)
        return false;
    if (trained.status == featurescope::TrainingStatus::Diverged)
        throw featurescope::InputError(trained.message);
    out.lab = std::make_shared<const CoreLab>(ScaleInvarianceModels::toyLab(trained.model, request.seed));
    const auto& config = trained.model.config();
    out.description =
        (tied ? tr("Tied toy model x' = ReLU(W\u1d40W x + b), n = %1, m = %2, p = %3")
              : tr("Untied toy model h = ReLU(W x), x' = ReLU(D\u1d40h + b), target |x|, n = %1, m = %2, p = %3"))
            .arg(config.features)
            .arg(config.hidden)
            .arg(config.featureProbability.front().front()) +
        tr(", trained %1 steps; loss on %2 fixed samples").arg(grouped(trained.stepsDone)).arg(grouped(out.lab->samples()));
    return true;
}

// Trains the bias-free Fashion-MNIST MLP; false when cancelled.
bool buildMlp(const ScaleLabRequest& request, featurescope::ProgressReporter* progress, ScaleLabPrepared& out)
{
    const std::string dir = request.dataDirectory.toStdString();
    const featurescope::ImageDataset train = featurescope::ImageDataset::loadSplit(dir, "train");
    const featurescope::ImageDataset test = featurescope::ImageDataset::loadSplit(dir, "t10k");
    const featurescope::MlpTrainingResult trained =
        ScaleInvarianceModels::trainBiasFreeMlp(train, ScaleInvarianceModels::kDefaultMlpEpochs, request.seed, progress);
    if (trained.status == featurescope::TrainingStatus::Cancelled)
        return false;
    if (trained.status == featurescope::TrainingStatus::Diverged)
        throw featurescope::InputError(trained.message);
    if (progress)
        progress->report(0.0, "evaluating the test set");
    out.lab = std::make_shared<const CoreLab>(ScaleInvarianceModels::classifierLab(trained.model, test));
    out.description = tr("Fashion-MNIST MLP 784\u2013128\u201310 without biases, trained %1 epochs; %2 test images")
                          .arg(ScaleInvarianceModels::kDefaultMlpEpochs)
                          .arg(grouped(test.count));
    return true;
}

void readMatrix(const ScaleLabRequest& request, ScaleLabPrepared& out)
{
    if (request.path.isEmpty() || request.tensor.isEmpty())
        throw featurescope::InputError("choose a safetensors file and a tensor");
    out.lab = std::make_shared<const CoreLab>(
        CoreLab::forMatrix(ScaleInvarianceModels::loadSafetensorsMatrix(request.path.toStdString(),
                                                                        request.tensor.toStdString(), request.transpose),
                           request.tensor.toStdString()));
    out.description = tr("%1 from %2 (%3 dimensions x %4 features)")
                          .arg(request.tensor, QFileInfo(request.path).fileName())
                          .arg(out.lab->dimensions())
                          .arg(out.lab->features());
}

} // namespace

namespace scalelab {

double evaluationCost(const CoreLab& lab)
{
    // The forward pass over the samples plus the geometry of W.
    const double n = lab.features(), m = lab.dimensions();
    return double(lab.samples()) * n * m + std::min(n * n * m, n * m * m);
}

ScaleLabPrepared prepare(const ScaleLabRequest& request, featurescope::ProgressReporter* progress)
{
    ScaleLabPrepared out;
    try {
        bool built = true;
        switch (request.model) {
        case ScaleLabModel::TiedToy:
        case ScaleLabModel::UntiedToy: built = buildToy(request, progress, out); break;
        case ScaleLabModel::FashionMlp: built = buildMlp(request, progress, out); break;
        case ScaleLabModel::File: readMatrix(request, out); break;
        }
        if (!built) {
            out.cancelled = true;
            return out;
        }
        out.points = out.lab->sweep(CoreLab::logSpacedScales(kMinScale, kMaxScale, sweepPoints(*out.lab)), progress);
        if (progress && progress->isCancelled()) {
            out.cancelled = true;
            out.lab.reset();
            return out;
        }
        out.summary = featurescope::summariseScaleInvariance(*out.lab, out.points);
        if (out.lab->kind() != CoreLab::Kind::TiedToy) {
            // A tied toy model (a tenth of a second) beside it, whose loss does depend on c.
            const featurescope::ToyTrainingResult tied =
                ScaleInvarianceModels::trainToy(true, ScaleInvarianceModels::kDefaultToySteps, request.seed);
            if (tied.status == featurescope::TrainingStatus::Finished)
                out.contrast = QString::fromStdString(
                    featurescope::tiedToyContrast(ScaleInvarianceModels::toyLab(tied.model, request.seed)));
        }
    } catch (const featurescope::InputError& error) {
        out.lab.reset();
        out.error = QString::fromStdString(error.what());
    } catch (const std::bad_alloc&) {
        out.lab.reset();
        out.error = tr("out of memory");
    }
    return out;
}

} // namespace scalelab
