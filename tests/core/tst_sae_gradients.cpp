#include "math/Rng.h"
#include "sae/SaeLossKernel.h"
#include "sae/SparseAutoencoder.h"
#include "sae/SyntheticActivationSource.h"
#include "sae/TopKSelector.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace featurescope;

namespace {

// The loss written out independently, in double precision, from the float parameters. `pattern` receives which codes
// are active (a finite difference across a ReLU or TopK boundary is not a derivative and is skipped).
double referenceLoss(const SparseAutoencoder& sae, const Eigen::MatrixXf& X, double l1, std::vector<char>* pattern,
                     Eigen::MatrixXd* reconstruction = nullptr)
{
    const auto& config = sae.config();
    const Eigen::MatrixXd E = sae.encoderColumns().cast<double>();
    const Eigen::MatrixXd W = sae.decoderWeights().cast<double>();
    const Eigen::VectorXd be = sae.encoderBias().cast<double>();
    const Eigen::VectorXd bd = sae.decoderBias().cast<double>();
    const int batch = int(X.cols());
    double mse = 0.0, penalty = 0.0;
    if (pattern)
        pattern->clear();
    // BatchTopK: the k·B largest positive pre-activations of the whole batch, ties to the earlier (input, latent).
    Eigen::MatrixXd batchPre(config.latentDim, batch);
    std::vector<char> batchKeep(std::size_t(config.latentDim) * std::size_t(batch), 0);
    if (config.selectsOverBatch()) {
        for (int s = 0; s < batch; ++s) {
            const Eigen::VectorXd x = X.col(s).cast<double>();
            batchPre.col(s) = E.transpose() * (x - bd) + be;
        }
        std::vector<int> order(batchKeep.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return batchPre.data()[a] > batchPre.data()[b]; });
        for (std::size_t t = 0; t < std::size_t(config.k) * std::size_t(batch) && t < order.size(); ++t)
            batchKeep[std::size_t(order[t])] = batchPre.data()[order[t]] > 0.0 ? 1 : 0;
    }
    for (int s = 0; s < batch; ++s) {
        const Eigen::VectorXd x = X.col(s).cast<double>();
        const Eigen::VectorXd in = config.subtractsDecoderBias() ? Eigen::VectorXd(x - bd) : x;
        const Eigen::VectorXd pre = E.transpose() * in + be;
        Eigen::VectorXd f = Eigen::VectorXd::Zero(pre.size());
        if (config.selectsOverBatch()) {
            for (Eigen::Index j = 0; j < pre.size(); ++j)
                f[j] = batchKeep[std::size_t(s) * std::size_t(config.latentDim) + std::size_t(j)] ? pre[j] : 0.0;
        } else if (config.variant == SaeVariant::JumpReLU) {
            for (Eigen::Index j = 0; j < pre.size(); ++j)
                f[j] = pre[j] > std::exp(double(sae.logThresholds()[j])) ? pre[j] : 0.0;
        } else if (config.variant == SaeVariant::TopK) {
            std::vector<int> order(std::size_t(pre.size()));
            std::iota(order.begin(), order.end(), 0);
            std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return pre[a] > pre[b]; });
            for (int t = 0; t < config.k; ++t)
                f[order[std::size_t(t)]] = std::max(0.0, pre[order[std::size_t(t)]]);
        } else {
            f = pre.cwiseMax(0.0);
        }
        if (pattern)
            for (Eigen::Index j = 0; j < f.size(); ++j)
                pattern->push_back(f[j] > 0.0 ? 1 : 0);
        mse += (W * f + bd - x).squaredNorm();
        if (config.variant == SaeVariant::Matryoshka) {
            // Each inner prefix decodes with its first w latents only; the last prefix is the whole dictionary.
            const std::vector<int> levels = config.matryoshkaLevels();
            for (std::size_t l = 0; l + 1 < levels.size(); ++l) {
                const int w = levels[l];
                mse += (W.leftCols(w) * f.head(w) + bd - x).squaredNorm();
            }
        }
        if (reconstruction) {
            reconstruction->resize(x.size(), batch);
            reconstruction->col(s) = W * f + bd;
        }
        for (Eigen::Index j = 0; j < f.size(); ++j) {
            if (config.variant == SaeVariant::TM2023)
                penalty += f[j];
            else if (config.variant == SaeVariant::Anthropic2024)
                penalty += f[j] * W.col(j).norm();
            else if (config.variant == SaeVariant::JumpReLU)
                penalty += config.jumpSparsity == SaeJumpSparsity::Tanh
                               ? std::tanh(config.jumpTanhScale * f[j] * W.col(j).norm())
                               : (f[j] > 0.0 ? 1.0 : 0.0);
        }
    }
    if (config.variant == SaeVariant::JumpReLU && config.jumpSparsity == SaeJumpSparsity::Quadratic) {
        // λ (L0 / T − 1)² with L0 the batch's mean count of active codes.
        const double deviation = penalty / batch / config.jumpTargetL0 - 1.0;
        return mse / (double(batch) * config.inputDim) + l1 * deviation * deviation;
    }
    return mse / (double(batch) * config.inputDim) + l1 / batch * penalty;
}

// TopK's AuxK loss written out independently in double precision: per input the k_aux = min(d/2, n_dead) largest
// pre-activations among the dead latents (not ReLU'd), decoded without bias, fitted to the fixed residual e (d x B).
// `pattern` receives the chosen latents.
double referenceAuxLoss(const SparseAutoencoder& sae, const Eigen::MatrixXf& X, const std::vector<int>& dead,
                        const Eigen::MatrixXd& residual, std::vector<char>* pattern)
{
    const auto& config = sae.config();
    const Eigen::MatrixXd E = sae.encoderColumns().cast<double>();
    const Eigen::MatrixXd W = sae.decoderWeights().cast<double>();
    const Eigen::VectorXd be = sae.encoderBias().cast<double>();
    const Eigen::VectorXd bd = sae.decoderBias().cast<double>();
    const int kAux = std::min(std::max(1, config.inputDim / 2), int(dead.size()));
    const double scale = std::min(double(dead.size()) / std::max(1, config.inputDim / 2), 1.0);
    double total = 0.0;
    if (pattern)
        pattern->clear();
    for (int s = 0; s < int(X.cols()); ++s) {
        const Eigen::VectorXd x = X.col(s).cast<double>();
        const Eigen::VectorXd pre = E.transpose() * (config.subtractsDecoderBias() ? Eigen::VectorXd(x - bd) : x) + be;
        std::vector<int> order = dead;
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return pre[a] > pre[b]; });
        Eigen::VectorXd a = Eigen::VectorXd::Zero(pre.size());
        for (int t = 0; t < kAux; ++t)
            a[order[std::size_t(t)]] = pre[order[std::size_t(t)]];
        if (pattern)
            for (int t = 0; t < kAux; ++t)
                pattern->push_back(char(order[std::size_t(t)]));
        total += (W * a - residual.col(s)).squaredNorm();
    }
    return config.auxK * scale * total / (double(X.cols()) * config.inputDim);
}

// e = x − x̂ of the reference model's training forward pass (double precision).
Eigen::MatrixXd referenceResidual(const SparseAutoencoder& sae, const Eigen::MatrixXf& X)
{
    Eigen::MatrixXd reconstruction;
    referenceLoss(sae, X, 0.0, nullptr, &reconstruction);
    return X.cast<double>() - reconstruction;
}

SparseAutoencoder makeAutoencoder(SaeVariant variant, int d, int dsae, std::uint64_t seed,
                                  SaeJumpSparsity sparsity = SaeJumpSparsity::Step)
{
    SaeConfig config;
    config.inputDim = d;
    config.latentDim = dsae;
    config.variant = variant;
    config.jumpSparsity = sparsity;
    config.jumpBandwidth = 0.5; // wide, so that many pre-activations fall in the estimator's window
    config.k = std::max(1, dsae / 3);
    config.l1 = 0.05;
    config.jumpTargetL0 = 2.0;
    if (variant == SaeVariant::Matryoshka) // three nested prefixes: the first third, two thirds, all
        config.matryoshkaWidths = {std::max(1, dsae / 3), std::max(2, 2 * dsae / 3)};
    SparseAutoencoder sae(config);
    Rng rng(seed);
    Eigen::VectorXf bias(d);
    for (int i = 0; i < d; ++i)
        bias[i] = float(0.2 * rng.normal());
    sae.initialise(seed, bias);
    // Spread the encoder biases so that some codes are active and some are not; give the 2024 decoder columns
    // different norms so the norm-weighted penalty's gradient is exercised.
    for (int j = 0; j < dsae; ++j) {
        sae.encoderBias()[j] = float(0.3 * rng.normal());
        if (variant == SaeVariant::Anthropic2024 || variant == SaeVariant::JumpReLU)
            sae.decoderWeights().col(j) *= float(variant == SaeVariant::JumpReLU ? 0.5 + rng.uniform()
                                                                                : 5.0 + 10.0 * rng.uniform());
    }
    // JumpReLU thresholds spread around 0.2 (some codes above, some below, some near).
    for (Eigen::Index j = 0; j < sae.logThresholds().size(); ++j)
        sae.logThresholds()[j] = float(std::log(0.2) + 0.5 * rng.normal());
    return sae;
}

Eigen::MatrixXf randomBatch(int d, int batch, std::uint64_t seed)
{
    Rng rng(seed);
    Eigen::MatrixXf X(d, batch);
    for (Eigen::Index k = 0; k < X.size(); ++k)
        X.data()[k] = float(rng.normal());
    return X;
}

} // namespace

class TestSaeGradients : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void finiteDifferences_data()
    {
        QTest::addColumn<int>("variant");
        QTest::addColumn<int>("path");
        QTest::addColumn<int>("d");
        QTest::addColumn<int>("dsae");
        QTest::addColumn<int>("batch");
        QTest::addColumn<int>("sparsity");
        const struct {
            const char* name;
            SaeVariant variant;
        } variants[] = {{"tm2023", SaeVariant::TM2023},
                        {"2024", SaeVariant::Anthropic2024},
                        {"topk", SaeVariant::TopK},
                        {"batchtopk", SaeVariant::BatchTopK},
                        {"matryoshka", SaeVariant::Matryoshka}};
        const int step = int(SaeJumpSparsity::Step), tanhLoss = int(SaeJumpSparsity::Tanh);
        for (const auto& v : variants) {
            for (const auto& p : {std::pair{"dense", SaeComputePath::Dense}, std::pair{"sparse", SaeComputePath::Sparse}}) {
                // d = 5 takes the generic kernels, d = 32 the fixed-width ones, d = 144 the wide (chunked) ones.
                QTest::addRow("%s-%s-d5", v.name, p.first) << int(v.variant) << int(p.second) << 5 << 9 << 7 << step;
                QTest::addRow("%s-%s-d32", v.name, p.first) << int(v.variant) << int(p.second) << 32 << 12 << 6 << step;
                QTest::addRow("%s-%s-d144", v.name, p.first) << int(v.variant) << int(p.second) << 144 << 10 << 5 << step;
            }
        }
        // JumpReLU always takes the dense path; its thresholds' pseudo-gradient is checked in jumpReluEstimator.
        const int jump = int(SaeVariant::JumpReLU), dense = int(SaeComputePath::Dense);
        QTest::newRow("jumprelu-step-d5") << jump << dense << 5 << 9 << 7 << step;
        QTest::newRow("jumprelu-step-d32") << jump << dense << 32 << 12 << 6 << step;
        QTest::newRow("jumprelu-tanh-d5") << jump << dense << 5 << 9 << 7 << tanhLoss;
        QTest::newRow("jumprelu-tanh-d32") << jump << dense << 32 << 12 << 6 << tanhLoss;
        const int quadratic = int(SaeJumpSparsity::Quadratic);
        QTest::newRow("jumprelu-quadratic-d5") << jump << dense << 5 << 9 << 7 << quadratic;
        QTest::newRow("jumprelu-quadratic-d32") << jump << dense << 32 << 12 << 6 << quadratic;
    }

    void finiteDifferences()
    {
        QFETCH(int, variant);
        QFETCH(int, path);
        QFETCH(int, d);
        QFETCH(int, dsae);
        QFETCH(int, batch);
        QFETCH(int, sparsity);
        SparseAutoencoder sae = makeAutoencoder(SaeVariant(variant), d, dsae, 11, SaeJumpSparsity(sparsity));
        const Eigen::MatrixXf X = randomBatch(d, batch, 12);
        const double l1 = sae.config().l1;

        SaeLossKernel kernel(sae.config(), SaeComputePath(path));
        std::vector<float> gradient(sae.parameters().size(), -123.0f); // the kernel must overwrite every entry
        const SaeLossTerms terms = kernel.evaluate(sae, X, l1, gradient.data());
        std::vector<char> basePattern;
        const double reference = referenceLoss(sae, X, l1, &basePattern);
        QVERIFY2(std::abs(terms.loss - reference) <= 1e-5 * std::max(1.0, std::abs(reference)),
                 qPrintable(QStringLiteral("loss %1 vs reference %2").arg(terms.loss).arg(reference)));
        QCOMPARE(terms.sparsePath, SaeComputePath(path) == SaeComputePath::Sparse);
        int active = 0;
        for (char c : basePattern)
            active += c;
        QVERIFY2(active > 0 && active < int(basePattern.size()), "the test needs both active and silent codes");

        const double h = 1e-3;
        int checked = 0, skipped = 0;
        double worst = 0.0;
        // JumpReLU's log θ come last and have no derivative (the loss is a step function of them).
        for (std::size_t p = 0; p < std::min(sae.parameters().size(), sae.logThresholdOffset()); ++p) {
            const float original = sae.parameters()[p];
            const float plus = float(original + h), minus = float(original - h);
            std::vector<char> patternPlus, patternMinus;
            sae.parameters()[p] = plus;
            const double lossPlus = referenceLoss(sae, X, l1, &patternPlus);
            sae.parameters()[p] = minus;
            const double lossMinus = referenceLoss(sae, X, l1, &patternMinus);
            sae.parameters()[p] = original;
            if (patternPlus != basePattern || patternMinus != basePattern) {
                ++skipped;
                continue;
            }
            const double numeric = (lossPlus - lossMinus) / (double(plus) - double(minus));
            const double error = std::abs(double(gradient[p]) - numeric);
            worst = std::max(worst, error / (1e-4 + std::abs(numeric)));
            QVERIFY2(error <= 2e-5 + 2e-3 * std::abs(numeric),
                     qPrintable(QStringLiteral("parameter %1: analytic %2, finite difference %3")
                                    .arg(p)
                                    .arg(double(gradient[p]), 0, 'g', 8)
                                    .arg(numeric, 0, 'g', 8)));
            ++checked;
        }
        QVERIFY2(skipped * 10 < checked, qPrintable(QStringLiteral("%1 parameters skipped at kinks").arg(skipped)));
        qDebug("checked %d parameters (%d at kinks skipped), worst relative error %.2e", checked, skipped, worst);
    }

    // JumpReLU's thresholds learn through SAELens's straight-through estimator, not a derivative: against that
    // estimator written out independently in double precision, for both sparsity losses. With g_sj = dL/df_sj,
    // K(u) = [|u| < ½] and ε the bandwidth: dL/dθ_j = Σ_s K((pre_sj − θ_j)/ε) (−θ_j/ε · g_sj − [step] λ/(Bε)), and
    // dL/dlog θ_j = θ_j dL/dθ_j.
    void jumpReluEstimator_data()
    {
        QTest::addColumn<int>("sparsity");
        QTest::newRow("step") << int(SaeJumpSparsity::Step);
        QTest::newRow("tanh") << int(SaeJumpSparsity::Tanh);
        QTest::newRow("quadratic") << int(SaeJumpSparsity::Quadratic);
    }

    void jumpReluEstimator()
    {
        QFETCH(int, sparsity);
        const int d = 12, dsae = 20, batch = 30;
        SparseAutoencoder sae = makeAutoencoder(SaeVariant::JumpReLU, d, dsae, 51, SaeJumpSparsity(sparsity));
        const Eigen::MatrixXf X = randomBatch(d, batch, 52);
        const double l1 = sae.config().l1;
        SaeLossKernel kernel(sae.config(), SaeComputePath::Automatic);
        std::vector<float> gradient(sae.parameters().size(), -123.0f);
        const SaeLossTerms terms = kernel.evaluate(sae, X, l1, gradient.data());
        QCOMPARE(terms.sparsePath, false);

        const auto& config = sae.config();
        const Eigen::MatrixXd E = sae.encoderColumns().cast<double>();
        const Eigen::MatrixXd W = sae.decoderWeights().cast<double>();
        const Eigen::VectorXd be = sae.encoderBias().cast<double>();
        const Eigen::VectorXd bd = sae.decoderBias().cast<double>();
        const Eigen::VectorXd theta = sae.logThresholds().cast<double>().array().exp();
        const double eps = config.jumpBandwidth, scale = config.jumpTanhScale;
        Eigen::VectorXd dTheta = Eigen::VectorXd::Zero(dsae);
        // Quadratic: λ (L0/T − 1)² is λ' Σ_s Σ_j [pre_sj > θ_j] locally, λ' = 2λ (L0/T − 1)/(T B).
        double active = 0.0;
        for (int s = 0; s < batch; ++s) {
            const Eigen::VectorXd pre = E.transpose() * (X.col(s).cast<double>() - bd) + be;
            for (int j = 0; j < dsae; ++j)
                active += pre[j] > theta[j] ? 1.0 : 0.0;
        }
        const double T = config.jumpTargetL0;
        const double stepRate = config.jumpSparsity == SaeJumpSparsity::Step ? l1 / batch
                                : config.jumpSparsity == SaeJumpSparsity::Quadratic
                                    ? 2.0 * l1 * (active / batch / T - 1.0) / (T * batch)
                                    : 0.0;
        if (config.jumpSparsity == SaeJumpSparsity::Quadratic)
            QVERIFY2(std::abs(active / batch - T) > 0.5, "the test needs L0 away from its target");
        int inWindow = 0;
        for (int s = 0; s < batch; ++s) {
            const Eigen::VectorXd x = X.col(s).cast<double>();
            const Eigen::VectorXd pre = E.transpose() * (x - bd) + be;
            Eigen::VectorXd f = Eigen::VectorXd::Zero(dsae);
            for (int j = 0; j < dsae; ++j)
                f[j] = pre[j] > theta[j] ? pre[j] : 0.0;
            const Eigen::VectorXd residual = W * f + bd - x;
            for (int j = 0; j < dsae; ++j) {
                double g = 2.0 / (double(batch) * d) * W.col(j).dot(residual);
                if (config.jumpSparsity == SaeJumpSparsity::Tanh) {
                    const double t = std::tanh(scale * f[j] * W.col(j).norm());
                    g += l1 / batch * scale * W.col(j).norm() * (1.0 - t * t);
                }
                if (std::abs((pre[j] - theta[j]) / eps) < 0.5) {
                    ++inWindow;
                    dTheta[j] += -theta[j] / eps * g;
                    dTheta[j] += -stepRate / eps;
                }
            }
        }
        QVERIFY2(inWindow > batch, "the test needs pre-activations near the thresholds");
        double scaleMax = 0.0;
        for (int j = 0; j < dsae; ++j)
            scaleMax = std::max(scaleMax, std::abs(theta[j] * dTheta[j]));
        QVERIFY(scaleMax > 1e-4);
        for (int j = 0; j < dsae; ++j) {
            const double expected = theta[j] * dTheta[j];
            const double got = gradient[sae.logThresholdOffset() + std::size_t(j)];
            QVERIFY2(std::abs(got - expected) <= 1e-5 * scaleMax + 1e-4 * std::abs(expected),
                     qPrintable(QStringLiteral("latent %1: kernel %2, estimator %3").arg(j).arg(got).arg(expected)));
        }
    }

    // TopK and BatchTopK with AuxK: the kernel's loss and gradient against the reference (the residual held fixed), on both
    // paths, with more dead latents than k_aux (scale 1) and fewer (scale n_dead / k_aux).
    void auxKFiniteDifferences_data()
    {
        QTest::addColumn<int>("variant");
        QTest::addColumn<int>("path");
        QTest::addColumn<int>("d");
        QTest::addColumn<int>("dsae");
        QTest::addColumn<QList<int>>("dead");
        for (const auto& v : {std::pair{"topk", SaeVariant::TopK}, std::pair{"batchtopk", SaeVariant::BatchTopK},
                              std::pair{"matryoshka", SaeVariant::Matryoshka}})
            for (const auto& p : {std::pair{"dense", SaeComputePath::Dense}, std::pair{"sparse", SaeComputePath::Sparse}}) {
                QTest::addRow("%s-%s-d5-many-dead", v.first, p.first)
                    << int(v.second) << int(p.second) << 5 << 9 << QList<int>{1, 4, 5, 7, 8};
                QTest::addRow("%s-%s-d32-few-dead", v.first, p.first)
                    << int(v.second) << int(p.second) << 32 << 12 << QList<int>{0, 3, 7};
            }
    }

    void auxKFiniteDifferences()
    {
        QFETCH(int, variant);
        QFETCH(int, path);
        QFETCH(int, d);
        QFETCH(int, dsae);
        QFETCH(QList<int>, dead);
        const int batch = 6;
        SparseAutoencoder sae = makeAutoencoder(SaeVariant(variant), d, dsae, 31);
        QVERIFY(sae.config().usesAuxK() && sae.config().auxK == 1.0); // SAELens's aux_loss_coefficient
        const std::vector<int> deadList(dead.begin(), dead.end());
        const Eigen::MatrixXf X = randomBatch(d, batch, 32);
        SaeLossKernel kernel(sae.config(), SaeComputePath(path));
        kernel.setDeadLatents(&deadList);
        std::vector<float> gradient(sae.parameters().size(), -123.0f);
        const SaeLossTerms terms = kernel.evaluate(sae, X, 0.0, gradient.data());
        const Eigen::MatrixXd residual = referenceResidual(sae, X);
        std::vector<char> mainPattern, auxPattern;
        const double mainReference = referenceLoss(sae, X, 0.0, &mainPattern);
        const double auxReference = referenceAuxLoss(sae, X, deadList, residual, &auxPattern);
        QVERIFY(auxReference > 1e-3);
        QVERIFY2(std::abs(terms.auxLoss - auxReference) <= 1e-5 * auxReference,
                 qPrintable(QStringLiteral("aux loss %1 vs reference %2").arg(terms.auxLoss).arg(auxReference)));
        QVERIFY(std::abs(terms.loss - (mainReference + auxReference)) <= 1e-5 * (mainReference + auxReference));

        // Without the dead list the same kernel gives the plain TopK loss.
        SaeLossKernel plain(sae.config(), SaeComputePath(path));
        std::vector<float> plainGradient(sae.parameters().size());
        const SaeLossTerms plainTerms = plain.evaluate(sae, X, 0.0, plainGradient.data());
        QCOMPARE(plainTerms.auxLoss, 0.0);
        QVERIFY(std::abs(plainTerms.loss - mainReference) <= 1e-5 * mainReference);

        const double h = 1e-3;
        int checked = 0, skipped = 0, auxOnly = 0;
        for (std::size_t p = 0; p < sae.parameters().size(); ++p) {
            const float original = sae.parameters()[p];
            const float plus = float(original + h), minus = float(original - h);
            std::vector<char> mainPlus, mainMinus, auxPlus, auxMinus;
            sae.parameters()[p] = plus;
            const double lossPlus =
                referenceLoss(sae, X, 0.0, &mainPlus) + referenceAuxLoss(sae, X, deadList, residual, &auxPlus);
            sae.parameters()[p] = minus;
            const double lossMinus =
                referenceLoss(sae, X, 0.0, &mainMinus) + referenceAuxLoss(sae, X, deadList, residual, &auxMinus);
            sae.parameters()[p] = original;
            if (mainPlus != mainPattern || mainMinus != mainPattern || auxPlus != auxPattern || auxMinus != auxPattern) {
                ++skipped;
                continue;
            }
            const double numeric = (lossPlus - lossMinus) / (double(plus) - double(minus));
            QVERIFY2(std::abs(double(gradient[p]) - numeric) <= 2e-5 + 2e-3 * std::abs(numeric),
                     qPrintable(QStringLiteral("parameter %1: analytic %2, finite difference %3")
                                    .arg(p)
                                    .arg(double(gradient[p]), 0, 'g', 8)
                                    .arg(numeric, 0, 'g', 8)));
            // Parameters the AuxK term moves (the dead latents' encoder rows): their gradient differs from plain TopK's.
            if (std::abs(double(gradient[p]) - double(plainGradient[p])) > 1e-4 + 1e-2 * std::abs(numeric))
                ++auxOnly;
            ++checked;
        }
        QVERIFY2(skipped * 10 < checked, qPrintable(QStringLiteral("%1 parameters skipped at kinks").arg(skipped)));
        QVERIFY2(auxOnly > d, qPrintable(QStringLiteral("only %1 parameters feel the AuxK loss").arg(auxOnly)));
    }

    // BatchTopK keeps exactly k·B codes of the batch, not k per input, and reports the smallest kept one.
    void batchTopKSelectsOverTheBatch()
    {
        SparseAutoencoder sae = makeAutoencoder(SaeVariant::BatchTopK, 16, 48, 41);
        const Eigen::MatrixXf X = randomBatch(16, 20, 42);
        SaeLossKernel kernel(sae.config(), SaeComputePath::Sparse);
        const SaeLossTerms terms = kernel.evaluate(sae, X, 0.0, nullptr);
        const int k = sae.config().k;
        QCOMPARE(terms.l0, double(k));
        int total = 0;
        for (int c : kernel.fireCounts())
            total += c;
        QCOMPARE(total, k * 20);
        // Per input the counts vary, and every kept value is at least the smallest one reported.
        sae.setThreshold(kernel.batchMinActive());
        Eigen::MatrixXf pre = sae.preActivations(X);
        int perInputDiffers = 0;
        for (int s = 0; s < 20; ++s) {
            int kept = 0;
            for (int j = 0; j < 48; ++j)
                kept += pre(j, s) >= kernel.batchMinActive() ? 1 : 0;
            perInputDiffers += kept != k ? 1 : 0;
        }
        QVERIFY(perInputDiffers > 0);
        QVERIFY(kernel.batchMinActive() > 0.0f);
        // The inference JumpReLU just below that threshold keeps the same codes on this batch.
        sae.setThreshold(std::nextafter(kernel.batchMinActive(), 0.0f));
        const Eigen::MatrixXf codes = sae.encode(X);
        QCOMPARE(int((codes.array() > 0.0f).count()), k * 20);
    }

    void denseMatchesSparse_data()
    {
        QTest::addColumn<int>("variant");
        QTest::addColumn<int>("d");
        QTest::newRow("tm2023-d64") << int(SaeVariant::TM2023) << 64;
        QTest::newRow("2024-d64") << int(SaeVariant::Anthropic2024) << 64;
        QTest::newRow("topk-d64") << int(SaeVariant::TopK) << 64;
        QTest::newRow("batchtopk-d64") << int(SaeVariant::BatchTopK) << 64;
        QTest::newRow("matryoshka-d64") << int(SaeVariant::Matryoshka) << 64;
        QTest::newRow("tm2023-d40") << int(SaeVariant::TM2023) << 40;
        QTest::newRow("tm2023-d128") << int(SaeVariant::TM2023) << 128;
        // wide inputs (a language model's width): the chunked kernels, and 400 = 25 x 16 with a partial last chunk
        QTest::newRow("tm2023-d512") << int(SaeVariant::TM2023) << 512;
        QTest::newRow("topk-d512") << int(SaeVariant::TopK) << 512;
        QTest::newRow("2024-d400") << int(SaeVariant::Anthropic2024) << 400;
    }

    // The two implementations of the kernel agree on the benchmark's shape (d_sae = 512, realistic sparse data).
    void denseMatchesSparse()
    {
        QFETCH(int, variant);
        QFETCH(int, d);
        SyntheticActivationSource::Settings settings;
        settings.dimension = d;
        SyntheticActivationSource source(settings);
        ActivationSource::Random random(4);
        Eigen::MatrixXf X;
        source.sampleBatch(X, 256, random);
        SparseAutoencoder sae = makeAutoencoder(SaeVariant(variant), d, 512, 21);
        sae.encoderBias().array() -= 0.1f;
        SaeLossKernel dense(sae.config(), SaeComputePath::Dense), sparse(sae.config(), SaeComputePath::Sparse);
        std::vector<float> gDense(sae.parameters().size()), gSparse(sae.parameters().size());
        const SaeLossTerms a = dense.evaluate(sae, X, 3e-3, gDense.data());
        const SaeLossTerms b = sparse.evaluate(sae, X, 3e-3, gSparse.data());
        QVERIFY(std::abs(a.loss - b.loss) <= 1e-5 * std::abs(a.loss));
        QCOMPARE(a.l0, b.l0);
        QVERIFY(a.l0 > 1.0);
        QCOMPARE(dense.fireCounts(), sparse.fireCounts());
        float scale = 0.0f, diff = 0.0f;
        for (std::size_t p = 0; p < gDense.size(); ++p) {
            scale = std::max(scale, std::abs(gDense[p]));
            diff = std::max(diff, std::abs(gDense[p] - gSparse[p]));
        }
        QVERIFY2(diff <= 1e-4f * scale, qPrintable(QStringLiteral("max difference %1, scale %2").arg(diff).arg(scale)));
        QCOMPARE(dense.sampleSquaredErrors().size(), Eigen::Index(256));
        QVERIFY((dense.sampleSquaredErrors() - sparse.sampleSquaredErrors()).cwiseAbs().maxCoeff() <=
                1e-4f * dense.sampleSquaredErrors().maxCoeff());
    }

    void topKSelector_data()
    {
        QTest::addColumn<QList<float>>("values");
        QTest::addColumn<int>("k");
        QTest::addColumn<QList<int>>("expected");
        QTest::newRow("basic") << QList<float>{0.5f, 3.f, -1.f, 2.f, 1.f} << 2 << QList<int>{1, 3};
        QTest::newRow("relu after topk") << QList<float>{-3.f, 0.5f, -1.f, -2.f} << 3 << QList<int>{1};
        QTest::newRow("ties keep the lower index") << QList<float>{1.f, 2.f, 2.f, 2.f} << 2 << QList<int>{1, 2};
        QTest::newRow("k larger than n") << QList<float>{1.f, 2.f} << 5 << QList<int>{0, 1};
    }

    void topKSelector()
    {
        QFETCH(QList<float>, values);
        QFETCH(int, k);
        QFETCH(QList<int>, expected);
        TopKSelector selector(k);
        std::vector<int> indices(static_cast<std::size_t>(k));
        std::vector<float> kept(static_cast<std::size_t>(k));
        const int count = selector.select(values.data(), int(values.size()), indices.data(), kept.data());
        QCOMPARE(QList<int>(indices.begin(), indices.begin() + count), expected);
        for (int t = 0; t < count; ++t)
            QCOMPARE(kept[std::size_t(t)], values[indices[std::size_t(t)]]);
    }
};

QTEST_GUILESS_MAIN(TestSaeGradients)
#include "tst_sae_gradients.moc"
