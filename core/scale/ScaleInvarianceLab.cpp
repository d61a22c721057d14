#include "scale/ScaleInvarianceLab.h"

#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "geometry/FeatureMeasures.h"
#include "toy/ToyLossKernel.h"
#include "toy/ToyModel.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>

namespace featurescope {

namespace {

// Up to this many features D_i goes through the n x n Gram matrix of FeatureMeasures (the shared definition); beyond
// it, through the m x m matrix W Wᵀ.
constexpr Eigen::Index kGramMaxFeatures = 2048;
// Classifier inputs are pushed through the network this many samples at a time (bounds the hidden activations).
constexpr Eigen::Index kClassifierChunk = 2048;

Eigen::MatrixXf scaled(const Eigen::MatrixXf& W, double c)
{
    // Each entry is the correctly rounded product c * w.
    return (W.cast<double>() * c).cast<float>();
}

// Classes of one logit column by descending logit; ties keep the class order.
void descendingOrder(const float* z, int classes, std::uint16_t* order)
{
    std::iota(order, order + classes, std::uint16_t(0));
    std::stable_sort(order, order + classes, [z](std::uint16_t a, std::uint16_t b) { return z[a] > z[b]; });
}

// log softmax of one logit column, in double.
void logSoftmax(const float* z, int classes, double* out)
{
    double top = -std::numeric_limits<double>::infinity();
    for (int k = 0; k < classes; ++k)
        top = std::max(top, double(z[k]));
    double sum = 0.0;
    for (int k = 0; k < classes; ++k)
        sum += std::exp(double(z[k]) - top);
    const double logSum = top + std::log(sum);
    for (int k = 0; k < classes; ++k)
        out[k] = double(z[k]) - logSum;
}

} // namespace

std::string ScaleInvarianceLab::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Classifier: return "classifier";
    case Kind::TiedToy: return "toy-tied";
    case Kind::UntiedToy: return "toy-untied";
    case Kind::Matrix: return "matrix";
    }
    return "matrix";
}

ScaleInvarianceLab ScaleInvarianceLab::forClassifier(const MlpClassifier& model, Eigen::MatrixXf inputs,
                                                     std::vector<int> labels)
{
    const MlpConfig& config = model.config();
    if (inputs.rows() != config.inputs)
        throw InputError("the inputs have " + std::to_string(inputs.rows()) + " rows, the classifier expects " +
                         std::to_string(config.inputs));
    if (inputs.cols() < 1)
        throw InputError("the scale-invariance lab needs at least one input");
    if (!labels.empty() && Eigen::Index(labels.size()) != inputs.cols())
        throw InputError("there are " + std::to_string(labels.size()) + " labels for " +
                         std::to_string(inputs.cols()) + " inputs");
    for (int label : labels)
        if (label < 0 || label >= config.classes)
            throw InputError("a label (" + std::to_string(label) + ") is not a class of the classifier");
    if (!model.W1().allFinite() || !model.W2().allFinite() || !inputs.allFinite())
        throw InputError("the classifier's weights or inputs are not finite");

    ScaleInvarianceLab lab;
    lab.m_kind = Kind::Classifier;
    lab.m_name = "W1";
    lab.m_classifier = model;
    lab.m_W = model.W1();
    lab.m_biasFree = !config.biases || (model.b1().isZero(0.0f) && model.b2().isZero(0.0f));
    lab.m_inputs = std::move(inputs);
    lab.m_labels = std::move(labels);

    // The reference outputs at c = 1, from the unscaled model.
    const int classes = config.classes;
    const Eigen::Index N = lab.m_inputs.cols();
    lab.m_referenceOrder.resize(std::size_t(classes) * std::size_t(N));
    lab.m_referenceProbability.resize(classes, N);
    for (Eigen::Index begin = 0; begin < N; begin += kClassifierChunk) {
        const Eigen::Index count = std::min(kClassifierChunk, N - begin);
        const Eigen::MatrixXf Z = model.logits(lab.m_inputs.middleCols(begin, count));
        for (Eigen::Index s = 0; s < count; ++s) {
            const Eigen::Index sample = begin + s;
            descendingOrder(Z.col(s).data(), classes, lab.m_referenceOrder.data() + std::size_t(sample) * classes);
            logSoftmax(Z.col(s).data(), classes, lab.m_referenceProbability.col(sample).data());
        }
    }
    lab.m_reference = lab.evaluate(1.0);
    return lab;
}

ScaleInvarianceLab ScaleInvarianceLab::forToyModel(const ToyModel& model, int instance, Eigen::MatrixXf evaluationBatch)
{
    const ToyModelConfig& config = model.config();
    if (instance < 0 || instance >= model.instanceCount())
        throw InputError("the toy model has no instance " + std::to_string(instance));
    if (evaluationBatch.cols() != config.features || evaluationBatch.rows() < 1)
        throw InputError("the evaluation batch must be batch x n with n = " + std::to_string(config.features));
    const ToyInstance& params = model.instance(instance);
    if (!params.isFinite() || !evaluationBatch.allFinite())
        throw InputError("the toy model's weights or the evaluation batch are not finite");

    ScaleInvarianceLab lab;
    lab.m_kind = config.tied() ? Kind::TiedToy : Kind::UntiedToy;
    lab.m_name = "W";
    lab.m_W = params.W;
    lab.m_toy = params;
    lab.m_biasFree = params.b.isZero(0.0f);
    // A one-instance copy of the configuration: the loss kernel reads importance and the model kind from it.
    lab.m_toyConfig = config;
    lab.m_toyConfig.featureProbability = {config.featureProbability[std::size_t(instance)]};
    if (!config.instanceImportance.empty())
        lab.m_toyConfig.instanceImportance = {config.instanceImportance[std::size_t(instance)]};
    lab.m_batch = std::move(evaluationBatch);
    lab.m_reference = lab.evaluate(1.0);
    return lab;
}

ScaleInvarianceLab ScaleInvarianceLab::forMatrix(Eigen::MatrixXf W, std::string name)
{
    if (W.size() == 0)
        throw InputError("the matrix is empty");
    if (!W.allFinite())
        throw InputError("the matrix has non-finite entries");
    ScaleInvarianceLab lab;
    lab.m_kind = Kind::Matrix;
    lab.m_name = name.empty() ? std::string("W") : std::move(name);
    lab.m_W = std::move(W);
    lab.m_reference = lab.evaluate(1.0);
    return lab;
}

std::string ScaleInvarianceLab::scaledMatrixDescription() const
{
    std::ostringstream s;
    const std::string shape = std::to_string(m_W.rows()) + " x " + std::to_string(m_W.cols());
    switch (m_kind) {
    case Kind::Classifier:
        s << "W1 (" << shape << "), the first layer: the weights before the " << m_W.rows()
          << " hidden ReLU neurons; features are the " << m_W.cols() << " inputs";
        break;
    case Kind::TiedToy:
        s << "W (" << shape << "), tied: the encoder and the decoder are one matrix, so both scale";
        break;
    case Kind::UntiedToy:
        s << "the encoder W (" << shape << ") by c and the decoder by 1/c, the rescaling an untied ReLU model "
             "absorbs exactly; loss_encoder_only scales the encoder alone";
        break;
    case Kind::Matrix:
        s << m_name << " (" << shape << "): columns are features, rows are dimensions";
        break;
    }
    return s.str();
}

int ScaleInvarianceLab::samples() const
{
    switch (m_kind) {
    case Kind::Classifier: return int(m_inputs.cols());
    case Kind::TiedToy:
    case Kind::UntiedToy: return int(m_batch.rows());
    case Kind::Matrix: return 0;
    }
    return 0;
}

void ScaleInvarianceLab::measureGeometry(const Eigen::MatrixXf& W, ScaleInvariancePoint& point, bool forceFastPath)
{
    const Eigen::Index m = W.rows();
    const Eigen::Index n = W.cols();
    if (!forceFastPath && n <= kGramMaxFeatures) {
        const FeatureMeasures measures = computeFeatureMeasures(W);
        point.frobeniusSquared = measures.frobeniusSquared;
        point.featuresPerDimension = measures.featuresPerDimension;
        point.dimensionality = measures.dimensionality;
    } else {
        // sum_j (Ŵ_i . W_j)^2 = W_iᵀ (W Wᵀ) W_i / ||W_i||^2, so D_i = ||W_i||^4 / W_iᵀ (W Wᵀ) W_i.
        const Eigen::MatrixXd Wd = W.cast<double>();
        Eigen::MatrixXd M = Eigen::MatrixXd::Zero(m, m);
        M.selfadjointView<Eigen::Lower>().rankUpdate(Wd);
        M.triangularView<Eigen::StrictlyUpper>() = M.transpose();
        const Eigen::MatrixXd MW = M * Wd; // m x n
        constexpr double kEpsilon2 = 1e-12; // FeatureMeasures' default norm epsilon, squared
        point.dimensionality.resize(n);
        double frobenius = 0.0;
        for (Eigen::Index i = 0; i < n; ++i) {
            const double gii = Wd.col(i).squaredNorm();
            frobenius += gii;
            const double total = Wd.col(i).dot(MW.col(i)); // = gii^2 + sum_{j != i} G_ij^2
            point.dimensionality[i] = gii > kEpsilon2 && total > 0.0 ? float(std::min(1.0, gii * gii / total)) : 0.0f;
        }
        point.frobeniusSquared = frobenius;
        point.featuresPerDimension = m > 0 ? frobenius / double(m) : 0.0;
    }
    point.meanDimensionality = n > 0 ? double(point.dimensionality.cast<double>().mean()) : 0.0;
}

ScaleInvariancePoint ScaleInvarianceLab::evaluate(double c) const
{
    if (!std::isfinite(c) || c <= 0.0)
        throw InputError("a scale must be finite and positive");
    ScaleInvariancePoint point;
    point.scale = c;
    measureGeometry(scaled(m_W, c), point);
    if (m_reference.dimensionality.size() == point.dimensionality.size())
        point.maxDimensionalityChange =
            double((point.dimensionality - m_reference.dimensionality).cwiseAbs().maxCoeff());
    if (m_kind == Kind::Classifier)
        evaluateClassifier(c, point);
    else if (m_kind == Kind::TiedToy || m_kind == Kind::UntiedToy)
        evaluateToy(c, point);
    return point;
}

void ScaleInvarianceLab::evaluateClassifier(double c, ScaleInvariancePoint& point) const
{
    MlpClassifier model = m_classifier;
    model.W1() = scaled(m_classifier.W1(), c);
    const int classes = model.config().classes;
    const Eigen::Index N = m_inputs.cols();
    std::vector<std::uint16_t> order(static_cast<std::size_t>(classes));
    std::vector<double> logP(static_cast<std::size_t>(classes));
    long long correct = 0;
    int predictionsChanged = 0;
    int orderingsChanged = 0;
    double sumMaxProbability = 0.0;
    double sumKl = 0.0;
    double maxChange = 0.0;
    for (Eigen::Index begin = 0; begin < N; begin += kClassifierChunk) {
        const Eigen::Index count = std::min(kClassifierChunk, N - begin);
        const Eigen::MatrixXf Z = model.logits(m_inputs.middleCols(begin, count));
        for (Eigen::Index s = 0; s < count; ++s) {
            const Eigen::Index sample = begin + s;
            const std::uint16_t* reference = m_referenceOrder.data() + std::size_t(sample) * classes;
            descendingOrder(Z.col(s).data(), classes, order.data());
            if (order[0] != reference[0])
                ++predictionsChanged;
            if (!std::equal(order.begin(), order.end(), reference))
                ++orderingsChanged;
            if (!m_labels.empty() && int(order[0]) == m_labels[std::size_t(sample)])
                ++correct;
            logSoftmax(Z.col(s).data(), classes, logP.data());
            double kl = 0.0;
            double maxP = 0.0;
            for (int k = 0; k < classes; ++k) {
                const double logReference = m_referenceProbability(k, sample);
                const double pReference = std::exp(logReference);
                const double p = std::exp(logP[std::size_t(k)]);
                maxP = std::max(maxP, p);
                if (pReference > 0.0)
                    kl += pReference * (logReference - logP[std::size_t(k)]);
                maxChange = std::max(maxChange, std::abs(p - pReference));
            }
            sumMaxProbability += maxP;
            sumKl += std::max(kl, 0.0);
        }
    }
    point.accuracy = m_labels.empty() ? ScaleInvariancePoint::kNaN : double(correct) / double(N);
    point.predictionsChanged = predictionsChanged;
    point.orderingsChanged = orderingsChanged;
    point.meanMaxProbability = sumMaxProbability / double(N);
    point.meanKlFromReference = sumKl / double(N);
    point.maxProbabilityChange = maxChange;
}

double ScaleInvarianceLab::toyLoss(const ToyInstance& params) const
{
    ToyLossKernel kernel(m_toyConfig, 0, int(m_batch.rows()));
    return kernel.evaluate(params, m_batch, nullptr);
}

void ScaleInvarianceLab::evaluateToy(double c, ScaleInvariancePoint& point) const
{
    ToyInstance params = m_toy;
    params.W = scaled(m_toy.W, c);
    if (m_kind == Kind::TiedToy) {
        point.loss = toyLoss(params); // W is the encoder and the decoder
        return;
    }
    point.lossEncoderOnly = toyLoss(params);
    params.decoder = scaled(m_toy.decoder, 1.0 / c);
    point.loss = toyLoss(params);
}

std::vector<ScaleInvariancePoint> ScaleInvarianceLab::sweep(const std::vector<double>& scales,
                                                            ProgressReporter* progress) const
{
    std::vector<ScaleInvariancePoint> points;
    points.reserve(scales.size());
    for (std::size_t k = 0; k < scales.size(); ++k) {
        if (progress && progress->isCancelled())
            break;
        points.push_back(evaluate(scales[k]));
        if (progress)
            progress->report(double(k + 1) / double(scales.size()), "scale-invariance sweep");
    }
    return points;
}

std::vector<double> ScaleInvarianceLab::logSpacedScales(double lo, double hi, int count)
{
    if (!(lo > 0.0) || !(hi >= lo) || !std::isfinite(hi) || count < 1)
        throw InputError("log-spaced scales need 0 < lo <= hi and at least one point");
    std::vector<double> scales;
    if (count == 1)
        return {lo};
    const double a = std::log(lo), b = std::log(hi);
    for (int k = 0; k < count; ++k) {
        const double t = double(k) / (count - 1);
        double c = k == count - 1 ? hi : std::exp(a + t * (b - a));
        if (std::abs(std::log(c)) < 1e-9)
            c = 1.0;
        scales.push_back(k == 0 ? lo : c);
    }
    return scales;
}

} // namespace featurescope
