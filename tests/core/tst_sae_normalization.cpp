// SAELens's normalize_activations for training: constant_norm_rescale and layer_norm normalise each input, and the
// reconstruction is un-normalised before the loss, so loss, MSE and reconstructions are in the inputs' own units; the
// export keeps the mode and SAELens's forward pass gives the same codes and reconstructions.
#include "common/ProgressReporter.h"
#include "math/Rng.h"
#include "sae/SaeEvaluator.h"
#include "sae/SaeInputNormalizer.h"
#include "sae/SaeLensExporter.h"
#include "sae/SaeLensLoader.h"
#include "sae/SaeLossKernel.h"
#include "sae/SaeTrainer.h"
#include "sae/SyntheticActivationSource.h"

#include "core/ScratchFiles.h"

#include <QTest>

#include <cmath>
#include <numeric>

using namespace featurescope;

namespace {

// Synthetic superposition whose inputs vary wildly in norm and offset: each input x·a + b·1 with a in [0.1, 10) and
// b in [−3, 3) drawn per input. An SAE that forgot to un-normalise would reconstruct at the wrong scale.
class RescaledSource : public ActivationSource {
public:
    explicit RescaledSource(const SyntheticActivationSource::Settings& s) : m_inner(s) {}
    std::string name() const override { return "rescaled"; }
    int dimension() const override { return m_inner.dimension(); }
    void sampleBatch(Eigen::MatrixXf& X, int batch, Random& random) const override
    {
        m_inner.sampleBatch(X, batch, random);
        std::vector<float> u(2 * std::size_t(batch));
        random.uniform.fill(u.data(), u.size());
        for (int s = 0; s < batch; ++s)
            X.col(s) = (X.col(s) * (0.1f + 9.9f * u[2 * std::size_t(s)])).array() + (6.0f * u[2 * std::size_t(s) + 1] - 3.0f);
    }
    EvaluationSet evaluationSet(int maxCount, std::uint64_t seed) const override
    {
        EvaluationSet set;
        Random random(seed);
        sampleBatch(set.activations, maxCount, random);
        return set;
    }

private:
    SyntheticActivationSource m_inner;
};

SyntheticActivationSource::Settings smallSettings()
{
    SyntheticActivationSource::Settings s;
    s.features = 48;
    s.dimension = 24;
    s.meanActive = 3.0;
    s.seed = 4;
    return s;
}

// The loss in the inputs' own units, in double precision, for normalised inputs as the trainer builds them.
double referenceLoss(const SparseAutoencoder& sae, const Eigen::MatrixXf& X, double l1, std::vector<char>* pattern)
{
    const SaeConfig& c = sae.config();
    Eigen::MatrixXf normalised = X;
    const SaeInputNormalizer::Undo undo = SaeInputNormalizer::normalize(c.perInputNormalization, normalised);
    const Eigen::MatrixXd E = sae.encoderColumns().cast<double>(), W = sae.decoderWeights().cast<double>();
    const Eigen::VectorXd be = sae.encoderBias().cast<double>(), bd = sae.decoderBias().cast<double>();
    double mse = 0.0, penalty = 0.0;
    pattern->clear();
    for (int s = 0; s < int(X.cols()); ++s) {
        const Eigen::VectorXd xn = normalised.col(s).cast<double>();
        const Eigen::VectorXd pre = E.transpose() * (xn - bd) + be;
        Eigen::VectorXd f = Eigen::VectorXd::Zero(pre.size());
        if (c.variant == SaeVariant::TopK) {
            std::vector<int> order(std::size_t(pre.size()));
            std::iota(order.begin(), order.end(), 0);
            std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return pre[a] > pre[b]; });
            for (int t = 0; t < c.k; ++t)
                f[order[std::size_t(t)]] = std::max(0.0, pre[order[std::size_t(t)]]);
        } else {
            f = pre.cwiseMax(0.0);
        }
        for (Eigen::Index j = 0; j < f.size(); ++j) {
            pattern->push_back(f[j] > 0.0 ? 1 : 0);
            penalty += c.variant == SaeVariant::TM2023 ? f[j] : 0.0;
        }
        Eigen::VectorXd xhat = W * f + bd;
        xhat *= double(undo.outScale[s]);
        if (undo.shift.size())
            xhat.array() += double(undo.shift[s]);
        mse += (xhat - X.col(s).cast<double>()).squaredNorm();
    }
    return mse / (double(X.cols()) * c.inputDim) + l1 / double(X.cols()) * penalty;
}

} // namespace

class TestSaeNormalization : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_files.isValid()); }

    void normalizerRoundTrip_data()
    {
        QTest::addColumn<int>("mode");
        QTest::newRow("constant_norm_rescale") << int(SaeInputNormalization::ConstantNormRescale);
        QTest::newRow("layer_norm") << int(SaeInputNormalization::LayerNorm);
    }

    void normalizerRoundTrip()
    {
        QFETCH(int, mode);
        Rng rng(3);
        Eigen::MatrixXf X(16, 40);
        for (Eigen::Index k = 0; k < X.size(); ++k)
            X.data()[k] = float(5.0 * rng.normal() + 2.0);
        X.col(7).setZero(); // a zero input stays finite
        Eigen::MatrixXf n = X;
        const auto undo = SaeInputNormalizer::normalize(SaeInputNormalization(mode), n);
        QVERIFY(n.allFinite());
        if (SaeInputNormalization(mode) == SaeInputNormalization::ConstantNormRescale)
            QVERIFY(std::abs(n.col(3).norm() - 4.0f) < 1e-5f); // sqrt(16)
        else
            QVERIFY(std::abs(n.col(3).mean()) < 1e-5f);
        Eigen::MatrixXf back = n;
        SaeInputNormalizer::denormalize(undo, back);
        QVERIFY((back - X).cwiseAbs().maxCoeff() < 1e-3f);
        // The training target and weights put the normalised-space error in the inputs' units.
        Eigen::MatrixXf target;
        Eigen::VectorXf weight;
        SaeInputNormalizer::trainingTarget(SaeInputNormalization(mode), n, undo, &target, &weight);
        const Eigen::MatrixXf& t = target.size() ? target : n;
        Eigen::MatrixXf guess = n;
        guess.array() += 0.3f; // some reconstruction x̂'
        Eigen::MatrixXf guessBack = guess;
        SaeInputNormalizer::denormalize(undo, guessBack);
        for (int s = 0; s < int(X.cols()); ++s) {
            const double ownUnits = (guessBack.col(s) - X.col(s)).cast<double>().squaredNorm();
            const double weighted = weight[s] * (guess.col(s) - t.col(s)).cast<double>().squaredNorm();
            QVERIFY2(std::abs(ownUnits - weighted) <= 1e-4 * std::max(1.0, ownUnits),
                     qPrintable(QStringLiteral("input %1: %2 vs %3").arg(s).arg(ownUnits).arg(weighted)));
        }
    }

    // The kernel's loss is the loss in the inputs' own units, and its gradient that loss's derivative.
    void lossAndGradientInOwnUnits_data()
    {
        QTest::addColumn<int>("mode");
        QTest::addColumn<int>("variant");
        QTest::addColumn<int>("path");
        for (auto m : {std::pair{"cnr", SaeInputNormalization::ConstantNormRescale},
                       std::pair{"ln", SaeInputNormalization::LayerNorm}})
            for (auto v : {std::pair{"tm2023", SaeVariant::TM2023}, std::pair{"topk", SaeVariant::TopK}})
                for (auto p : {std::pair{"dense", SaeComputePath::Dense}, std::pair{"sparse", SaeComputePath::Sparse}})
                    QTest::addRow("%s-%s-%s", m.first, v.first, p.first) << int(m.second) << int(v.second) << int(p.second);
    }

    void lossAndGradientInOwnUnits()
    {
        QFETCH(int, mode);
        QFETCH(int, variant);
        QFETCH(int, path);
        SaeConfig config;
        config.inputDim = 12;
        config.latentDim = 20;
        config.variant = SaeVariant(variant);
        config.k = 5;
        config.perInputNormalization = SaeInputNormalization(mode);
        SparseAutoencoder sae(config);
        sae.initialise(9, Eigen::VectorXf::Constant(12, 0.05f));
        Rng rng(10);
        for (int j = 0; j < config.latentDim; ++j)
            sae.encoderBias()[j] = float(0.3 * rng.normal());
        Eigen::MatrixXf X(12, 9);
        for (Eigen::Index k = 0; k < X.size(); ++k)
            X.data()[k] = float(3.0 * rng.normal() + 1.0);
        const double l1 = config.variant == SaeVariant::TM2023 ? 0.02 : 0.0;

        Eigen::MatrixXf normalised = X, target;
        Eigen::VectorXf weights;
        const auto undo = SaeInputNormalizer::normalize(config.perInputNormalization, normalised);
        SaeInputNormalizer::trainingTarget(config.perInputNormalization, normalised, undo, &target, &weights);
        SaeLossKernel kernel(config, SaeComputePath(path));
        kernel.setReconstructionTarget(&target, &weights);
        std::vector<float> gradient(sae.parameters().size(), -7.0f);
        const SaeLossTerms terms = kernel.evaluate(sae, normalised, l1, gradient.data());
        std::vector<char> basePattern, pattern;
        const double reference = referenceLoss(sae, X, l1, &basePattern);
        QVERIFY2(std::abs(terms.loss - reference) <= 1e-4 * std::max(1.0, reference),
                 qPrintable(QStringLiteral("loss %1, in own units %2").arg(terms.loss).arg(reference)));
        int checked = 0;
        for (std::size_t p = 0; p < sae.parameters().size(); p += 3) {
            const float original = sae.parameters()[p];
            const double h = 1e-3;
            sae.parameters()[p] = float(original + h);
            const double plus = referenceLoss(sae, X, l1, &pattern);
            const bool samePlus = pattern == basePattern;
            sae.parameters()[p] = float(original - h);
            const double minus = referenceLoss(sae, X, l1, &pattern);
            const bool same = samePlus && pattern == basePattern;
            const double step = double(float(original + h)) - double(float(original - h));
            sae.parameters()[p] = original;
            if (!same)
                continue;
            const double numeric = (plus - minus) / step;
            QVERIFY2(std::abs(gradient[p] - numeric) <= 1e-4 + 3e-3 * std::abs(numeric),
                     qPrintable(QStringLiteral("parameter %1: kernel %2, finite difference %3").arg(p).arg(gradient[p]).arg(numeric)));
            ++checked;
        }
        QVERIFY(checked > int(sae.parameters().size()) / 6);
    }

    // Trained on inputs of wildly varying norm and offset, the SAE reconstructs them in their own units, and its
    // export (normalize_activations kept) gives the same codes and reconstructions in SAELens's forward pass.
    void trainedRoundTrip_data()
    {
        QTest::addColumn<int>("mode");
        QTest::newRow("constant_norm_rescale") << int(SaeInputNormalization::ConstantNormRescale);
        QTest::newRow("layer_norm") << int(SaeInputNormalization::LayerNorm);
    }

    void trainedRoundTrip()
    {
        QFETCH(int, mode);
        const RescaledSource source(smallSettings());
        SaeConfig config;
        config.inputDim = 24;
        config.latentDim = 96;
        config.variant = SaeVariant::TopK;
        config.k = 4;
        config.perInputNormalization = SaeInputNormalization(mode);
        SaeTrainingConfig training;
        training.steps = 600;
        training.batch = 256;
        training.seed = 2;
        SaeTrainer trainer(config, training, source);
        QCOMPARE(trainer.run(), TrainingStatus::Finished);
        const SparseAutoencoder& sae = trainer.autoencoder();
        QCOMPARE(sae.inputScale(), 1.0f);
        const EvaluationSet set = source.evaluationSet(2048, 77);
        const SaeEvaluator evaluator(sae, set, {});
        const double ev = evaluator.metrics().explainedVariance;
        const Eigen::MatrixXf Xhat = sae.reconstruct(set.activations);
        const double mse = (Xhat - set.activations).cast<double>().squaredNorm() / double(set.activations.size());
        qDebug("%s: explained variance %.4f, MSE %.5g (evaluator %.5g), last training MSE %.5g", QTest::currentDataTag(),
               ev, mse, evaluator.metrics().mse, double(trainer.mseHistory().back()));
        QVERIFY2(ev > 0.8, qPrintable(QString::number(ev)));
        // Left in the normalised space the same reconstructions would be far off: the un-normalising matters here.
        const Eigen::MatrixXf naive = sae.decode(sae.encode(set.activations));
        const double naiveMse = (naive - set.activations).cast<double>().squaredNorm() / double(set.activations.size());
        QVERIFY2(naiveMse > 3.0 * mse, qPrintable(QStringLiteral("%1 vs %2").arg(naiveMse).arg(mse)));
        QVERIFY(std::abs(mse - evaluator.metrics().mse) <= 1e-3 * mse);
        // The training loss is in the inputs' units too: the same order as the evaluation MSE.
        QVERIFY(double(trainer.mseHistory().back()) < 3.0 * mse && double(trainer.mseHistory().back()) > mse / 3.0);

        const std::string dir = m_files.path(QString::fromLatin1(QTest::currentDataTag())).toStdString();
        SaeLensExporter::write(dir, sae);
        const ImportedSae back = SaeLensLoader::load(dir);
        QCOMPARE(saeLensNormalizationName(back.config().normalization), config.normalizationName());
        const Eigen::MatrixXf X = set.activations.leftCols(256);
        const Eigen::MatrixXf ours = sae.encode(X), theirs = back.encode(X);
        QCOMPARE(((ours.array() > 0.0f) == (theirs.array() > 0.0f)).count(), ours.size());
        QVERIFY((ours - theirs).cwiseAbs().maxCoeff() <= 1e-4f * std::max(1.0f, ours.cwiseAbs().maxCoeff()));
        const Eigen::MatrixXf rebuilt = back.reconstruct(X);
        QVERIFY((rebuilt - sae.reconstruct(X)).cwiseAbs().maxCoeff() <= 1e-3f * std::max(1.0f, X.cwiseAbs().maxCoeff()));
    }

private:
    ScratchFiles m_files;
};

QTEST_GUILESS_MAIN(TestSaeNormalization)
#include "tst_sae_normalization.moc"
